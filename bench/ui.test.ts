import { describe, expect, it } from 'vitest';
import { runQuick } from './run-quick.js';

// Figures are read by people, not asserted; this keeps the script working, at a small size, in real Chromium.
describe('bench:ui --quick', () => {
  it('floods a followed buffer in headless Chromium and prints every figure', async () => {
    const output = await runQuick('./ui.ts', 150_000);
    // Frames count only while bytes arrive: the line says how much arrived over how long.
    expect(output).toMatch(/frames per second while [1-9]\d* MiB arrived in \d+\.\d s +\d+\.\d \/s +target >= 55 +(ok|MISSED)$/m);
    expect(output).toMatch(/key press to character on screen, p95 of \d+ +\d+\.\d ms/);
    expect(output).toMatch(/ingest with the UI following vs none.* +\d+ \/ \d+ MiB\/s = \d+\.\d\d/);
    expect(output).toMatch(/open a 64 MiB buffer from the buffer list → tail shown, median of \d+ +\d+ ms \(max \d+\) +target < 200 ms/);
    expect(output).toMatch(
      /timeline of [\d,]+ records: frames per second scrolling \d+ rows a frame +\d+\.\d \/s +target >= 55 +(ok|MISSED)$/m,
    );
    expect(output).toMatch(/timeline of [\d,]+ records: frames per second filtering +\d+\.\d \/s \(\d+ ms to the result\)/);
    const figures = output.split('\n').filter((line) => / target /.test(line));
    expect(figures).toHaveLength(6);
    for (const line of figures) expect(line).toMatch(/ (ok|MISSED)$/);
  }, 180_000);
});
