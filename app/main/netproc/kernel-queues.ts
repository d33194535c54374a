/**
 * What the kernel holds for a process's socket, which no peer tool shows:
 * bytes waiting in its receive queue (a stopped connection's fill up until
 * TCP's flow control holds the peer back), bytes in its send queue, the
 * socket's buffer sizes, and the bytes Node itself still holds unsent.
 *
 * Linux only: the queues come from /proc/net/{tcp,tcp6,udp,udp6}, matched by
 * the socket's addresses; the buffer sizes from `ss -m` (iproute2), since
 * neither Node nor /proc reports SO_RCVBUF/SO_SNDBUF of a TCP socket.
 * Elsewhere every kernel figure is null and `unavailable` says why.
 */
import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { isIPv6 } from 'node:net';
import { ipv6Groups } from './address.js';
import { kernelDrops } from './datagram-process.js';
import type { KernelQueues } from '../../shared/wire.js';
import type { NetworkProcess } from './process.js';

// The wire's shape is the engine's own.
export type { KernelQueues };

interface Ends {
  protocol: 'tcp' | 'udp';
  v6: boolean;
  localAddress: string;
  localPort: number;
  remoteAddress: string | null;
  remotePort: number | null;
}

/** The /proc/net spelling of an address: 32-bit words in host (little-endian) order, each as 8 hex digits. */
export function procAddress(address: string): string {
  const words: number[] = [];
  if (isIPv6(address)) {
    const groups = ipv6Groups(address);
    for (let i = 0; i < 8; i += 2) words.push(((groups[i]! << 16) | groups[i + 1]!) >>> 0);
  } else {
    const [a, b, c, d] = address.split('.').map(Number) as [number, number, number, number];
    words.push(((a << 24) | (b << 16) | (c << 8) | d) >>> 0);
  }
  return words
    .map((word) => {
      const swapped = ((word & 0xff) << 24) | ((word & 0xff00) << 8) | ((word >>> 8) & 0xff00) | (word >>> 24);
      return (swapped >>> 0).toString(16).toUpperCase().padStart(8, '0');
    })
    .join('');
}

function procEnd(address: string, port: number): string {
  return `${procAddress(address)}:${port.toString(16).toUpperCase().padStart(4, '0')}`;
}

const TCP_TIME_WAIT = '06';

/** Finds the socket's line in a /proc/net table and reads its queues (tx_queue:rx_queue, hex). */
export function findQueues(table: string, ends: Ends): { sendQueue: number; receiveQueue: number } | null {
  const local = procEnd(ends.localAddress, ends.localPort);
  const remote = ends.remoteAddress !== null && ends.remotePort !== null ? procEnd(ends.remoteAddress, ends.remotePort) : null;
  for (const line of table.split('\n').slice(1)) {
    const fields = line.trim().split(/\s+/);
    if (fields.length < 5 || fields[1] !== local) continue;
    if (remote !== null && fields[2] !== remote) continue;
    if (ends.protocol === 'tcp' && fields[3] === TCP_TIME_WAIT) continue;
    const [tx, rx] = (fields[4] ?? '').split(':');
    if (tx === undefined || rx === undefined) continue;
    return { sendQueue: parseInt(tx, 16), receiveQueue: parseInt(rx, 16) };
  }
  return null;
}

/** `ss -m`'s skmem field: rb (receive buffer) and tb (send buffer). */
export function parseSkmem(text: string): { receiveBuffer: number; sendBuffer: number } | null {
  const match = /skmem:\(([^)]*)\)/.exec(text);
  if (!match) return null;
  const receive = /(?:^|,)rb(\d+)/.exec(match[1]!);
  const send = /(?:^|,)tb(\d+)/.exec(match[1]!);
  return receive && send ? { receiveBuffer: Number(receive[1]), sendBuffer: Number(send[1]) } : null;
}

function socketEnds(process: NetworkProcess): Ends | null {
  const stream = process.socket;
  if (stream && !stream.destroyed && stream.localAddress && stream.localPort !== undefined) {
    return {
      protocol: 'tcp',
      v6: isIPv6(stream.localAddress),
      localAddress: stream.localAddress,
      localPort: stream.localPort,
      remoteAddress: stream.remoteAddress ?? null,
      remotePort: stream.remotePort ?? null,
    };
  }
  const datagram = process.datagram;
  if (datagram) {
    try {
      const local = datagram.address();
      return {
        protocol: 'udp',
        v6: local.family === 'IPv6',
        localAddress: local.address,
        localPort: local.port,
        remoteAddress: null,
        remotePort: null,
      };
    } catch {
      return null;
    }
  }
  return null;
}

function bracketed(address: string): string {
  return isIPv6(address) ? `[${address}]` : address;
}

type Buffers = { receiveBuffer: number; sendBuffer: number };

/** The socket's buffer sizes as `ss -m` reports them, or why they could not be had. */
function ssBuffers(ends: Ends): Promise<Buffers | string> {
  const filter = [`src ${bracketed(ends.localAddress)}:${ends.localPort}`];
  if (ends.remoteAddress !== null && ends.remotePort !== null) filter.push(`dst ${bracketed(ends.remoteAddress)}:${ends.remotePort}`);
  const args = [ends.protocol === 'tcp' ? '-tmnH' : '-umnaH', ...filter.join(' and ').split(' ')];
  return new Promise((resolve) => {
    execFile('ss', args, { timeout: 1000, maxBuffer: 64 * 1024 }, (err, stdout) => {
      if ((err as NodeJS.ErrnoException | null)?.code === 'ENOENT') resolve('ss (iproute2) is not installed, and only it reports them');
      else if (err) resolve(`ss failed: ${err.message.split('\n')[0]}`);
      else resolve(parseSkmem(stdout) ?? 'ss did not list the socket');
    });
  });
}

/** The kernel's and Node's queues for PROCESS's socket, now. */
export async function kernelQueues(process: NetworkProcess): Promise<KernelQueues> {
  const heldByNode = process.socket ? process.socket.writableLength : process.datagramBytesQueued;
  const none = (unavailable: string): KernelQueues => ({
    unavailable,
    receiveQueue: null,
    sendQueue: null,
    heldByNode,
    receiveBuffer: null,
    sendBuffer: null,
    buffersUnavailable: unavailable,
    receiveFill: null,
    datagramDrops: null,
  });
  if (globalThis.process.platform !== 'linux')
    return none(`not available on ${globalThis.process.platform}: the queues are read from Linux's /proc/net`);
  if (process.family === 'local') return none('not available for Unix-domain sockets: Linux reports no queue sizes for them');
  if (process.kind === 'datagram-peer')
    return none("a peer's datagrams come through its server's socket: the server's queues are its queues");
  const ends = socketEnds(process);
  if (!ends) return none(process.kind === 'stream-server' ? 'a listening socket has no data queues' : 'the process has no open socket');
  const tableName = `/proc/net/${ends.protocol}${ends.v6 ? '6' : ''}`;
  let queues: { sendQueue: number; receiveQueue: number } | null;
  try {
    queues = findQueues(await readFile(tableName, 'utf8'), ends);
  } catch {
    return none(`${tableName} cannot be read`);
  }
  if (!queues) return none(`the socket is not in ${tableName}`);
  let buffers: Buffers | string;
  if (process.datagram) {
    try {
      buffers = { receiveBuffer: process.datagram.getRecvBufferSize(), sendBuffer: process.datagram.getSendBufferSize() };
    } catch (err) {
      buffers = (err as Error).message;
    }
  } else buffers = await ssBuffers(ends);
  const known = typeof buffers === 'string' ? null : buffers;
  return {
    unavailable: null,
    ...queues,
    heldByNode,
    receiveBuffer: known?.receiveBuffer ?? null,
    sendBuffer: known?.sendBuffer ?? null,
    buffersUnavailable: typeof buffers === 'string' ? buffers : null,
    receiveFill: known && known.receiveBuffer > 0 ? Math.min(1, queues.receiveQueue / known.receiveBuffer) : null,
    datagramDrops: process.datagram ? kernelDrops(process.datagram) : null,
  };
}
