import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

// Figures are read by people, not asserted; this keeps the script working, at a small size.
describe('bench:bridge --quick', () => {
  it('floods with and without a following client and prints every figure', async () => {
    const script = fileURLToPath(new URL('./bridge.ts', import.meta.url));
    const output = await new Promise<string>((resolve, reject) => {
      execFile(process.execPath, ['--import', 'tsx', script, '--quick'], { timeout: 150_000 }, (err, stdout, stderr) =>
        err ? reject(new Error(`${err.message}\n${stderr}`)) : resolve(stdout),
      );
    });
    expect(output).toMatch(/ingest, client attached vs none +\d+ \/ \d+ MiB\/s = \d+\.\d\d/);
    expect(output).toMatch(/event batches delivered to the client per second +\d+\.\d \/s/);
    expect(output).toMatch(/main-process memory growth \(peak\)/);
    expect(output).toMatch(/the same with a \d+ MiB flood +\d+ MiB = \d+\.\d\dx/);
  }, 180_000);
});
