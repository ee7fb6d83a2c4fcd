// Path-scoped policies in the real Caddy: every policy of one file imported together as the first
// lines of one site (docs/contract.md §4), on Caddy's own path matcher. The site also has handle blocks of
// its own, which preflights must never reach.
import { paths } from './caddy.driver.js';
import { pathsSuite } from './paths.suite.js';

pathsSuite('caddy', paths);
