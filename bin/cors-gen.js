#!/usr/bin/env node
// CommonJS (bin/package.json): Node starts it without its ES module loader, and start-up is most
// of a cors-gen run. The command line is one bundled file (dist/cli.cjs, scripts/build.mjs),
// compiled with the V8 code cache the build made beside it when this Node.js can use it.
'use strict';
const { readFileSync } = require('node:fs');
const { createRequire, wrap } = require('node:module');
const { dirname, join } = require('node:path');
const { Script } = require('node:vm');

const file = join(__dirname, '..', 'dist', 'cli.cjs');
let cachedData;
try {
  cachedData = readFileSync(`${file}.v8-cache`);
} catch {
  // No cache (a build without one): compile from source.
}
const script = new Script(wrap(readFileSync(file, 'utf8')), { filename: file, cachedData });
const bundle = { exports: {} };
script.runInThisContext()(bundle.exports, createRequire(file), bundle, file, dirname(file));
// scripts/code-cache.cjs writes the cache from this script after a sample run.
module.exports = script;
