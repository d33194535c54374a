/**
 * A network process: the state Emacs keeps per process (spec §1). The engine
 * (Netproc) is the only writer; callers read it through Netproc's accessors.
 */
import type net from 'node:net';
import type dgram from 'node:dgram';
import type { NetprocBuffer, Marker } from './buffers.js';
import type { CodingSystem, Decoder } from './coding.js';
import type { ContactPlist } from './contact.js';
import { CONNECT_STATUS, type InternalStatus } from './status.js';
import type { FamilyAddress, SocketAddress } from './address.js';
import type { AddressFamily, ProcessCounters, ProcessKind, TlsState } from '../../shared/wire.js';
import type { ServerCredentials } from './tls.js';

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
  status: InternalStatus = CONNECT_STATUS;
  /** process-command: t while stopped, never a list. */
  declare stopped: boolean;
  buffer: NetprocBuffer | null = null;
  mark: Marker | null = null;
  /** The buffer `mark` lives in; it stays in the old buffer after set-process-buffer nil, as in Emacs. */
  markBuffer: NetprocBuffer | null = null;
  filter: Filter = null;
  sentinel: Sentinel = null;
  declare log: LogFunction | null;
  declare plist: unknown[];
  declare queryOnExit: boolean;
  decoder!: Decoder;
  encoder!: CodingSystem;
  declare datagramAddress: number[] | FamilyAddress | null;
  readonly counters: ProcessCounters = { bytesIn: 0, bytesOut: 0, datagramsIn: 0, datagramsOut: 0, accepted: 0, createdAt: Date.now() };
  /** The server that accepted this connection, or whose datagrams from one peer this `datagram-peer` holds. */
  server: NetworkProcess | null = null;
  /** A TLS connection's state, or a TLS server's own certificate (tls.ts); null for plain sockets. */
  declare tls: TlsState | null;
  /** A TLS server's key and certificate, handed to each connection it accepts. */
  declare serverCredentials: ServerCredentials | null;

  // Socket plumbing, owned by the engine's socket modules.
  socket: net.Socket | null = null;
  declare listener: net.Server | null;
  declare datagram: dgram.Socket | null;
  /** Where a server listens or a client connects: used to re-listen and to clean up Unix paths. */
  boundAddress: SocketAddress | null = null;
  declare backlog: number;
  /** Options a server passes on to the connections it accepts, as the kernel passes them on from a listening socket. */
  declare inheritedOptions: import('./socket-options.js').SocketOptions;
  /** Connections libuv accepted in the instant between a stop request and the handle leaving: served on continue. */
  declare heldAccepts: net.Socket[];
  /** A TLS server's accepted sockets still shaking hands (tls.ts), closed with the server; null until the first. */
  declare handshaking: Set<net.Socket> | null;
  declare eofSent: boolean;
  /** The peer closed while the process was stopped: reported on continue, after the data before it. */
  declare closeSeenWhileStopped: boolean;
  /** `:linger t`: delete-process resets the connection. */
  declare resetOnDelete: boolean;
  /** Set by delete-process: no more input is read or delivered. */
  declare deleting: boolean;
  /** A stopped server's listening socket is held by the parking helper. */
  declare parked: boolean;
  /** Serialises stop/continue work that needs the parking helper. */
  declare transition: Promise<void>;
  /** Resolved when the process leaves `connect` (sends and EOF wait for it). */
  declare leftConnect: Promise<void>;
  /** Aborts a :nowait connect in flight, so delete-process closes its descriptor at once. */
  declare connectAbort: AbortController | null;
  /**
   * More output is queued than the kernel takes: input is not read until it
   * drains (Emacs blocks in process-send-string at the same point), so a peer
   * that sends without reading is held back by flow control.
   */
  declare outputBlocked: boolean;
  /** Datagram bytes handed to the socket and not yet sent. */
  declare datagramBytesQueued: number;
  /** The traffic timeline the engine records (timeline.ts); null when timelines are off. */
  declare timeline: import('./timeline.js').Timeline | null;
  /** Subscribers to this process's traffic and status changes (taps.ts); null while there are none. */
  declare taps: import('./taps.js').Taps | null;
  /** For a datagram client whose peer changed: sends wait until the socket is re-pointed. */
  declare datagramReady: Promise<void>;
  /** A client's make-network-process arguments, kept so that it can be made again (reconnect.ts). */
  declare madeWith: import('./arguments.js').MakeNetworkProcessOptions | null;
  /** The auto-reply rules answering this process's input (auto-reply.ts); null when it has none. */
  declare autoReply: { responder: import('./auto-reply.js').Responder; subscription: import('./taps.js').Disposable } | null;
  /** A conversation read from a capture file (import-process.ts): where from. Read-only: nothing is ever sent. */
  declare imported: string | null;
  /** A datagram server made with `splitPeers`: each source address gets a `datagram-peer` process (datagram-process.ts). */
  declare splitPeers: boolean;
  /** A splitting server's peer processes by their `<ID>` (emacsClientId of the peer); null until the first. */
  declare peers: Map<string, NetworkProcess> | null;
  /** A splitting server reached its peer limit, and the event log has said so. */
  declare peerLimitReported: boolean;

  constructor(
    readonly kind: ProcessKind,
    public family: AddressFamily,
    readonly contact: ContactPlist,
  ) {}

  get isServer(): boolean {
    return this.kind === 'stream-server' || this.kind === 'datagram-server';
  }
  get isDatagram(): boolean {
    return this.kind === 'datagram-client' || this.kind === 'datagram-server' || this.kind === 'datagram-peer';
  }
}

/**
 * Defaults most processes keep for life (a stopped flag, a datagram socket, a
 * parked listener...) live on the prototype, not in each instance: fifteen
 * thousand held connections otherwise each carry these slots (about 150
 * bytes). The first assignment gives an instance its own value, so reading
 * and writing them is as for any field. Only values never changed in place
 * belong here: arrays and objects are replaced, never changed in place (the
 * empty ones below are frozen, so a change in place would throw).
 */
const PROTOTYPE_DEFAULTS: Pick<
  NetworkProcess,
  | 'stopped'
  | 'plist'
  | 'heldAccepts'
  | 'log'
  | 'datagramAddress'
  | 'tls'
  | 'listener'
  | 'datagram'
  | 'backlog'
  | 'inheritedOptions'
  | 'eofSent'
  | 'closeSeenWhileStopped'
  | 'deleting'
  | 'parked'
  | 'transition'
  | 'leftConnect'
  | 'connectAbort'
  | 'outputBlocked'
  | 'datagramBytesQueued'
  | 'taps'
  | 'datagramReady'
  | 'serverCredentials'
  | 'handshaking'
  | 'timeline'
  | 'autoReply'
  | 'madeWith'
  | 'imported'
  | 'splitPeers'
  | 'peers'
  | 'peerLimitReported'
  | 'queryOnExit'
  | 'resetOnDelete'
> = {
  stopped: false,
  plist: Object.freeze([]) as unknown as unknown[],
  heldAccepts: Object.freeze([]) as unknown as net.Socket[],
  log: null,
  datagramAddress: null,
  tls: null,
  listener: null,
  datagram: null,
  backlog: 5,
  inheritedOptions: Object.freeze({}),
  eofSent: false,
  closeSeenWhileStopped: false,
  deleting: false,
  parked: false,
  transition: SETTLED,
  leftConnect: SETTLED,
  connectAbort: null,
  outputBlocked: false,
  datagramBytesQueued: 0,
  taps: null,
  datagramReady: SETTLED,
  serverCredentials: null,
  handshaking: null,
  timeline: null,
  autoReply: null,
  madeWith: null,
  imported: null,
  splitPeers: false,
  peers: null,
  peerLimitReported: false,
  queryOnExit: true,
  resetOnDelete: false,
};
Object.assign(NetworkProcess.prototype, PROTOTYPE_DEFAULTS);
