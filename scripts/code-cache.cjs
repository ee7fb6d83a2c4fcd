// Writes dist/cli.cjs.v8-cache: runs bin/cors-gen.js once on an example (its output discarded by
// the caller, scripts/build.mjs), then saves V8's code for every function that run compiled.
'use strict';
const { rmSync, writeFileSync } = require('node:fs');
const { join } = require('node:path');

const root = join(__dirname, '..');
const cache = join(root, 'dist', 'cli.cjs.v8-cache');
rmSync(cache, { force: true });
process.argv = [process.argv[0], join(root, 'bin', 'cors-gen.js'), join(root, 'examples', 'multi-tenant.yaml'), '--target', 'nginx'];
const script = require('../bin/cors-gen.js');
process.on('exit', (code) => {
  if (code !== 0) throw new Error(`the sample run exited ${code}`);
  writeFileSync(cache, script.createCachedData());
});
