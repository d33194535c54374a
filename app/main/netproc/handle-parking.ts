/**
 * Stopping a stream server for real (spec §8): libuv cannot pause accept()
 * on a listening socket, so a stopped server's listening handle is handed to
 * a small helper process that holds it without accepting. The kernel then
 * completes about backlog+1 handshakes and queues the rest, as under Emacs.
 * On continue the helper hands the handle back and the server listens on it
 * again: same socket, same port, queued clients accepted.
 *
 * The helper is this same executable (Node, or Electron with
 * ELECTRON_RUN_AS_NODE) running a script given inline, so it works from a
 * packaged app too. Node passes socket handles over IPC on every platform.
 */
import { spawn, type ChildProcess } from 'node:child_process';

const HELPER_SOURCE = `
const held = new Map();
process.on('message', (message, handle) => {
  if (message.op === 'park') { held.set(message.id, handle); process.send({ op: 'parked', id: message.id }); }
  else if (message.op === 'unpark') {
    const h = held.get(message.id); held.delete(message.id);
    process.send({ op: 'unparked', id: message.id }, h, () => h.close());
  } else if (message.op === 'discard') {
    const h = held.get(message.id); held.delete(message.id);
    if (h) h.close();
    process.send({ op: 'discarded', id: message.id });
  }
});
process.on('disconnect', () => process.exit(0));
`;

/** A libuv stream handle (TCPWrap or PipeWrap) as Node hands it around. */
export type NativeHandle = object;

interface Waiter {
  resolve: (handle: NativeHandle | undefined) => void;
  reject: (err: Error) => void;
}

export class HandleParking {
  private child: ChildProcess | null = null;
  private readonly waiters = new Map<string, Waiter>();
  private pending = 0;

  /** Hands `handle` to the helper. `release` runs as soon as the helper owns a copy, to close ours. */
  park(id: number, handle: NativeHandle, release: () => void): Promise<void> {
    const child = this.ensureChild();
    const acked = this.expect(`parked:${id}`);
    child.send({ op: 'park', id }, handle as never, (err) => {
      if (err) this.fail(`parked:${id}`, err);
      else release();
    });
    return acked.then(() => undefined);
  }

  /** Takes a parked handle back. */
  async unpark(id: number): Promise<NativeHandle> {
    const child = this.ensureChild();
    const reply = this.expect(`unparked:${id}`);
    child.send({ op: 'unpark', id });
    const handle = await reply;
    if (!handle) throw new Error(`parked handle ${id} was not returned`);
    return handle;
  }

  /** Closes a parked handle in the helper (deleting a stopped server). */
  async discard(id: number): Promise<void> {
    if (!this.child) return;
    const reply = this.expect(`discarded:${id}`);
    this.child.send({ op: 'discard', id });
    await reply;
  }

  close(): void {
    const child = this.child;
    this.child = null;
    if (child?.connected) child.disconnect();
    for (const [key, waiter] of this.waiters) {
      waiter.reject(new Error(`handle parking closed while waiting for ${key}`));
    }
    this.waiters.clear();
  }

  private expect(key: string): Promise<NativeHandle | undefined> {
    this.pending++;
    this.child?.channel?.ref();
    return new Promise<NativeHandle | undefined>((resolve, reject) => {
      this.waiters.set(key, { resolve, reject });
    }).finally(() => {
      this.pending--;
      if (this.pending === 0) this.child?.channel?.unref();
    });
  }

  private fail(key: string, err: Error): void {
    const waiter = this.waiters.get(key);
    this.waiters.delete(key);
    waiter?.reject(err);
  }

  private ensureChild(): ChildProcess {
    if (this.child?.connected) return this.child;
    const env: NodeJS.ProcessEnv = { ...process.env, ELECTRON_RUN_AS_NODE: '1' };
    delete env.NODE_OPTIONS;
    const child = spawn(process.execPath, ['-e', HELPER_SOURCE], { stdio: ['ignore', 'ignore', 'inherit', 'ipc'], env });
    child.on('message', (message: { op: string; id: number }, handle?: NativeHandle) => {
      const key = `${message.op}:${message.id}`;
      const waiter = this.waiters.get(key);
      this.waiters.delete(key);
      waiter?.resolve(handle);
    });
    child.on('exit', () => {
      if (this.child === child) this.child = null;
      for (const [key, waiter] of this.waiters) waiter.reject(new Error(`handle parking helper exited while waiting for ${key}`));
      this.waiters.clear();
    });
    child.unref();
    child.channel?.unref();
    this.child = child;
    return child;
  }
}
