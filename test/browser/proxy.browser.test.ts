// Proxy mode in nginx, Apache and Caddy, called by Chromium, Firefox ESR and WebKitGTK (see proxy.ts).
import { proxyBrowserSuite } from './proxy.js';

proxyBrowserSuite('nginx');
proxyBrowserSuite('apache');
proxyBrowserSuite('caddy');
