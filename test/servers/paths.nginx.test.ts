// Path-scoped policies in the real nginx: every policy of one file included together at server
// level (docs/contract.md §4), on nginx's normalized $uri.
import { paths } from './nginx.driver.js';
import { pathsSuite } from './paths.suite.js';

pathsSuite('nginx', paths);
