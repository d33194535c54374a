/**
 * Property: no request, however wrong, reaches INTERNAL. Random values, and
 * valid requests with one field made hostile, go to every method through
 * handleRequest on a real engine with real loopback sockets; every answer
 * must be a success or a structured error of ours, short, and serialisable
 * by both transports; the engine must keep working afterwards.
 *
 * Nothing may leave the machine: the engine's resolver knows only
 * localhost, and a request that would pass validation with a host or an
 * address other than loopback (or a Unix socket path, which would create
 * files) is skipped before it is sent; so is a save to an absolute path
 * outside the test's scratch directory.
 */
import { tmpdir } from 'node:os';
import { isAbsolute, join, resolve, sep } from 'node:path';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { clip, METHODS, type Method, type Response } from '../../shared/api.js';
import type { LookupFunction, Netproc } from '../netproc/index.js';
import { engine, onCleanup, plainServer, waitFor } from '../netproc/test-support.js';
import { Bridge } from './bridge.js';
import { parseRequest } from './handlers.js';

const loopbackOnly: LookupFunction = async (host, family) => {
  if (host === 'localhost') return family === 6 ? [{ address: '::1', family: 6 }] : [{ address: '127.0.0.1', family: 4 }];
  throw Object.assign(new Error(`no lookups of ${host} in this test`), { code: 'ENOTFOUND' });
};

/** Where saveBuffer may write; any other absolute path is never sent. */
const scratch = mkdtempSync(join(tmpdir(), 'netproc-fuzz-save-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));
/** The one directory exports may write to: a request naming any other path is skipped before it is sent. */
const exportDir = mkdtempSync(join(tmpdir(), 'netproc-fuzz-export-'));
afterAll(() => rmSync(exportDir, { recursive: true, force: true }));
/** A capture to import: one UDP datagram, made by text2pcap. */
const captureFile = join(exportDir, 'one.pcapng');
writeFileSync(join(exportDir, 'one.txt'), '0000  70 69 6e 67\n');
execFileSync('/usr/bin/text2pcap', ['-q', '-u', '5000,6000', join(exportDir, 'one.txt'), captureFile]);

interface Fixture {
  np: Netproc;
  bridge: Bridge;
  peerPort: number;
  received: () => number;
  ids: () => number[];
  /** A valid request per method, on the fixture's processes and buffers. */
  valid: (method: Method) => Record<string, unknown>;
}

async function fixture(): Promise<Fixture> {
  // A request given :tls-parameters talks TLS to the plain peer, which never answers the ClientHello: the
  // engine waits its handshake timeout (30 s by default) before failing, longer than this test's 5 s per answer.
  const np = engine({ lookup: loopbackOnly, tlsHandshakeTimeoutMs: 1000 });
  const bridge = new Bridge(np);
  onCleanup(() => bridge.close());
  let bytes = 0;
  const peer = await plainServer((s) => s.on('data', (d: Buffer) => (bytes += d.length)));
  const make = async (): Promise<void> => {
    if (!np.getProcess('srv'))
      await np.makeNetworkProcess({ name: 'srv', server: true, host: '127.0.0.1', service: true, buffer: '*srv*' });
    if (!np.getProcess('c')) await np.makeNetworkProcess({ name: 'c', host: '127.0.0.1', service: peer.port, buffer: '*c*' });
    if (!np.getProcess('d')) await np.makeNetworkProcess({ name: 'd', type: 'datagram', server: true, host: '127.0.0.1', service: true });
    np.getBufferCreate('*x*');
  };
  await make();
  const id = (name: string): number => np.getProcess(name)?.id ?? 1;
  const valid = (method: Method): Record<string, unknown> => {
    const table: { [M in Method]: Record<string, unknown> } = {
      snapshot: {},
      makeNetworkProcess: { name: 'fz', host: '127.0.0.1', service: peer.port, buffer: '*fz*', plist: ['k', 1] },
      // STARTTLS without :end-of-command: nothing is waited for (the peer never answers), so each try is quick.
      openNetworkStream: {
        name: 'fz',
        buffer: '*fz*',
        host: '127.0.0.1',
        service: peer.port,
        type: 'starttls',
        capabilityCommand: 'EHLO fz\r\n',
        success: '^2',
        starttlsFunction: { match: 'STARTTLS', command: 'STARTTLS\r\n' },
        returnList: true,
      },
      sendString: { id: id('c'), text: 'x' },
      sendBytes: { id: id('c'), hex: '00 ff' },
      sendFile: { id: id('c'), path: '/etc/hostname', name: 'a file message' },
      sendEof: { id: id('c') },
      stopProcess: { id: id('c') },
      continueProcess: { id: id('c') },
      deleteProcess: { ids: [id('c')] },
      setFilter: { id: id('c'), filter: 'discard' },
      setSentinel: { id: id('c'), sentinel: 'silent' },
      setQueryOnExitFlag: { id: id('c'), flag: false },
      setCodingSystem: { id: id('c'), decoding: 'utf-8', encoding: 'latin-1' },
      processGet: { id: id('c'), key: 'k' },
      processPut: { id: id('c'), key: 'k', value: { a: [1, 'two'] } },
      processContact: { id: id('srv'), key: 'local' },
      readBuffer: { name: '*x*', start: 0, end: 10 },
      searchBuffer: { name: '*x*', query: 'x', mode: 'text' },
      clearBuffer: { name: '*x*' },
      killBuffer: { name: '*x*' },
      saveBuffer: { name: '*c*', path: join(scratch, 'saved.txt') },
      listProcesses: { queryOnly: false },
      formatNetworkAddress: { address: [127, 0, 0, 1, 80] },
      processDatagramAddress: { id: id('d') },
      setProcessDatagramAddress: { id: id('d'), address: [127, 0, 0, 1, peer.port] },
      pinCertificate: { host: 'localhost', port: peer.port, fingerprint: 'AB:'.repeat(31) + 'AB' },
      forgetCertificatePin: { host: 'localhost', port: peer.port },
      listCertificatePins: {},
      processKernelQueues: { id: id('c') },
      setNetworkProcessOption: { id: id('c'), option: 'keepalive', value: true },
      sendMessage: { id: id('c'), template: 'fz {{seq}} {{random:9}}\\r\\n', name: 'fz', repeat: { intervalMs: 50, count: 3 } },
      stopRepeat: { id: 1 },
      listRepeats: {},
      setAutoReplyRules: {
        id: id('srv'),
        rules: { framing: 'line', rules: [{ match: 'regex', pattern: '^GET (\\S+)', reply: 'got {{1}}\\n', delayMs: 0 }] },
      },
      autoReplyRules: { id: id('srv') },
      setProcessReconnect: { id: id('c'), policy: { initialMs: 100, maxAttempts: 2 } },
      cancelReconnect: { name: 'c' },
      setSplitPeers: { id: id('d'), split: true },
      captureWorkspace: {},
      applyWorkspace: {
        text: JSON.stringify({
          format: 'netproc-workspace',
          version: 1,
          processes: [{ kind: 'make-network-process', args: { name: 'fzw', host: '127.0.0.1', service: peer.port } }],
          messages: [],
          layout: {},
        }),
        start: true,
      },
      openWorkspaceFile: { path: null },
      saveWorkspaceFile: { text: '{}', path: null, name: 'w' },
      recentWorkspaces: {},
      readTimeline: { id: id('srv'), from: 0, count: 10, direction: 'in', text: 'x' },
      exportTraffic: { id: id('c'), format: 'hex', path: join(exportDir, 'out.txt'), overwrite: true, start: 0, end: 10 },
      importCapture: { path: captureFile, conversation: 0, side: 'server', name: 'imp', buffer: '*imp*' },
    };
    return table[method];
  };
  return {
    np,
    bridge,
    peerPort: peer.port,
    received: () => bytes,
    ids: () => ['srv', 'c', 'd'].map(id),
    valid,
  };
}

const LOOPBACK_HOSTS = new Set([undefined, null, '127.0.0.1', '::1', 'localhost']);

function isLoopbackVector(address: unknown): boolean {
  if (address === undefined || address === null) return true;
  if (!Array.isArray(address)) return false; // a Unix path: would create or touch files
  if (address.length === 5) return address[0] === 127;
  return address.length === 9 && address.slice(0, 7).every((x) => x === 0) && address[7] === 1;
}

/** False for a request that would pass validation and then talk to something other than loopback, or write outside the scratch directory. */
function staysContained(method: Method, params: unknown): boolean {
  let parsed: Record<string, unknown>;
  try {
    parsed = parseRequest(method, params).params as Record<string, unknown>;
  } catch {
    return true; // refused before the engine sees it
  }
  switch (method) {
    case 'makeNetworkProcess':
      return (
        LOOPBACK_HOSTS.has(parsed.host as string) &&
        parsed.family !== 'local' &&
        typeof parsed.service !== 'string' &&
        isLoopbackVector(parsed.local) &&
        isLoopbackVector(parsed.remote)
      );
    case 'openNetworkStream':
      return LOOPBACK_HOSTS.has(parsed.host as string) && typeof parsed.service !== 'string';
    case 'setProcessDatagramAddress':
      return isLoopbackVector(parsed.address);
    case 'saveBuffer': {
      // A relative path is refused before any file is touched.
      const path = parsed.path as string;
      return !isAbsolute(path) || resolve(path).startsWith(scratch + sep);
    }
    case 'exportTraffic':
      // Writes files: only into the test's own directory.
      return typeof parsed.path === 'string' && parsed.path.startsWith(exportDir + '/') && !parsed.path.includes('/..');
    default:
      return true;
  }
}

const anything = fc.anything({
  withBigInt: true,
  withDate: true,
  withMap: true,
  withSet: true,
  withTypedArray: true,
  withSparseArray: true,
  withNullPrototype: true,
  withBoxedValues: true,
  maxDepth: 4,
});

function deep(depth: number): unknown {
  let value: unknown = 'x';
  for (let i = 0; i < depth; i++) value = i % 2 ? { a: value } : [value];
  return value;
}

/** Values that broke, or could break, something: tried on every field of every method, then mixed at random. */
const HOSTILE: unknown[] = [
  undefined,
  null,
  true,
  -1,
  0,
  -0,
  0.5,
  NaN,
  Infinity,
  -Infinity,
  2 ** 53,
  1e300,
  '',
  ' ',
  '\u0000',
  '\ud800',
  '../../../../etc/passwd',
  '/dev/zero',
  '/proc/self/status',
  'x'.repeat(100_000),
  '0'.repeat(9999),
  [],
  {},
  [127, 0, 0, 1],
  [127, 0, 0, 1, 70000],
  [0, 0, 0, 0, 0, 0, 0, 1, -1],
  { family: 1, data: [1, 2] },
  deep(50),
  deep(5000),
  deep(200_000),
  'ab'.repeat(4 * 1024 * 1024),
  new Array(20_000).fill(0),
  Object.create(null),
];

const hostileValue = fc.oneof(
  { arbitrary: fc.constantFrom(...HOSTILE), weight: 2 },
  { arbitrary: anything, weight: 1 },
  { arbitrary: fc.integer(), weight: 1 },
  { arbitrary: fc.string({ unit: 'binary', maxLength: 40 }), weight: 1 },
);

const fieldNames = [
  'id',
  'ids',
  'name',
  'buffer',
  'host',
  'service',
  'text',
  'hex',
  'path',
  'key',
  'value',
  'plist',
  'address',
  'tlsParameters',
  'tlsServer',
  'servername',
  'alpn',
  'fingerprint',
  'port',
  'option',
  'noError',
  'template',
  'repeat',
  'everyConnection',
  'from',
  'count',
  'direction',
  'format',
  'overwrite',
  'conversation',
  'side',
  'start',
  'end',
  '__proto__',
  'constructor',
];

/** A valid request with one field set to `value` (or dropped). */
function withField(fx: Fixture, method: Method, field: string, value: unknown, drop = false): Record<string, unknown> {
  const params: Record<string, unknown> = { ...fx.valid(method) };
  if (drop) delete params[field];
  // defineProperty, so that "__proto__" becomes a field rather than the prototype.
  else Object.defineProperty(params, field, { value, enumerable: true, writable: true, configurable: true });
  return params;
}

/** Every hostile value in every field the method has: the systematic part, run before the random part. */
function everyFieldEveryValue(fx: Fixture, method: Method): Array<[Case]> {
  return Object.keys(fx.valid(method)).flatMap((field) => HOSTILE.map((value): [Case] => [new Case(withField(fx, method, field, value))]));
}

/** A request: sometimes anything at all, mostly a valid one with one field made hostile or dropped. */
function requests(fx: Fixture, method: Method): fc.Arbitrary<Case> {
  const ownFields = Object.keys(fx.valid(method));
  const plausible = fc
    .record({
      field: ownFields.length
        ? fc.oneof({ arbitrary: fc.constantFrom(...ownFields), weight: 3 }, fc.constantFrom(...fieldNames))
        : fc.constantFrom(...fieldNames),
      value: hostileValue,
      drop: fc.boolean(),
      realId: fc.constantFrom(0, 1, 2),
    })
    // Real ids reach deeper into the engine than random ones.
    .map(({ field, value, drop, realId }) =>
      withField(fx, method, field, field === 'id' && typeof value === 'number' ? fx.ids()[realId] : value, drop),
    );
  return fc.oneof({ arbitrary: plausible, weight: 4 }, { arbitrary: anything, weight: 1 }).map((params) => new Case(params));
}

async function answered(fx: Fixture, method: Method, params: unknown): Promise<Response | 'hung'> {
  let timer: NodeJS.Timeout | undefined;
  const hung = new Promise<'hung'>((resolve) => (timer = setTimeout(() => resolve('hung'), 5000)));
  try {
    return await Promise.race([fx.bridge.request(method, params), hung]);
  } finally {
    clearTimeout(timer);
  }
}

/** Everything the fuzzing made goes, so the next run starts from the fixture. */
function sweep(fx: Fixture): void {
  for (const repeat of fx.np.messages.list()) fx.np.messages.stop(repeat.id);
  for (const p of fx.np.processList()) if (!['srv', 'c', 'd'].includes(p.name)) fx.np.deleteProcess(p);
  for (const b of fx.np.bufferList()) if (!['*srv*', '*c*', '*x*'].includes(b.name)) fx.np.killBuffer(b);
}

/** One line about a value, however large or deep: what a failure report shows instead of the value itself. */
function summary(value: unknown): string {
  if (typeof value === 'string') return value.length > 40 ? `a string of ${value.length} characters` : JSON.stringify(value);
  if (Array.isArray(value)) return `an array of ${value.length}`;
  if (value !== null && typeof value === 'object') {
    const keys = Reflect.ownKeys(value).map(String);
    return `{${keys.map((k) => `${clip(k)}: ${summary((value as Record<string, unknown>)[k])}`).join(', ')}}`;
  }
  return typeof value === 'bigint' ? `${value}n` : String(value);
}

/** A generated request, printed by fast-check through its summary (the value may be 8 MB or 200,000 deep). */
class Case {
  constructor(readonly params: unknown) {}
  [fc.toStringMethod](): string {
    return summary(this.params);
  }
}

/** Why the answer is wrong, or null. */
function wrongAnswer(response: Response | 'hung'): string | null {
  if (response === 'hung') return 'no answer in 5 s';
  try {
    // Both transports must be able to carry the answer.
    JSON.stringify(response);
    structuredClone(response);
  } catch (err) {
    return `an answer no transport can carry: ${(err as Error).message}`;
  }
  if (response.ok) return null;
  const { code, message, field } = response.error;
  if (code === 'INTERNAL') return `INTERNAL: ${clip(message)}`;
  if (message.length >= 600) return `a message of ${message.length} characters`;
  if (field !== null && field.length >= 300) return `a field name of ${field.length} characters`;
  return null;
}

describe('no request reaches INTERNAL', () => {
  it.each(METHODS.map((m) => [m]))(
    '%s',
    async (method) => {
      const fx = await fixture();
      const unexpected: unknown[] = [];
      const onUnexpected = (err: unknown): number => unexpected.push(err);
      process.on('unhandledRejection', onUnexpected);
      onCleanup(() => process.off('unhandledRejection', onUnexpected));
      let sent = 0;

      await fc.assert(
        fc.asyncProperty(requests(fx, method), async (request) => {
          fc.pre(staysContained(method, request.params));
          sent++;
          const wrong = wrongAnswer(await answered(fx, method, request.params));
          sweep(fx);
          if (wrong) throw new Error(`${method} ${summary(request.params)} → ${wrong}`);
        }),
        {
          numRuns: 300,
          examples: everyFieldEveryValue(fx, method),
          // Shrinking values of megabytes costs more than it tells.
          endOnFailure: true,
          interruptAfterTimeLimit: 40_000,
          markInterruptAsFailure: false,
        },
      );

      expect(sent).toBeGreaterThan(10);
      expect(unexpected).toEqual([]);
      // The engine still works: a new connection carries bytes to the peer.
      const before = fx.received();
      const probe = await fx.np.makeNetworkProcess({ name: 'probe', host: '127.0.0.1', service: fx.peerPort });
      await fx.np.processSendString(probe!, 'still working');
      await waitFor(() => fx.received() >= before + 'still working'.length);
    },
    90_000,
  );
});
