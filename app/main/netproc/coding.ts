/**
 * Coding systems (spec §12): how bytes from a socket become text for filters
 * and buffers, and how text becomes bytes to send. Buffers store UTF-8, so
 * for utf-8 and binary input the default filter can keep the bytes it read.
 */
import { StringDecoder } from 'node:string_decoder';
import { invalidArgument } from './errors.js';

export type Charset = 'utf-8' | 'latin-1' | 'binary' | 'raw-text' | 'us-ascii';
export type Eol = 'unix' | 'dos' | 'mac';

export interface CodingSystem {
  /** The name as Emacs shows it, e.g. `utf-8-unix`, `binary`, `latin-1`. */
  readonly name: string;
  readonly charset: Charset;
  readonly eol: Eol;
  /** Filter strings are unibyte (each char one byte) for binary and raw-text. */
  readonly unibyte: boolean;
}

const CHARSET_ALIASES: Record<string, Charset> = {
  'utf-8': 'utf-8',
  utf8: 'utf-8',
  'mule-utf-8': 'utf-8',
  'prefer-utf-8': 'utf-8',
  'latin-1': 'latin-1',
  'iso-latin-1': 'latin-1',
  'iso-8859-1': 'latin-1',
  binary: 'binary',
  'no-conversion': 'binary',
  'raw-text': 'raw-text',
  'us-ascii': 'us-ascii',
  ascii: 'us-ascii',
};

export const DEFAULT_CODING = 'utf-8-unix';

/** Names the UI offers; every other alias above is accepted too. */
export const CODING_NAMES = ['utf-8-unix', 'utf-8-dos', 'latin-1', 'iso-latin-1-dos', 'binary', 'no-conversion', 'raw-text', 'us-ascii'];

/** Parsed coding systems are immutable, so each name is parsed once. */
const parsed = new Map<string, CodingSystem>();

export function parseCodingSystem(name: unknown, field = 'coding'): CodingSystem {
  if (typeof name !== 'string' || name === '') throw invalidArgument(field, `Invalid coding system: ${String(name)}`);
  const known = parsed.get(name);
  if (known) return known;
  const eolMatch = /-(unix|dos|mac)$/.exec(name);
  const base = eolMatch ? name.slice(0, -eolMatch[0].length) : name;
  const charset = CHARSET_ALIASES[base];
  if (!charset) throw invalidArgument(field, `Invalid coding system: ${name}`);
  if (charset === 'binary' && eolMatch && eolMatch[1] !== 'unix') throw invalidArgument(field, `Invalid coding system: ${name}`);
  const eol = (eolMatch?.[1] ?? 'unix') as Eol;
  const coding: CodingSystem = Object.freeze({ name, charset, eol, unibyte: charset === 'binary' || charset === 'raw-text' });
  parsed.set(name, coding);
  return coding;
}

/** `set-process-coding-system` gives an encoder without an EOL type the `-unix` one. */
export function withExplicitEol(coding: CodingSystem): CodingSystem {
  if (coding.charset === 'binary' || /-(unix|dos|mac)$/.test(coding.name)) return coding;
  return parseCodingSystem(`${coding.name}-unix`);
}

/**
 * `set-process-filter-multibyte nil` (Emacs's raw_text_coding_system): the
 * raw-text variant with the same EOL type when the name gives one, else plain
 * `raw-text`, whose EOL type is still undecided as the original's was.
 */
export function rawTextVariant(coding: CodingSystem): CodingSystem {
  if (coding.unibyte) return coding;
  return parseCodingSystem(/-(unix|dos|mac)$/.test(coding.name) ? `raw-text-${coding.eol}` : 'raw-text');
}

function eolToLf(text: string, eol: Eol): string {
  if (eol === 'dos') return text.replace(/\r\n/g, '\n');
  if (eol === 'mac') return text.replace(/\r/g, '\n');
  return text;
}

function lfToEol(text: string, eol: Eol): string {
  if (eol === 'dos') return text.replace(/\n/g, '\r\n');
  if (eol === 'mac') return text.replace(/\n/g, '\r');
  return text;
}

/** Per-process decoding state: an incomplete UTF-8 sequence or a trailing CR waits for the next read. */
export class Decoder {
  private utf8: StringDecoder | null = null;
  private pendingCr = false;

  constructor(public coding: CodingSystem) {}

  /** True when the default filter inserts the socket's bytes as they are (toBufferBytes gives the chunk itself). */
  get keepsBytes(): boolean {
    const { charset, eol } = this.coding;
    return charset === 'binary' || ((charset === 'utf-8' || charset === 'raw-text') && eol === 'unix');
  }

  /** The filter's string: decoded text, or for unibyte codings one char per byte. */
  toText(chunk: Buffer): string {
    let text = this.coding.charset === 'utf-8' ? (this.utf8 ??= new StringDecoder('utf8')).write(chunk) : chunk.toString('latin1');
    if (this.coding.eol === 'unix' || this.coding.charset === 'binary') return text;
    if (this.pendingCr) text = '\r' + text;
    this.pendingCr = this.coding.eol === 'dos' && text.endsWith('\r');
    if (this.pendingCr) text = text.slice(0, -1);
    return eolToLf(text, this.coding.eol);
  }

  /**
   * The bytes the default filter inserts into a (UTF-8) buffer. utf-8-unix and
   * binary keep the socket's chunk as it is: raw bytes that are not UTF-8 stay
   * raw, as Emacs keeps them as eight-bit characters.
   */
  toBufferBytes(chunk: Buffer): Buffer {
    if (this.keepsBytes) return chunk;
    const { charset } = this.coding;
    const text = this.toText(chunk);
    if (charset === 'raw-text') return Buffer.from(text, 'latin1');
    return Buffer.from(text, 'utf8');
  }
}

/** Encodes what a user sends. Byte arrays are sent as they are, with EOL conversion only. */
export function encodeForSending(data: string | Uint8Array, coding: CodingSystem): Buffer {
  const eol = coding.charset === 'binary' ? 'unix' : coding.eol;
  if (typeof data !== 'string') {
    const bytes = Buffer.from(data.buffer, data.byteOffset, data.byteLength);
    return eol === 'unix' ? bytes : Buffer.from(lfToEol(bytes.toString('latin1'), eol), 'latin1');
  }
  const text = lfToEol(data, eol);
  switch (coding.charset) {
    case 'latin-1':
      // Characters latin-1 cannot represent go out as spaces, as Emacs sends them [O-13 C3].
      return Buffer.from(text.replace(/[\u0100-\u{10ffff}]/gu, ' '), 'latin1');
    case 'us-ascii':
      return Buffer.from(text.replace(/[\u0080-\u{10ffff}]/gu, '?'), 'latin1');
    default:
      // binary and raw-text send a multibyte string's internal (UTF-8) bytes.
      return Buffer.from(text, 'utf8');
  }
}
