// The caddy target in the real caddy, called by Debian's Chromium (see suite.ts).
import { driver } from '../servers/caddy.driver.js';
import { browserSuite } from './suite.js';

browserSuite(driver);
