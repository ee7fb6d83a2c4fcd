// The apache target in the real apache, called by Debian's Chromium, Firefox ESR and WebKitGTK (see suite.ts).
import { driver } from '../servers/apache.driver.js';
import { browserSuite } from './suite.js';

browserSuite(driver);
