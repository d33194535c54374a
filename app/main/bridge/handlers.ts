/**
 * The contract's server side: each request, validated against its schema,
 * turned into engine calls. Every failure becomes a structured WireError
 * (code, message, field, and Emacs's condition and data) and changes nothing.
 */
import type { z } from 'zod';
import { decodeHex, requestSchemas } from '../../shared/contract.js';
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
import { NetprocError, NetworkProcess, type MakeNetworkProcessOptions, type Netproc, type SearchPattern } from '../netproc/index.js';
import { readRegularFile } from '../netproc/regular-file.js';
import { exportPcapng } from '../capture/export.js';
import { writeExportFile } from '../capture/export-file.js';
import { writeBytes, writeHexDump } from '../capture/text-export.js';
import { importCapture } from '../capture/import.js';
import type { Builtins } from './builtins.js';
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

type Issue = z.core.$ZodIssue;

/**
 * The issue to report and its full path. An unknown field comes first (a
 * misspelt field also leaves a required one missing, and the misspelling is
 * the news); inside a union, the issue of the branch that got furthest, so a
 * bad element deep in a value is named rather than the whole value.
 */
function issueToReport(issues: readonly Issue[], prefix: readonly PropertyKey[] = []): { issue: Issue; path: PropertyKey[] } | null {
  const issue = issues.find((i) => i.code === 'unrecognized_keys') ?? issues[0];
  if (!issue) return null;
  const path = [...prefix, ...issue.path];
  if (issue.code === 'invalid_union') {
    const deeper = issue.errors.flat().find((i) => i.path.length > 0);
    if (deeper) return issueToReport([deeper], path);
  }
  return { issue, path };
}

/** Validates a request; unknown methods and bad parameters name the field at fault. */
export function parseRequest(method: unknown, params: unknown): { method: Method; params: unknown } {
  if (typeof method !== 'string' || !(METHODS as readonly string[]).includes(method)) {
    fail('UNKNOWN_METHOD', 'method', `Unknown method ${excerpt(method)}`);
  }
  const schema = requestSchemas[method as Method];
  const parsed = schema.safeParse(params ?? {});
  if (!parsed.success) {
    const report = issueToReport(parsed.error.issues);
    const path = report?.path.map(String).join('.') ?? '';
    const unknownKey = report?.issue.code === 'unrecognized_keys' ? report.issue.keys[0] : undefined;
    const field = unknownKey !== undefined ? [path, clip(unknownKey)].filter(Boolean).join('.') : path;
    const reason = unknownKey !== undefined ? 'is not a known field' : (report?.issue.message ?? 'is invalid');
    fail('INVALID_ARGUMENT', field || null, `${field || 'parameters'}: ${reason}`);
  }
  return { method: method as Method, params: parsed.data };
}

export function createHandlers(np: Netproc, builtins: Builtins, snapshot: () => Snapshot): Handlers {
  const proc = (id: number): NetworkProcess => np.getProcessById(id) ?? fail('NO_SUCH_PROCESS', 'id', `No process with id ${id}`);
  const info = (p: NetworkProcess) => processInfo(np, builtins, p);
  const buffer = (name: string) => np.getBuffer(name) ?? fail('NO_SUCH_BUFFER', 'name', `No buffer named ${clip(name)}`);

  return {
    snapshot: () => snapshot(),

    makeNetworkProcess: async (params) => {
      const { filter, sentinel, ...rest } = params;
      const options: MakeNetworkProcessOptions = { ...(rest as MakeNetworkProcessOptions) };
      if (filter !== undefined) options.filter = builtins.filter(filter);
      if (sentinel !== undefined) options.sentinel = builtins.sentinel(sentinel);
      const p = await np.makeNetworkProcess(options);
      return p ? info(p) : null;
    },

    openNetworkStream: async ({ name, buffer: bufferName, createBuffer, host, service, ...rest }) => {
      if (createBuffer && bufferName !== null) np.getBufferCreate(bufferName);
      const opened = await np.openNetworkStream(name, bufferName, host, service, rest);
      if (opened instanceof NetworkProcess) return info(opened);
      return { ...opened, process: opened.process && info(opened.process) };
    },

    sendString: async ({ id, text }) => np.processSendString(proc(id), text),

    // The schema has decoded the hex already.
    sendBytes: async ({ id, hex }) => np.processSendString(proc(id), hex),

    sendFile: async ({ id, path }) => {
      const p = proc(id);
      const bytes = await readRegularFile(path, { field: 'path', maxBytes: LIMITS.sendFileBytes });
      await np.processSendString(p, bytes);
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
      return bufferInfo(b);
    },

    killBuffer: ({ name }) => np.killBuffer(buffer(name).name),

    listProcesses: ({ queryOnly }) => np.listProcessesRows(queryOnly ?? false),

    formatNetworkAddress: ({ address, omitPort }) => np.formatNetworkAddress(address, omitPort ?? false),

    processDatagramAddress: ({ id }) => np.processDatagramAddress(proc(id)),

    setProcessDatagramAddress: ({ id, address }) => np.setProcessDatagramAddress(proc(id), address),

    pinCertificate: ({ host, port, fingerprint }) => np.pinCertificate(host, port, fingerprint),

    forgetCertificatePin: ({ host, port }) => np.forgetCertificatePin(host, port),

    listCertificatePins: () => np.certificatePins(),

    readTimeline: ({ id, from, count, direction, text, hex }) => {
      const contains = text !== undefined ? Buffer.from(text, 'utf8') : hex !== undefined ? Buffer.from(hex) : null;
      const window = np.readTimeline(id, from ?? 0, count ?? 200, { direction: direction ?? null, contains });
      return timelinePage(window, np.timelineCapacity);
    },

    exportTraffic: async ({ id, buffer: bufferName, format, path, overwrite, start, end }) => {
      const target = { path, overwrite: overwrite ?? false };
      if (format === 'pcapng') {
        const timelines = np.trafficOf(id!);
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
