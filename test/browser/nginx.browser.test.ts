// The nginx target in the real nginx, called by Debian's Chromium (see suite.ts).
import { driver } from '../servers/nginx.driver.js';
import { browserSuite } from './suite.js';

browserSuite(driver);
