import { describe, expect, it } from 'vitest';
import { atLeast, atMost, below, exactly, INFO, verdict } from './verdict.js';

describe('benchmark verdicts', () => {
  it('print ok only when the figure meets the target, MISSED otherwise', () => {
    expect(verdict(0.6, atLeast(0.6))).toBe('ok');
    expect(verdict(0.59, atLeast(0.6))).toBe('MISSED');
    expect(verdict(1.3, atMost(1.3))).toBe('ok');
    expect(verdict(1.31, atMost(1.3))).toBe('MISSED');
    expect(verdict(99.9, below(100))).toBe('ok');
    expect(verdict(100, below(100))).toBe('MISSED');
    expect(verdict(5000, exactly(5000))).toBe('ok');
    expect(verdict(4999, exactly(5000))).toBe('MISSED');
  });

  it('never pass a figure that could not be measured', () => {
    for (const target of [atLeast(0), atMost(10), below(10), exactly(0)]) {
      expect(verdict(NaN, target)).toBe('MISSED');
      expect(verdict(Infinity, target)).toBe('MISSED');
    }
  });

  it('print the bound they judge by', () => {
    expect(atLeast(0.6).text).toBe('>= 0.60');
    expect(atMost(3, 1, 'x').text).toBe('<= 3.0x');
    expect(below(20, 0, ' KiB').text).toBe('< 20 KiB');
    expect(verdict(-1, INFO)).toBe('-');
  });
});
