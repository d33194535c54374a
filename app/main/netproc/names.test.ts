import { describe, expect, it } from 'vitest';
import { uniqueProcessName } from './names.js';

const taken =
  (...names: string[]) =>
  (n: string) =>
    names.includes(n);

describe('process names (spec §4.1) [O-08]', () => {
  it.each([
    [[], 'foo', 'foo'],
    [['foo'], 'foo', 'foo<1>'],
    [['foo', 'foo<1>', 'foo<2>'], 'foo', 'foo<3>'],
    [['foo', 'foo<2>', 'foo<3>'], 'foo', 'foo<1>'],
    [['foo<2>'], 'foo<2>', 'foo<2><1>'],
    [['shared'], 'shared', 'shared<1>'],
  ])('with %j taken, %s becomes %s', (existing, requested, expected) => {
    expect(uniqueProcessName(requested, taken(...existing))).toBe(expected);
  });
});
