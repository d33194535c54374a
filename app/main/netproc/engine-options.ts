/**
 * The options a Netproc is made with: their defaults, and the checks that
 * refuse a bad one by name before anything is made.
 */
import type { LookupFunction } from './arguments.js';
import { DEFAULT_BUFFER_BUDGET, DEFAULT_BUFFER_CAP, DEFAULT_PROCESSLESS_BUFFER_LIMIT } from './buffers.js';
import { DEFAULT_DATAGRAM_PEER_LIMIT } from './datagram-process.js';
import { invalidArgument } from './errors.js';
import { TLS_HANDSHAKE_TIMEOUT_MS } from './stream-process.js';
import type { TimelineOptions } from './timeline.js';

export interface NetprocOptions {
  /** Cap of each buffer in bytes; the head is trimmed past it (default 64 MiB). */
  bufferCap?: number;
  /**
   * All buffers together hold at most this many bytes (default 1 GiB). Past
   * it, the stalest buffers of departed processes are killed first, then the
   * stalest live buffers lose their oldest bytes; each step is reported.
   */
  bufferBudget?: number;
  /** How many buffers without a process are kept (default 10,000); past it the stalest go, however small. */
  processlessBufferLimit?: number;
  /** read-process-output-max: the largest filter chunk and datagram delivered (default 4096). */
  readProcessOutputMax?: number;
  /** delete-exited-processes: closed processes leave the list at once (default true). */
  deleteExitedProcesses?: boolean;
  lookup?: LookupFunction;
  servicesFile?: string;
  /** Where certificate pins are remembered (pin-store.ts); none: only while the engine runs. */
  pinStoreFile?: string | null;
  /**
   * Each process's traffic timeline (timeline.ts): on by default; false turns
   * it off, an object sets its ring size, payload caps and record budget.
   */
  timeline?: TimelineOptions | boolean;
  /** How long a client's TLS handshake may take (default 30 s). */
  tlsHandshakeTimeoutMs?: number;
  /** How many `datagram-peer` processes a splitting datagram server keeps at most (default 256). */
  datagramPeerLimit?: number;
}

/** The numbers and switches of NetprocOptions, each given or its default. */
export interface EngineSettings {
  readProcessOutputMax: number;
  bufferCap: number;
  bufferBudget: number;
  processlessBufferLimit: number;
  deleteExitedProcesses: boolean;
  tlsHandshakeTimeoutMs: number;
  datagramPeerLimit: number;
}

/** OPTION's value, or FALLBACK when not given; refused, naming FIELD, unless a whole number of at least MIN. */
function integerOption(option: number | undefined, fallback: number, min: number, field: string, message: string): number {
  const value = option ?? fallback;
  if (!Number.isInteger(value) || value < min) throw invalidArgument(field, message);
  return value;
}

/** OPTIONS' settings with their defaults; the first bad one is refused, naming its field. */
export function checkEngineOptions(options: NetprocOptions): EngineSettings {
  return {
    readProcessOutputMax: integerOption(
      options.readProcessOutputMax,
      4096,
      1,
      'readProcessOutputMax',
      'read-process-output-max must be a positive integer',
    ),
    bufferBudget: integerOption(
      options.bufferBudget,
      DEFAULT_BUFFER_BUDGET,
      1,
      'bufferBudget',
      'The buffer budget must be a positive number of bytes',
    ),
    bufferCap: integerOption(options.bufferCap, DEFAULT_BUFFER_CAP, 1, 'bufferCap', 'Buffer cap must be a positive integer'),
    processlessBufferLimit: integerOption(
      options.processlessBufferLimit,
      DEFAULT_PROCESSLESS_BUFFER_LIMIT,
      1,
      'processlessBufferLimit',
      'The limit of buffers without a process must be a positive integer',
    ),
    tlsHandshakeTimeoutMs: integerOption(
      options.tlsHandshakeTimeoutMs,
      TLS_HANDSHAKE_TIMEOUT_MS,
      1,
      'tlsHandshakeTimeoutMs',
      'The TLS handshake timeout must be a positive number of milliseconds',
    ),
    datagramPeerLimit: integerOption(
      options.datagramPeerLimit,
      DEFAULT_DATAGRAM_PEER_LIMIT,
      0,
      'datagramPeerLimit',
      'The datagram peer limit must be a non-negative integer',
    ),
    deleteExitedProcesses: options.deleteExitedProcesses ?? true,
  };
}
