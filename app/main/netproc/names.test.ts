import { describe, expect, it } from 'vitest';
import { connectionNames, uniqueProcessName } from './names.js';
import type { NetworkProcess } from './process.js';

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

describe("a server's connection names", () => {
  const server = (name: string, bufferName: string | null): NetworkProcess =>
    ({ name, buffer: bufferName === null ? null : { name: bufferName } }) as NetworkProcess;

  it.each([
    ['srv', null, 'srv <127.0.0.1:40000>'],
    ['srv', 'srv', 'srv <127.0.0.1:40000>'],
    ['srv', '*log*', '*log* <127.0.0.1:40000>'],
  ])('server %s with buffer %s: the connection is "srv <ID>" and its buffer %s', (name, bufferName, expectedBuffer) => {
    const names = connectionNames(server(name, bufferName), '127.0.0.1:40000');
    expect(names).toEqual({ requestedName: 'srv <127.0.0.1:40000>', bufferName: expectedBuffer });
  });
});
