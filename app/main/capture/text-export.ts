/**
 * A buffer's bytes, or a range of them, written as they are (text) or as a
 * hex dump in xxd's own layout (`00000000: 4745 5420 2f20  GET /`), offsets
 * counted from the first byte written, so that `xxd` of the text export
 * gives the same lines. Streamed a block of lines at a time.
 */
import type { Writable } from 'node:stream';

const BYTES_PER_LINE = 16;
/** Lines put together before each write. */
const LINES_PER_WRITE = 4096;

const HEX = Array.from({ length: 256 }, (_, b) => b.toString(16).padStart(2, '0'));

/** One xxd line: the offset, eight groups of two bytes, and the printable ASCII (others as '.'). */
export function xxdLine(offset: number, bytes: Uint8Array): string {
  let hex = '';
  let ascii = '';
  for (let i = 0; i < BYTES_PER_LINE; i++) {
    const b = bytes[i];
    hex += b === undefined ? '  ' : HEX[b];
    if (i % 2 === 1) hex += ' ';
    if (b !== undefined) ascii += b >= 0x20 && b < 0x7f ? String.fromCharCode(b) : '.';
  }
  return `${offset.toString(16).padStart(8, '0')}: ${hex} ${ascii}\n`;
}

/** Waits for OUT to drain when a write says to (so memory stays bounded). */
async function put(out: Writable, chunk: string | Uint8Array): Promise<void> {
  if (out.write(chunk)) return;
  await new Promise<void>((resolve) => {
    const done = (): void => {
      out.off('drain', done);
      out.off('close', done);
      out.off('error', done);
      resolve();
    };
    out.on('drain', done);
    out.on('close', done);
    out.on('error', done);
  });
}

/** Writes PARTS (a byte range as views of a buffer's storage) as they are. */
export async function writeBytes(parts: Uint8Array[], out: Writable): Promise<void> {
  for (const part of parts) if (part.length > 0) await put(out, part);
}

/** Writes PARTS as an xxd hex dump, lines across part boundaries as if one run of bytes. */
export async function writeHexDump(parts: Uint8Array[], out: Writable): Promise<void> {
  const line = new Uint8Array(BYTES_PER_LINE);
  let filled = 0;
  let offset = 0;
  let text = '';
  let lines = 0;
  const flushLine = async (): Promise<void> => {
    text += xxdLine(offset, line.subarray(0, filled));
    offset += filled;
    filled = 0;
    if (++lines === LINES_PER_WRITE) {
      await put(out, text);
      text = '';
      lines = 0;
    }
  };
  for (const part of parts) {
    for (let at = 0; at < part.length;) {
      const take = Math.min(BYTES_PER_LINE - filled, part.length - at);
      line.set(part.subarray(at, at + take), filled);
      filled += take;
      at += take;
      if (filled === BYTES_PER_LINE) await flushLine();
    }
  }
  if (filled > 0) await flushLine();
  if (text) await put(out, text);
}
