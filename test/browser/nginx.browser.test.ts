// The nginx target in the real nginx, called by Debian's Chromium, Firefox ESR and WebKitGTK (see suite.ts).
import { driver } from '../servers/nginx.driver.js';
import { browserSuite } from './suite.js';

browserSuite(driver);
