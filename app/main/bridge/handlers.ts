/**
 * The contract's server side: each request, validated against its schema,
 * turned into engine calls. Every failure becomes a structured WireError
 * (code, message, field, and Emacs's condition and data) and changes nothing.
 */
import type { z } from 'zod';
import { decodeHex, issueReport, requestSchemas } from '../../shared/contract.js';
import {
  clip,
  excerpt,
  LIMITS,
  METHODS,
  plainError,
  type BridgeError,
  type JsonValue,
  type Method,
  type Response,
  type Results,
  type Snapshot,
} from '../../shared/api.js';
import { NetprocError, NetworkProcess, type Netproc, type SearchPattern } from '../netproc/index.js';
import { parseWorkspace } from '../../shared/workspace.js';
import { readRegularFile } from '../netproc/regular-file.js';
import { exportPcapng } from '../capture/export.js';
import { writeExportFile } from '../capture/export-file.js';
import { writeBytes, writeHexDump } from '../capture/text-export.js';
import { importCapture } from '../capture/import.js';
import type { Builtins } from './builtins.js';
import { createDefinitions, type WorkspaceFiles } from './definitions.js';
import { bufferInfo, contactJson, errorJson, processInfo, systemCallFields, timelinePage, toJson } from './serialize.js';

type ParsedParams<M extends Method> = z.output<(typeof requestSchemas)[M]>;
type Handler<M extends Method> = (params: ParsedParams<M>) => Promise<Results[M]> | Results[M];
export type Handlers = { [M in Method]: Handler<M> };

export class RequestError extends Error {
  constructor(readonly error: BridgeError) {
    super(error.message);
  }
}

function fail(code: string, field: string | null, message: string): never {
  throw new RequestError(plainError(code, message, field));
}

export function toBridgeError(err: unknown): BridgeError {
  if (err instanceof RequestError) return err.error;
  if (err instanceof NetprocError) return errorJson(err);
  const sys = err as NodeJS.ErrnoException;
  if (sys && typeof sys.code === 'string') return { ...plainError(sys.code, sys.message), ...systemCallFields(sys) };
  return plainError('INTERNAL', err instanceof Error ? err.message : String(err));
}

/** Validates a request; unknown methods and bad parameters name the field at fault. */
export function parseRequest(method: unknown, params: unknown): { method: Method; params: unknown } {
  if (typeof method !== 'string' || !(METHODS as readonly string[]).includes(method)) {
    fail('UNKNOWN_METHOD', 'method', `Unknown method ${excerpt(method)}`);
  }
  const schema = requestSchemas[method as Method];
  const parsed = schema.safeParse(params ?? {});
  if (!parsed.success) {
    const { field, reason } = issueReport(parsed.error.issues, (path) => path.map(String).join('.'));
    fail('INVALID_ARGUMENT', field || null, `${field || 'parameters'}: ${reason}`);
  }
  return { method: method as Method, params: parsed.data };
}

export function createHandlers(np: Netproc, builtins: Builtins, snapshot: () => Snapshot, workspaceFiles?: WorkspaceFiles): Handlers {
  const proc = (id: number): NetworkProcess => np.getProcessById(id) ?? fail('NO_SUCH_PROCESS', 'id', `No process with id ${id}`);
  const info = (p: NetworkProcess) => processInfo(np, builtins, p);
  const buffer = (name: string) => np.getBuffer(name) ?? fail('NO_SUCH_BUFFER', 'name', `No buffer named ${clip(name)}`);
  const definitions = createDefinitions(np, builtins);
  const files = (): WorkspaceFiles =>
    workspaceFiles ?? fail('NOT_AVAILABLE', null, 'This host has no workspace files of its own: open by upload, save by download');
  const checkedWorkspace = (text: string) => {
    const parsed = parseWorkspace(text);
    if (!parsed.ok) fail('INVALID_WORKSPACE', parsed.error.field, parsed.error.message);
    return parsed.workspace;
  };

  return {
    snapshot: () => snapshot(),

    makeNetworkProcess: async (params) => {
      const p = await definitions.makeNetworkProcess(params);
      return p ? info(p) : null;
    },

    openNetworkStream: async (params) => {
      const opened = await definitions.openNetworkStream(params);
      if (opened instanceof NetworkProcess) return info(opened);
      return { ...opened, process: opened.process && info(opened.process) };
    },

    sendString: async ({ id, text }) => np.processSendString(proc(id), text),

    // The schema has decoded the hex already.
    sendBytes: async ({ id, hex }) => np.processSendString(proc(id), hex),

    sendFile: async ({ id, path, name }) => {
      const p = proc(id);
      const bytes = await readRegularFile(path, { field: 'path', maxBytes: LIMITS.sendFileBytes });
      await np.processSendString(p, bytes, { label: name ?? null });
      return { bytes: bytes.length };
    },

    sendEof: async ({ id }) => {
      await np.processSendEof(proc(id));
      return null;
    },

    stopProcess: async ({ id }) => info(await np.stopProcess(proc(id))),

    continueProcess: async ({ id }) => info(await np.continueProcess(proc(id))),

    deleteProcess: ({ ids }) => {
      // Check every id first, so a bad one deletes nothing. A repeated id deletes its process once.
      const targets = new Set(ids.map(proc));
      for (const p of targets) np.deleteProcess(p);
      return null;
    },

    setFilter: ({ id, filter }) => {
      const p = proc(id);
      np.setProcessFilter(p, builtins.filter(filter));
      return info(p);
    },

    setSentinel: ({ id, sentinel }) => {
      const p = proc(id);
      np.setProcessSentinel(p, builtins.sentinel(sentinel));
      return info(p);
    },

    setQueryOnExitFlag: ({ id, flag }) => {
      const p = proc(id);
      np.setProcessQueryOnExitFlag(p, flag);
      return info(p);
    },

    setCodingSystem: ({ id, decoding, encoding }) => {
      const p = proc(id);
      np.setProcessCodingSystem(p, decoding, encoding);
      return info(p);
    },

    processGet: ({ id, key }) => toJson(np.processGet(proc(id), key)),

    // The engine holds the plist's bounds (plist.ts), for every way a plist grows.
    processPut: ({ id, key, value }) => np.processPut(proc(id), key, value).map(toJson),

    processContact: ({ id, key, noBlock }) => contactJson(np.processContact(proc(id), key, noBlock ?? false), key),

    readBuffer: ({ name, start, end, tail, encoding = 'text' }) => {
      const b = buffer(name);
      const from = Math.max(tail !== undefined ? b.end - tail : (start ?? b.origin), b.origin);
      const to = Math.min(end ?? b.end, b.end, from + LIMITS.readBytes);
      const data = encoding === 'text' ? b.text(from, to) : b.read(from, to).toString('base64');
      return {
        name,
        start: from,
        end: Math.max(from, to),
        origin: b.origin,
        length: b.length,
        revision: b.revision,
        trimmedBytes: b.trimmedBytes,
        encoding,
        data,
        sentinels: b.sentinelSpansIn(from, to),
      };
    },

    searchBuffer: async ({ name, query, mode, from, direction, caseFold }) => {
      const b = buffer(name);
      let pattern: SearchPattern;
      if (mode === 'hex') {
        const bytes = decodeHex(query, query.length);
        if (typeof bytes === 'string' || bytes.length === 0)
          fail('INVALID_ARGUMENT', 'query', `query: ${typeof bytes === 'string' ? bytes : 'must be hex bytes such as "0d 0a"'}`);
        pattern = { kind: 'bytes', bytes: Buffer.from(bytes) };
      } else if (mode === 'regex') pattern = { kind: 'regex', source: query, caseFold: caseFold ?? false };
      else pattern = { kind: 'text', text: query, caseFold: caseFold ?? false };
      const backward = direction === 'backward';
      try {
        return await b.search(pattern, from ?? (backward ? b.end : b.origin), backward);
      } catch (err) {
        if (err instanceof NetprocError && err.field === 'query' && err.code === 'INVALID_ARGUMENT')
          fail('INVALID_ARGUMENT', 'query', `query: ${err.message}`);
        if (err instanceof NetprocError && err.field === 'buffer') fail('NO_SUCH_BUFFER', 'name', err.message);
        throw err;
      }
    },

    clearBuffer: ({ name }) => {
      const b = buffer(name);
      b.clear();
      return bufferInfo(np, b);
    },

    killBuffer: ({ name }) => np.killBuffer(buffer(name).name),

    saveBuffer: async ({ name, path }) => ({ bytes: await np.saveBuffer(buffer(name), path), path }),

    listProcesses: ({ queryOnly }) => np.listProcessesRows(queryOnly ?? false),

    formatNetworkAddress: ({ address, omitPort }) => np.formatNetworkAddress(address, omitPort ?? false),

    processDatagramAddress: ({ id }) => np.processDatagramAddress(proc(id)),

    setProcessDatagramAddress: ({ id, address }) => np.setProcessDatagramAddress(proc(id), address),

    pinCertificate: ({ host, port, fingerprint }) => np.pins.pin(host, port, fingerprint),

    forgetCertificatePin: ({ host, port }) => np.pins.forget(host, port),

    listCertificatePins: () => np.pins.list(),

    processKernelQueues: ({ id }) => np.processKernelQueues(proc(id)),

    setNetworkProcessOption: ({ id, option, value, noError }) => np.setNetworkProcessOption(proc(id), option, value, noError ?? false),

    sendMessage: ({ id, ...message }) => np.messages.send(proc(id), message),

    stopRepeat: ({ id }) => np.messages.stop(id),

    listRepeats: () => np.messages.list(),
    setAutoReplyRules: ({ id, rules }) => {
      const p = proc(id);
      return requestFields({ '': 'rules.' }, () => np.autoReplies.set(p, rules));
    },
    autoReplyRules: ({ id }) => np.autoReplies.rules(proc(id)),
    setProcessReconnect: ({ id, policy }) => {
      const p = proc(id);
      return requestFields({ process: 'id', reconnect: 'policy' }, () => np.reconnects.set(p, policy));
    },
    cancelReconnect: ({ name }) => np.reconnects.cancel(name),
    setSplitPeers: ({ id, split }) => {
      const p = proc(id);
      return info(requestFields({ process: 'id' }, () => np.peerSplitting.set(p, split)));
    },
    captureWorkspace: () => ({ processes: definitions.capture() }),

    // The whole file is checked before anything is made; a definition the engine refuses undoes those made before it.
    applyWorkspace: async ({ text, start }) => {
      const workspace = checkedWorkspace(text);
      if (!start) return { workspace, created: [], skipped: [] };
      const { created, skipped } = await definitions.apply(workspace.processes);
      return { workspace, created: created.map(info), skipped };
    },

    // Only a file that reads as a workspace is remembered as a recent one.
    openWorkspaceFile: async ({ path }) => {
      const opened = await files().open(path);
      if (!opened) return null;
      const workspace = checkedWorkspace(opened.text);
      files().remember(opened.path);
      return { path: opened.path, workspace };
    },

    // A bad workspace is never written.
    saveWorkspaceFile: async ({ text, path, name }) => {
      checkedWorkspace(text);
      const written = await files().save(text, path, name);
      if (written) files().remember(written);
      return written === null ? null : { path: written };
    },

    recentWorkspaces: () => (workspaceFiles ? { available: true, paths: workspaceFiles.recent() } : { available: false, paths: [] }),
    readTimeline: ({ id, from, count, direction, text, hex }) => {
      const contains = text !== undefined ? Buffer.from(text, 'utf8') : hex !== undefined ? Buffer.from(hex) : null;
      const window = np.traffic.readTimeline(id, from ?? 0, count ?? 200, { direction: direction ?? null, contains });
      return timelinePage(window, np.traffic.timelineCapacity);
    },

    exportTraffic: async ({ id, buffer: bufferName, format, path, overwrite, start, end }) => {
      const target = { path, overwrite: overwrite ?? false };
      if (format === 'pcapng') {
        const timelines = np.traffic.viewTimelinesOf(id!);
        const written = await writeExportFile(target, (out) => exportPcapng(timelines, out));
        return { path, bytes: written.bytes, packets: written.packets, missingBytes: written.missingBytes, start: null, end: null };
      }
      const b =
        bufferName !== undefined
          ? (np.getBuffer(bufferName) ?? fail('NO_SUCH_BUFFER', 'buffer', `No buffer named ${clip(bufferName)}`))
          : (proc(id!).buffer ?? fail('NO_SUCH_BUFFER', 'id', `Process ${clip(proc(id!).name)} has no buffer`));
      if (!b.live) fail('NO_SUCH_BUFFER', bufferName !== undefined ? 'buffer' : 'id', `Buffer ${clip(b.name)} has been killed`);
      // The range as the buffer holds it: what was trimmed is no longer there to write.
      const from = Math.min(Math.max(start ?? b.origin, b.origin), b.end);
      const to = Math.max(Math.min(end ?? b.end, b.end), from);
      // Views of the storage as it is now: bytes that arrive or are trimmed while the file is written change nothing in it.
      const parts = b.views(from, to);
      const written = await writeExportFile(target, (out) => (format === 'hex' ? writeHexDump(parts, out) : writeBytes(parts, out)));
      return { path, bytes: written.bytes, packets: null, missingBytes: null, start: from, end: to };
    },

    importCapture: async ({ path, conversation, side, name, buffer: bufferName }) => {
      const imported = await importCapture(np, {
        path,
        maxBytes: LIMITS.importBytes,
        ...(conversation !== undefined ? { conversation } : {}),
        ...(side !== undefined ? { side } : {}),
        ...(name !== undefined ? { name } : {}),
        ...(bufferName !== undefined ? { buffer: bufferName } : {}),
      });
      const { process, index, count, ...rest } = imported;
      return { process: info(process), conversation: index, conversations: count, ...rest };
    },
  };
}

/**
 * Runs RUN, naming an engine error's field as the request does: the engine
 * names its own argument's parts (`rules[2].pattern`), the request nests
 * them (`rules.rules.2.pattern`), so the renderer can put the error at its
 * field. RENAME maps the engine field's first part to the request's prefix.
 */
function requestFields<T>(rename: Record<string, string>, run: () => T): T {
  try {
    return run();
  } catch (err) {
    if (!(err instanceof NetprocError) || !err.field) throw err;
    const path = err.field.replace(/\[(\d+)\]/g, '.$1');
    const head = path.split('.')[0] as string;
    const field = head in rename ? `${rename[head]}${path.slice(head.length)}` : `${rename[''] ?? ''}${path}`;
    throw new RequestError({ ...errorJson(err), field });
  }
}

/** Runs one raw request end to end: validation, handler, structured result. Never throws. */
export async function handleRequest(handlers: Handlers, method: unknown, params: unknown): Promise<Response> {
  try {
    const parsed = parseRequest(method, params);
    const handler = handlers[parsed.method] as (p: unknown) => Promise<unknown> | unknown;
    const result = await handler(parsed.params);
    return { ok: true, result: (result ?? null) as Results[Method] };
  } catch (err) {
    return { ok: false, error: toBridgeError(err) };
  }
}

export type { JsonValue };
