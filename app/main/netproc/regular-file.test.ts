import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { NetprocError } from './errors.js';
import { readRegularFile } from './regular-file.js';
import { onCleanup } from './test-support.js';

function scratchDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'netproc-regular-file-'));
  onCleanup(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

async function refusal(promise: Promise<unknown>): Promise<NetprocError> {
  const outcome = await promise.then(
    () => null,
    (err: unknown) => err,
  );
  expect(outcome).toBeInstanceOf(NetprocError);
  return outcome as NetprocError;
}

const request = { field: 'path', maxBytes: 1024 };

describe('reading a file a user named', () => {
  it('reads a regular file whole', async () => {
    const file = join(scratchDir(), 'payload.bin');
    writeFileSync(file, Buffer.from([0, 1, 2, 255]));
    expect(await readRegularFile(file, request)).toEqual(Buffer.from([0, 1, 2, 255]));
  });

  it('refuses a FIFO at once, without waiting for a writer', async () => {
    const fifo = join(scratchDir(), 'pipe');
    execFileSync('mkfifo', [fifo]);
    const err = await refusal(readRegularFile(fifo, { field: 'caFile', maxBytes: 1024 }));
    expect(err).toMatchObject({ code: 'INVALID_ARGUMENT', field: 'caFile' });
    expect(err.message).toBe('caFile: the file is a FIFO (named pipe); only regular files can be read');
  });

  it('refuses /dev/zero, whose reported size of 0 says nothing of what it yields', async () => {
    const err = await refusal(readRegularFile('/dev/zero', request));
    expect(err).toMatchObject({ code: 'INVALID_ARGUMENT', field: 'path' });
    expect(err.message).toContain('a character device');
  });

  it('refuses a directory and a Unix socket', async () => {
    const dir = scratchDir();
    expect((await refusal(readRegularFile(dir, request))).message).toContain('a directory');
    const socketPath = join(dir, 'sock');
    const server = net.createServer();
    await new Promise<void>((resolve) => server.listen(socketPath, resolve));
    onCleanup(() => new Promise<void>((resolve) => server.close(() => resolve())));
    expect((await refusal(readRegularFile(socketPath, request))).message).toContain('a socket');
  });

  it('a missing file is ENOENT, naming the field', async () => {
    const err = await refusal(readRegularFile(join(scratchDir(), 'nowhere'), request));
    expect(err).toMatchObject({ code: 'ENOENT', field: 'path', message: 'path: cannot read the file: No such file or directory' });
  });

  it('refuses a relative path, which would mean the main process working directory', async () => {
    // package.json exists in the working directory the tests run in, so only the rule refuses it.
    for (const relative of ['package.json', './package.json']) {
      const err = await refusal(readRegularFile(relative, request));
      expect(err).toMatchObject({ code: 'INVALID_ARGUMENT', field: 'path', message: 'path: must be an absolute file path' });
    }
  });

  it('reads a file of exactly the cap, and refuses one byte more', async () => {
    const dir = scratchDir();
    writeFileSync(join(dir, 'at-cap'), Buffer.alloc(1024, 7));
    writeFileSync(join(dir, 'past-cap'), Buffer.alloc(1025, 7));
    expect((await readRegularFile(join(dir, 'at-cap'), request)).length).toBe(1024);
    const err = await refusal(readRegularFile(join(dir, 'past-cap'), request));
    expect(err).toMatchObject({ code: 'INVALID_ARGUMENT', field: 'path' });
    expect(err.message).toBe('path: the file holds 1025 bytes; at most 1024 can be read');
  });

  it.runIf(process.platform === 'linux')('counts the cap in bytes read, not in the size the file reports', async () => {
    // /proc files are regular files that report size 0 and yield hundreds of bytes.
    const whole = await readRegularFile('/proc/self/status', { field: 'path', maxBytes: 1 << 20 });
    expect(whole.length).toBeGreaterThan(64);
    const err = await refusal(readRegularFile('/proc/self/status', { field: 'path', maxBytes: 64 }));
    expect(err.message).toBe('path: the file holds more than 64 bytes; at most 64 can be read');
  });

  it.runIf(process.platform === 'linux')('closes every file it opens, read or refused', async () => {
    const dir = scratchDir();
    writeFileSync(join(dir, 'small'), 'x');
    writeFileSync(join(dir, 'large'), Buffer.alloc(2048));
    const open = (): number => readdirSync('/proc/self/fd').length;
    const before = open();
    for (let i = 0; i < 20; i++) {
      await readRegularFile(join(dir, 'small'), request);
      await readRegularFile(join(dir, 'large'), request).catch(() => undefined);
      await readRegularFile('/proc/self/status', { field: 'path', maxBytes: 8 }).catch(() => undefined);
    }
    expect(open()).toBe(before);
  });
});
