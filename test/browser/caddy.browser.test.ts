// The caddy target in the real caddy, called by Debian's Chromium, Firefox ESR and WebKitGTK (see suite.ts).
import { driver } from '../servers/caddy.driver.js';
import { browserSuite } from './suite.js';

browserSuite(driver);
