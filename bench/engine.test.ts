import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

// The benchmark's figures are read by people, not asserted (timings on a shared
// machine are noise); this keeps the script itself working, at tiny sizes.
describe('bench:engine --quick', () => {
  it('runs every scenario side by side and prints each figure with its ratio', async () => {
    const script = fileURLToPath(new URL('./engine.ts', import.meta.url));
    const output = await new Promise<string>((resolve, reject) => {
      execFile(process.execPath, ['--import', 'tsx', script, '--quick'], { timeout: 120_000 }, (err, stdout, stderr) =>
        err ? reject(new Error(`${err.message}\n${stderr}`)) : resolve(stdout),
      );
    });
    const figures = output.split('\n').filter((line) => /^\([a-e]\)/.test(line));
    expect(figures.map((line) => line.slice(0, 3))).toEqual([
      '(a)',
      '(a)',
      '(a)',
      '(a)',
      '(b)',
      '(c)',
      '(c)',
      '(c)',
      '(d)',
      '(d)',
      '(e)',
      '(e)',
    ]);
    for (const line of figures) expect(line).toMatch(/engine .* plain .* ratio +\d+\.\d\d +target/);
  }, 150_000);
});
