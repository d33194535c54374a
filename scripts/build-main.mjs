#!/usr/bin/env node
// Bundles the Electron main process (ESM) and the sandboxed preload (CJS) into dist/.
import { build } from 'esbuild';

const common = { bundle: true, platform: 'node', target: 'node20', sourcemap: false, logLevel: 'warning' };
await build({
  ...common,
  entryPoints: ['app/main/electron-main.ts'],
  outfile: 'dist/main/electron-main.js',
  format: 'esm',
  // ws loads these native speed-ups only if present.
  external: ['electron', 'bufferutil', 'utf-8-validate'],
  banner: {
    js: "import { createRequire as __netprocCreateRequire } from 'node:module'; const require = __netprocCreateRequire(import.meta.url);",
  },
});
await build({
  ...common,
  entryPoints: ['app/preload/preload.ts'],
  outfile: 'dist/preload/preload.cjs',
  format: 'cjs',
  external: ['electron'],
});
await build({
  ...common,
  entryPoints: ['app/main/web-cli.ts'],
  outfile: 'dist/main/web-cli.js',
  format: 'esm',
  external: ['bufferutil', 'utf-8-validate'],
  banner: {
    js: "import { createRequire as __netprocCreateRequire } from 'node:module'; const require = __netprocCreateRequire(import.meta.url);",
  },
});
// Buffer searches run on a worker thread, which main starts from this file beside its own bundle.
await build({
  ...common,
  entryPoints: ['app/main/netproc/search-worker.ts'],
  outfile: 'dist/main/search-worker.js',
  format: 'esm',
});
console.log('built dist/main/electron-main.js, dist/main/web-cli.js, dist/main/search-worker.js and dist/preload/preload.cjs');
