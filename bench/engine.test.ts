import { describe, expect, it } from 'vitest';
import { runQuick } from './run-quick.js';

// The benchmark's figures are read by people, not asserted (timings on a shared
// machine are noise); this keeps the script itself working, at tiny sizes.
describe('bench:engine --quick', () => {
  it('runs every scenario side by side and prints each figure with its ratio', async () => {
    const output = await runQuick('./engine.ts', 120_000);
    const figures = output.split('\n').filter((line) => /^\([a-i]\)/.test(line));
    expect(figures.map((line) => line.slice(0, 3))).toEqual([
      '(a)',
      '(a)',
      '(a)',
      '(a)',
      '(a)',
      '(a)',
      '(b)',
      '(c)',
      '(c)',
      '(c)',
      '(c)',
      '(c)',
      '(c)',
      '(d)',
      '(d)',
      '(d)',
      '(d)',
      '(f)',
      '(g)',
      '(g)',
      '(e)',
      '(e)',
      '(h)',
      '(i)',
      '(i)',
      '(i)',
    ]);
    // A figure shown for reading ("info") may be negative (a heap that shrank); a judged one never passes so.
    for (const line of figures)
      expect(line).toMatch(/engine .* plain .* ratio +((\d+\.\d\d|NaN) +target .* (ok|MISSED|-)|-\d+\.\d\d +target info +-)$/);
    // Every datagram the receivers did not get is one the kernel says it dropped (Linux reports drops).
    expect(figures.find((line) => line.startsWith('(d) kernel drops'))).toMatch(/engine +\d+ +plain +\d+ .* ok$/);
    expect(figures.some((line) => line.startsWith('(a) ingest, one tap subscriber vs none'))).toBe(true);
    expect(figures.some((line) => line.startsWith('(a) ingest, timeline recording vs none'))).toBe(true);
    expect(figures.some((line) => line.startsWith('(f) regex auto-reply vs built-in echo'))).toBe(true);
    expect(figures.find((line) => line.startsWith('(g) repeat every 1 ms'))).toMatch(/engine +\d+-\d+\/s/);
    expect(figures.find((line) => line.startsWith('(h) workspace of'))).toMatch(/engine +\d+ ms .* target < 2000 ms/);
    // Every connection is served, in every round.
    expect(figures.find((line) => line.startsWith('(c) connections served'))).toMatch(/ ok$/);
  }, 150_000);
});
