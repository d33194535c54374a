import { describe, expect, it } from 'vitest';
import { Decoder, encodeForSending, parseCodingSystem, rawTextVariant, withExplicitEol } from './coding.js';

describe('coding systems (spec §12)', () => {
  it('parses names with and without EOL types and rejects unknown ones', () => {
    expect(parseCodingSystem('utf-8-unix')).toMatchObject({ charset: 'utf-8', eol: 'unix', unibyte: false });
    expect(parseCodingSystem('binary')).toMatchObject({ charset: 'binary', unibyte: true });
    expect(parseCodingSystem('iso-latin-1-dos')).toMatchObject({ charset: 'latin-1', eol: 'dos' });
    expect(() => parseCodingSystem('ebcdic')).toThrow('Invalid coding system: ebcdic');
    expect(() => parseCodingSystem(42)).toThrow('Invalid coding system');
  });

  it('gives an encoder without EOL type the -unix one: latin-1 + utf-8 → (latin-1 . utf-8-unix)', () => {
    expect(withExplicitEol(parseCodingSystem('utf-8')).name).toBe('utf-8-unix');
    expect(withExplicitEol(parseCodingSystem('binary')).name).toBe('binary');
  });

  it('turns the decoder into raw-text for set-process-filter-multibyte nil, keeping an explicit EOL type only [spec §12]', () => {
    expect(rawTextVariant(parseCodingSystem('utf-8-unix')).name).toBe('raw-text-unix');
    expect(rawTextVariant(parseCodingSystem('iso-latin-1-dos')).name).toBe('raw-text-dos');
    expect(rawTextVariant(parseCodingSystem('utf-8')).name).toBe('raw-text');
    expect(rawTextVariant(parseCodingSystem('binary')).name).toBe('binary');
  });

  it('holds an incomplete UTF-8 sequence over to the next chunk [O-13 C2]', () => {
    const d = new Decoder(parseCodingSystem('utf-8-unix'));
    const bytes = Buffer.from('héllo', 'utf8');
    expect(d.toText(bytes.subarray(0, 2))).toBe('h');
    expect(d.toText(bytes.subarray(2))).toBe('éllo');
  });

  it('gives binary filters one char per byte (unibyte strings)', () => {
    const d = new Decoder(parseCodingSystem('binary'));
    expect(d.toText(Buffer.from([0xe9, 0x00, 0xff]))).toBe('\u00e9\u0000\u00ff');
  });

  it('converts CRLF for -dos, even when the CR ends a chunk', () => {
    const d = new Decoder(parseCodingSystem('utf-8-dos'));
    expect(d.toText(Buffer.from('a\r'))).toBe('a');
    expect(d.toText(Buffer.from('\nb\r\n'))).toBe('\nb\n');
  });

  it('stores latin-1 input as UTF-8 in buffers and keeps utf-8 and binary bytes as read', () => {
    const latin = new Decoder(parseCodingSystem('latin-1'));
    expect(latin.toBufferBytes(Buffer.from([0xe9]))).toEqual(Buffer.from('é', 'utf8'));
    const chunk = Buffer.from([0xc3, 0xa9, 0xff]);
    expect(new Decoder(parseCodingSystem('utf-8-unix')).toBufferBytes(chunk)).toBe(chunk);
    expect(new Decoder(parseCodingSystem('binary')).toBufferBytes(chunk)).toBe(chunk);
  });

  it('encodes for sending: utf-8, latin-1 with spaces for what it cannot encode [O-13 C3], bytes as given', () => {
    expect(encodeForSending('é€', parseCodingSystem('utf-8-unix'))).toEqual(Buffer.from('é€', 'utf8'));
    expect(encodeForSending('é€', parseCodingSystem('latin-1'))).toEqual(Buffer.from([0xe9, 0x20]));
    expect(encodeForSending('a\n', parseCodingSystem('utf-8-dos'))).toEqual(Buffer.from('a\r\n'));
    expect(encodeForSending(new Uint8Array([0xde, 0xad]), parseCodingSystem('utf-8-unix'))).toEqual(Buffer.from([0xde, 0xad]));
    expect(encodeForSending('é', parseCodingSystem('binary'))).toEqual(Buffer.from('é', 'utf8'));
  });
});
