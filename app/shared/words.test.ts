import { describe, expect, it } from 'vitest';
import { counted } from './words.js';

describe('counted', () => {
  it('makes the noun agree with the count, in English', () => {
    expect(counted(1, 'connection')).toBe('1 connection');
    expect(counted(0, 'connection')).toBe('0 connections');
    expect(counted(2, 'process')).toBe('2 processes');
    expect(counted(1, 'process')).toBe('1 process');
    expect(counted(1, 'byte')).toBe('1 byte');
    expect(counted(12345, 'byte')).toBe('12345 bytes');
    expect(counted(3, 'matching record')).toBe('3 matching records');
    expect(counted(2, 'child', 'children')).toBe('2 children');
  });
});
