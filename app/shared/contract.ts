/**
 * The one contract between the renderer and the engine: every request's
 * name, its runtime schema and its result type, and every event. Imported by
 * main (bridge), preload and renderer; it has no Node or DOM dependency.
 */
import { z } from 'zod';

// ───────────────────────────── shared shapes ─────────────────────────────

export type ProcessStatus = 'open' | 'listen' | 'connect' | 'failed' | 'closed' | 'stop';
export type ProcessKind = 'stream-client' | 'stream-server' | 'accepted' | 'datagram-client' | 'datagram-server';
/** `[127, 0, 0, 1, 80]`, eight groups plus port, a Unix path, or `{family, data}`. */
export type LispAddress = number[] | string | { family: number; data: number[] };
export type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };

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
  serverId: number | null;
  queryOnExit: boolean;
  filter: BuiltinFilter | 'custom';
  sentinel: BuiltinSentinel | 'custom';
  coding: [string, string];
  counters: ProcessCounters;
  eofSent: boolean;
  tls: {
    verify: boolean;
    caFile: string | null;
    authorized: boolean;
    authorizationError: string | null;
    protocol: string | null;
    cipher: string | null;
    peerSubject: string | null;
  } | null;
  plist: JsonValue[];
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
  | { type: 'process-removed'; id: number; name: string }
  | { type: 'buffer-changed'; buffer: BufferInfo }
  | { type: 'buffer-killed'; name: string }
  | { type: 'counters'; id: number; counters: ProcessCounters }
  | { type: 'line'; line: LogLine };

/** At most one batch per frame interval per client. `resync` means: events were dropped, ask for a snapshot. */
export interface EventBatch {
  seq: number;
  events: BridgeEvent[];
  resync?: true;
}

// ───────────────────────────── requests ─────────────────────────────

export const LIMITS = {
  /** Largest text or byte payload a single send may carry. */
  sendBytes: 16 * 1024 * 1024,
  /** Largest file `sendFile` reads. */
  sendFileBytes: 64 * 1024 * 1024,
  /** Largest range `readBuffer` returns at once. */
  readBytes: 4 * 1024 * 1024,
  name: 256,
  path: 4096,
  plistEntries: 256,
} as const;

const processId = z.number().int().positive();
const port = z.number().int().min(0, 'must be a port from 0 to 65535').max(65535, 'must be a port from 0 to 65535');
const name = z.string().min(1, 'must not be empty').max(LIMITS.name);
const bufferName = z.string().min(1, 'must not be empty').max(LIMITS.name);
const service = z.union([port, z.string().min(1).max(107), z.literal(true)]);
const address = z.union([z.array(z.number().int().min(0).max(65535)).min(4).max(9), z.string().max(107)]);
const coding = z.union([z.string().min(1).max(64), z.tuple([z.string().min(1).max(64), z.string().min(1).max(64)])]);
const jsonValue: z.ZodType<JsonValue> = z.lazy(() =>
  z.union([
    z.null(),
    z.boolean(),
    z.number(),
    z.string().max(65536),
    z.array(jsonValue).max(LIMITS.plistEntries),
    z.record(z.string(), jsonValue),
  ]),
);
const hexBytes = z
  .string()
  .max(LIMITS.sendBytes * 3)
  .regex(/^\s*(?:[0-9a-fA-F]{2}\s*)*$/, 'must be hex bytes such as "de ad be ef"');

export const makeNetworkProcessParams = z
  .object({
    name,
    buffer: bufferName.nullable().optional(),
    host: z.string().min(1).max(253).nullable().optional(),
    service: service.optional(),
    type: z.enum(['datagram']).nullable().optional(),
    family: z.enum(['ipv4', 'ipv6', 'local']).nullable().optional(),
    server: z.union([z.boolean(), z.number().int().min(0).max(65535)]).optional(),
    nowait: z.boolean().optional(),
    stop: z.boolean().optional(),
    noquery: z.boolean().optional(),
    coding: coding.nullable().optional(),
    filter: z.enum(BUILTIN_FILTERS).optional(),
    sentinel: z.enum(BUILTIN_SENTINELS).optional(),
    plist: z.array(jsonValue).max(LIMITS.plistEntries).optional(),
    local: address.nullable().optional(),
    remote: address.nullable().optional(),
    tlsParameters: z
      .object({ verify: z.boolean().optional(), caFile: z.string().min(1).max(LIMITS.path).nullable().optional() })
      .strict()
      .nullable()
      .optional(),
    reuseaddr: z.boolean().optional(),
    keepalive: z.boolean().optional(),
    broadcast: z.boolean().optional(),
    linger: z.union([z.boolean(), z.number().int().min(0).max(65535)]).optional(),
    nodelay: z.boolean().optional(),
  })
  .strict();

export const requestSchemas = {
  snapshot: z.object({}).strict(),
  makeNetworkProcess: makeNetworkProcessParams,
  openNetworkStream: z
    .object({
      name,
      buffer: bufferName.nullable(),
      host: z.string().min(1).max(253),
      service: z.union([port, z.string().min(1).max(64)]),
      type: z.enum(['plain', 'network', 'tls', 'ssl']).nullable().optional(),
      nowait: z.boolean().optional(),
      coding: coding.nullable().optional(),
      verify: z.boolean().optional(),
      caFile: z.string().min(1).max(LIMITS.path).nullable().optional(),
    })
    .strict(),
  sendString: z.object({ id: processId, text: z.string().max(LIMITS.sendBytes) }).strict(),
  sendBytes: z.object({ id: processId, hex: hexBytes }).strict(),
  sendFile: z.object({ id: processId, path: z.string().min(1).max(LIMITS.path) }).strict(),
  sendEof: z.object({ id: processId }).strict(),
  stopProcess: z.object({ id: processId }).strict(),
  continueProcess: z.object({ id: processId }).strict(),
  deleteProcess: z.object({ ids: z.array(processId).min(1).max(10_000) }).strict(),
  setFilter: z.object({ id: processId, filter: z.enum(BUILTIN_FILTERS) }).strict(),
  setSentinel: z.object({ id: processId, sentinel: z.enum(BUILTIN_SENTINELS) }).strict(),
  setQueryOnExitFlag: z.object({ id: processId, flag: z.boolean() }).strict(),
  setCodingSystem: z.object({ id: processId, decoding: z.string().min(1).max(64), encoding: z.string().min(1).max(64) }).strict(),
  processGet: z.object({ id: processId, key: z.string().min(1).max(256) }).strict(),
  processPut: z.object({ id: processId, key: z.string().min(1).max(256), value: jsonValue }).strict(),
  processContact: z
    .object({ id: processId, key: z.union([z.null(), z.literal(true), z.string().min(1).max(64)]), noBlock: z.boolean().optional() })
    .strict(),
  readBuffer: z
    .object({
      name: bufferName,
      start: z.number().int().min(0).optional(),
      end: z.number().int().min(0).optional(),
      encoding: z.enum(['text', 'base64']).optional(),
    })
    .strict(),
  searchBuffer: z
    .object({
      name: bufferName,
      query: z.string().min(1).max(4096),
      mode: z.enum(['text', 'hex', 'regex']),
      from: z.number().int().min(0).optional(),
      direction: z.enum(['forward', 'backward']).optional(),
      caseFold: z.boolean().optional(),
    })
    .strict(),
  clearBuffer: z.object({ name: bufferName }).strict(),
  listProcesses: z.object({ queryOnly: z.boolean().optional() }).strict(),
  formatNetworkAddress: z.object({ address: z.unknown(), omitPort: z.boolean().optional() }).strict(),
  processDatagramAddress: z.object({ id: processId }).strict(),
  setProcessDatagramAddress: z.object({ id: processId, address }).strict(),
} as const;

export type Method = keyof typeof requestSchemas;
export const METHODS = Object.keys(requestSchemas) as Method[];
export type Params<M extends Method> = z.input<(typeof requestSchemas)[M]>;

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
  processContact: JsonValue | Record<string, JsonValue> | null;
  readBuffer: BufferRange;
  searchBuffer: { start: number; end: number } | null;
  clearBuffer: BufferInfo;
  listProcesses: ListProcessesRow[];
  formatNetworkAddress: string | null;
  processDatagramAddress: LispAddress | null;
  setProcessDatagramAddress: LispAddress | null;
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
