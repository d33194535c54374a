/**
 * Datagram sockets (spec §10.3). A server binds and answers whoever sent
 * last; a client is connected to its peer, as Emacs connects it. Beyond
 * Emacs, a server made with `splitPeers` also gives each source address a
 * `datagram-peer` process (made by input.ts at its first datagram, as an
 * accepted connection is) that sends from the server's socket (sending.ts).
 */
import dgram from 'node:dgram';
import { readFileSync } from 'node:fs';
import { lispAddressFromHostPort, socketAddressFromLisp, unspecifiedAddress, type LispAddress, type SocketAddress } from './address.js';
import type { CheckedArguments } from './arguments.js';
import type { EngineInternals } from './engine-internals.js';
import { fromSystemError, invalidArgument } from './errors.js';
import type { NetworkProcess } from './process.js';
import { applyDatagramOptions, type SocketOptions } from './socket-options.js';

/**
 * How many `datagram-peer` processes a splitting server keeps by default
 * (NetprocOptions.datagramPeerLimit): a flood of source addresses cannot
 * grow the process list without bound.
 */
export const DEFAULT_DATAGRAM_PEER_LIMIT = 256;

/** The largest UDP payload over IPv4; Emacs signals "Message too long" past it. */
export const MAX_DATAGRAM = 65507;

type InetAddress = Extract<SocketAddress, { host: string }>;

function createSocket(address: InetAddress, reuseAddr: boolean): dgram.Socket {
  return dgram.createSocket({ type: address.family === 'ipv6' ? 'udp6' : 'udp4', reuseAddr });
}

function wire(engine: EngineInternals, process: NetworkProcess, socket: dgram.Socket): void {
  process.datagram = socket;
  socket.on('message', (message, from) => {
    if (!process.deleting) engine.input.datagramReceived(process, message, from);
  });
  // ICMP errors on a connected socket (nobody listening) are not errors in Emacs [O-06 B].
  socket.on('error', (err) => engine.report(`datagram ${process.name}: ${err.message}`));
}

export function bindDatagram(
  engine: EngineInternals,
  process: NetworkProcess,
  address: InetAddress,
  options: SocketOptions,
): Promise<dgram.Socket> {
  const reuseAddr = options.reuseaddr === undefined ? true : Boolean(options.reuseaddr);
  const socket = createSocket(address, reuseAddr);
  return new Promise((resolve, reject) => {
    socket.once('error', (err) => {
      socket.close();
      reject(err);
    });
    socket.bind({ address: address.host, port: address.port, exclusive: true }, () => {
      socket.removeAllListeners('error');
      applyDatagramOptions(socket, options);
      wire(engine, process, socket);
      resolve(socket);
    });
  });
}

/** Quirk 5 (R): a datagram client applies no options at creation; they are only recorded. */
export function connectDatagram(engine: EngineInternals, process: NetworkProcess, address: InetAddress): Promise<dgram.Socket> {
  const socket = createSocket(address, false);
  return new Promise((resolve, reject) => {
    socket.once('error', (err) => {
      socket.close();
      reject(err);
    });
    socket.connect(address.port, address.host, () => {
      socket.removeAllListeners('error');
      wire(engine, process, socket);
      resolve(socket);
    });
  });
}

/** Points a client's connected socket at a new peer. */
export function reconnectDatagram(socket: dgram.Socket, address: InetAddress): Promise<void> {
  return new Promise((resolve, reject) => {
    try {
      socket.disconnect();
    } catch {
      // not connected yet: nothing to undo
    }
    socket.connect(address.port, address.host, (err?: Error) => (err ? reject(err) : resolve()));
  });
}

export function sendDatagram(socket: dgram.Socket, bytes: Buffer, to: InetAddress | null): Promise<void> {
  return new Promise((resolve, reject) => {
    const done = (err: Error | null): void => (err ? reject(err) : resolve());
    if (to) socket.send(bytes, to.port, to.host, done);
    else socket.send(bytes, done);
  });
}

type RecvHandle = { recvStop?: () => number; recvStart?: () => number };

/** The UDP handle, reached through dgram's state object (its `_handle` getter is deprecated). */
function udpHandle(socket: dgram.Socket): RecvHandle | undefined {
  const state = Object.getOwnPropertySymbols(socket).find((s) => s.description === 'state symbol');
  return state ? (socket as unknown as Record<symbol, { handle?: RecvHandle }>)[state]?.handle : undefined;
}

/** Stopping a datagram process stops reading: the kernel queues, then drops the overflow. */
function setDatagramReading(socket: dgram.Socket, on: boolean): void {
  const handle = udpHandle(socket);
  if (on) handle?.recvStart?.();
  else handle?.recvStop?.();
}

/** Reading follows Emacs as for streams: open, not stopped, filter not `t`; and not while our sends back up. */
export function updateDatagramReading(process: NetworkProcess): void {
  const socket = process.datagram;
  if (!socket) return;
  setDatagramReading(
    socket,
    process.status.kind === 'run' && !process.stopped && process.filter !== true && !process.deleting && !process.outputBlocked,
  );
}

/**
 * Datagrams the kernel dropped for this socket because its receive queue was
 * full (Linux's /proc/net/udp `drops` column), or null where that is not
 * available. This is what a stopped datagram process loses.
 */
export function kernelDrops(socket: dgram.Socket): number | null {
  let port: number;
  let family: string;
  try {
    ({ port, family } = socket.address());
  } catch {
    return null;
  }
  const portHex = port.toString(16).toUpperCase().padStart(4, '0');
  try {
    const table = readFileSync(family === 'IPv6' ? '/proc/net/udp6' : '/proc/net/udp', 'utf8');
    for (const row of table.split('\n').slice(1)) {
      const columns = row.trim().split(/\s+/);
      if (columns[1]?.endsWith(`:${portHex}`)) return Number(columns[columns.length - 1]);
    }
  } catch {
    // not Linux, or /proc is not mounted
  }
  return null;
}

/** A datagram server: bind, and answer whoever sent last (`:remote` may name a first peer). */
export async function startDatagramServer(
  engine: EngineInternals,
  process: NetworkProcess,
  address: SocketAddress,
  args: CheckedArguments,
): Promise<void> {
  if (address.family === 'local') throw invalidArgument('family', 'Unix-domain datagram sockets are not available in Node');
  let socket: dgram.Socket;
  try {
    socket = await bindDatagram(engine, process, address, args.options);
  } catch (err) {
    throw fromSystemError(err, 'Cannot bind server socket', 'service');
  }
  const bound = socket.address();
  process.family = address.family;
  process.boundAddress = { family: address.family, host: bound.address, port: bound.port };
  process.contact.put('service', bound.port);
  process.contact.put('local', lispAddressFromHostPort(bound.address, bound.port));
  const initialPeer = args.remote !== null ? (args.remote as LispAddress) : null;
  process.datagramAddress = Array.isArray(initialPeer) ? initialPeer.slice() : unspecifiedAddress();
  process.contact.put('remote', process.datagramAddress);
  engine.changeStatus(process, { kind: 'run' }, { quiet: true });
  updateDatagramReading(process);
}

/** A datagram client: a socket connected to its one peer. */
export async function startDatagramClient(engine: EngineInternals, process: NetworkProcess, address: SocketAddress): Promise<void> {
  if (address.family === 'local') throw invalidArgument('family', 'Unix-domain datagram sockets are not available in Node');
  try {
    await connectDatagram(engine, process, address);
  } catch (err) {
    throw fromSystemError(err, 'make client process failed', 'host', process.contact.signalData());
  }
  process.family = address.family;
  process.boundAddress = address;
  const remote = lispAddressFromHostPort(address.host, address.port);
  process.datagramAddress = remote;
  process.contact.put('remote', remote.slice());
  // Emacs records the client's :local before the kernel binds it [O-13 G, spec §7.2].
  process.contact.put('local', new Array<number>(remote.length).fill(0));
  engine.changeStatus(process, { kind: 'run' }, { quiet: true });
  updateDatagramReading(process);
}

/** `set-process-datagram-address`: null when not a datagram process or ADDRESS does not fit its socket. */
export function setDatagramPeer(engine: EngineInternals, process: NetworkProcess, address: unknown): LispAddress | null {
  // A datagram-peer process holds one peer's datagrams: its peer is what it is.
  if (!process.isDatagram || process.kind === 'datagram-peer' || !Array.isArray(address)) return null;
  let target: SocketAddress;
  try {
    target = socketAddressFromLisp(address, 'address');
  } catch {
    return null;
  }
  if (target.family !== process.family || target.family === 'local') return null;
  process.datagramAddress = (address as number[]).slice();
  const socket = process.datagram;
  if (process.kind === 'datagram-client' && socket) {
    const inet = target;
    process.datagramReady = process.datagramReady
      .then(() => reconnectDatagram(socket, inet))
      .catch((err: Error) => engine.report(`datagram ${process.name}: ${err.message}`));
  }
  engine.emit('process-changed', process);
  return address as number[];
}
