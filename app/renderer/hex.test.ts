import { describe, expect, it } from 'vitest';
import { base64Bytes, hexDump } from './hex.js';

describe('hex view', () => {
  it('dumps offset, hex and ASCII, sixteen bytes a line, aligned to the buffer offsets', () => {
    expect(hexDump(new TextEncoder().encode('GET / HTTP/1.1\r\nHost'), 0)).toEqual([
      '00000000  47 45 54 20 2f 20 48 54  54 50 2f 31 2e 31 0d 0a  |GET / HTTP/1.1..|',
      '00000010  48 6f 73 74                                       |Host            |',
    ]);
    expect(hexDump(new Uint8Array([0xde, 0xad]), 0x1e)).toEqual([`00000010  ${' '.repeat(43)}de ad  |              ..|`]);
  });

  it('decodes base64 ranges from the bridge', () => {
    expect([...base64Bytes('3q2+7w==')]).toEqual([0xde, 0xad, 0xbe, 0xef]);
  });
});
