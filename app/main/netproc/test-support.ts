/**
 * Helpers for the engine's tests: an engine that is closed after each test,
 * plain Node peers on loopback, and bounded waiting.
 */
import net from 'node:net';
import { afterEach } from 'vitest';
import { Netproc, type NetprocOptions } from './netproc.js';

const cleanups: Array<() => unknown> = [];

afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

export function onCleanup(fn: () => unknown): void {
  cleanups.push(fn);
}

/** A fresh engine, closed with all its sockets when the test ends. */
export function engine(options: NetprocOptions = {}): Netproc {
  const np = new Netproc(options);
  onCleanup(() => np.close());
  return np;
}

/** Polls until `check` returns a truthy value; fails after `timeoutMs`. */
export async function waitFor<T>(check: () => T | Promise<T>, timeoutMs = 5000, what = 'condition'): Promise<NonNullable<T>> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value) return value as NonNullable<T>;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(10);
  }
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

export interface PlainPeer {
  server: net.Server;
  port: number;
  sockets: net.Socket[];
  received: () => string;
}

/** A plain Node TCP server on 127.0.0.1 that records what it receives. */
export async function plainServer(onConnection?: (socket: net.Socket) => void, host = '127.0.0.1'): Promise<PlainPeer> {
  const sockets: net.Socket[] = [];
  const chunks: Buffer[] = [];
  const server = net.createServer((socket) => {
    sockets.push(socket);
    socket.on('data', (d) => chunks.push(d));
    socket.on('error', () => undefined);
    onConnection?.(socket);
  });
  await new Promise<void>((resolve) => server.listen(0, host, resolve));
  onCleanup(() => {
    for (const s of sockets) s.destroy();
    return new Promise<void>((resolve) => server.close(() => resolve()));
  });
  const port = (server.address() as net.AddressInfo).port;
  return { server, port, sockets, received: () => Buffer.concat(chunks).toString('utf8') };
}

/** A plain Node client, destroyed when the test ends. */
export function plainClient(port: number, host = '127.0.0.1'): Promise<net.Socket> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, host, () => resolve(socket));
    socket.on('error', reject);
    onCleanup(() => socket.destroy());
  });
}

/** A port that nobody listens on (bound, then released). */
export async function freePort(host = '127.0.0.1'): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, host, resolve));
  const port = (server.address() as net.AddressInfo).port;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

export function collect(socket: net.Socket): () => string {
  const chunks: Buffer[] = [];
  socket.on('data', (d) => chunks.push(d));
  return () => Buffer.concat(chunks).toString('utf8');
}
