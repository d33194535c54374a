/** A ProcessInfo for renderer tests: a listening server unless `extra` says otherwise. */
import type { BufferInfo, ProcessInfo } from '../shared/api.js';

export function processInfo(id: number, name: string, extra: Partial<ProcessInfo> = {}): ProcessInfo {
  return {
    id,
    name,
    kind: 'stream-server',
    family: 'ipv4',
    status: 'listen',
    exitStatus: 0,
    stopped: false,
    buffer: `*${name}*`,
    command: `(network server on 127.0.0.1:${id})`,
    local: [127, 0, 0, 1, id],
    remote: null,
    localText: `127.0.0.1:${id}`,
    remoteText: null,
    serverId: null,
    queryOnExit: true,
    filter: 'default',
    sentinel: 'default',
    coding: ['utf-8-unix', 'utf-8-unix'],
    filterMultibyte: true,
    counters: { bytesIn: 0, bytesOut: 0, datagramsIn: 0, datagramsOut: 0, accepted: 0, createdAt: 0 },
    eofSent: false,
    tls: null,
    plist: [],
    autoReplyHits: null,
    reconnect: null,
    splitPeers: false,
    imported: null,
    ...extra,
  };
}

/** A Storage kept in a Map, standing for localStorage; `entries` shows what it holds. */
export function memoryStorage(): Storage & { entries: Map<string, string> } {
  const entries = new Map<string, string>();
  return {
    entries,
    get length() {
      return entries.size;
    },
    clear: () => entries.clear(),
    getItem: (key) => entries.get(key) ?? null,
    key: (i) => [...entries.keys()][i] ?? null,
    removeItem: (key) => void entries.delete(key),
    setItem: (key, value) => void entries.set(key, value),
  };
}

/** A BufferInfo for renderer tests: an empty buffer no process uses, unless `extra` says otherwise. */
export function bufferInfo(name: string, extra: Partial<BufferInfo> = {}): BufferInfo {
  return {
    name,
    origin: 0,
    end: 0,
    length: 0,
    revision: 0,
    trimmedBytes: 0,
    cap: 64 * 1024 * 1024,
    process: null,
    lastProcess: null,
    changedAt: 0,
    ...extra,
  };
}
