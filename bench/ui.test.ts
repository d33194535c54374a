import { describe, expect, it } from 'vitest';
import { runQuick } from './run-quick.js';

// Figures are read by people, not asserted; this keeps the script working, at a small size, in real Chromium.
describe('bench:ui --quick', () => {
  it('floods a followed buffer in headless Chromium and prints every figure', async () => {
    const output = await runQuick('./ui.ts', 150_000);
    expect(output).toMatch(/frames rendered per second during the flood \(probe run\) +\d+\.\d \/s/);
    expect(output).toMatch(/key press to character on screen, p95 of \d+ +\d+\.\d ms/);
    expect(output).toMatch(/ingest with the UI following vs none.* +\d+ \/ \d+ MiB\/s = \d+\.\d\d/);
  }, 180_000);
});
