/**
 * The path may change between the look at it and the open: a regular file
 * when stat(2) ran, a FIFO or a device when open(2) runs. Here the look is
 * made to see a regular file always, so what is proven is the check on the
 * opened handle, and that opening a FIFO does not wait for a writer.
 */
import { execFileSync } from 'node:child_process';
import { closeSync, constants, mkdtempSync, openSync, rmSync, writeFileSync } from 'node:fs';
import type * as FsPromises from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { NetprocError } from './errors.js';
import { readRegularFile } from './regular-file.js';
import { onCleanup } from './test-support.js';

const dir = mkdtempSync(join(tmpdir(), 'netproc-regular-race-'));
const regular = join(dir, 'regular');
writeFileSync(regular, 'x');

vi.mock('node:fs/promises', async (importOriginal) => {
  const real = await importOriginal<typeof FsPromises>();
  // Every path looks like a regular file at the first look.
  return { ...real, stat: () => real.stat(regular) };
});

async function refusedWithin(promise: Promise<unknown>, ms: number): Promise<NetprocError> {
  let timer: NodeJS.Timeout | undefined;
  const outcome = await Promise.race([
    promise.then(
      () => 'read' as const,
      (err: unknown) => err,
    ),
    new Promise<'timed out'>((resolve) => (timer = setTimeout(() => resolve('timed out'), ms))),
  ]);
  clearTimeout(timer);
  expect(outcome).toBeInstanceOf(NetprocError);
  return outcome as NetprocError;
}

afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('a path swapped after the first look', () => {
  it('a FIFO is opened without blocking and refused on its handle', async () => {
    const fifo = join(dir, 'pipe');
    execFileSync('mkfifo', [fifo]);
    // Should the open block (it would, without O_NONBLOCK), a reader-and-writer open releases it at the end.
    onCleanup(() => closeSync(openSync(fifo, constants.O_RDWR | constants.O_NONBLOCK)));
    const err = await refusedWithin(readRegularFile(fifo, { field: 'caFile', maxBytes: 1024 }), 5000);
    expect(err).toMatchObject({ code: 'INVALID_ARGUMENT', field: 'caFile' });
    expect(err.message).toContain('a FIFO');
  });

  it('/dev/zero is refused on its handle, before a byte is read', async () => {
    const err = await refusedWithin(readRegularFile('/dev/zero', { field: 'path', maxBytes: 1024 }), 5000);
    expect(err.message).toContain('a character device');
  });
});
