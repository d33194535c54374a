/** Engine objects in the contract's wire shapes. */
import { decodeUtf8ShowingRawBytes, isUtf8Continuation } from '../../shared/raw-bytes.js';
import {
  boundedMessage,
  clip,
  excerpt,
  isLispSymbol,
  LIMITS,
  WIRE_ERROR_LIMITS,
  type BufferInfo,
  type TimelineEntry,
  type TimelinePage,
  type JsonValue,
  type LastProcessInfo,
  type LispAddress,
  type LispSymbol,
  type ProcessInfo,
  type Results,
  type WireError,
} from '../../shared/api.js';
import {
  formatNetworkAddress,
  markContactSymbols,
  type Netproc,
  type NetprocBuffer,
  type NetprocError,
  type NetworkProcess,
  type TimelineWindow,
} from '../netproc/index.js';
import { isUnspecifiedAddress } from '../netproc/address.js';
import { commandText } from '../netproc/list-processes.js';
import { statusWord } from '../netproc/status.js';
import type { Builtins } from './builtins.js';

/** Plist values are JSON over the wire; anything else (a function, say) is shown by its description. */
export function toJson(value: unknown): JsonValue {
  if (value === null || value === undefined) return null;
  if (typeof value === 'boolean' || typeof value === 'number' || typeof value === 'string') return value;
  if (Array.isArray(value)) return value.map(toJson);
  if (typeof value === 'function') return `#<function ${value.name || 'lambda'}>`;
  if (typeof value === 'object') return Object.fromEntries(Object.entries(value as object).map(([k, v]) => [k, toJson(v)]));
  return String(value);
}

function contactValue(key: string, value: unknown): JsonValue {
  return toJson(markContactSymbols(key, value, (name): LispSymbol => ({ symbol: name })));
}

/** A `process-contact` answer for KEY (nil, t or a keyword), its symbols tagged as LispSymbol. */
export function contactJson(answer: unknown, key: string | true | null): Results['processContact'] {
  if (answer === null || answer === undefined) return null;
  if (key === null) {
    const [host, service] = answer as [unknown, unknown];
    return [contactValue('host', host), contactValue('service', service)];
  }
  if (key === true) return Object.fromEntries(Object.entries(answer as object).map(([k, v]) => [k, contactValue(k, v)]));
  return contactValue(key, answer);
}

export function processInfo(np: Netproc, builtins: Builtins, p: NetworkProcess): ProcessInfo {
  const contact = np.processContact(p, true) as Record<string, unknown>;
  const live = p.status.kind === 'run' || p.status.kind === 'listen';
  return {
    id: p.id,
    name: p.name,
    kind: p.kind,
    family: p.family,
    status: np.processStatus(p) ?? 'closed',
    exitStatus: np.processExitStatus(p),
    stopped: p.stopped,
    buffer: p.buffer?.live ? p.buffer.name : null,
    command: commandText(live ? contact : null),
    local: (contact.local as LispAddress | undefined) ?? null,
    remote: (contact.remote as LispAddress | undefined) ?? null,
    localText: np.formatNetworkAddress(contact.local ?? null),
    remoteText: peerText(np, contact.remote),
    serverId: p.server?.id ?? null,
    queryOnExit: p.queryOnExit,
    filter: builtins.filterName(p.filter),
    sentinel: builtins.sentinelName(p.sentinel),
    coding: np.processCodingSystem(p),
    filterMultibyte: np.processFilterMultibyteP(p),
    counters: { ...p.counters },
    eofSent: p.eofSent,
    tls: p.tls ? { ...p.tls } : null,
    plist: p.plist.map(toJson),
    autoReplyHits: p.autoReply ? p.autoReply.responder.rules.rules.map((rule) => rule.hits) : null,
    // The name's state belongs to the process that holds the name now, not to an earlier attempt's.
    reconnect: np.getProcess(p.name) === p ? np.reconnects.state(p.name) : null,
    splitPeers: p.splitPeers,
    imported: p.imported,
  };
}

export function bufferInfo(np: Netproc, b: NetprocBuffer): BufferInfo {
  const owner = np.getBufferProcess(b);
  return {
    name: b.name,
    origin: b.origin,
    end: b.end,
    length: b.length,
    revision: b.revision,
    trimmedBytes: b.trimmedBytes,
    cap: b.byteCap,
    process: owner ? { id: owner.id, name: owner.name } : null,
    lastProcess: b.lastProcess ? lastProcessInfo(np, b.lastProcess) : null,
    changedAt: b.changedTime,
  };
}

/** A departed process as its buffer remembers it. */
function lastProcessInfo(np: Netproc, p: NetworkProcess): LastProcessInfo {
  return {
    id: p.id,
    name: p.name,
    kind: p.kind,
    status: np.processStatus(p) ?? 'closed',
    exitStatus: np.processExitStatus(p),
    serverId: p.server?.id ?? null,
    serverName: p.server?.name ?? null,
    remoteText: peerText(np, p.contact.get('remote')),
  };
}

/** A window of a traffic view as readTimeline answers it. */
export function timelinePage(window: TimelineWindow, capacity: number): TimelinePage {
  const { first, end, epoch, held, dropped, payloadDropped, startUs } = window;
  return { first, end, epoch, held, dropped, capacity, payloadDropped, startUs, records: window.records.map(timelineEntry) };
}

const NO_DATA = { direction: null, size: 0, peer: null, preview: '', bytesKept: false, bufferAt: null, buffer: null, label: null } as const;
const NO_STATUS = { status: null, exitCode: null, event: null } as const;

/** The first bytes of a payload as text, cut before a character rather than inside one. */
function preview(bytes: Buffer): string {
  let end = Math.min(bytes.length, LIMITS.timelinePreviewBytes);
  for (let back = 0; back < 3 && end < bytes.length && end > 0 && isUtf8Continuation(bytes[end]!); back++) end--;
  return decodeUtf8ShowingRawBytes(bytes.subarray(0, end));
}

function timelineEntry({ position, timeline, index, timeUs, record }: TimelineWindow['records'][number]): TimelineEntry {
  const process = timeline.process;
  const common = { position, processId: process.id, processName: process.name, index, timeUs };
  if (record === null) return { ...common, kind: 'dropped', ...NO_DATA, ...NO_STATUS };
  if (record.kind === 'status') {
    const { status, exitCode, event } = record;
    return { ...common, kind: 'status', ...NO_DATA, status: statusWord(status), exitCode, event };
  }
  const bytes = record.bytes;
  const buffer = process.buffer?.live ? process.buffer.name : null;
  return {
    ...common,
    kind: 'data',
    direction: record.direction,
    size: record.size,
    peer: record.peer === null ? null : formatNetworkAddress(record.peer),
    preview: bytes ? preview(bytes) : '',
    bytesKept: bytes !== null,
    bufferAt: buffer === null ? null : record.bufferAt,
    buffer: record.bufferAt === null ? null : buffer,
    label: record.label,
    ...NO_STATUS,
  };
}

/** One datum of an error, JSON-safe and bounded: strings clipped, long or deep containers named by their type. */
function boundedDatum(value: unknown, depth = 0): JsonValue {
  if (typeof value === 'string') return clip(value);
  if (isLispSymbol(value)) return { symbol: clip(value.symbol) };
  if (value === null || typeof value !== 'object') return toJson(value);
  const size = Array.isArray(value) ? value.length : Object.keys(value).length;
  if (depth >= WIRE_ERROR_LIMITS.depth || size > WIRE_ERROR_LIMITS.arrayItems) return excerpt(value);
  if (Array.isArray(value)) return value.map((v) => boundedDatum(v, depth + 1));
  return Object.fromEntries(Object.entries(value as object).map(([k, v]) => [clip(k), boundedDatum(v, depth + 1)]));
}

/** A plain string that is a keyword such as `:host`, as the engine writes a contact plist into error data. */
const KEYWORD = /^:[A-Za-z][\w-]*$/;

/**
 * A condition's data with its symbols tagged, as contact values are: the
 * engine passes symbols as strings, so the rules are Emacs's: the first datum
 * of wrong-type-argument is a predicate, a keyword is a symbol, and the value
 * after a contact keyword is marked as that contact value would be.
 */
function errorData(condition: string, data: readonly unknown[]): JsonValue[] {
  const out: JsonValue[] = [];
  const symbol = (name: string): LispSymbol => ({ symbol: name });
  for (let i = 0; i < data.length && out.length < WIRE_ERROR_LIMITS.dataItems; i++) {
    const datum = data[i];
    if (i === 0 && condition === 'wrong-type-argument' && typeof datum === 'string') out.push(boundedDatum(symbol(datum)));
    else if (typeof datum === 'string' && KEYWORD.test(datum)) {
      out.push(boundedDatum(symbol(datum)));
      if (i + 1 < data.length && out.length < WIRE_ERROR_LIMITS.dataItems) {
        out.push(boundedDatum(markContactSymbols(datum.slice(1), data[++i], symbol)));
      }
    } else out.push(boundedDatum(datum));
  }
  return out;
}

/** The fields of a Node system error that say which call failed and where, for those it has. */
export function systemCallFields(err: {
  syscall?: unknown;
  address?: unknown;
  port?: unknown;
}): Pick<WireError, 'syscall' | 'address' | 'port'> {
  const fields: Pick<WireError, 'syscall' | 'address' | 'port'> = {};
  if (typeof err.syscall === 'string') fields.syscall = clip(err.syscall);
  if (typeof err.address === 'string') fields.address = clip(err.address);
  if (typeof err.port === 'number') fields.port = err.port;
  return fields;
}

/** An engine error as it crosses the wire: Emacs's condition and data, and the system call behind it. */
export function errorJson(err: NetprocError): WireError {
  return {
    code: err.code,
    message: boundedMessage(err.message),
    field: err.field ?? null,
    condition: err.condition,
    data: errorData(err.condition, err.data),
    ...systemCallFields(err),
  };
}

/**
 * The remote address as the list shows it. A datagram server's contact keeps
 * Emacs's unspecified address as :remote, which format-network-address
 * writes "<Family 0>": that is no peer, so no text (the contact keeps it).
 */
function peerText(np: Netproc, remote: unknown): string | null {
  return isUnspecifiedAddress(remote) ? null : np.formatNetworkAddress(remote ?? null);
}
