/**
 * Requests a careless or hostile client may send: every limit the contract
 * states holds exactly at the limit and refuses one past it, naming the
 * field; unknown fields are refused for every method; errors never echo a
 * huge input back; deleteProcess is all or nothing; Send file and the TLS CA
 * file read only regular files, without blocking the engine or its thread pool.
 */
import { spawn, execFileSync } from 'node:child_process';
import { promises as dns } from 'node:dns';
import { closeSync, constants, mkdtempSync, openSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { LIMITS, METHODS, type Method, type Params, type Response } from '../../shared/api.js';
import { engine, onCleanup, plainServer, waitFor } from '../netproc/test-support.js';
import { Bridge } from './bridge.js';
import { parseRequest, RequestError } from './handlers.js';
import { harnesses, webHarness, type TransportName } from './test-clients.js';

function scratchDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'netproc-hostile-'));
  onCleanup(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

function fifoIn(dir: string, name: string): string {
  const path = join(dir, name);
  execFileSync('mkfifo', [path]);
  // Whatever may still wait to open it for reading (the code this guards against did) is released at the end.
  onCleanup(() => closeSync(openSync(path, constants.O_RDWR | constants.O_NONBLOCK)));
  return path;
}

/** The field a request is refused for, or null when it passes validation. */
function refusedField(method: Method, params: unknown): string | null {
  try {
    parseRequest(method, params);
    return null;
  } catch (err) {
    expect(err).toBeInstanceOf(RequestError);
    const { code, field, message } = (err as RequestError).error;
    expect(code).toBe('INVALID_ARGUMENT');
    expect(message.startsWith(`${field}: `)).toBe(true);
    return field ?? '(none)';
  }
}

/** A value nested `depth` arrays deep. */
function nested(depth: number): unknown {
  let value: unknown = 0;
  for (let i = 0; i < depth; i++) value = [value];
  return value;
}

/** Resolves to what the promise gave, or to 'timed out' (the promise is left to finish on its own). */
async function within<T>(promise: Promise<T>, ms: number): Promise<T | 'timed out'> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<'timed out'>((resolve) => (timer = setTimeout(() => resolve('timed out'), ms)));
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** The longest the event loop went without running a 10 ms timer, while `run` ran. */
async function longestStall<T>(run: () => Promise<T>): Promise<{ result: T; stallMs: number }> {
  let last = performance.now();
  let stallMs = 0;
  const beat = setInterval(() => {
    const now = performance.now();
    stallMs = Math.max(stallMs, now - last);
    last = now;
  }, 10);
  try {
    const result = await run();
    stallMs = Math.max(stallMs, performance.now() - last);
    return { result, stallMs };
  } finally {
    clearInterval(beat);
  }
}

const n = (count: number, char = 'n'): string => char.repeat(count);
/** A plist whose JSON text is exactly `bytes` long: ["k","aaa…"]. */
const plistOfBytes = (bytes: number): unknown[] => ['k', 'a'.repeat(bytes - 8)];

// [what, method, params exactly at the limit, params one past it, field refused]
const limits: Array<[string, Method, unknown, unknown, string]> = [
  ['process name', 'makeNetworkProcess', { name: n(LIMITS.name) }, { name: n(LIMITS.name + 1) }, 'name'],
  ['buffer name', 'makeNetworkProcess', { name: 'x', buffer: n(LIMITS.name) }, { name: 'x', buffer: n(LIMITS.name + 1) }, 'buffer'],
  ['host', 'makeNetworkProcess', { name: 'x', host: n(LIMITS.host) }, { name: 'x', host: n(LIMITS.host + 1) }, 'host'],
  [
    'service name',
    'makeNetworkProcess',
    { name: 'x', service: n(LIMITS.service) },
    { name: 'x', service: n(LIMITS.service + 1) },
    'service',
  ],
  ['port', 'makeNetworkProcess', { name: 'x', service: 65535 }, { name: 'x', service: 65536 }, 'service'],
  [
    'Unix local address',
    'makeNetworkProcess',
    { name: 'x', local: n(LIMITS.service) },
    { name: 'x', local: n(LIMITS.service + 1) },
    'local',
  ],
  ['coding name', 'makeNetworkProcess', { name: 'x', coding: n(LIMITS.coding) }, { name: 'x', coding: n(LIMITS.coding + 1) }, 'coding'],
  [
    'CA file path',
    'makeNetworkProcess',
    { name: 'x', tlsParameters: { caFile: n(LIMITS.path) } },
    { name: 'x', tlsParameters: { caFile: n(LIMITS.path + 1) } },
    'tlsParameters.caFile',
  ],
  [
    'plist entries',
    'makeNetworkProcess',
    { name: 'x', plist: new Array(LIMITS.plistEntries).fill(1) },
    { name: 'x', plist: new Array(LIMITS.plistEntries + 1).fill(1) },
    'plist',
  ],
  [
    'plist bytes',
    'makeNetworkProcess',
    { name: 'x', plist: plistOfBytes(LIMITS.valueBytes) },
    { name: 'x', plist: plistOfBytes(LIMITS.valueBytes + 1) },
    'plist',
  ],
  [
    'plist value depth',
    'makeNetworkProcess',
    { name: 'x', plist: ['k', nested(LIMITS.valueDepth)] },
    { name: 'x', plist: ['k', nested(LIMITS.valueDepth + 1)] },
    'plist',
  ],
  [
    'stream name',
    'openNetworkStream',
    { name: n(LIMITS.name), buffer: null, host: 'h', service: 1 },
    { name: n(LIMITS.name + 1), buffer: null, host: 'h', service: 1 },
    'name',
  ],
  [
    'stream host',
    'openNetworkStream',
    { name: 'x', buffer: null, host: n(LIMITS.host), service: 1 },
    { name: 'x', buffer: null, host: n(LIMITS.host + 1), service: 1 },
    'host',
  ],
  [
    'stream CA file',
    'openNetworkStream',
    { name: 'x', buffer: null, host: 'h', service: 1, caFile: n(LIMITS.path) },
    { name: 'x', buffer: null, host: 'h', service: 1, caFile: n(LIMITS.path + 1) },
    'caFile',
  ],
  [
    'stream exchange regexp',
    'openNetworkStream',
    { name: 'x', buffer: null, host: 'h', service: 1, endOfCommand: n(LIMITS.exchangeText) },
    { name: 'x', buffer: null, host: 'h', service: 1, endOfCommand: n(LIMITS.exchangeText + 1) },
    'endOfCommand',
  ],
  [
    'stream STARTTLS rule',
    'openNetworkStream',
    { name: 'x', buffer: null, host: 'h', service: 1, starttlsFunction: { match: 'S', command: n(LIMITS.exchangeText) } },
    { name: 'x', buffer: null, host: 'h', service: 1, starttlsFunction: { match: 'S', command: n(LIMITS.exchangeText + 1) } },
    'starttlsFunction.command',
  ],
  [
    'stream client certificate',
    'openNetworkStream',
    { name: 'x', buffer: null, host: 'h', service: 1, clientCertificate: ['k', n(LIMITS.path)] },
    { name: 'x', buffer: null, host: 'h', service: 1, clientCertificate: ['k', n(LIMITS.path + 1)] },
    'clientCertificate.1',
  ],
  ['sendString ASCII', 'sendString', { id: 1, text: n(LIMITS.sendBytes) }, { id: 1, text: n(LIMITS.sendBytes + 1) }, 'text'],
  [
    'sendString 2-byte UTF-8',
    'sendString',
    { id: 1, text: n(LIMITS.sendBytes / 2, 'é') },
    { id: 1, text: n(LIMITS.sendBytes / 2, 'é') + 'x' },
    'text',
  ],
  [
    'sendString 4-byte UTF-8',
    'sendString',
    { id: 1, text: n(LIMITS.sendBytes / 4, '😀') },
    { id: 1, text: n(LIMITS.sendBytes / 4, '😀') + 'x' },
    'text',
  ],
  ['sendBytes', 'sendBytes', { id: 1, hex: n(LIMITS.sendBytes, 'ab ') }, { id: 1, hex: n(LIMITS.sendBytes + 1, 'ab') }, 'hex'],
  ['message template', 'sendMessage', { id: 1, template: n(LIMITS.template) }, { id: 1, template: n(LIMITS.template + 1) }, 'template'],
  [
    'message name',
    'sendMessage',
    { id: 1, template: 'x', name: n(LIMITS.name) },
    { id: 1, template: 'x', name: n(LIMITS.name + 1) },
    'name',
  ],
  [
    'repeat interval',
    'sendMessage',
    { id: 1, template: 'x', repeat: { intervalMs: LIMITS.repeatIntervalMs, count: 1 } },
    { id: 1, template: 'x', repeat: { intervalMs: LIMITS.repeatIntervalMs + 1, count: 1 } },
    'repeat.intervalMs',
  ],
  [
    'repeat count',
    'sendMessage',
    { id: 1, template: 'x', repeat: { intervalMs: 1, count: LIMITS.repeatCount } },
    { id: 1, template: 'x', repeat: { intervalMs: 1, count: LIMITS.repeatCount + 1 } },
    'repeat.count',
  ],
  ['sendFile path', 'sendFile', { id: 1, path: '/' + n(LIMITS.path - 1) }, { id: 1, path: '/' + n(LIMITS.path) }, 'path'],
  ['importCapture path', 'importCapture', { path: '/' + n(LIMITS.path - 1) }, { path: '/' + n(LIMITS.path) }, 'path'],
  ['importCapture name', 'importCapture', { path: '/x', name: n(LIMITS.name) }, { path: '/x', name: n(LIMITS.name + 1) }, 'name'],
  [
    'exportTraffic path',
    'exportTraffic',
    { id: 1, format: 'text', path: '/' + n(LIMITS.path - 1) },
    { id: 1, format: 'text', path: '/' + n(LIMITS.path) },
    'path',
  ],
  [
    'deleteProcess ids',
    'deleteProcess',
    { ids: new Array(LIMITS.deleteIds).fill(1) },
    { ids: new Array(LIMITS.deleteIds + 1).fill(1) },
    'ids',
  ],
  [
    'coding system',
    'setCodingSystem',
    { id: 1, decoding: n(LIMITS.coding), encoding: 'utf-8' },
    { id: 1, decoding: n(LIMITS.coding + 1), encoding: 'utf-8' },
    'decoding',
  ],
  [
    'auto-reply rules',
    'setAutoReplyRules',
    { id: 1, rules: { framing: 'chunk', rules: new Array(LIMITS.autoReplyRules).fill({ match: 'exact', pattern: 'a', reply: 'b' }) } },
    { id: 1, rules: { framing: 'chunk', rules: new Array(LIMITS.autoReplyRules + 1).fill({ match: 'exact', pattern: 'a', reply: 'b' }) } },
    'rules.rules',
  ],
  [
    'auto-reply pattern',
    'setAutoReplyRules',
    { id: 1, rules: { framing: 'chunk', rules: [{ match: 'contains', pattern: n(LIMITS.autoReplyPattern), reply: 'b' }] } },
    { id: 1, rules: { framing: 'chunk', rules: [{ match: 'contains', pattern: n(LIMITS.autoReplyPattern + 1), reply: 'b' }] } },
    'rules.rules.0.pattern',
  ],
  [
    'auto-reply reply',
    'setAutoReplyRules',
    { id: 1, rules: { framing: 'chunk', rules: [{ match: 'contains', pattern: 'a', reply: n(LIMITS.autoReplyReply) }] } },
    { id: 1, rules: { framing: 'chunk', rules: [{ match: 'contains', pattern: 'a', reply: n(LIMITS.autoReplyReply + 1) }] } },
    'rules.rules.0.reply',
  ],
  ['cancelReconnect name', 'cancelReconnect', { name: n(LIMITS.name) }, { name: n(LIMITS.name + 1) }, 'name'],
  ['processGet key', 'processGet', { id: 1, key: n(LIMITS.name) }, { id: 1, key: n(LIMITS.name + 1) }, 'key'],
  ['processPut key', 'processPut', { id: 1, key: n(LIMITS.name), value: 1 }, { id: 1, key: n(LIMITS.name + 1), value: 1 }, 'key'],
  [
    'processPut value bytes',
    'processPut',
    { id: 1, key: 'k', value: n(LIMITS.valueBytes - 2) },
    { id: 1, key: 'k', value: n(LIMITS.valueBytes - 1) },
    'value',
  ],
  [
    'processPut value bytes, counted in UTF-8',
    'processPut',
    { id: 1, key: 'k', value: n((LIMITS.valueBytes - 2) / 2, 'é') },
    { id: 1, key: 'k', value: n((LIMITS.valueBytes - 2) / 2, 'é') + 'x' },
    'value',
  ],
  [
    'processPut value depth',
    'processPut',
    { id: 1, key: 'k', value: nested(LIMITS.valueDepth) },
    { id: 1, key: 'k', value: nested(LIMITS.valueDepth + 1) },
    'value',
  ],
  ['processContact key', 'processContact', { id: 1, key: n(LIMITS.name) }, { id: 1, key: n(LIMITS.name + 1) }, 'key'],
  ['readTimeline count', 'readTimeline', { id: 1, count: LIMITS.timelineRecords }, { id: 1, count: LIMITS.timelineRecords + 1 }, 'count'],
  [
    'readTimeline text, counted in UTF-8',
    'readTimeline',
    { id: 1, text: n(LIMITS.timelineFilterBytes / 2, 'é') },
    { id: 1, text: n(LIMITS.timelineFilterBytes / 2, 'é') + 'x' },
    'text',
  ],
  [
    'readTimeline hex',
    'readTimeline',
    { id: 1, hex: n(LIMITS.timelineFilterBytes, 'ab ') },
    { id: 1, hex: n(LIMITS.timelineFilterBytes + 1, 'ab') },
    'hex',
  ],
  ['readBuffer tail', 'readBuffer', { name: '*x*', tail: LIMITS.readBytes }, { name: '*x*', tail: LIMITS.readBytes + 1 }, 'tail'],
  ['readBuffer name', 'readBuffer', { name: n(LIMITS.name) }, { name: n(LIMITS.name + 1) }, 'name'],
  ['clearBuffer name', 'clearBuffer', { name: n(LIMITS.name) }, { name: n(LIMITS.name + 1) }, 'name'],
  [
    'address to format, depth',
    'formatNetworkAddress',
    { address: nested(LIMITS.valueDepth) },
    { address: nested(LIMITS.valueDepth + 1) },
    'address',
  ],
  [
    'address to format, bytes',
    'formatNetworkAddress',
    { address: n(LIMITS.valueBytes - 2) },
    { address: n(LIMITS.valueBytes - 1) },
    'address',
  ],
];

describe('every stated limit holds exactly at the limit and refuses one past it', () => {
  it.each(limits)('%s', (_what, method, atLimit, pastLimit, field) => {
    expect(refusedField(method, atLimit)).toBeNull();
    expect(refusedField(method, pastLimit)).toBe(field);
  });

  it('nesting far past the limit is refused by name, not by a stack overflow', () => {
    expect(refusedField('processPut', { id: 1, key: 'k', value: nested(200_000) })).toBe('value');
    expect(refusedField('makeNetworkProcess', { name: 'x', plist: [nested(200_000)] })).toBe('plist');
    const cycle: Record<string, unknown> = {};
    cycle.self = cycle;
    expect(refusedField('processPut', { id: 1, key: 'k', value: cycle })).toBe('value');
  });

  it('a bad element deep in a value is named by its path', () => {
    expect(refusedField('processPut', { id: 1, key: 'k', value: { a: [1, { b: 2n }] } })).toBe('value.a.1.b');
    expect(refusedField('processPut', { id: 1, key: 'k', value: [Infinity] })).toBe('value.0');
  });

  it('hex bytes decode at any size, and malformed hex is refused with where', () => {
    const parsed = parseRequest('sendBytes', { id: 1, hex: 'de ad\nBE\tef' }).params as { hex: Uint8Array };
    expect(Buffer.from(parsed.hex)).toEqual(Buffer.from([0xde, 0xad, 0xbe, 0xef]));
    for (const hex of ['zz', 'a', 'de a d', 'deadbee', 'de\u00a0ad', 'dé']) expect(refusedField('sendBytes', { id: 1, hex })).toBe('hex');
  });

  it('the WebSocket admits the largest valid request, the worst case for JSON (16 MiB of \\u0001 is 96 MiB)', () => {
    const largest = JSON.stringify({ id: 2 ** 53 - 1, method: 'sendString', params: { id: 2 ** 31, text: n(LIMITS.sendBytes, '\u0001') } });
    expect(Buffer.byteLength(largest)).toBeLessThanOrEqual(LIMITS.requestBytes);
  });
});

describe('readBuffer returns at most LIMITS.readBytes at once', () => {
  it('a range and a tail of exactly the limit come whole; a longer range is cut to the limit and continues', async () => {
    const np = engine();
    const bridge = new Bridge(np);
    onCleanup(() => bridge.close());
    const b = np.getBufferCreate('*big*');
    b.insert(b.end, Buffer.alloc(LIMITS.readBytes + 10, 0x61), false);
    const read = async (params: object): Promise<{ start: number; end: number; data: string }> => {
      const response = await bridge.request('readBuffer', { name: '*big*', ...params });
      if (!response.ok) throw new Error(response.error.message);
      return response.result as { start: number; end: number; data: string };
    };
    expect((await read({ start: 0, end: LIMITS.readBytes })).data.length).toBe(LIMITS.readBytes);
    expect((await read({ tail: LIMITS.readBytes })).data.length).toBe(LIMITS.readBytes);
    const first = await read({ start: 0 });
    expect([first.start, first.end]).toEqual([0, LIMITS.readBytes]);
    const rest = await read({ start: first.end });
    expect([rest.start, rest.end, rest.data.length]).toEqual([LIMITS.readBytes, LIMITS.readBytes + 10, 10]);
  });
});

describe('a process plist has one cap, however it grows', () => {
  it('processPut can fill the plist to its entries and bytes, and not one past', async () => {
    const np = engine();
    const bridge = new Bridge(np);
    onCleanup(() => bridge.close());
    const peer = await plainServer();
    const p = await np.makeNetworkProcess({ name: 'c', host: '127.0.0.1', service: peer.port });
    const id = p!.id;
    for (let i = 0; i < LIMITS.plistEntries / 2; i++) {
      expect(await bridge.request('processPut', { id, key: `k${i}`, value: i })).toMatchObject({ ok: true });
    }
    expect(await bridge.request('processPut', { id, key: 'one-more', value: 1 })).toMatchObject({
      ok: false,
      error: { code: 'INVALID_ARGUMENT', field: 'key' },
    });
    // Replacing a value adds no entry.
    expect(await bridge.request('processPut', { id, key: 'k0', value: 'replaced' })).toMatchObject({ ok: true });
    const room = LIMITS.valueBytes - Buffer.byteLength(JSON.stringify(np.processPlist(p!)));
    const filler = (extra: number): string => 'a'.repeat(room + Buffer.byteLength('"replaced"') - 2 + extra);
    expect(await bridge.request('processPut', { id, key: 'k0', value: filler(1) })).toMatchObject({
      ok: false,
      error: { code: 'INVALID_ARGUMENT', field: 'value' },
    });
    expect(await bridge.request('processPut', { id, key: 'k0', value: filler(0) })).toMatchObject({ ok: true });
    expect(Buffer.byteLength(JSON.stringify(np.processPlist(p!)))).toBe(LIMITS.valueBytes);
    expect(np.processPlist(p!)).toHaveLength(LIMITS.plistEntries);
  });
});

describe('an unknown field is refused by every method', () => {
  // One request per method that passes validation; typed so that a new method must be added here.
  const valid: { [M in Method]: Params<M> } = {
    snapshot: {},
    makeNetworkProcess: { name: 'x', host: '127.0.0.1', service: 1, tlsParameters: { verify: true } },
    openNetworkStream: {
      name: 'x',
      buffer: null,
      host: '127.0.0.1',
      service: 1,
      type: 'starttls',
      capabilityCommand: 'EHLO x\r\n',
      endOfCommand: '^[0-9]+ .*\r\n',
      success: '^2',
      starttlsFunction: { match: '[ -]STARTTLS', command: 'STARTTLS\r\n' },
      clientCertificate: ['/key.pem', '/cert.pem'],
      returnList: true,
    },
    sendString: { id: 1, text: 'x' },
    sendBytes: { id: 1, hex: '00' },
    sendFile: { id: 1, path: '/etc/hostname' },
    sendEof: { id: 1 },
    stopProcess: { id: 1 },
    continueProcess: { id: 1 },
    deleteProcess: { ids: [1] },
    setFilter: { id: 1, filter: 'default' },
    setSentinel: { id: 1, sentinel: 'default' },
    setQueryOnExitFlag: { id: 1, flag: true },
    setCodingSystem: { id: 1, decoding: 'utf-8', encoding: 'utf-8' },
    processGet: { id: 1, key: 'k' },
    processPut: { id: 1, key: 'k', value: 1 },
    processContact: { id: 1, key: null },
    readBuffer: { name: '*x*' },
    searchBuffer: { name: '*x*', query: 'x', mode: 'text' },
    clearBuffer: { name: '*x*' },
    killBuffer: { name: '*x*' },
    saveBuffer: { name: '*x*', path: '/tmp/x.txt' },
    listProcesses: {},
    formatNetworkAddress: { address: [127, 0, 0, 1, 80] },
    processDatagramAddress: { id: 1 },
    setProcessDatagramAddress: { id: 1, address: [127, 0, 0, 1, 80] },
    pinCertificate: { host: 'localhost', port: 443, fingerprint: 'ab'.repeat(32) },
    forgetCertificatePin: { host: 'localhost', port: 443 },
    listCertificatePins: {},
    processKernelQueues: { id: 1 },
    setNetworkProcessOption: { id: 1, option: 'nodelay', value: true, noError: false },
    sendMessage: { id: 1, template: 'x{{seq}}', name: 'm', repeat: { intervalMs: 10, count: null }, everyConnection: false },
    stopRepeat: { id: 1 },
    listRepeats: {},
    setAutoReplyRules: {
      id: 1,
      rules: {
        framing: 'length-prefixed',
        lengthBytes: 2,
        rules: [{ name: 'r', match: 'hex', pattern: 'de ad', reply: 'x', close: true }],
      },
    },
    autoReplyRules: { id: 1 },
    setProcessReconnect: { id: 1, policy: { initialMs: 10, maxMs: 100, multiplier: 2, jitter: 0, maxAttempts: null } },
    cancelReconnect: { name: 'c' },
    setSplitPeers: { id: 1, split: true },
    captureWorkspace: {},
    applyWorkspace: { text: '{}', start: false },
    openWorkspaceFile: { path: '/tmp/w.netproc.json' },
    saveWorkspaceFile: { text: '{}', path: null, name: 'w' },
    recentWorkspaces: {},
    readTimeline: { id: 1, from: 0, count: 10, direction: 'out', hex: '0d 0a' },
    exportTraffic: { id: 1, format: 'pcapng', path: '/tmp/out.pcapng', overwrite: false },
    importCapture: { path: '/tmp/in.pcapng', conversation: 0, side: 'client', name: 'in', buffer: '*in*' },
  };

  it.each(METHODS.map((m) => [m]))('%s', async (method) => {
    expect(refusedField(method, valid[method])).toBeNull();
    const np = engine();
    const bridge = new Bridge(np);
    onCleanup(() => bridge.close());
    const response = await bridge.request(method, { ...valid[method], unexpectedField: true });
    expect(response).toEqual({
      ok: false,
      error: {
        code: 'INVALID_ARGUMENT',
        field: 'unexpectedField',
        message: 'unexpectedField: is not a known field',
        condition: 'error',
        data: ['unexpectedField: is not a known field'],
      },
    });
  });

  it('and inside makeNetworkProcess tlsParameters', () => {
    expect(refusedField('makeNetworkProcess', { name: 'x', tlsParameters: { verify: true, trustEveryone: true } })).toBe(
      'tlsParameters.trustEveryone',
    );
  });
});

describe('errors quote input only as a short prefix', () => {
  it('a 100 KB method name, field name or buffer name comes back cut', async () => {
    const np = engine();
    const bridge = new Bridge(np);
    onCleanup(() => bridge.close());
    const huge = 'm'.repeat(100_000);
    const unknownMethod = await bridge.request(huge as Method, {});
    expect(unknownMethod).toMatchObject({ ok: false, error: { code: 'UNKNOWN_METHOD', field: 'method' } });
    const cut = `"${'m'.repeat(64)}…"`;
    expect((unknownMethod as { error: { message: string } }).error.message).toBe(`Unknown method ${cut}`);
    const unknownField = (await bridge.request('listProcesses', { [huge]: 1 })) as Extract<Response, { ok: false }>;
    expect(unknownField.error.field).toBe(`${'m'.repeat(64)}…`);
    expect(unknownField.error.message.length).toBeLessThan(120);
    const noBuffer = (await bridge.request('clearBuffer', { name: 'b'.repeat(LIMITS.name) })) as Extract<Response, { ok: false }>;
    expect(noBuffer.error).toMatchObject({ code: 'NO_SUCH_BUFFER', message: `No buffer named ${'b'.repeat(64)}…` });
  });
});

describe('deleteProcess is all or nothing', () => {
  async function twoClients(): Promise<{ np: ReturnType<typeof engine>; bridge: Bridge; ids: number[] }> {
    const np = engine();
    const bridge = new Bridge(np);
    onCleanup(() => bridge.close());
    const peer = await plainServer();
    const a = await np.makeNetworkProcess({ name: 'a', host: '127.0.0.1', service: peer.port });
    const b = await np.makeNetworkProcess({ name: 'b', host: '127.0.0.1', service: peer.port });
    return { np, bridge, ids: [a!.id, b!.id] };
  }

  it('valid ids with one unknown id delete nothing', async () => {
    const { np, bridge, ids } = await twoClients();
    for (const order of [
      [...ids, 999_999],
      [ids[0], 999_999, ids[1]],
      [999_999, ...ids],
    ]) {
      const response = await bridge.request('deleteProcess', { ids: order });
      expect(response).toMatchObject({ ok: false, error: { code: 'NO_SUCH_PROCESS', field: 'id' } });
      expect(
        np
          .processList()
          .map((p) => p.name)
          .sort(),
      ).toEqual(['a', 'b']);
    }
  });

  it('a repeated id deletes its process once, and the rest too', async () => {
    const { np, bridge, ids } = await twoClients();
    const sentinels: string[] = [];
    np.on('sentinel', ({ process, event }) => sentinels.push(`${process.name} ${event}`));
    expect(await bridge.request('deleteProcess', { ids: [ids[0], ids[0], ids[1], ids[0]] })).toEqual({ ok: true, result: null });
    expect(np.processList()).toEqual([]);
    expect(sentinels).toEqual(['a deleted\n', 'b deleted\n']);
  });
});

describe('Send file reads regular files only', () => {
  async function connected(): Promise<{ np: ReturnType<typeof engine>; bridge: Bridge; id: number; received: () => number }> {
    const np = engine();
    const bridge = new Bridge(np);
    onCleanup(() => bridge.close());
    let bytes = 0;
    const peer = await plainServer((s) => s.on('data', (d: Buffer) => (bytes += d.length)));
    const p = await np.makeNetworkProcess({ name: 'c', host: '127.0.0.1', service: peer.port });
    return { np, bridge, id: p!.id, received: () => bytes };
  }

  it('refuses a relative path, a FIFO, /dev/zero, a directory and a missing file, naming path', async () => {
    const { bridge, id, np, received } = await connected();
    const dir = scratchDir();
    const cases: Array<[string, string, string, string]> = [
      ['package.json', 'INVALID_ARGUMENT', 'path: must be an absolute file path', 'error'],
      [fifoIn(dir, 'pipe'), 'INVALID_ARGUMENT', 'path: the file is a FIFO (named pipe); only regular files can be read', 'error'],
      ['/dev/zero', 'INVALID_ARGUMENT', 'path: the file is a character device; only regular files can be read', 'error'],
      [dir, 'INVALID_ARGUMENT', 'path: the file is a directory; only regular files can be read', 'error'],
      [join(dir, 'missing'), 'ENOENT', 'path: cannot read the file: No such file or directory', 'file-missing'],
    ];
    for (const [path, code, message, condition] of cases) {
      const response = await within(bridge.request('sendFile', { id, path }), 5000);
      expect(response).toMatchObject({ ok: false, error: { code, field: 'path', message, condition } });
    }
    expect(np.getProcessById(id)!.counters.bytesOut).toBe(0);
    expect(received()).toBe(0);
  });

  it('sends a file of exactly the cap, and refuses one byte more without sending any', async () => {
    const { bridge, id, received } = await connected();
    const dir = scratchDir();
    const atCap = join(dir, 'at-cap');
    const pastCap = join(dir, 'past-cap');
    // Sparse files: the size without the disk space.
    writeFileSync(atCap, '');
    truncateSync(atCap, LIMITS.sendFileBytes);
    writeFileSync(pastCap, '');
    truncateSync(pastCap, LIMITS.sendFileBytes + 1);
    expect(await bridge.request('sendFile', { id, path: pastCap })).toMatchObject({
      ok: false,
      error: { code: 'INVALID_ARGUMENT', field: 'path' },
    });
    expect(await bridge.request('sendFile', { id, path: atCap })).toEqual({ ok: true, result: { bytes: LIMITS.sendFileBytes } });
    await waitFor(() => received() === LIMITS.sendFileBytes, 30_000, 'the whole file at the peer');
  });

  it("four Send-file requests on FIFOs leave libuv's thread pool free: a DNS lookup and a file read still finish", async () => {
    const { bridge, id } = await connected();
    const dir = scratchDir();
    const sends = [0, 1, 2, 3].map((i) => bridge.request('sendFile', { id, path: fifoIn(dir, `pipe${i}`) }));
    const other = join(dir, 'other');
    writeFileSync(other, 'still readable');
    const work = Promise.all([dns.lookup('localhost'), import('node:fs/promises').then((fs) => fs.readFile(other, 'utf8'))]);
    const outcome = await within(work, 5000);
    expect(outcome).not.toBe('timed out');
    expect((outcome as [unknown, string])[1]).toBe('still readable');
    for (const response of await Promise.all(sends)) {
      expect(response).toMatchObject({ ok: false, error: { code: 'INVALID_ARGUMENT', field: 'path' } });
    }
  });
});

describe('a TLS CA file that is not a regular file', () => {
  /** A FIFO, and a child that opens it for writing after a while: the old synchronous read blocked the whole engine until then. */
  function fifoReleasedLater(ms: number): string {
    const fifo = fifoIn(scratchDir(), 'ca.pem');
    const releaser = spawn('sh', ['-c', `sleep ${ms / 1000}; exec 3<>"$0"`, fifo], { stdio: 'ignore' });
    onCleanup(() => {
      releaser.kill();
    });
    return fifo;
  }

  const refusedRequests: Array<[string, Method, (port: number, caFile: string) => unknown, string]> = [
    [
      'makeNetworkProcess tlsParameters',
      'makeNetworkProcess',
      (port, caFile) => ({ name: 'tls', host: '127.0.0.1', service: port, tlsParameters: { caFile } }),
      'caFile',
    ],
    [
      'openNetworkStream',
      'openNetworkStream',
      (port, caFile) => ({ name: 'tls', buffer: null, host: '127.0.0.1', service: port, type: 'tls', caFile }),
      'caFile',
    ],
    [
      'openNetworkStream clientCertificate',
      'openNetworkStream',
      (port, fifo) => ({ name: 'tls', buffer: null, host: '127.0.0.1', service: port, type: 'tls', clientCertificate: [fifo, fifo] }),
      'clientCertificate',
    ],
  ];

  it.each(refusedRequests)('%s: refused at once, no stall, no process left', async (_what, method, params, field) => {
    const np = engine();
    const bridge = new Bridge(np);
    onCleanup(() => bridge.close());
    const peer = await plainServer();
    const caFile = fifoReleasedLater(4000);
    const { result, stallMs } = await longestStall(() => within(bridge.request(method, params(peer.port, caFile)), 10_000));
    expect(result).toMatchObject({
      ok: false,
      error: { code: 'INVALID_ARGUMENT', field, message: `${field}: the file is a FIFO (named pipe); only regular files can be read` },
    });
    expect(np.processList()).toEqual([]);
    expect(peer.sockets).toHaveLength(0);
    // The old read stalled the engine ~4 s here; a generous bound, only to tell a hang from a slow machine.
    expect(stallMs).toBeLessThan(2000);
  });

  it(':nowait: the process fails soon, as a failed connect does, without stalling the engine', async () => {
    const np = engine();
    const bridge = new Bridge(np);
    onCleanup(() => bridge.close());
    const peer = await plainServer();
    const caFile = fifoReleasedLater(4000);
    const { stallMs } = await longestStall(async () => {
      const response = await bridge.request('makeNetworkProcess', {
        name: 'tls',
        host: '127.0.0.1',
        service: peer.port,
        nowait: true,
        tlsParameters: { caFile },
      });
      expect(response).toMatchObject({ ok: true, result: { status: 'connect' } });
      await waitFor(() => np.getProcess('tls')?.status.kind === 'failed', 3000, 'the failed status');
    });
    expect(peer.sockets).toHaveLength(0);
    expect(stallMs).toBeLessThan(2000);
  });

  it('/dev/zero as a CA file is refused, naming caFile', async () => {
    const np = engine();
    const bridge = new Bridge(np);
    onCleanup(() => bridge.close());
    const peer = await plainServer();
    const response = await bridge.request('openNetworkStream', {
      name: 'tls',
      buffer: null,
      host: '127.0.0.1',
      service: peer.port,
      type: 'tls',
      caFile: '/dev/zero',
    });
    expect(response).toMatchObject({ ok: false, error: { code: 'INVALID_ARGUMENT', field: 'caFile' } });
    expect(np.processList()).toEqual([]);
  });
});

describe.each<TransportName>(['websocket', 'ipc'])('the largest valid sends pass over %s', (transport) => {
  it('16 MiB of text that JSON escapes 6-fold, and 16 MiB of hex bytes; one byte more is refused by name', async () => {
    const { client } = await harnesses[transport]();
    const api = await client();
    let bytes = 0;
    const chunks: Buffer[] = [];
    const peer = await plainServer((s) =>
      s.on('data', (d: Buffer) => {
        bytes += d.length;
        if (chunks.length < 4) chunks.push(d.subarray(0, 16));
      }),
    );
    const c = (await api.makeNetworkProcess({ name: 'c', host: '127.0.0.1', service: peer.port }))!;
    await api.sendString({ id: c.id, text: n(LIMITS.sendBytes, '\u0001') });
    await waitFor(() => bytes === LIMITS.sendBytes, 60_000, 'the text at the peer');
    expect(chunks[0]![0]).toBe(1);
    await api.sendBytes({ id: c.id, hex: n(LIMITS.sendBytes, 'ff ') });
    await waitFor(() => bytes === 2 * LIMITS.sendBytes, 60_000, 'the bytes at the peer');
    await expect(api.sendString({ id: c.id, text: n(LIMITS.sendBytes + 1, '\u0001') })).rejects.toMatchObject({
      code: 'INVALID_ARGUMENT',
      field: 'text',
    });
  }, 180_000);
});

describe('a message larger than any valid request', () => {
  it('is refused by the WebSocket with close code 1009 (message too big), not silently', async () => {
    const { host } = await webHarness();
    const ws = new WebSocket(`ws://127.0.0.1:${host.port}/ws?token=${host.token}`, { origin: `http://127.0.0.1:${host.port}` });
    onCleanup(() => ws.terminate());
    await new Promise<void>((resolve, reject) => {
      ws.once('open', () => resolve());
      ws.once('error', reject);
    });
    const closed = new Promise<{ code: number; reason: string }>((resolve) =>
      ws.once('close', (code, reason) => resolve({ code, reason: String(reason) })),
    );
    ws.on('error', () => undefined);
    ws.send(Buffer.alloc(LIMITS.requestBytes + 1, 0x20).toString());
    expect(await within(closed, 60_000)).toMatchObject({ code: 1009 });
  }, 90_000);
});
