import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { writeExportFile } from './export-file.js';
import { writeBytes, writeHexDump, xxdLine } from './text-export.js';

const dir = mkdtempSync(join(tmpdir(), 'netproc-text-export-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Bytes that cover every value, in a reproducible order. */
function bytes(length: number): Buffer {
  const out = Buffer.alloc(length);
  for (let i = 0; i < length; i++) out[i] = (i * 37 + (i >> 8)) & 0xff;
  return out;
}

/** The bytes cut into parts of PIECE, as a buffer's storage hands a range out. */
function parts(data: Buffer, piece: number): Buffer[] {
  const out: Buffer[] = [];
  for (let at = 0; at < data.length; at += piece) out.push(data.subarray(at, at + piece));
  return out;
}

describe('text and hex dumps', () => {
  it.each([0, 1, 15, 16, 17, 100, 4099])('a hex dump of %i bytes is what xxd writes, whatever the parts', async (length) => {
    const data = bytes(length);
    const raw = join(dir, `raw-${length}.bin`);
    const hex = join(dir, `hex-${length}.txt`);
    await writeExportFile({ path: raw }, (out) => writeBytes(parts(data, 7), out));
    expect(readFileSync(raw)).toEqual(data);
    await writeExportFile({ path: hex }, (out) => writeHexDump(parts(data, 13), out));
    expect(readFileSync(hex, 'latin1')).toBe(execFileSync('/usr/bin/xxd', [raw], { encoding: 'latin1' }));
  });

  it('lays a line out as xxd does', () => {
    expect(xxdLine(0x20, Buffer.from(' xxd output!\n'))).toBe('00000020: 2078 7864 206f 7574 7075 7421 0a          xxd output!.\n');
  });
});

describe('writing an export file', () => {
  it('refuses a relative path, a directory, a missing directory and an existing file, by name, writing nothing', async () => {
    const write = (out: NodeJS.WritableStream) => writeBytes([Buffer.from('x')], out as never);
    await expect(writeExportFile({ path: 'relative.txt' }, write)).rejects.toMatchObject({ field: 'path', message: /absolute/ });
    await expect(writeExportFile({ path: dir }, write)).rejects.toMatchObject({ field: 'path', message: /directory/ });
    await expect(writeExportFile({ path: join(dir, 'nowhere', 'x.txt') }, write)).rejects.toMatchObject({
      field: 'path',
      code: 'ENOENT',
    });
    const existing = join(dir, 'existing.txt');
    writeFileSync(existing, 'keep me');
    await expect(writeExportFile({ path: existing }, write)).rejects.toMatchObject({ field: 'path', code: 'EEXIST' });
    expect(readFileSync(existing, 'utf8')).toBe('keep me');
    await writeExportFile({ path: existing, overwrite: true }, write);
    expect(readFileSync(existing, 'utf8')).toBe('x');
    const link = join(dir, 'link.txt');
    symlinkSync(existing, link);
    await expect(writeExportFile({ path: link, overwrite: true }, write)).rejects.toMatchObject({
      field: 'path',
      message: /not a regular file/,
    });
    expect(readdirSync(dir).filter((f) => f.endsWith('.part'))).toEqual([]);
  });

  it('leaves no half-written file when writing fails part way', async () => {
    const path = join(dir, 'broken.bin');
    await expect(
      writeExportFile({ path }, async (out) => {
        await writeBytes([bytes(100_000)], out);
        throw new Error('the source went away');
      }),
    ).rejects.toThrow('the source went away');
    expect(existsSync(path)).toBe(false);
    expect(readdirSync(dir).filter((f) => f.includes('broken'))).toEqual([]);
  });
});
