/**
 * A buffer outlives its process, as in Emacs, and remembers whose it was:
 * the process that last used it, with its server, peer and final status,
 * until another process takes the buffer or the buffer is killed. Saving a
 * buffer writes the bytes it holds.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync, chmodSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { NetprocError } from './errors.js';
import type { BufferChangeEvent } from './events.js';
import { engine, onCleanup, plainClient, plainServer, waitFor } from './test-support.js';

function scratchDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'netproc-save-'));
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

describe('a buffer outlives its process', () => {
  it('an accepted connection the peer closed leaves its buffer, which names it, its server and its peer', async () => {
    const np = engine();
    const srv = (await np.makeNetworkProcess({ name: 'srv', server: true, host: '127.0.0.1', service: true, buffer: '*srv*' }))!;
    const peer = await plainClient(np.processContact(srv, 'service') as number);
    const port = peer.localPort;
    const bufferName = `*srv* <127.0.0.1:${port}>`;
    const accepted = await waitFor(() => np.processList().find((p) => p.kind === 'accepted'));
    expect(np.getBufferProcess(bufferName)).toBe(accepted);
    expect(np.getBuffer(bufferName)!.lastProcess).toBeNull();
    peer.end('hello\n');
    // delete-exited-processes: the closed connection leaves the list, its buffer stays.
    await waitFor(() => np.processList().length === 1);
    const buffer = np.getBuffer(bufferName)!;
    expect(buffer.live).toBe(true);
    expect(np.getBufferProcess(buffer)).toBeNull();
    expect(buffer.lastProcess).toBe(accepted);
    expect(buffer.lastProcess?.server).toBe(srv);
    expect(np.processStatus(buffer.lastProcess!)).toBe('closed');
    expect(np.bufferString(bufferName)).toBe(`hello\n\nProcess srv <127.0.0.1:${port}> connection broken by remote peer\n`);
  });

  it('says so before the process is announced gone, so no view sees the buffer ownerless', async () => {
    const np = engine();
    const peer = await plainServer();
    const c = (await np.makeNetworkProcess({ name: 'c', host: '127.0.0.1', service: peer.port, buffer: '*c*' }))!;
    const order: string[] = [];
    np.on('buffer-changed', (e: BufferChangeEvent) =>
      order.push(`buffer ${e.name} last=${np.getBuffer(e.name)?.lastProcess?.name ?? '-'}`),
    );
    np.on('process-removed', (p) => order.push(`removed ${p.name}`));
    np.deleteProcess(c);
    expect(order.filter((line) => !line.includes('last=-'))).toEqual(['buffer *c* last=c', 'removed c']);
    expect(order.indexOf('buffer *c* last=c')).toBeLessThan(order.indexOf('removed c'));
  });

  it('a new process taking the buffer clears its last process; killing the buffer releases it', async () => {
    const np = engine();
    const peer = await plainServer();
    const first = (await np.makeNetworkProcess({ name: 'c', host: '127.0.0.1', service: peer.port, buffer: '*c*' }))!;
    np.deleteProcess(first);
    const buffer = np.getBuffer('*c*')!;
    expect(buffer.lastProcess).toBe(first);
    const second = (await np.makeNetworkProcess({ name: 'c', host: '127.0.0.1', service: peer.port, buffer: '*c*' }))!;
    expect(buffer.lastProcess).toBeNull();
    expect(np.getBufferProcess(buffer)).toBe(second);
    np.deleteProcess(second);
    expect(buffer.lastProcess).toBe(second);
    expect(np.killBuffer(buffer)).toBe(true);
    expect(buffer.lastProcess).toBeNull();
  });

  it('a shared buffer has a last process only once none of its processes is left; get-buffer-process is the newest', async () => {
    const np = engine();
    const peer = await plainServer();
    const older = (await np.makeNetworkProcess({ name: 'a', host: '127.0.0.1', service: peer.port, buffer: '*shared*' }))!;
    const newer = (await np.makeNetworkProcess({ name: 'b', host: '127.0.0.1', service: peer.port, buffer: '*shared*' }))!;
    expect(np.getBufferProcess('*shared*')).toBe(newer);
    np.deleteProcess(newer);
    expect(np.getBufferProcess('*shared*')).toBe(older);
    expect(np.getBuffer('*shared*')!.lastProcess).toBeNull();
    np.deleteProcess(older);
    expect(np.getBufferProcess('*shared*')).toBeNull();
    expect(np.getBuffer('*shared*')!.lastProcess).toBe(older);
  });

  it('two clients made at once onto one buffer both use it: the second, made while the first connects, does not drop it', async () => {
    const np = engine();
    const peer = await plainServer();
    const [first, second] = await Promise.all([
      np.makeNetworkProcess({ name: 'a', host: '127.0.0.1', service: peer.port, buffer: '*shared*' }),
      np.makeNetworkProcess({ name: 'b', host: '127.0.0.1', service: peer.port, buffer: '*shared*' }),
    ]);
    expect(np.getBufferProcess('*shared*')).toBe(second);
    np.deleteProcess(second!);
    expect(np.getBufferProcess('*shared*')).toBe(first);
    np.deleteProcess(first!);
    expect(np.getBuffer('*shared*')!.lastProcess).toBe(first);
  });

  it('set-process-buffer moves the process: the old buffer has no process, and no last one (it did not depart)', async () => {
    const np = engine();
    const peer = await plainServer();
    const c = (await np.makeNetworkProcess({ name: 'c', host: '127.0.0.1', service: peer.port, buffer: '*one*' }))!;
    const changed: string[] = [];
    np.on('buffer-changed', (e: BufferChangeEvent) => changed.push(e.name));
    np.setProcessBuffer(c, np.getBufferCreate('*two*'));
    expect(changed).toContain('*one*');
    expect(np.getBufferProcess('*one*')).toBeNull();
    expect(np.getBufferProcess('*two*')).toBe(c);
    np.setProcessBuffer(c, null);
    expect(np.getBufferProcess('*two*')).toBeNull();
    np.deleteProcess(c);
    expect(np.getBuffer('*one*')!.lastProcess).toBeNull();
    expect(np.getBuffer('*two*')!.lastProcess).toBeNull();
  });

  it('a failed make-network-process leaves its buffer announced, with no process [O-09 A]', async () => {
    const np = engine();
    const peer = await plainServer();
    const port = peer.port;
    await new Promise<void>((resolve) => peer.server.close(() => resolve()));
    const created: string[] = [];
    np.on('buffer-changed', (e: BufferChangeEvent) => created.push(e.name));
    await refusal(np.makeNetworkProcess({ name: 'refused', host: '127.0.0.1', service: port, buffer: '*refused*' }));
    expect(created).toContain('*refused*');
    expect(np.getBufferProcess('*refused*')).toBeNull();
    expect(np.getBuffer('*refused*')!.lastProcess).toBeNull();
  });

  it('keeps when the text last changed: inserts and clears, not a change of owner', async () => {
    const np = engine();
    const peer = await plainServer((s) => s.write('abc'));
    const before = Date.now();
    const c = (await np.makeNetworkProcess({ name: 'c', host: '127.0.0.1', service: peer.port, buffer: '*t*' }))!;
    const buffer = np.getBuffer('*t*')!;
    await waitFor(() => buffer.length === 3);
    const inserted = buffer.changedTime;
    expect(inserted).toBeGreaterThanOrEqual(before);
    expect(inserted).toBeLessThanOrEqual(Date.now());
    const revision = buffer.revision;
    np.setProcessSentinel(c, () => undefined);
    np.deleteProcess(c);
    expect(buffer.revision).toBe(revision);
    expect(buffer.changedTime).toBe(inserted);
    buffer.clear();
    expect(buffer.changedTime).toBeGreaterThanOrEqual(inserted);
    expect(buffer.revision).toBe(revision + 1);
  });
});

describe('saving a buffer', () => {
  it('writes the bytes the buffer holds, raw bytes included, replacing the file whole and keeping its mode', async () => {
    const np = engine();
    const buffer = np.getBufferCreate('*raw*');
    const bytes = Buffer.concat([Buffer.from('héllo\n'), Buffer.from([0xe9, 0x00, 0xff]), Buffer.alloc(70_000, 'x')]);
    buffer.insert(buffer.end, bytes.subarray(0, 10), true);
    buffer.insert(buffer.end, bytes.subarray(10), true);
    const dir = scratchDir();
    const file = join(dir, 'saved.txt');
    writeFileSync(file, 'old contents that are longer than nothing');
    // Wider than the usual umask allows a new file: kept as it was, not as a new file would be made.
    chmodSync(file, 0o666);
    expect(await np.saveBuffer(buffer, file)).toBe(bytes.length);
    expect(readFileSync(file)).toEqual(bytes);
    expect(statSync(file).mode & 0o777).toBe(0o666);
    // Nothing is left beside it.
    expect(readdirSync(dir)).toEqual(['saved.txt']);
  });

  it('refuses a relative path, a directory and a FIFO, naming the path, and writes nothing', async () => {
    const np = engine();
    const buffer = np.getBufferCreate('*b*');
    buffer.insert(0, Buffer.from('data'), true);
    const dir = scratchDir();
    const relative = await refusal(np.saveBuffer(buffer, 'saved.txt'));
    expect(relative).toMatchObject({ code: 'INVALID_ARGUMENT', field: 'path', message: 'path: must be an absolute file path' });
    for (const path of [dir, `${dir}/`]) {
      const directory = await refusal(np.saveBuffer(buffer, path));
      expect(directory).toMatchObject({
        code: 'INVALID_ARGUMENT',
        field: 'path',
        message: 'path: names a directory; give the path of a file',
      });
    }
    const fifo = join(dir, 'pipe');
    execFileSync('mkfifo', [fifo]);
    const pipe = await refusal(np.saveBuffer(buffer, fifo));
    expect(pipe).toMatchObject({ code: 'INVALID_ARGUMENT', field: 'path' });
    expect(pipe.message).toContain('a FIFO');
    expect(readdirSync(dir)).toEqual(['pipe']);
  });

  it('a missing directory is ENOENT (file-missing), and no temporary file is left', async () => {
    const np = engine();
    const buffer = np.getBufferCreate('*b*');
    const dir = scratchDir();
    const err = await refusal(np.saveBuffer(buffer, join(dir, 'nowhere', 'saved.txt')));
    expect(err).toMatchObject({ code: 'ENOENT', field: 'path', condition: 'file-missing' });
    expect(err.message).toBe('path: cannot write the file: No such file or directory');
    expect(readdirSync(dir)).toEqual([]);
  });

  it('follows a symbolic link to the file it names', async () => {
    const np = engine();
    const buffer = np.getBufferCreate('*b*');
    buffer.insert(0, Buffer.from('through the link'), true);
    const dir = scratchDir();
    writeFileSync(join(dir, 'target.txt'), 'old');
    execFileSync('ln', ['-s', join(dir, 'target.txt'), join(dir, 'link.txt')]);
    await np.saveBuffer(buffer, join(dir, 'link.txt'));
    expect(readFileSync(join(dir, 'target.txt'), 'utf8')).toBe('through the link');
    expect(readdirSync(dir).sort()).toEqual(['link.txt', 'target.txt']);
  });

  it('refuses a killed buffer', async () => {
    const np = engine();
    const buffer = np.getBufferCreate('*gone*');
    np.killBuffer(buffer);
    expect(() => np.saveBuffer(buffer, join(scratchDir(), 'x.txt'))).toThrow(/buffer-live-p/);
  });
});
