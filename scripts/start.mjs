#!/usr/bin/env node
// `npm start`: the desktop app where an Electron binary is present; otherwise
// one clear line saying so, and the same workbench from the loopback web host.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);

function electronBinary() {
  try {
    const path = require('electron');
    return typeof path === 'string' && existsSync(path) ? path : null;
  } catch {
    return null;
  }
}

const binary = electronBinary();
const args = binary ? ['.'] : ['dist/main/web-cli.js', '--open', ...process.argv.slice(2)];
if (!binary) console.log('netproc: no Electron binary is installed here, so the workbench runs from the loopback web host instead.');
const child = spawn(binary ?? process.execPath, args, { stdio: 'inherit' });
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => child.kill(signal));
child.on('exit', (code) => process.exit(code ?? 0));
