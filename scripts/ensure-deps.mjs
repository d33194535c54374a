#!/usr/bin/env node
// Installs the project's dependencies when node_modules is missing or older
// than package-lock.json, so `npm start` and `npm test` work on a fresh clone.
// The Electron binary is never downloaded here (see README): its types are enough.
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const lock = join(root, 'package-lock.json');
const stamp = join(root, 'node_modules', '.netproc-deps-stamp');
const want = createHash('sha256').update(readFileSync(lock)).digest('hex');

if (existsSync(stamp) && readFileSync(stamp, 'utf8') === want) process.exit(0);

console.log('netproc: installing dependencies (npm ci)…');
const result = spawnSync('npm', ['ci', '--no-audit', '--no-fund'], {
  cwd: root,
  stdio: 'inherit',
  env: { ...process.env, ELECTRON_SKIP_BINARY_DOWNLOAD: '1' },
});
if (result.status !== 0) {
  console.error('netproc: npm ci failed');
  process.exit(result.status ?? 1);
}
writeFileSync(stamp, want);
