// cors-gen serve called by Chromium, Firefox ESR and WebKitGTK (see serve.ts).
import { serveBrowserSuite } from './serve.js';

serveBrowserSuite();
