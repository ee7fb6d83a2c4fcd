import { readFileSync } from 'node:fs';

const manifest = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string; homepage: string };

/** cors-gen's own version, read from package.json (one level above dist/ and src/). */
export const VERSION: string = manifest.version;
/** Where the README is read online (package.json "homepage"). */
export const HOMEPAGE: string = manifest.homepage;
