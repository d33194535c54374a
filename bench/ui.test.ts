import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

// Figures are read by people, not asserted; this keeps the script working, at a small size, in real Chromium.
describe('bench:ui --quick', () => {
  it('floods a followed buffer in headless Chromium and prints every figure', async () => {
    const script = fileURLToPath(new URL('./ui.ts', import.meta.url));
    const output = await new Promise<string>((resolve, reject) => {
      execFile(process.execPath, ['--import', 'tsx', script, '--quick'], { timeout: 150_000 }, (err, stdout, stderr) =>
        err ? reject(new Error(`${err.message}\n${stderr}`)) : resolve(stdout),
      );
    });
    expect(output).toMatch(/frames rendered per second during the flood \(probe run\) +\d+\.\d \/s/);
    expect(output).toMatch(/key press to character on screen, p95 of \d+ +\d+\.\d ms/);
    expect(output).toMatch(/ingest with the UI following vs none +\d+ \/ \d+ MiB\/s = \d+\.\d\d/);
  }, 180_000);
});
