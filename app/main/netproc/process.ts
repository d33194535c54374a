/**
 * A network process: the state Emacs keeps per process (spec §1). The engine
 * (Netproc) is the only writer; callers read it through Netproc's accessors.
 */
import type net from 'node:net';
import type dgram from 'node:dgram';
import type { NetprocBuffer, Marker } from './buffers.js';
import type { CodingSystem, Decoder } from './coding.js';
import type { ContactPlist } from './contact.js';
import type { InternalStatus } from './status.js';
import type { FamilyAddress, SocketAddress } from './address.js';
import type { AddressFamily, ProcessCounters, ProcessKind, TlsState } from '../../shared/wire.js';

// The wire's shapes are the engine's own: a renderer sees a process's kind, family, counters and TLS state as kept here.
export type { AddressFamily, ProcessCounters, ProcessKind, TlsState };

export type FilterFunction = (process: NetworkProcess, text: string) => void;
/** A function, `true` (do not read), or null for the default filter. */
export type Filter = FilterFunction | true | null;
/** A function, or null for the default sentinel. */
export type Sentinel = ((process: NetworkProcess, event: string) => void) | null;
export type LogFunction = (server: NetworkProcess, client: NetworkProcess | null, message: string) => void;

let nextId = 1;
const SETTLED: Promise<void> = Promise.resolve();

export class NetworkProcess {
  readonly id = nextId++;
  name = '';
  /** True while a blocking creation is still in progress: the name is reserved but the process is not listed. */
  hidden = true;
  status: InternalStatus = { kind: 'connect' };
  /** process-command: t while stopped, never a list. */
  stopped = false;
  buffer: NetprocBuffer | null = null;
  mark: Marker | null = null;
  /** The buffer `mark` lives in; it stays in the old buffer after set-process-buffer nil, as in Emacs. */
  markBuffer: NetprocBuffer | null = null;
  filter: Filter = null;
  sentinel: Sentinel = null;
  log: LogFunction | null = null;
  plist: unknown[] = [];
  queryOnExit = true;
  decoder!: Decoder;
  encoder!: CodingSystem;
  datagramAddress: number[] | FamilyAddress | null = null;
  readonly counters: ProcessCounters = { bytesIn: 0, bytesOut: 0, datagramsIn: 0, datagramsOut: 0, accepted: 0, createdAt: Date.now() };
  /** The server that accepted this connection. */
  server: NetworkProcess | null = null;
  tls: TlsState | null = null;

  // Socket plumbing, owned by the engine's socket modules.
  socket: net.Socket | null = null;
  listener: net.Server | null = null;
  datagram: dgram.Socket | null = null;
  /** Where a server listens or a client connects: used to re-listen and to clean up Unix paths. */
  boundAddress: SocketAddress | null = null;
  backlog = 5;
  /** Options a server passes on to the connections it accepts, as the kernel passes them on from a listening socket. */
  inheritedOptions: import('./socket-options.js').SocketOptions = {};
  /** Connections libuv accepted in the instant between a stop request and the handle leaving: served on continue. */
  heldAccepts: net.Socket[] = [];
  eofSent = false;
  /** The peer closed while the process was stopped: reported on continue, after the data before it. */
  closeSeenWhileStopped = false;
  /** `:linger t`: delete-process resets the connection. */
  resetOnDelete = false;
  /** Set by delete-process: no more input is read or delivered. */
  deleting = false;
  /** A stopped server's listening socket is held by the parking helper. */
  parked = false;
  /** Serialises stop/continue work that needs the parking helper. */
  transition: Promise<void> = SETTLED;
  /** Resolved when the process leaves `connect` (sends and EOF wait for it). */
  leftConnect: Promise<void> = SETTLED;
  /** Aborts a :nowait connect in flight, so delete-process closes its descriptor at once. */
  connectAbort: AbortController | null = null;
  /**
   * More output is queued than the kernel takes: input is not read until it
   * drains (Emacs blocks in process-send-string at the same point), so a peer
   * that sends without reading is held back by flow control.
   */
  outputBlocked = false;
  /** Datagram bytes handed to the socket and not yet sent. */
  datagramBytesQueued = 0;
  /** The traffic timeline the engine records (timeline.ts); null when timelines are off. */
  timeline: import('./timeline.js').Timeline | null = null;
  /** Subscribers to this process's traffic and status changes (taps.ts); null while there are none. */
  taps: import('./taps.js').Taps | null = null;
  /** For a datagram client whose peer changed: sends wait until the socket is re-pointed. */
  datagramReady: Promise<void> = SETTLED;

  constructor(
    readonly kind: ProcessKind,
    public family: AddressFamily,
    readonly contact: ContactPlist,
  ) {}

  get isServer(): boolean {
    return this.kind === 'stream-server' || this.kind === 'datagram-server';
  }
  get isDatagram(): boolean {
    return this.kind === 'datagram-client' || this.kind === 'datagram-server';
  }
}
