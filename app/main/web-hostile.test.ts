/**
 * Hostile request lines against the loopback web host, sent as raw bytes
 * (fetch and http.request would normalise or refuse most of them). The host
 * runs in a child process, so a request that crashes it ends that process and
 * the test sees it; every case must get an HTTP answer and leave the host
 * serving the next good request. The child also measures its own longest
 * event-loop stall while the table runs.
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const CHILD = fileURLToPath(new URL('./web-host-child.ts', import.meta.url));

interface HostChild {
  port: number;
  token: string;
  process: ChildProcessWithoutNullStreams;
  /** Everything the child wrote to stderr (its crash report, if any). */
  stderr: () => string;
  /** The next JSON line the child prints. */
  nextLine: (timeoutMs?: number) => Promise<Record<string, unknown>>;
}

async function startChild(rendererDir: string): Promise<HostChild> {
  const child = spawn(process.execPath, ['--import', 'tsx', CHILD, rendererDir], { stdio: ['pipe', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const lines: string[] = [];
  const waiters: Array<() => void> = [];
  createInterface({ input: child.stdout }).on('line', (line) => {
    lines.push(line);
    for (const wake of waiters.splice(0)) wake();
  });
  const nextLine = async (timeoutMs = 20_000): Promise<Record<string, unknown>> => {
    const deadline = Date.now() + timeoutMs;
    while (lines.length === 0) {
      if (child.exitCode !== null) throw new Error(`the web host exited with ${child.exitCode}: ${stderr}`);
      if (Date.now() > deadline) throw new Error(`no line from the web host within ${timeoutMs} ms: ${stderr}`);
      await new Promise<void>((resolve) => {
        waiters.push(resolve);
        setTimeout(resolve, 100);
      });
    }
    return JSON.parse(lines.shift() as string) as Record<string, unknown>;
  };
  const ready = await nextLine();
  return { port: ready.port as number, token: ready.token as string, process: child, stderr: () => stderr, nextLine };
}

async function stopChild(child: HostChild): Promise<void> {
  if (child.process.exitCode !== null) return;
  const exited = new Promise<void>((resolve) => child.process.once('exit', () => resolve()));
  child.process.stdin.end();
  const timer = setTimeout(() => child.process.kill('SIGKILL'), 5000);
  await exited;
  clearTimeout(timer);
}

/**
 * Sends raw bytes and resolves to the answer's status code, or null when the
 * connection closed without any answer. Reads only the response head.
 */
function rawRequest(port: number, bytes: string | Buffer, timeoutMs = 5000): Promise<{ status: number | null; head: string }> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, '127.0.0.1');
    let received = Buffer.alloc(0);
    const finish = (): void => {
      clearTimeout(timer);
      socket.destroy();
      const head = received.toString('latin1');
      const match = /^HTTP\/1\.[01] (\d{3})/.exec(head);
      resolve({ status: match ? Number(match[1]) : null, head });
    };
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error(`no answer within ${timeoutMs} ms`));
    }, timeoutMs);
    socket.on('connect', () => socket.write(bytes));
    socket.on('data', (d: Buffer) => {
      received = Buffer.concat([received, d]);
      if (received.includes('\r\n\r\n')) finish();
    });
    socket.on('error', () => undefined);
    socket.on('close', finish);
  });
}

function request(line: string, headers: string[]): string {
  return `${line}\r\n${headers.map((h) => `${h}\r\n`).join('')}\r\n`;
}

const UPGRADE = ['Upgrade: websocket', 'Connection: Upgrade', 'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==', 'Sec-WebSocket-Version: 13'];

interface Case {
  name: string;
  bytes: (port: number, token: string) => string;
  status: number;
}

/** Host header values that only look like ours: each must be refused exactly as a foreign one. */
const lookalikeHosts = (port: number): string[] => [
  `evil.127.0.0.1:${port}`,
  `127.0.0.1:${port}.evil.example`,
  `x127.0.0.1:${port}`,
  `127.0.0.1:${port + 1}`,
  `127.0.0.1:${port}0`,
  `localhost.evil.example:${port}`,
  '127.0.0.1',
  'localhost',
];

const cases: Case[] = [
  // Bad percent-encoding in the path: not UTF-8, cut short, not hex, overlong.
  ...['/%ff', '/%', '/%zz', '/%c0%af', '/%e0%80', '/a%00b', '/%00'].map((path) => ({
    name: `GET ${path}`,
    bytes: (p: number) => request(`GET ${path} HTTP/1.1`, [`Host: 127.0.0.1:${p}`]),
    status: 400,
  })),
  // Paths that a URL parser would read as an authority.
  { name: 'GET //[', bytes: (p) => request('GET //[ HTTP/1.1', [`Host: 127.0.0.1:${p}`]), status: 404 },
  { name: 'GET //a:99999/', bytes: (p) => request('GET //a:99999/ HTTP/1.1', [`Host: 127.0.0.1:${p}`]), status: 404 },
  { name: 'GET //evil.example/', bytes: (p) => request('GET //evil.example/ HTTP/1.1', [`Host: 127.0.0.1:${p}`]), status: 404 },
  // Targets that are not a path.
  { name: 'GET http://[::1', bytes: (p) => request('GET http://[::1 HTTP/1.1', [`Host: 127.0.0.1:${p}`]), status: 400 },
  {
    name: 'absolute form naming a foreign host',
    bytes: (p) => request('GET http://evil.example/ HTTP/1.1', [`Host: 127.0.0.1:${p}`]),
    status: 400,
  },
  {
    name: 'absolute form naming our host',
    bytes: (p) => request(`GET http://127.0.0.1:${p}/ HTTP/1.1`, [`Host: 127.0.0.1:${p}`]),
    status: 400,
  },
  { name: 'GET *', bytes: (p) => request('GET * HTTP/1.1', [`Host: 127.0.0.1:${p}`]), status: 400 },
  { name: 'OPTIONS *', bytes: (p) => request('OPTIONS * HTTP/1.1', [`Host: 127.0.0.1:${p}`]), status: 405 },
  { name: 'CONNECT host:1', bytes: (p) => request('CONNECT 127.0.0.1:1 HTTP/1.1', [`Host: 127.0.0.1:${p}`]), status: 405 },
  {
    name: 'CONNECT from a foreign Host',
    bytes: () => request('CONNECT evil.example:443 HTTP/1.1', ['Host: evil.example:443']),
    status: 403,
  },
  // Methods.
  { name: 'unknown method BREW', bytes: (p) => request('BREW / HTTP/1.1', [`Host: 127.0.0.1:${p}`]), status: 400 },
  { name: 'PROPFIND', bytes: (p) => request('PROPFIND / HTTP/1.1', [`Host: 127.0.0.1:${p}`]), status: 405 },
  { name: 'DELETE', bytes: (p) => request('DELETE /index.html HTTP/1.1', [`Host: 127.0.0.1:${p}`]), status: 405 },
  {
    name: 'POST with a body',
    bytes: (p) => request('POST / HTTP/1.1', [`Host: 127.0.0.1:${p}`, 'Content-Length: 5']) + 'hello',
    status: 405,
  },
  // Headers.
  {
    name: 'headers just under the limit',
    bytes: (p) => request('GET / HTTP/1.1', [`Host: 127.0.0.1:${p}`, `X-Pad: ${'a'.repeat(15_000)}`]),
    status: 200,
  },
  {
    name: 'headers over the limit',
    bytes: (p) => request('GET / HTTP/1.1', [`Host: 127.0.0.1:${p}`, `X-Pad: ${'a'.repeat(20_000)}`]),
    status: 431,
  },
  {
    name: 'thousands of small headers',
    bytes: (p) => request('GET / HTTP/1.1', [`Host: 127.0.0.1:${p}`].concat(Array.from({ length: 3000 }, (_, i) => `X-${i}: ${i}`))),
    status: 431,
  },
  { name: 'a NUL in a header', bytes: (p) => request('GET / HTTP/1.1', [`Host: 127.0.0.1:${p}`, 'X-Bad: a\0b']), status: 400 },
  {
    name: 'two identical Host headers',
    bytes: (p) => request('GET / HTTP/1.1', [`Host: 127.0.0.1:${p}`, `Host: 127.0.0.1:${p}`]),
    status: 400,
  },
  {
    name: 'our Host then a foreign one',
    bytes: (p) => request('GET / HTTP/1.1', [`Host: 127.0.0.1:${p}`, 'Host: evil.example']),
    status: 400,
  },
  { name: 'no Host (HTTP/1.1)', bytes: () => request('GET / HTTP/1.1', []), status: 400 },
  { name: 'no Host (HTTP/1.0)', bytes: () => request('GET / HTTP/1.0', []), status: 400 },
  { name: 'an empty Host', bytes: () => request('GET / HTTP/1.1', ['Host: ']), status: 403 },
  { name: 'HTTP/9.9', bytes: (p) => request('GET / HTTP/9.9', [`Host: 127.0.0.1:${p}`]), status: 400 },
  { name: 'binary garbage', bytes: () => '\x00\x01\x02\xff garbage\r\n\r\n', status: 400 },
  ...lookalikeHosts(0).map((_, i) => ({
    name: `look-alike Host #${i}`,
    bytes: (p: number) => request('GET / HTTP/1.1', [`Host: ${lookalikeHosts(p)[i]}`]),
    status: 403,
  })),
  // Traversal out of the renderer folder, with separators the URL parser does not normalise.
  ...[
    { separator: '..%2f', path: `/${'..%2f'.repeat(12)}etc%2fpasswd`, status: 404 },
    { separator: '%2e%2e%2f', path: `/${'%2e%2e%2f'.repeat(12)}etc%2fpasswd`, status: 404 },
    { separator: '..%5c', path: `/${'..%5c'.repeat(12)}etc%5cpasswd`, status: 404 },
    { separator: '..%2f and a NUL', path: `/${'..%2f'.repeat(12)}etc%2fpasswd%00.html`, status: 400 },
  ].map(({ separator, path, status }) => ({
    name: `traversal by ${separator}`,
    bytes: (p: number, t: string) => request(`GET ${path}?token=${t} HTTP/1.1`, [`Host: 127.0.0.1:${p}`]),
    status,
  })),

  // WebSocket upgrades.
  { name: 'upgrade without Host', bytes: (_p, t) => request(`GET /ws?token=${t} HTTP/1.1`, UPGRADE), status: 400 },
  {
    name: 'upgrade from a foreign Host',
    bytes: (_p, t) => request(`GET /ws?token=${t} HTTP/1.1`, ['Host: evil.example', ...UPGRADE]),
    status: 403,
  },
  ...lookalikeHosts(0).map((_, i) => ({
    name: `upgrade from look-alike Host #${i}`,
    bytes: (p: number, t: string) => request(`GET /ws?token=${t} HTTP/1.1`, [`Host: ${lookalikeHosts(p)[i]}`, ...UPGRADE]),
    status: 403,
  })),
  {
    name: 'upgrade with two Host headers',
    bytes: (p, t) => request(`GET /ws?token=${t} HTTP/1.1`, [`Host: 127.0.0.1:${p}`, 'Host: evil.example', ...UPGRADE]),
    status: 400,
  },
  ...[
    'https://evil.example',
    'null',
    '',
    'http://evil.127.0.0.1:PORT',
    'http://127.0.0.1:PORT.evil.example',
    'http://x127.0.0.1:PORT',
    'http://127.0.0.1:OTHER',
    'https://127.0.0.1:PORT',
    'http://127.0.0.1:PORT/',
    'http://127.0.0.1',
  ].map((origin) => ({
    name: `upgrade from Origin ${JSON.stringify(origin)}`,
    bytes: (p: number, t: string) =>
      request(`GET /ws?token=${t} HTTP/1.1`, [
        `Host: 127.0.0.1:${p}`,
        `Origin: ${origin.replace('PORT', String(p)).replace('OTHER', String(p + 1))}`,
        ...UPGRADE,
      ]),
    status: 403,
  })),
  { name: 'upgrade without a token', bytes: (p) => request('GET /ws HTTP/1.1', [`Host: 127.0.0.1:${p}`, ...UPGRADE]), status: 401 },
  {
    name: 'upgrade with a longer wrong token',
    bytes: (p, t) => request(`GET /ws?token=x${t} HTTP/1.1`, [`Host: 127.0.0.1:${p}`, ...UPGRADE]),
    status: 401,
  },
  {
    name: 'upgrade with a wrong token of the same length',
    bytes: (p, t) => request(`GET /ws?token=${sameLengthWrong(t)} HTTP/1.1`, [`Host: 127.0.0.1:${p}`, ...UPGRADE]),
    status: 401,
  },
  {
    name: 'upgrade with a token that is not valid percent-encoding',
    bytes: (p) => request('GET /ws?token=%ff%zz HTTP/1.1', [`Host: 127.0.0.1:${p}`, ...UPGRADE]),
    status: 401,
  },
  {
    name: 'upgrade to /%ff',
    bytes: (p, t) => request(`GET /%ff?token=${t} HTTP/1.1`, [`Host: 127.0.0.1:${p}`, ...UPGRADE]),
    status: 400,
  },
  {
    name: 'upgrade to //[',
    bytes: (p, t) => request(`GET //[?token=${t} HTTP/1.1`, [`Host: 127.0.0.1:${p}`, ...UPGRADE]),
    status: 404,
  },
  {
    name: 'upgrade to //a:99999/',
    bytes: (p, t) => request(`GET //a:99999/?token=${t} HTTP/1.1`, [`Host: 127.0.0.1:${p}`, ...UPGRADE]),
    status: 404,
  },
  {
    name: 'upgrade to an absolute-form target',
    bytes: (p, t) => request(`GET http://127.0.0.1:${p}/ws?token=${t} HTTP/1.1`, [`Host: 127.0.0.1:${p}`, ...UPGRADE]),
    status: 400,
  },
  {
    name: 'upgrade by POST',
    bytes: (p, t) => request(`POST /ws?token=${t} HTTP/1.1`, [`Host: 127.0.0.1:${p}`, ...UPGRADE]),
    status: 405,
  },
  {
    name: 'upgrade with an unknown WebSocket version',
    bytes: (p, t) =>
      request(`GET /ws?token=${t} HTTP/1.1`, [
        `Host: 127.0.0.1:${p}`,
        ...UPGRADE.filter((h) => !h.startsWith('Sec-WebSocket-Version')),
        'Sec-WebSocket-Version: 99',
      ]),
    status: 400,
  },
  {
    name: 'a good upgrade',
    bytes: (p, t) => request(`GET /ws?token=${t} HTTP/1.1`, [`Host: 127.0.0.1:${p}`, `Origin: http://127.0.0.1:${p}`, ...UPGRADE]),
    status: 101,
  },
];

/** The token with its first character changed: same length, wrong value. */
function sameLengthWrong(token: string): string {
  return (token[0] === 'A' ? 'B' : 'A') + token.slice(1);
}

const GOOD = (port: number): string => request('GET / HTTP/1.1', [`Host: 127.0.0.1:${port}`, 'Connection: close']);

describe('the web host under hostile request lines', () => {
  let host: HostChild;
  /** The host's longest event-loop stall while each case (and the good request after it) ran. */
  const stalls = new Map<string, number>();
  const stallSinceLastAsked = async (): Promise<number> => {
    host.process.stdin.write('stall\n');
    return ((await host.nextLine()) as { maxStallMs: number }).maxStallMs;
  };

  let rendererDir = '';

  beforeAll(async () => {
    rendererDir = mkdtempSync(join(tmpdir(), 'netproc-web-hostile-'));
    writeFileSync(join(rendererDir, 'index.html'), '<!doctype html><title>Netproc</title><p>fixture</p>\n');
    host = await startChild(rendererDir);
    await stallSinceLastAsked(); // start-up is not part of any case
  }, 30_000);
  afterAll(async () => {
    if (host) await stopChild(host);
    if (rendererDir) rmSync(rendererDir, { recursive: true, force: true });
  });

  it.each(cases)('$name gets $status and the host keeps serving', async ({ name, bytes, status }) => {
    const answer = await rawRequest(host.port, bytes(host.port, host.token));
    expect(host.process.exitCode, `the web host died: ${host.stderr()}`).toBeNull();
    expect(answer.status, answer.head.slice(0, 200)).toBe(status);
    expect((await rawRequest(host.port, GOOD(host.port))).status).toBe(200);
    stalls.set(name, await stallSinceLastAsked());
  });

  it('survives clients that reset the connection right after a request it refuses', async () => {
    const refusedUpgrade = request('GET /ws?token=wrong HTTP/1.1', [`Host: 127.0.0.1:${host.port}`, ...UPGRADE]);
    const refusedConnect = request('CONNECT 127.0.0.1:1 HTTP/1.1', [`Host: 127.0.0.1:${host.port}`]);
    // The reset reaches the host before its refusal is written; writing then fails with
    // ECONNRESET on a socket Node has handed over without an error listener.
    for (let i = 0; i < 200; i++) {
      await new Promise<void>((resolve) => {
        const socket = net.connect(host.port, '127.0.0.1', () => {
          socket.write(i % 2 ? refusedUpgrade : refusedConnect);
          socket.resetAndDestroy();
          resolve();
        });
        socket.on('error', () => resolve());
      });
    }
    expect((await rawRequest(host.port, GOOD(host.port))).status).toBe(200);
    expect(host.process.exitCode, `the web host died: ${host.stderr()}`).toBeNull();
    stalls.set('200 refused requests, each reset by its client', await stallSinceLastAsked());
  });

  it('never stalled its event loop for long under any of them, and logged nothing unexpected', () => {
    const sorted = [...stalls].sort((a, b) => b[1] - a[1]);
    console.info(
      `web host: longest event-loop stall per hostile request (${stalls.size} cases), worst first:\n` +
        sorted.map(([name, ms]) => `  ${ms.toFixed(1).padStart(7)} ms  ${name}`).join('\n'),
    );
    expect(new Set(cases.map((c) => c.name)).size, 'case names are unique').toBe(cases.length);
    expect(stalls.size).toBe(cases.length + 1);
    // Generous: the point is "never seconds", on a shared 2-core machine.
    for (const [name, ms] of sorted) expect(ms, name).toBeLessThan(500);
    expect(host.stderr()).toBe('');
  });
});
