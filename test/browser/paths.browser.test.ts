// Path-scoped policies on one host in nginx, Apache and Caddy, called by Chromium, Firefox ESR and WebKitGTK (see paths.ts).
import { pathsBrowserSuite } from './paths.js';

pathsBrowserSuite('nginx');
pathsBrowserSuite('apache');
pathsBrowserSuite('caddy');
