/**
 * The contract's plain half: the wire's shapes (from wire.ts), events,
 * results and the builder of `window.netproc`. No runtime dependency, so the
 * sandboxed preload and the renderer can bundle it cheaply. The schemas that
 * validate every request are in contract.ts.
 */
// Types only (erased from bundles, so the preload and the renderer never pull zod in);
// contract.ts imports nothing from here, so the two do not depend on each other.
import type { Params } from './contract.js';
import type { ProcessDefinition, Workspace } from './workspace.js';
import {
  METHODS,
  type AutoReplyState,
  type BufferInfo,
  type CertificatePin,
  type JsonValue,
  type KernelQueues,
  type LispAddress,
  type ListProcessesRow,
  type LogLine,
  type Method,
  type ProcessCounters,
  type ProcessInfo,
  type RepeatState,
  type ReconnectState,
  type WireError,
} from './wire.js';

export * from './wire.js';
export type { Params };

export interface Snapshot {
  /** Events after this snapshot carry higher sequence numbers. */
  seq: number;
  processes: ProcessInfo[];
  buffers: BufferInfo[];
  /**
   * Processes that left the table while their buffers live on (each buffer's
   * `lastProcess`), as they were when they left: a reload still lists them
   * under their servers and keeps their tabs open.
   */
  departed: ProcessInfo[];
  /** The most recent sentinel, server-log and message lines, oldest first. */
  log: LogLine[];
}

/** `open-network-stream … :return-list t`: `(PROC :greeting G :capabilities C :type TYPE :error E)`. */
export interface OpenNetworkStreamList {
  /** Null when TLS was required and the server offers none (`error` says why). */
  process: ProcessInfo | null;
  greeting: string | null;
  capabilities: string | null;
  type: 'plain' | 'tls';
  error: string | null;
}

export function isOpenNetworkStreamList(value: ProcessInfo | OpenNetworkStreamList | null): value is OpenNetworkStreamList {
  return value !== null && 'greeting' in value;
}

// ───────────────────────────── events ─────────────────────────────

export type BridgeEvent =
  | { type: 'process-added'; process: ProcessInfo }
  | { type: 'process-changed'; process: ProcessInfo }
  /** `last` is the process as it left the table (its final status), for views that keep showing its buffer. */
  | { type: 'process-removed'; id: number; name: string; last: ProcessInfo }
  | { type: 'buffer-changed'; buffer: BufferInfo }
  | { type: 'buffer-killed'; name: string }
  | { type: 'counters'; id: number; counters: ProcessCounters }
  | { type: 'line'; line: LogLine }
  /** A repeating message's progress, coalesced per repeat to at most one per batch; `running: false` is its last. */
  | { type: 'repeat'; state: RepeatState }
  /** A command chosen in the desktop app's menu, for the renderer to carry out. */
  | { type: 'menu-command'; command: MenuCommand };

export const MENU_COMMANDS = ['new-process', 'command-palette', 'list-processes'] as const;
export type MenuCommand = (typeof MENU_COMMANDS)[number];

/** At most one batch per frame interval per client. `resync` means: events were dropped, ask for a snapshot. */
export interface EventBatch {
  seq: number;
  events: BridgeEvent[];
  resync?: true;
}

export interface BufferRange {
  name: string;
  start: number;
  end: number;
  origin: number;
  length: number;
  revision: number;
  trimmedBytes: number;
  encoding: 'text' | 'base64';
  data: string;
  /** Where in [start, end) the default sentinel wrote `Process NAME EVENT` lines: [start, end) byte pairs. */
  sentinels: Array<[number, number]>;
}

/** One record of a traffic timeline as readTimeline returns it. */
export interface TimelineEntry {
  /** Its place in the (filtered) view: what `from` counts. */
  position: number;
  /** The process whose timeline holds it: the one asked for, or for a server one of its connections. */
  processId: number;
  processName: string;
  /** Its index in that process's timeline (stable, counting from the process's first record). */
  index: number;
  /** Microseconds since the epoch. */
  timeUs: number;
  /** `dropped`: a record that left its ring after the view listed it (its place is kept, so later rows do not move). */
  kind: 'data' | 'status' | 'dropped';
  /** Data: `in` read from the socket, `out` written to it. */
  direction: 'in' | 'out' | null;
  /** Data: the bytes that crossed the socket. */
  size: number;
  /** A datagram's sender (in) or destination (out), as format-network-address writes it. */
  peer: string | null;
  /** Data: the first LIMITS.timelinePreviewBytes bytes as text (UTF-8; other bytes as octal escapes); empty once let go. */
  preview: string;
  /** Data: whether the timeline still holds the bytes (the payload budget lets the oldest go). */
  bytesKept: boolean;
  /** Received data the default filter put in the buffer: where it went (an absolute byte offset in `buffer`). */
  bufferAt: number | null;
  buffer: string | null;
  /** Sent data: the name of the library message (or auto-reply rule) that sent it; null for a plain send. */
  label: string | null;
  /** Status: the status set as process-status says it (open, listen, connect, failed, closed), its exit code, and the sentinel's event text when the change ran it. */
  status: string | null;
  exitCode: number | string | null;
  event: string | null;
}

export interface TimelinePage {
  /**
   * The filtered view holds positions [first, end); `records` are those asked
   * for. Positions are stable: records leaving the rings move `first` on.
   */
  first: number;
  end: number;
  /** Changes when the view renumbered its positions: pages read before no longer line up. */
  epoch: number;
  /** Records held unfiltered, and pushed out of the rings (each process keeps its last `capacity`). */
  held: number;
  dropped: number;
  capacity: number;
  /** Payload bytes let go to stay within the timeline's caps. */
  payloadDropped: number;
  /** When the first record was made, for relative times (µs since the epoch). */
  startUs: number | null;
  records: TimelineEntry[];
}

/** What exportTraffic wrote. */
export interface ExportResult {
  path: string;
  /** Bytes in the file. */
  bytes: number;
  /** pcapng: packets written, and payload bytes no longer held (gaps Wireshark reports as not captured). */
  packets: number | null;
  missingBytes: number | null;
  /** text and hex: the byte range of the buffer written (absolute offsets). */
  start: number | null;
  end: number | null;
}

/** What importCapture made, and which conversation of the capture it took. */
export interface ImportResult {
  process: ProcessInfo;
  /** The conversation taken (counted from 0 in the order they began), of how many. */
  conversation: number;
  conversations: number;
  protocol: 'tcp' | 'udp';
  /** The side that opened it, and the other: `address:port`. */
  client: string;
  server: string;
  /** Payload bytes both ways, and those the capture lacked (gaps in a TCP stream). */
  bytes: number;
  missingBytes: number;
}

export interface Results {
  snapshot: Snapshot;
  makeNetworkProcess: ProcessInfo | null;
  /** The process, or with `returnList: true` the list. */
  openNetworkStream: ProcessInfo | OpenNetworkStreamList;
  sendString: null;
  sendBytes: null;
  sendFile: { bytes: number };
  sendEof: null;
  stopProcess: ProcessInfo;
  continueProcess: ProcessInfo;
  deleteProcess: null;
  setFilter: ProcessInfo;
  setSentinel: ProcessInfo;
  setQueryOnExitFlag: ProcessInfo;
  setCodingSystem: ProcessInfo;
  processGet: JsonValue;
  processPut: JsonValue[];
  /** Symbols in the answer (`:type datagram`, `:host local`) arrive as LispSymbol, strings as strings. */
  processContact: JsonValue | Record<string, JsonValue> | null;
  readBuffer: BufferRange;
  searchBuffer: { start: number; end: number } | null;
  clearBuffer: BufferInfo;
  /** kill-buffer: true when a live buffer was killed (its processes deleted first), false when there was none. */
  killBuffer: boolean;
  /** The bytes written, and where. */
  saveBuffer: { bytes: number; path: string };
  listProcesses: ListProcessesRow[];
  formatNetworkAddress: string | null;
  processDatagramAddress: LispAddress | null;
  setProcessDatagramAddress: LispAddress | null;
  pinCertificate: CertificatePin;
  /** True when there was a pin to forget. */
  forgetCertificatePin: boolean;
  listCertificatePins: CertificatePin[];
  processKernelQueues: KernelQueues;
  /** Emacs's answer: true (t), or false (nil) for an unknown option with noError. */
  setNetworkProcessOption: boolean;
  /** Null when sent once (it went); with `repeat`, the repeat's state as it starts. */
  sendMessage: RepeatState | null;
  /** True when the repeat was running and is now stopped. */
  stopRepeat: boolean;
  listRepeats: RepeatState[];
  /** The rules as set, with their hit counts; null when removed. */
  setAutoReplyRules: AutoReplyState | null;
  autoReplyRules: AutoReplyState | null;
  /** The reconnect state; null when switched off. */
  setProcessReconnect: ReconnectState | null;
  /** True when the name was reconnecting. */
  cancelReconnect: boolean;
  /** The datagram server as it is now. */
  setSplitPeers: ProcessInfo;
  /** The definitions of the processes in the list, oldest first. */
  captureWorkspace: { processes: ProcessDefinition[] };
  /** The workspace as read (migrated to this version), the processes made, and the names left alone because a process has them. */
  applyWorkspace: { workspace: Workspace; created: ProcessInfo[]; skipped: string[] };
  /** The file read and checked, or null when its dialog was cancelled. */
  openWorkspaceFile: { path: string; workspace: Workspace } | null;
  /** Where the file was written, or null when its dialog was cancelled. */
  saveWorkspaceFile: { path: string } | null;
  /** available: the host keeps workspace files (the desktop); the web host saves by download instead. */
  recentWorkspaces: { available: boolean; paths: string[] };
  readTimeline: TimelinePage;
  exportTraffic: ExportResult;
  importCapture: ImportResult;
}

/** The error in a failed response; defined with the other wire shapes. */
export type BridgeError = WireError;

export type Response<M extends Method = Method> = { ok: true; result: Results[M] } | { ok: false; error: BridgeError };

/** What window.netproc offers: one function per request, and the event stream. */
export type NetprocApi = { [M in Method]: (params: Params<M>) => Promise<Results[M]> } & {
  onEvents(listener: (batch: EventBatch) => void): () => void;
};

/** The error a NetprocApi call rejects with: the message, and the Lisp condition and data behind it. */
export class NetprocBridgeError extends Error implements BridgeError {
  readonly code: string;
  readonly field: string | null;
  readonly condition: BridgeError['condition'];
  readonly data: JsonValue[];
  readonly syscall?: string;
  readonly address?: string;
  readonly port?: number;
  constructor(error: BridgeError) {
    super(error.message);
    this.name = 'NetprocBridgeError';
    this.code = error.code;
    this.field = error.field;
    // A transport's own failure (a dropped connection) may come without them.
    this.condition = error.condition ?? 'error';
    this.data = Array.isArray(error.data) ? error.data : [error.message];
    if (error.syscall !== undefined) this.syscall = error.syscall;
    if (error.address !== undefined) this.address = error.address;
    if (error.port !== undefined) this.port = error.port;
  }
}

/** The two things a transport must do; the rest of the API is built on them, the same for every host. */
export interface ClientTransport {
  invoke(method: Method, params: unknown): Promise<Response>;
  subscribe(listener: (batch: EventBatch) => void): () => void;
}

export function createNetprocApi(transport: ClientTransport): NetprocApi {
  const api: Record<string, unknown> = {};
  for (const method of METHODS) {
    api[method] = async (params: unknown) => {
      const response = await transport.invoke(method, params ?? {});
      if (!response.ok) throw new NetprocBridgeError(response.error);
      return response.result;
    };
  }
  api.onEvents = (listener: (batch: EventBatch) => void) => transport.subscribe(listener);
  return Object.freeze(api) as NetprocApi;
}

/** IPC channel names: the only two the preload and main use. */
export const IPC_REQUEST = 'netproc:request';
export const IPC_EVENTS = 'netproc:events';
