#!/usr/bin/env node
// The system packages the test suites use: Debian's Chromium (the end-to-end
// suite drives it; Playwright's own browser download is not possible here)
// 7-Zip (electron-builder's tar.gz target in dist:check) and tshark (the capture
// export is checked by Wireshark's own reader). Installs what is
// missing when running as root with apt; otherwise says exactly what to install.
import { existsSync } from 'node:fs';
import { spawnSync } from 'node:child_process';

const needs = [
  { path: process.env.NETPROC_CHROMIUM ?? '/usr/bin/chromium', pkg: 'chromium' },
  { path: '/usr/bin/7za', pkg: 'p7zip-full' },
  { path: '/usr/bin/tshark', pkg: 'tshark' },
];
const missing = needs.filter((n) => !existsSync(n.path)).map((n) => n.pkg);
if (missing.length === 0) process.exit(0);

const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
const hasApt = existsSync('/usr/bin/apt-get');
if (!isRoot || !hasApt) {
  console.error(
    `netproc: the tests need ${missing.join(' and ')}; install them (e.g. sudo apt-get install -y ${missing.join(' ')}) and run again.`,
  );
  process.exit(1);
}
console.log(`netproc: installing ${missing.join(', ')} with apt-get…`);
const run = (args) =>
  spawnSync('apt-get', args, { stdio: 'inherit', env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } }).status === 0;
if (!run(['update']) || !run(['install', '-y', '--no-install-recommends', ...missing])) {
  console.error(`netproc: apt-get could not install ${missing.join(' ')}`);
  process.exit(1);
}
