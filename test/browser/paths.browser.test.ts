// Path-scoped policies on one host in nginx, Apache and Caddy, called by Debian's Chromium (see paths.ts).
import { pathsBrowserSuite } from './paths.js';

pathsBrowserSuite('nginx');
pathsBrowserSuite('apache');
pathsBrowserSuite('caddy');
