/**
 * Stream servers: listening, accepting, and stopping for real by parking the
 * listening handle in the helper (see handle-parking.ts).
 */
import net from 'node:net';
import { linkSync, renameSync, rmSync } from 'node:fs';
import { emacsClientHost, emacsClientId, lispAddressFromHostPort, type SocketAddress } from './address.js';
import type { CheckedArguments } from './arguments.js';
import { ContactPlist, copyEntries, type ContactSource } from './contact.js';
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

/** What an accepted connection is called after, and its contact plist. */
export interface AcceptedPeer {
  /** The `<ID>` in its name: the peer's address and port, or for a Unix socket the accept count. */
  clientId: string;
  /** The peer's host as the log and sentinel lines show it (`-` for a Unix socket). */
  hostText: string;
  contact: ContactPlist;
}

/** Addresses a listening socket accepts on whichever local address was asked for. */
const WILDCARD_HOSTS = new Set(['0.0.0.0', '::']);

/**
 * An accepted connection's peer and its contact plist: the server's contact
 * as it is at the accept, with `:server nil`, `:host`, `:service` (the
 * peer's port), `:local` and `:remote`. The name needs the peer's address at
 * once (getpeername); the plist is built when first read, from the addresses
 * kept here. The local address is the server's own unless it listens on a
 * wildcard, so only then does the accept ask the kernel (getsockname).
 */
export function acceptedPeer(server: NetworkProcess, socket: net.Socket, acceptCount: number): AcceptedPeer {
  const serverContact = server.contact.snapshot();
  if (server.family === 'local') {
    return { clientId: String(acceptCount), hostText: '-', contact: ContactPlist.lazy(new AcceptedContact(serverContact, null)) };
  }
  const bound = server.boundAddress;
  const remoteHost = socket.remoteAddress ?? '0.0.0.0';
  const remotePort = socket.remotePort ?? 0;
  const own = bound && bound.family !== 'local' && !WILDCARD_HOSTS.has(bound.host) ? bound : null;
  // Emacs prints an IPv4 peer as Node does; an IPv6 one in its own group form, which needs the groups.
  const ipv6Remote = socket.remoteFamily === 'IPv4' ? null : lispAddressFromHostPort(remoteHost, remotePort);
  const hostText = ipv6Remote ? emacsClientHost(ipv6Remote) : remoteHost;
  const contact = new AcceptedContact(
    serverContact,
    hostText,
    remoteHost,
    remotePort,
    own ? own.host : (socket.localAddress ?? '0.0.0.0'),
    own ? own.port : (socket.localPort ?? 0),
  );
  const clientId = ipv6Remote ? emacsClientId(ipv6Remote) : `${remoteHost}:${remotePort}`;
  return { clientId, hostText, contact: ContactPlist.lazy(contact) };
}

/**
 * A splitting datagram server's peer (beyond Emacs): named and described as
 * a connection accepted from ADDRESS would be, its `:local` the server's
 * bound address (one socket serves every peer, so there is no per-peer
 * getsockname).
 */
export function datagramPeer(server: NetworkProcess, address: number[], host: string, port: number): AcceptedPeer {
  const bound = server.boundAddress;
  const local = bound && bound.family !== 'local' ? bound : { host: '0.0.0.0', port: 0 };
  const hostText = emacsClientHost(address);
  const contact = new AcceptedContact(server.contact.snapshot(), hostText, host, port, local.host, local.port);
  return { clientId: emacsClientId(address), hostText, contact: ContactPlist.lazy(contact) };
}

/**
 * An accepted connection's contact, built when first read: the server's as at
 * the accept, then the connection's own. Its ends are fields of its own (one
 * object less for each held connection).
 */
class AcceptedContact implements ContactSource {
  constructor(
    private readonly serverContact: ReadonlyArray<readonly [string, unknown]>,
    /** The peer's host as `:host` shows it; null for a Unix socket, which has no ends. */
    private readonly hostText: string | null,
    private readonly remoteHost = '',
    private readonly remotePort = 0,
    private readonly localHost = '',
    private readonly localPort = 0,
  ) {}

  build(): ContactPlist {
    const plist = new ContactPlist(copyEntries(this.serverContact));
    plist.put('server', null);
    if (this.hostText === null) {
      plist.put('host', true);
      plist.put('remote', '');
      return plist;
    }
    plist.put('host', this.hostText);
    plist.put('service', this.remotePort);
    plist.put('local', lispAddressFromHostPort(this.localHost, this.localPort));
    plist.put('remote', lispAddressFromHostPort(this.remoteHost, this.remotePort));
    return plist;
  }
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
