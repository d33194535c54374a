/**
 * Stream servers: listening, accepting, and stopping for real by parking the
 * listening handle in the helper (see handle-parking.ts).
 */
import net from 'node:net';
import { linkSync, renameSync, rmSync } from 'node:fs';
import { lispAddressFromHostPort, type SocketAddress } from './address.js';
import type { CheckedArguments } from './arguments.js';
import type { EngineInternals } from './engine-internals.js';
import type { NativeHandle } from './handle-parking.js';
import { fromSystemError } from './errors.js';
import type { NetworkProcess } from './process.js';
import { loadServerCredentials, recordTls, serverTlsState } from './tls.js';

export function listenStream(
  engine: EngineInternals,
  process: NetworkProcess,
  address: SocketAddress,
  backlog: number,
): Promise<net.Server> {
  return new Promise((resolve, reject) => {
    const server = net.createServer({ pauseOnConnect: true, allowHalfOpen: false });
    const fail = (err: Error): void => {
      engine.descriptors.unwatch(server);
      server.close();
      reject(err);
    };
    server.once('error', fail);
    server.on('connection', (socket) => engine.input.accept(process, socket));
    server.on('drop', (drop) => engine.input.acceptRefused(process, drop?.remoteAddress));
    engine.descriptors.watch(server);
    const onListening = (): void => {
      server.off('error', fail);
      server.on('error', (err) => engine.report(`server ${process.name}: ${err.message}`));
      resolve(server);
    };
    if (address.family === 'local') server.listen({ path: address.path, backlog }, onListening);
    else server.listen({ host: address.host, port: address.port, backlog, ipv6Only: address.family === 'ipv6' }, onListening);
  });
}

type HandleOwner = { _handle: NativeHandle | null };

/**
 * Hands the listening socket to the helper and closes ours, so nothing in
 * this process accepts. A Unix socket's path is kept: libuv unlinks the path
 * of a handle it bound when that handle closes, so a hard link holds the
 * socket file across the close and is renamed back.
 */
export async function parkServer(engine: EngineInternals, process: NetworkProcess): Promise<void> {
  const server = process.listener;
  const handle = (server as unknown as HandleOwner | null)?._handle;
  if (!server || !handle || process.parked) return;
  process.parked = true;
  const path = process.boundAddress?.family === 'local' ? process.boundAddress.path : null;
  const keep = path ? `${path}.netproc-stopped-${process.id}` : null;
  if (path && keep) {
    rmSync(keep, { force: true });
    linkSync(path, keep);
  }
  await engine.parking.park(process.id, handle, () => {
    server.close();
    if (path && keep) renameSync(keep, path);
  });
}

/** Takes the listening socket back and accepts again; queued connections arrive at once. */
export async function unparkServer(engine: EngineInternals, process: NetworkProcess): Promise<void> {
  const server = process.listener;
  if (!server || !process.parked) return;
  const handle = await engine.parking.unpark(process.id);
  process.parked = false;
  await new Promise<void>((resolve) => server.listen(handle as never, process.backlog, resolve));
}

/** Closes a server's listening socket wherever it is; queued connections are reset. */
export async function closeServer(engine: EngineInternals, process: NetworkProcess): Promise<void> {
  const server = process.listener;
  process.listener = null;
  if (server) engine.descriptors.unwatch(server);
  if (process.parked) {
    process.parked = false;
    await engine.parking.discard(process.id);
  } else server?.close();
  // Emacs leaves a Unix server's socket file behind (and a new server on the
  // path then fails); we remove it, so the path can be reused.
  if (process.boundAddress?.family === 'local') rmSync(process.boundAddress.path, { force: true });
}

/** A stream server's start: listen, record the bound address, and park the socket at once for `:stop t`. */
export async function startServer(
  engine: EngineInternals,
  process: NetworkProcess,
  address: SocketAddress,
  args: CheckedArguments,
): Promise<void> {
  if (args.tlsServer) {
    // Before listening, so bad credentials leave nothing bound; each accepted connection shakes hands (input.ts).
    process.serverCredentials = await loadServerCredentials(args.tlsServer, args.host);
    recordTls(process, serverTlsState(process.serverCredentials));
  }
  let listener: net.Server;
  try {
    listener = await listenStream(engine, process, address, args.backlog);
  } catch (err) {
    throw fromSystemError(err, 'Cannot bind server socket', 'service');
  }
  process.listener = listener;
  process.family = address.family;
  process.boundAddress = address;
  process.inheritedOptions = args.options;
  const bound = listener.address();
  if (address.family === 'local') {
    process.contact.put('local', address.path);
  } else if (bound && typeof bound === 'object') {
    process.contact.put('service', bound.port);
    process.contact.put('local', lispAddressFromHostPort(bound.address, bound.port));
    process.boundAddress = { family: address.family, host: bound.address, port: bound.port };
  }
  engine.changeStatus(process, { kind: 'listen' }, { quiet: true });
  if (process.stopped) {
    process.transition = parkServer(engine, process);
    await process.transition;
  }
}
