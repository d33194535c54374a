import { describe, expect, it } from 'vitest';
import { runQuick } from './run-quick.js';

// Figures are read by people, not asserted; this keeps the script working, at a small size.
describe('bench:bridge --quick', () => {
  it('floods with and without a following client and prints every figure', async () => {
    const output = await runQuick('./bridge.ts', 150_000);
    expect(output).toMatch(/ingest, client attached vs none +\d+ \/ \d+ MiB\/s = \d+\.\d\d/);
    expect(output).toMatch(/event batches delivered to the client per second +\d+\.\d \/s/);
    // The memory verdict is judged against the cap, not printed from a constant.
    expect(output).toMatch(/main-process memory growth \(peak\).* \d+ MiB = \d+\.\d\dx cap +target <= 3\.0x cap +(ok|MISSED)$/m);
    expect(output).toMatch(/the same with a \d+ MiB flood +\d+ MiB = \d+\.\d\dx/);
    const figures = output.split('\n').filter((line) => / target /.test(line));
    expect(figures).toHaveLength(5);
    for (const line of figures) expect(line).toMatch(/ (ok|MISSED|-)$/);
  }, 180_000);
});
