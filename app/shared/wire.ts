/**
 * The shapes that cross the wire, defined once: what a process, a buffer, a
 * list-processes row and an error look like to a renderer, the method list
 * and the limits every request is held to. No dependency at all, so the
 * engine (plain Node), the contract (zod), the preload and the renderer all
 * import it. Where the engine keeps a richer shape of its own (its internal
 * status), the engine checks at compile time that it maps onto these exactly.
 */

// ───────────────────────────── processes ─────────────────────────────

/**
 * `datagram-peer` is beyond Emacs: one source address of a datagram server
 * made with `splitPeers`, listed under it as an accepted connection is under
 * a stream server (datagram-process.ts).
 */
export const PROCESS_KINDS = ['stream-client', 'stream-server', 'accepted', 'datagram-client', 'datagram-server', 'datagram-peer'] as const;
export type ProcessKind = (typeof PROCESS_KINDS)[number];

/** `process-status` as Emacs reads it for a network process. */
export const PROCESS_STATUSES = ['open', 'listen', 'connect', 'failed', 'closed', 'stop'] as const;
export type ProcessStatus = (typeof PROCESS_STATUSES)[number];

export const ADDRESS_FAMILIES = ['ipv4', 'ipv6', 'local'] as const;
export type AddressFamily = (typeof ADDRESS_FAMILIES)[number];

/** `(FAMILY . [bytes])`: an address of a family Emacs has no vector form for. */
export interface FamilyAddress {
  family: number;
  data: number[];
}
/** `[127, 0, 0, 1, 80]`, eight groups plus port, a Unix path, or `{family, data}`. */
export type LispAddress = number[] | string | FamilyAddress;

/** `process-coding-system`: (DECODING . ENCODING). */
export type CodingPair = [decoding: string, encoding: string];

export type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };

/**
 * A Lisp symbol in a value from main (a contact value such as `:type
 * datagram` or `:host local`, a condition's data), tagged so it never reads
 * as the string `"datagram"`. Strings stay plain strings. Requests still name
 * symbols by plain strings (`type: 'datagram'`), where the field says which
 * it is.
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
  /** Connections a server accepted. */
  accepted: number;
  createdAt: number;
}

/** A certificate as the inspector shows it. Dates are ISO 8601 (UTC); the fingerprint is SHA-256, `AB:CD:…`. */
export interface CertificateInfo {
  subject: string;
  issuer: string;
  validFrom: string;
  validTo: string;
  fingerprint256: string;
}

/** TLS beyond Emacs: what a TLS connection negotiated and whom it talks to; for a TLS server, its own certificate (tls.ts). */
export interface TlsState {
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

/**
 * What the kernel (and Node) hold for a process's socket at one moment
 * (`processKernelQueues`, beyond Emacs). Kernel figures are null where they
 * cannot be read, and `unavailable` says why.
 */
export interface KernelQueues {
  /** Null when the figures below can be read; otherwise why not. */
  unavailable: string | null;
  /** Bytes the kernel received that the process has not read. */
  receiveQueue: number | null;
  /** Bytes the kernel holds to send (TCP: sent but not yet acknowledged, or not yet sent). */
  sendQueue: number | null;
  /** Bytes Node holds that have not reached the kernel. */
  heldByNode: number;
  /** The socket's receive and send buffer sizes (SO_RCVBUF, SO_SNDBUF) in bytes. */
  receiveBuffer: number | null;
  sendBuffer: number | null;
  /** Null when the buffer sizes are known; otherwise why not (e.g. `ss` is not installed). */
  buffersUnavailable: string | null;
  /** receiveQueue / receiveBuffer, 0–1: how close a stopped connection is to holding its peer back. */
  receiveFill: number | null;
  /** UDP: datagrams the kernel dropped because the receive queue was full; null for streams and where unknown. */
  datagramDrops: number | null;
}

/** Auto-reply rules as a request gives them (setAutoReplyRules); the engine's own shape in auto-reply.ts. */
export const AUTO_REPLY_MATCH_KINDS = ['exact', 'prefix', 'contains', 'regex', 'hex'] as const;
export type AutoReplyMatch = (typeof AUTO_REPLY_MATCH_KINDS)[number];
export const AUTO_REPLY_FRAMINGS = ['chunk', 'line', 'length-prefixed'] as const;
export type AutoReplyFraming = (typeof AUTO_REPLY_FRAMINGS)[number];

export interface AutoReplyRuleSpec {
  /** Shown in the inspector and the event log; defaults to "rule N". */
  name?: string;
  match: AutoReplyMatch;
  /** exact/prefix/contains: text with the template escapes; regex: an RE2 expression; hex: bytes, `??` for any byte. */
  pattern: string;
  /** exact/prefix/contains/regex: ignore case (ASCII letters for the byte matches). */
  caseFold?: boolean;
  /** A template (app/shared/templates.ts); {{0}}…{{9}} are a regex rule's match and groups. */
  reply: string;
  /** Wait this long before answering (0 to 60,000 ms). */
  delayMs?: number;
  /** Close the connection (delete-process) once the reply is written. Streams only. */
  close?: boolean;
}

export interface AutoReplySpec {
  framing: AutoReplyFraming;
  /** length-prefixed: the big-endian length's size in bytes (default 2). */
  lengthBytes?: 1 | 2 | 4;
  rules: AutoReplyRuleSpec[];
}

/** The rules as set, every field filled in, with each rule's hits (shared with inheriting connections). */
export interface AutoReplyState {
  framing: AutoReplyFraming;
  lengthBytes: 1 | 2 | 4;
  rules: Array<Required<AutoReplyRuleSpec> & { hits: number }>;
}

export interface ReconnectPolicy {
  initialMs: number;
  maxMs: number;
  multiplier: number;
  /** A fraction from 0 to 1. */
  jitter: number;
  /** Null for no limit. */
  maxAttempts: number | null;
}

/** What a policy of `true` means, and what a policy's missing fields take. */
export const RECONNECT_DEFAULTS: ReconnectPolicy = { initialMs: 1000, maxMs: 30_000, multiplier: 2, jitter: 0.2, maxAttempts: 10 };

/** A reconnecting client's state, by name: it outlives each attempt's process. */
export interface ReconnectState {
  name: string;
  policy: ReconnectPolicy;
  /** Attempts since the client last closed or failed; 0 while connected. */
  attempt: number;
  /** Milliseconds since the epoch, or null when no attempt is waiting. */
  nextAttemptAt: number | null;
  lastError: string | null;
  /**
   * The id of the process the latest attempt took the place of (the client as
   * it closed or failed), null before the first attempt: each attempt is a new
   * process, and this is how a view follows the client from one to the next.
   */
  replaces: number | null;
}

export interface ProcessInfo {
  id: number;
  name: string;
  kind: ProcessKind;
  family: AddressFamily;
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
  coding: CodingPair;
  /**
   * `process-filter-multibyte-p`: false for binary and raw-text decoding, whose bytes at or above 0x80 are
   * eight-bit raw bytes, shown as octal escapes (`\377`) as Emacs shows them, never folded into characters.
   */
  filterMultibyte: boolean;
  counters: ProcessCounters;
  eofSent: boolean;
  tls: TlsState | null;
  plist: JsonValue[];
  /** Each auto-reply rule's hit count in order (the rules themselves: autoReplyRules); null without rules. */
  autoReplyHits: number[] | null;
  /** Set while the client reconnects when it closes or fails (setProcessReconnect). */
  reconnect: ReconnectState | null;
  /** A datagram server that gives each source address a `datagram-peer` process of its own (setSplitPeers). */
  splitPeers: boolean;
  /** The capture file an imported conversation came from (importCapture): read-only, nothing to stop, continue, send or end; null otherwise. */
  imported: string | null;
}

/** A process as a buffer names it: enough to find it in the process list. */
export interface BufferProcessRef {
  id: number;
  name: string;
}

/**
 * The process that last used a buffer, as it left the process table: a
 * departed connection's buffer still says whose it was (its server, its
 * peer) and how it ended.
 */
export interface LastProcessInfo extends BufferProcessRef {
  kind: ProcessKind;
  /** Its final status (`closed` after delete-process) and exit status. */
  status: ProcessStatus;
  exitStatus: number | string;
  /** For an accepted connection: the server that accepted it. */
  serverId: number | null;
  serverName: string | null;
  /** `format-network-address` of its peer, e.g. "127.0.0.1:40312". */
  remoteText: string | null;
}

export interface BufferInfo {
  name: string;
  origin: number;
  end: number;
  length: number;
  revision: number;
  trimmedBytes: number;
  cap: number;
  /** `get-buffer-process`: the newest listed process whose buffer this is, or null. */
  process: BufferProcessRef | null;
  /** When no process uses the buffer any more: the one that last did; null otherwise. */
  lastProcess: LastProcessInfo | null;
  /** When its text last changed (insert, trim, clear), in milliseconds since the epoch; 0 if never. */
  changedAt: number;
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
  /** The process's buffer when the line was written, so the line still leads to it once the process is gone. */
  buffer: string | null;
  text: string;
}

// The key lists let a test compare a real serialized value with its type;
// KeyListsMatch fails to compile unless each names exactly its type's keys.
export const PROCESS_INFO_KEYS = [
  'id',
  'name',
  'kind',
  'family',
  'status',
  'exitStatus',
  'stopped',
  'buffer',
  'command',
  'local',
  'remote',
  'localText',
  'remoteText',
  'serverId',
  'queryOnExit',
  'filter',
  'sentinel',
  'coding',
  'filterMultibyte',
  'counters',
  'eofSent',
  'tls',
  'plist',
  'autoReplyHits',
  'reconnect',
  'splitPeers',
  'imported',
] as const;
export const PROCESS_COUNTERS_KEYS = ['bytesIn', 'bytesOut', 'datagramsIn', 'datagramsOut', 'accepted', 'createdAt'] as const;
export const TLS_STATE_KEYS = [
  'role',
  'verify',
  'caFile',
  'servername',
  'alpnOffered',
  'authorized',
  'authorizationError',
  'pinned',
  'pinTarget',
  'pinnedFingerprint',
  'protocol',
  'cipher',
  'alpnProtocol',
  'peerCertificate',
  'localCertificate',
  'certificateSource',
  'savedTo',
] as const;
export const LIST_PROCESSES_ROW_KEYS = ['id', 'process', 'pid', 'status', 'buffer', 'tty', 'thread', 'command'] as const;
export const KERNEL_QUEUES_KEYS = [
  'unavailable',
  'receiveQueue',
  'sendQueue',
  'heldByNode',
  'receiveBuffer',
  'sendBuffer',
  'buffersUnavailable',
  'receiveFill',
  'datagramDrops',
] as const;
export const BUFFER_INFO_KEYS = [
  'name',
  'origin',
  'end',
  'length',
  'revision',
  'trimmedBytes',
  'cap',
  'process',
  'lastProcess',
  'changedAt',
] as const;
export const LAST_PROCESS_INFO_KEYS = ['id', 'name', 'kind', 'status', 'exitStatus', 'serverId', 'serverName', 'remoteText'] as const;

/** True when A and B are the same union, at compile time. */
export type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
type Assert<T extends true> = T;
export type KeyListsMatch = [
  Assert<Same<(typeof PROCESS_INFO_KEYS)[number], keyof ProcessInfo>>,
  Assert<Same<(typeof PROCESS_COUNTERS_KEYS)[number], keyof ProcessCounters>>,
  Assert<Same<(typeof TLS_STATE_KEYS)[number], keyof TlsState>>,
  Assert<Same<(typeof LIST_PROCESSES_ROW_KEYS)[number], keyof ListProcessesRow>>,
  Assert<Same<(typeof KERNEL_QUEUES_KEYS)[number], keyof KernelQueues>>,
  Assert<Same<(typeof BUFFER_INFO_KEYS)[number], keyof BufferInfo>>,
  Assert<Same<(typeof LAST_PROCESS_INFO_KEYS)[number], keyof LastProcessInfo>>,
];

// ───────────────────────────── errors ─────────────────────────────

/** The Lisp conditions the engine signals. */
export const LISP_CONDITIONS = ['error', 'file-error', 'file-missing', 'wrong-type-argument', 'gnutls-error'] as const;
export type LispCondition = (typeof LISP_CONDITIONS)[number];

/**
 * A failed request, with what Emacs would signal: `condition` and `data` read
 * together as `(file-error "make client process failed" "Connection
 * refused" ...)`, symbols in the data tagged as LispSymbol. When the failure
 * was a system call's, `syscall`, `address` and `port` say which and where.
 */
export interface WireError {
  /** A Node errno name such as ECONNREFUSED, or one of ours such as INVALID_ARGUMENT. */
  code: string;
  message: string;
  /** The request field at fault, e.g. "service" or "tlsParameters.caFile". */
  field: string | null;
  condition: LispCondition;
  /** At most WIRE_ERROR_LIMITS.dataItems values, each bounded (see WIRE_ERROR_LIMITS). */
  data: JsonValue[];
  syscall?: string;
  address?: string;
  port?: number;
}

/** How much of a condition's data an error carries: its data can hold a whole contact plist. */
export const WIRE_ERROR_LIMITS = {
  dataItems: 64,
  /** Elements of one array inside the data (an address has at most 9). */
  arrayItems: 16,
  /** How deep arrays and objects nest inside one datum. */
  depth: 4,
} as const;

/** An error the bridge or a transport raises itself: `(error MESSAGE)`. */
export function plainError(code: string, message: string, field: string | null = null): WireError {
  return { code, message, field, condition: 'error', data: [message] };
}

// ───────────────────────────── requests ─────────────────────────────

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
  'saveBuffer',
  'listProcesses',
  'formatNetworkAddress',
  'processDatagramAddress',
  'setProcessDatagramAddress',
  'pinCertificate',
  'forgetCertificatePin',
  'listCertificatePins',
  'processKernelQueues',
  'setNetworkProcessOption',
  'sendMessage',
  'stopRepeat',
  'listRepeats',
  'setAutoReplyRules',
  'autoReplyRules',
  'setProcessReconnect',
  'cancelReconnect',
  'setSplitPeers',
  'captureWorkspace',
  'applyWorkspace',
  'openWorkspaceFile',
  'saveWorkspaceFile',
  'recentWorkspaces',
  'readTimeline',
  'exportTraffic',
  'importCapture',
] as const;
export type Method = (typeof METHODS)[number];

/** A library message repeating (sendMessage with `repeat`): its progress, sent as it starts, as it runs and as it ends. */
export interface RepeatState {
  id: number;
  name: string;
  /** The process sent to (for everyConnection, the server). */
  processName: string;
  intervalMs: number;
  /** Sends in all; null: until stopped. */
  count: number | null;
  sent: number;
  running: boolean;
  /** Why it stopped, when not by its count or by the user. */
  error: string | null;
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
  /** open-network-stream's commands and regexps (:capability-command, :end-of-command, …): characters. */
  exchangeText: 4096,
  /** Coding system names: characters. */
  coding: 64,
  /** ALPN protocol names one TLS client or server offers (each 1–255 bytes, RFC 7301). */
  alpnProtocols: 16,
  /** A process's plist, keys and values together, however it grows (creation or processPut). */
  plistEntries: 256,
  /** A JSON value (a plist value, an address to format), and a process's whole plist, as JSON text in UTF-8 bytes. */
  valueBytes: 64 * 1024,
  /** How deeply arrays and objects may nest inside one JSON value. */
  valueDepth: 32,
  /** A library message's template (sendMessage): characters. Longer payloads are files or hex. */
  template: 65_536,
  /** A repeating message's interval: milliseconds, from 1 to a day. */
  repeatIntervalMs: 86_400_000,
  /** A repeating message's count of sends. */
  repeatCount: 10_000_000,
  /** Auto-reply rules one process may have. */
  autoReplyRules: 100,
  /** An auto-reply rule's pattern: characters. */
  autoReplyPattern: 4096,
  /** An auto-reply rule's reply template: characters (templates.ts's TEMPLATE_MAX_CHARS). */
  autoReplyReply: 65_536,
  /** Process ids one deleteProcess may name. */
  deleteIds: 10_000,
  /** A workspace file, as JSON text: characters (larger files are refused before they are parsed). */
  workspaceBytes: 8 * 1024 * 1024,
  /** Process definitions one workspace may hold. */
  workspaceProcesses: 5_000,
  /** Records one readTimeline returns at most. */
  timelineRecords: 2000,
  /** A traffic filter's text or hex bytes, in bytes. */
  timelineFilterBytes: 4096,
  /** Largest capture file importCapture reads, in bytes actually read. */
  importBytes: 64 * 1024 * 1024,
  /** Bytes of each record's payload a readTimeline preview shows. */
  timelinePreviewBytes: 96,
  /**
   * Largest request message a transport accepts, in bytes: the largest valid
   * sendString when JSON escapes every character (a control character as
   * \u00XX is 6 bytes for its 1 byte of UTF-8), plus room for the envelope.
   * A larger message cannot be valid, so it is refused before it is parsed.
   */
  requestBytes: 6 * 16 * 1024 * 1024 + 64 * 1024,
} as const;

// ───────────────────────────── quoting ─────────────────────────────

/** How much of a request's input, or of a peer's answer, an error message quotes back. */
export const ECHO_CHARS = 64;

/** A text cut to its first ECHO_CHARS characters, marked "…" when cut. */
export function clip(text: string): string {
  if (text.length <= ECHO_CHARS) return text;
  // Not between the two halves of a surrogate pair.
  const end = /[\uD800-\uDBFF]/.test(text.charAt(ECHO_CHARS - 1)) ? ECHO_CHARS - 1 : ECHO_CHARS;
  return `${text.slice(0, end)}…`;
}

/** The longest error message that crosses the wire: every engine message fits; a runaway one is cut, never sent whole. */
export const MESSAGE_CHARS = 1024;

/** An error message bounded to MESSAGE_CHARS, marked "…" when cut. */
export function boundedMessage(message: string): string {
  if (message.length <= MESSAGE_CHARS) return message;
  const end = /[\uD800-\uDBFF]/.test(message.charAt(MESSAGE_CHARS - 1)) ? MESSAGE_CHARS - 1 : MESSAGE_CHARS;
  return `${message.slice(0, end)}…`;
}

/**
 * Input (a request's, or a peer's answer) quoted in an error message: a string clipped and quoted, anything
 * else named by its type, so that an error never echoes a huge request back
 * whole. Every error that quotes input goes through here or through clip().
 */
export function excerpt(input: unknown): string {
  if (typeof input === 'string') return JSON.stringify(clip(input));
  if (typeof input === 'number' || typeof input === 'boolean' || input === null || input === undefined) return String(input);
  if (Array.isArray(input)) return 'an array';
  return typeof input === 'object' ? 'an object' : `a ${typeof input}`;
}
