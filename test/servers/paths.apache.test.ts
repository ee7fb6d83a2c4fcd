// Path-scoped policies in the real Apache httpd: every policy of one file included together first
// in one <VirtualHost> (docs/contract.md §4), on the path mod_rewrite sees. The first virtual host also has
// an ErrorDocument for 403, so refused preflights go through an internal redirect.
import { paths } from './apache.driver.js';
import { pathsSuite } from './paths.suite.js';

pathsSuite('apache', paths);
