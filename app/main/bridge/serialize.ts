/** Engine objects in the contract's wire shapes. */
import type { BufferInfo, JsonValue, LispAddress, LispSymbol, ProcessInfo, Results } from '../../shared/contract.js';
import { markContactSymbols, type Netproc, type NetprocBuffer, type NetworkProcess } from '../netproc/index.js';
import { commandText } from '../netproc/list-processes.js';
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
    remoteText: np.formatNetworkAddress(contact.remote ?? null),
    serverId: p.server?.id ?? null,
    queryOnExit: p.queryOnExit,
    filter: builtins.filterName(p.filter),
    sentinel: builtins.sentinelName(p.sentinel),
    coding: np.processCodingSystem(p),
    counters: { ...p.counters },
    eofSent: p.eofSent,
    tls: p.tls ? { ...p.tls } : null,
    plist: p.plist.map(toJson),
  };
}

export function bufferInfo(b: NetprocBuffer): BufferInfo {
  return {
    name: b.name,
    origin: b.origin,
    end: b.end,
    length: b.length,
    revision: b.revision,
    trimmedBytes: b.trimmedBytes,
    cap: b.byteCap,
  };
}
