/**
 * Sending: `process-send-string` for streams and datagrams, and
 * `process-send-eof`, with Emacs's errors and its blocking turned into
 * backpressure on the process's own input.
 */
import type net from 'node:net';
import { socketAddressFromLisp, type LispAddress, type SocketAddress } from './address.js';
import { encodeForSending } from './coding.js';
import { MAX_DATAGRAM, sendDatagram } from './datagram-process.js';
import type { EngineInternals } from './engine-internals.js';
import { fromSystemError, NetprocError, strerror, wrongType } from './errors.js';
import type { NetworkProcess } from './process.js';

/**
 * Unsent output a process may queue before its input stops being read. Emacs
 * blocks inside process-send-string once the kernel takes no more; Node would
 * queue without bound instead (an echo to a peer that never reads grew to
 * hundreds of MiB), so past this mark the process stops reading until the
 * queue drains.
 */
export const OUTPUT_HIGH_WATER = 1024 * 1024;

export function notRunning(process: NetworkProcess): NetprocError {
  if (process.imported !== null) return readOnly(process);
  return new NetprocError({ code: 'NOT_RUNNING', message: `Process ${process.name} not running`, field: 'process' });
}

/** What a send says beyond its bytes: for whom, and under what name the timeline shows it. */
export interface SendOptions {
  /**
   * For a datagram server: send to this address instead of process-datagram-address
   * (an auto-reply answers the datagram's own sender, whoever sent last).
   */
  peer?: LispAddress | null;
  /** The library message or rule that sent it, recorded with the output in the taps. */
  label?: string | null;
}

/** What an imported conversation answers to anything that would send, stop or continue it. */
export function readOnly(process: NetworkProcess, refused = 'nothing can be sent to it'): NetprocError {
  return new NetprocError({
    code: 'NOT_RUNNING',
    message: `${process.name} is a conversation imported from ${process.imported}: read-only, ${refused}`,
    field: 'process',
  });
}

/** `process-send-string`: text is encoded with the process's coding; byte arrays go as they are. */
export async function sendString(
  engine: EngineInternals,
  process: NetworkProcess,
  data: string | Uint8Array,
  options: SendOptions = {},
): Promise<null> {
  if (typeof data !== 'string' && !(data instanceof Uint8Array)) throw wrongType('data', 'stringp', data);
  if (process.status.kind === 'connect') await process.leftConnect;
  if (process.status.kind !== 'run') throw notRunning(process);
  const bytes = encodeForSending(data, process.encoder);
  if (process.isDatagram) return sendOneDatagram(engine, process, bytes, options);
  // Quirk 15 (R): after process-send-eof, output goes nowhere.
  if (process.eofSent || bytes.length === 0) return null;
  const socket = process.socket as net.Socket;
  try {
    await new Promise<void>((resolve, reject) => {
      if (socket.destroyed) reject(Object.assign(new Error('socket closed'), { code: 'EPIPE' }));
      else {
        process.taps?.emitData('out', bytes, null, options.label ?? null);
        socket.write(bytes, (err) => (err ? reject(err) : resolve()));
        if (socket.writableLength > OUTPUT_HIGH_WATER) holdInputUntilDrained(engine, process, socket);
      }
    });
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'EPIPE' || code === 'ECONNRESET' || code === 'ERR_STREAM_DESTROYED') {
      engine.input.connectionBroken(process, true);
      throw new NetprocError({
        code: 'EPIPE',
        message: `process ${process.name} no longer connected to pipe; closed it`,
        field: 'process',
        cause: err,
      });
    }
    throw fromSystemError(err, 'Writing to process', 'data', [process.name]);
  }
  process.counters.bytesOut += bytes.length;
  return null;
}

async function sendOneDatagram(
  engine: EngineInternals,
  process: NetworkProcess,
  bytes: Buffer,
  { peer = null, label = null }: SendOptions,
): Promise<null> {
  if (bytes.length > MAX_DATAGRAM) {
    throw new NetprocError({
      code: 'EMSGSIZE',
      message: `Sending datagram: ${strerror('EMSGSIZE')}`,
      field: 'data',
      condition: 'file-error',
      data: ['Sending datagram', strerror('EMSGSIZE'), process.name],
    });
  }
  // A datagram-peer process sends from its server's socket, so the peer sees the port it wrote to.
  const owner = process.kind === 'datagram-peer' ? process.server : process;
  await owner?.datagramReady;
  const socket = owner?.datagram;
  if (!owner || !socket || owner.deleting) throw notRunning(process);
  let to: SocketAddress | null = null;
  if (process.kind !== 'datagram-client' && peer) to = socketAddressFromLisp(peer, 'peer');
  else if (process.kind !== 'datagram-client') {
    if (!Array.isArray(process.datagramAddress)) {
      throw new NetprocError({
        code: 'EDESTADDRREQ',
        message: `Sending datagram: ${strerror('EDESTADDRREQ')}`,
        field: 'process',
        condition: 'file-error',
        data: ['Sending datagram', strerror('EDESTADDRREQ'), process.name],
      });
    }
    to = socketAddressFromLisp(process.datagramAddress, 'datagramAddress');
  }
  // The queue is the socket's, so it is the socket's owner that stops reading while it backs up.
  owner.datagramBytesQueued += bytes.length;
  if (owner.datagramBytesQueued > OUTPUT_HIGH_WATER && !owner.outputBlocked) {
    owner.outputBlocked = true;
    engine.input.updateReading(owner);
  }
  try {
    await sendDatagram(socket, bytes, to && to.family !== 'local' ? to : null);
  } catch (err) {
    throw fromSystemError(err, 'Sending datagram', 'data', [process.name]);
  } finally {
    owner.datagramBytesQueued -= bytes.length;
    if (owner.outputBlocked && owner.datagramBytesQueued <= OUTPUT_HIGH_WATER / 2) {
      owner.outputBlocked = false;
      engine.input.updateReading(owner);
    }
  }
  process.taps?.emitData('out', bytes, peer ?? (Array.isArray(process.datagramAddress) ? process.datagramAddress : null), label);
  process.counters.datagramsOut++;
  process.counters.bytesOut += bytes.length;
  return null;
}

/** Stops reading the process's input until its queued output has gone to the kernel. */
function holdInputUntilDrained(engine: EngineInternals, process: NetworkProcess, socket: net.Socket): void {
  if (process.outputBlocked) return;
  process.outputBlocked = true;
  engine.input.updateReading(process);
  socket.once('drain', () => {
    process.outputBlocked = false;
    if (process.socket === socket) engine.input.updateReading(process);
  });
}

/** `process-send-eof`: half-close; reading goes on until the peer closes. A no-op for datagrams. */
export async function sendEof(engine: EngineInternals, process: NetworkProcess): Promise<NetworkProcess> {
  if (process.status.kind === 'connect') await process.leftConnect;
  if (process.isDatagram) return process;
  if (process.status.kind !== 'run') throw notRunning(process);
  if (!process.eofSent) {
    process.eofSent = true;
    process.socket?.end();
    engine.emit('process-changed', process);
  }
  return process;
}
