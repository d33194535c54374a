import { describe, expect, it } from 'vitest';
import {
  HEX_ROW_BYTES,
  controlSegments,
  TEXT_ROW_BYTES,
  hexRowText,
  nextRowStart,
  previousRowStart,
  rowSegments,
  rowStartContaining,
  rowsFrom,
  rowsText,
  type Slice,
} from './buffer-rows.js';

const encoder = new TextEncoder();
function slice(text: string | Uint8Array, start = 0, origin = start, sentinels: Array<[number, number]> = []): Slice {
  const bytes = typeof text === 'string' ? encoder.encode(text) : text;
  return { start, bytes, origin, end: start + bytes.length, sentinels };
}

describe('text rows', () => {
  it('are lines, each holding its newline, and the last line may lack one', () => {
    const s = slice('ab\ncd\n\nlast');
    expect(rowsFrom(s, 'text', 0, 10)).toEqual({
      rows: [
        { start: 0, end: 3 },
        { start: 3, end: 6 },
        { start: 6, end: 7 },
        { start: 7, end: 11 },
      ],
      atEnd: true,
    });
  });

  it('split a long line every 256 bytes without cutting a character in two', () => {
    const line = 'a'.repeat(TEXT_ROW_BYTES - 1) + 'é' + 'b'.repeat(300);
    const s = slice(line);
    const first = nextRowStart(s, 'text', 0);
    expect(first).toBe(TEXT_ROW_BYTES - 1);
    expect(nextRowStart(s, 'text', first as number)).toBe(first! + TEXT_ROW_BYTES);
  });

  it('walk back exactly the rows they walk forward, long lines included', () => {
    let seed = 7;
    const random = (n: number): number => (seed = (seed * 1103515245 + 12345) % 2 ** 31) % n;
    for (let round = 0; round < 20; round++) {
      let text = '';
      while (text.length < 4000) text += 'xé€'.repeat(random(200)) + (random(3) ? '\n' : '');
      const s = slice(text, 1000, 1000);
      const { rows } = rowsFrom(s, 'text', 1000, 100_000);
      expect(rows[0]!.start).toBe(1000);
      expect(rows[rows.length - 1]!.end).toBe(s.end);
      for (let i = 1; i < rows.length; i++) {
        expect(rows[i]!.start).toBe(rows[i - 1]!.end);
        expect(previousRowStart(s, 'text', rows[i]!.start)).toBe(rows[i - 1]!.start);
        const inside = rows[i]!.start + random(rows[i]!.end - rows[i]!.start);
        expect(rowStartContaining(s, 'text', inside)).toBe(rows[i]!.start);
      }
      expect(previousRowStart(s, 'text', 1000)).toBeNull();
    }
  });

  it('need more bytes when the slice ends inside a row the buffer continues', () => {
    const s = { ...slice('abc'), end: 100 };
    expect(nextRowStart(s, 'text', 0)).toBeNull();
    expect(rowsFrom(s, 'text', 0, 5)).toEqual({ rows: [], atEnd: false });
  });

  it('start a full-width row back from a line whose start the slice does not hold', () => {
    const s = slice('x'.repeat(1000), 5000, 0);
    expect(previousRowStart(s, 'text', 5600)).toBe(5600 - TEXT_ROW_BYTES);
    expect(previousRowStart(s, 'text', 5100)).toBe(5000);
    expect(previousRowStart(s, 'text', 5000)).toBeNull();
    expect(rowStartContaining(s, 'text', 5500)).toBe(5500);
  });
});

describe('hex rows', () => {
  it('line up on multiples of sixteen in the buffer, the first starting at the origin', () => {
    const s = slice(new Uint8Array(40), 20, 20);
    expect(rowsFrom(s, 'hex', 20, 10).rows).toEqual([
      { start: 20, end: 32 },
      { start: 32, end: 48 },
      { start: 48, end: 60 },
    ]);
    expect(previousRowStart(s, 'hex', 48)).toBe(32);
    expect(previousRowStart(s, 'hex', 32)).toBe(20);
    expect(rowStartContaining(s, 'hex', 47)).toBe(32);
    expect(hexRowText(s, { start: 20, end: 32 })).toBe(
      '00000010  ' + '   '.repeat(4) + '00 00 00 00  ' + '00 '.repeat(8) + ' |    ............|',
    );
    expect(HEX_ROW_BYTES).toBe(16);
  });
});

describe('row segments', () => {
  it('show control characters as Emacs does and drop the row newline', () => {
    const s = slice('GET / HTTP/1.1\r\n\x00\x7f\n');
    expect(rowSegments(s, { start: 0, end: 16 }, null)).toEqual([
      { text: 'GET / HTTP/1.1', kind: 'text' },
      { text: '^M', kind: 'control' },
    ]);
    expect(rowSegments(s, { start: 16, end: 19 }, null).map((x) => x.text)).toEqual(['^@', '^?']);
  });

  it('and a traffic preview the same way: ^M for control characters, octal escapes (from the engine) kept as they are', () => {
    // The engine writes bytes that are not UTF-8 as octal escapes; the preview then reads as the buffer does.
    expect(controlSegments('pong \x00\x01 \\377\\376 é\r\n')).toEqual([
      { text: 'pong ', kind: 'text' },
      { text: '^@', kind: 'control' },
      { text: '^A', kind: 'control' },
      { text: ' \\377\\376 é', kind: 'text' },
      { text: '^M', kind: 'control' },
      { text: '^J', kind: 'control' },
    ]);
  });

  it('set sentinel text and the match apart, a match inside a sentinel line winning', () => {
    const s = slice('hi\nProcess c deleted\n', 0, 0, [[2, 21]]);
    expect(rowSegments(s, { start: 3, end: 21 }, { start: 11, end: 12 })).toEqual([
      { text: 'Process ', kind: 'sentinel' },
      { text: 'c', kind: 'match' },
      { text: ' deleted', kind: 'sentinel' },
    ]);
    expect(rowSegments(s, { start: 0, end: 3 }, null)).toEqual([{ text: 'hi', kind: 'text' }]);
  });

  it('show bytes that are not UTF-8 as octal escapes', () => {
    const s = slice(new Uint8Array([0x61, 0xe9, 0x62]));
    expect(rowSegments(s, { start: 0, end: 3 }, null)).toEqual([{ text: 'a\\351b', kind: 'text' }]);
  });

  it('show every byte at or above 0x80 of a unibyte (binary) buffer as an octal escape, valid UTF-8 or not', () => {
    // "é" in UTF-8 is c3 a9: a multibyte buffer shows the character, a binary-coded one the two raw bytes.
    const s = slice(new Uint8Array([0x61, 0xc3, 0xa9, 0xff, 0x0a]));
    expect(rowSegments(s, { start: 0, end: 5 }, null)).toEqual([{ text: 'a\u00e9\\377', kind: 'text' }]);
    expect(rowSegments(s, { start: 0, end: 5 }, null, true)).toEqual([{ text: 'a\\303\\251\\377', kind: 'text' }]);
    expect(rowsText(s, 'text', [{ start: 0, end: 5 }], true)).toBe('a\\303\\251\\377\n');
  });

  it('copy as the text the rows hold', () => {
    const s = slice('one\ntwo\nthree');
    expect(rowsText(s, 'text', rowsFrom(s, 'text', 4, 2).rows)).toBe('two\nthree');
    expect(rowsText(s, 'text', [])).toBe('');
  });
});
