/**
 * The contract's plain half: wire types, events, the method list and the
 * builder of `window.netproc`. No runtime dependency, so the sandboxed
 * preload and the renderer can bundle it cheaply. The schemas that validate
 * every request are in contract.ts.
 */
import type { Params } from './contract.js';

export type { Params };

// ───────────────────────────── shared shapes ─────────────────────────────

export type ProcessStatus = 'open' | 'listen' | 'connect' | 'failed' | 'closed' | 'stop';
export type ProcessKind = 'stream-client' | 'stream-server' | 'accepted' | 'datagram-client' | 'datagram-server';
/** `[127, 0, 0, 1, 80]`, eight groups plus port, a Unix path, or `{family, data}`. */
export type LispAddress = number[] | string | { family: number; data: number[] };
export type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };
/**
 * A Lisp symbol in a value from main (a contact value such as `:type
 * datagram` or `:host local`), tagged so it never reads as the string
 * `"datagram"`. Strings stay plain strings. Requests still name symbols by
 * plain strings (`type: 'datagram'`), where the field says which it is.
 */
export interface LispSymbol {
  symbol: string;
}

export function isLispSymbol(value: unknown): value is LispSymbol {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as { symbol?: unknown }).symbol === 'string' &&
    Object.keys(value).length === 1
  );
}

/** Filters the renderer may choose; it can never send code. `hold` is Emacs's filter `t`. */
export const BUILTIN_FILTERS = ['default', 'discard', 'echo', 'hold'] as const;
export type BuiltinFilter = (typeof BUILTIN_FILTERS)[number];
export const BUILTIN_SENTINELS = ['default', 'silent'] as const;
export type BuiltinSentinel = (typeof BUILTIN_SENTINELS)[number];

export interface ProcessCounters {
  bytesIn: number;
  bytesOut: number;
  datagramsIn: number;
  datagramsOut: number;
  accepted: number;
  createdAt: number;
}

export interface ProcessInfo {
  id: number;
  name: string;
  kind: ProcessKind;
  family: 'ipv4' | 'ipv6' | 'local';
  status: ProcessStatus;
  exitStatus: number | string;
  /** process-command: true while stopped. */
  stopped: boolean;
  buffer: string | null;
  /** The list-processes Command column. */
  command: string;
  local: LispAddress | null;
  remote: LispAddress | null;
  /** `format-network-address` of local and remote, e.g. "127.0.0.1:8080". */
  localText: string | null;
  remoteText: string | null;
  serverId: number | null;
  queryOnExit: boolean;
  filter: BuiltinFilter | 'custom';
  sentinel: BuiltinSentinel | 'custom';
  coding: [string, string];
  counters: ProcessCounters;
  eofSent: boolean;
  /** TLS beyond Emacs: a TLS connection (client or accepted) or a TLS server's own certificate; null for plain sockets. */
  tls: TlsInfo | null;
  plist: JsonValue[];
}

/** A certificate as the inspector shows it. Dates are ISO 8601 (UTC); the fingerprint is SHA-256, `AB:CD:…`. */
export interface CertificateInfo {
  subject: string;
  issuer: string;
  validFrom: string;
  validTo: string;
  fingerprint256: string;
}

/** What a TLS connection negotiated and whom it talks to; for a server, its own certificate. The engine's own shape (tls.ts). */
export interface TlsInfo {
  /** `client` (open-network-stream :type tls), `accepted` (by a TLS server), `server` (the listener itself). */
  role: 'client' | 'accepted' | 'server';
  /** Clients: verify the peer (chain and name). */
  verify: boolean;
  caFile: string | null;
  /** Clients: the SNI name sent; accepted connections: the one received. */
  servername: string | null;
  /** ALPN protocols this side offered, in preference order. */
  alpnOffered: string[];
  /** The peer's certificate verified against the trusted CAs (clients only; false elsewhere). */
  authorized: boolean;
  authorizationError: string | null;
  /** Verification failed but the certificate matched the pin for pinTarget, so it was accepted. */
  pinned: boolean;
  /** Where a client's pin lives (host as given, port), so the inspector can pin or forget it. */
  pinTarget: { host: string; port: number } | null;
  /** The pin stored for pinTarget when last looked, if any. */
  pinnedFingerprint: string | null;
  protocol: string | null;
  cipher: string | null;
  alpnProtocol: string | null;
  peerCertificate: CertificateInfo | null;
  /** A server's own certificate (servers and the connections they accept), for clients to pin. */
  localCertificate: CertificateInfo | null;
  /** Servers: where the certificate came from; a `self-signed` pair exists only in memory unless saved. */
  certificateSource: 'files' | 'self-signed' | null;
  savedTo: string | null;
}

/** A certificate trusted by its fingerprint for host:port (pinCertificate). */
export interface CertificatePin {
  host: string;
  port: number;
  fingerprint: string;
  /** Milliseconds since the epoch. */
  pinnedAt: number;
}

export interface BufferInfo {
  name: string;
  origin: number;
  end: number;
  length: number;
  revision: number;
  trimmedBytes: number;
  cap: number;
}

export interface ListProcessesRow {
  id: number;
  process: string;
  pid: string;
  status: ProcessStatus;
  buffer: string;
  tty: string;
  thread: string;
  command: string;
}

export interface LogLine {
  time: number;
  kind: 'sentinel' | 'log' | 'message';
  processId: number | null;
  processName: string | null;
  text: string;
}

export interface Snapshot {
  /** Events after this snapshot carry higher sequence numbers. */
  seq: number;
  processes: ProcessInfo[];
  buffers: BufferInfo[];
  /** The most recent sentinel, server-log and message lines, oldest first. */
  log: LogLine[];
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

export const LIMITS = {
  /** Largest payload one send may carry, in bytes: sendString's text counted as UTF-8, sendBytes' decoded bytes. */
  sendBytes: 16 * 1024 * 1024,
  /** Largest file `sendFile` reads, in bytes actually read (not the size the file claims). */
  sendFileBytes: 64 * 1024 * 1024,
  /** Largest range `readBuffer` returns at once, in bytes (also the largest `tail`). */
  readBytes: 4 * 1024 * 1024,
  /** Process names, buffer names, plist and contact keys: characters. */
  name: 256,
  /** File paths (sendFile's path, a TLS CA file): characters. */
  path: 4096,
  /** Host names: characters, DNS's own limit. */
  host: 253,
  /** Service names and Unix socket paths: characters, the 108 bytes of sun_path less its NUL. */
  service: 107,
  /** ALPN protocol names one TLS client or server offers (each 1–255 bytes, RFC 7301). */
  alpnProtocols: 16,
  /** Coding system names: characters. */
  coding: 64,
  /** A process's plist, keys and values together, however it grows (creation or processPut). */
  plistEntries: 256,
  /** A JSON value (a plist value, an address to format), and a process's whole plist, as JSON text in UTF-8 bytes. */
  valueBytes: 64 * 1024,
  /** How deeply arrays and objects may nest inside one JSON value. */
  valueDepth: 32,
  /** Process ids one deleteProcess may name. */
  deleteIds: 10_000,
  /**
   * Largest request message a transport accepts, in bytes: the largest valid
   * sendString when JSON escapes every character (a control character as
   * \u00XX is 6 bytes for its 1 byte of UTF-8), plus room for the envelope.
   * A larger message cannot be valid, so it is refused before it is parsed.
   */
  requestBytes: 6 * 16 * 1024 * 1024 + 64 * 1024,
} as const;

/** How much of a request's input an error message quotes back. */
export const ECHO_CHARS = 64;

/** A text cut to its first ECHO_CHARS characters, marked "…" when cut. */
export function clip(text: string): string {
  if (text.length <= ECHO_CHARS) return text;
  // Not between the two halves of a surrogate pair.
  const end = /[\uD800-\uDBFF]/.test(text.charAt(ECHO_CHARS - 1)) ? ECHO_CHARS - 1 : ECHO_CHARS;
  return `${text.slice(0, end)}…`;
}

/**
 * Input quoted in an error message: a string clipped and quoted, anything
 * else named by its type, so that an error never echoes a huge request back
 * whole. Every error that quotes input goes through here or through clip().
 */
export function excerpt(input: unknown): string {
  if (typeof input === 'string') return JSON.stringify(clip(input));
  if (typeof input === 'number' || typeof input === 'boolean' || input === null || input === undefined) return String(input);
  if (Array.isArray(input)) return 'an array';
  return typeof input === 'object' ? 'an object' : `a ${typeof input}`;
}

export const METHODS = [
  'snapshot',
  'makeNetworkProcess',
  'openNetworkStream',
  'sendString',
  'sendBytes',
  'sendFile',
  'sendEof',
  'stopProcess',
  'continueProcess',
  'deleteProcess',
  'setFilter',
  'setSentinel',
  'setQueryOnExitFlag',
  'setCodingSystem',
  'processGet',
  'processPut',
  'processContact',
  'readBuffer',
  'searchBuffer',
  'clearBuffer',
  'killBuffer',
  'listProcesses',
  'formatNetworkAddress',
  'processDatagramAddress',
  'setProcessDatagramAddress',
  'pinCertificate',
  'forgetCertificatePin',
  'listCertificatePins',
] as const;
export type Method = (typeof METHODS)[number];

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

export interface Results {
  snapshot: Snapshot;
  makeNetworkProcess: ProcessInfo | null;
  openNetworkStream: ProcessInfo;
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
  listProcesses: ListProcessesRow[];
  formatNetworkAddress: string | null;
  processDatagramAddress: LispAddress | null;
  setProcessDatagramAddress: LispAddress | null;
  pinCertificate: CertificatePin;
  /** True when there was a pin to forget. */
  forgetCertificatePin: boolean;
  listCertificatePins: CertificatePin[];
}

export interface BridgeError {
  code: string;
  message: string;
  field: string | null;
}

export type Response<M extends Method = Method> = { ok: true; result: Results[M] } | { ok: false; error: BridgeError };

/** What window.netproc offers: one function per request, and the event stream. */
export type NetprocApi = { [M in Method]: (params: Params<M>) => Promise<Results[M]> } & {
  onEvents(listener: (batch: EventBatch) => void): () => void;
};

/** The error a NetprocApi call rejects with. */
export class NetprocBridgeError extends Error implements BridgeError {
  readonly code: string;
  readonly field: string | null;
  constructor(error: BridgeError) {
    super(error.message);
    this.name = 'NetprocBridgeError';
    this.code = error.code;
    this.field = error.field;
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
