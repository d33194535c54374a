import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('..', import.meta.url));
const electronPresent = (() => {
  try {
    const path = createRequire(import.meta.url)('electron') as unknown;
    return typeof path === 'string' && existsSync(path);
  } catch {
    return false;
  }
})();

describe('npm start without an Electron binary', () => {
  it.skipIf(electronPresent)(
    'says so in one line and serves the workbench from the loopback web host',
    async () => {
      const child = spawn(process.execPath, ['scripts/start.mjs', '--port', '0'], { cwd: root, env: { ...process.env, CI: 'true' } });
      let output = '';
      child.stdout.on('data', (d: Buffer) => (output += d.toString()));
      const deadline = Date.now() + 15_000;
      while (!/http:\/\/127\.0\.0\.1:\d+\/\?token=\S+/.test(output) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
      child.kill('SIGTERM');
      expect(output.split('\n')[0]).toBe(
        'netproc: no Electron binary is installed here, so the workbench runs from the loopback web host instead.',
      );
      const url = /http:\/\/127\.0\.0\.1:\d+\/\?token=\S+/.exec(output)?.[0];
      expect(url).toBeDefined();
    },
    20_000,
  );
});
