/**
 * The receiving side of bench/engine.ts, run in its own process so its
 * memory can be measured alone. `engine` scenarios use Netproc; `plain`
 * ones do the same work with plain Node. Talks JSON lines on stdout.
 */
import dgram from 'node:dgram';
import net from 'node:net';
import v8 from 'node:v8';
import { Netproc } from '../app/main/netproc/index.js';
import { createBuiltins } from '../app/main/bridge/builtins.js';
import { createHandlers, handleRequest } from '../app/main/bridge/handlers.js';
import { kernelDrops } from '../app/main/netproc/datagram-process.js';
import { exportPcapng } from '../app/main/capture/export.js';
import { writeExportFile } from '../app/main/capture/export-file.js';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { onLines } from './child-messages.js';
import type { NetworkProcess } from '../app/main/netproc/index.js';

const [scenario = '', variant = '', arg = ''] = process.argv.slice(2);
/** Timelines are on by default; the `*-no-timeline` variants (and the tap's own) measure the engine without them. */
const timeline = !variant.endsWith('-no-timeline') && variant !== 'engine-tapped';
const say = (message: Record<string, unknown>): void => {
  process.stdout.write(JSON.stringify(message) + '\n');
};

let rssPeak = 0;
const sampler = setInterval(() => (rssPeak = Math.max(rssPeak, process.memoryUsage.rss())), 5);
const rss = (): number => {
  const now = process.memoryUsage.rss();
  rssPeak = Math.max(rssPeak, now);
  return now;
};

function onCommand(handler: (line: string) => void): void {
  onLines(process.stdin, handler);
}

function finish(message: Record<string, unknown>): void {
  clearInterval(sampler);
  say({ done: true, ...message });
  setTimeout(() => process.exit(0), 50);
}

async function ingest(): Promise<void> {
  const total = Number(arg);
  gcAndSettle();
  const rssBefore = rss();
  rssPeak = rssBefore;
  let first = 0;
  if (variant === 'plain') {
    const chunks: Buffer[] = [];
    let received = 0;
    const server = net.createServer((s) => {
      s.on('data', (d: Buffer) => {
        if (!first) first = performance.now();
        chunks.push(d);
        received += d.length;
        if (received >= total)
          finish({ ms: performance.now() - first, rssBefore, rssPeak: Math.max(rssPeak, rss()), held: received, chunks: chunks.length });
      });
    });
    server.listen(0, '127.0.0.1', () => say({ port: (server.address() as net.AddressInfo).port }));
    return;
  }
  const coding = variant === 'engine-binary' ? 'binary' : 'utf-8-unix';
  const np = new Netproc({ bufferCap: 1024 * 1024 * 1024, timeline });
  const srv = (await np.makeNetworkProcess({ name: 'ingest', server: true, service: true, buffer: '*ingest*', coding }))!;
  // One subscriber (timelines off), as the traffic timeline would be: it sees every chunk and keeps a count.
  let tapped = 0;
  if (variant === 'engine-tapped') {
    np.on('process-added', (p) => {
      if (p.kind !== 'accepted') return;
      np.traffic.tap(p, (record) => {
        if (record.kind === 'data') tapped += record.bytes.length;
      });
    });
  }
  np.on('buffer-changed', (e) => {
    if (e.inserted <= 0) return;
    if (!first) first = performance.now();
    if (e.end >= total) finish({ ms: performance.now() - first, rssBefore, rssPeak: Math.max(rssPeak, rss()), held: e.length, tapped });
  });
  say({ port: np.processContact(srv, 'service') });
}

async function echo(): Promise<void> {
  if (variant === 'plain') {
    const server = net.createServer((s) => {
      s.setNoDelay(true);
      s.on('data', (d) => s.write(d));
    });
    server.listen(0, '127.0.0.1', () => say({ port: (server.address() as net.AddressInfo).port }));
  } else if (variant === 'engine-builtin-echo' || variant === 'engine-rule') {
    // The workbench's own echo filter, beside an auto-reply rule that answers the same: both keep a buffer.
    const np = new Netproc();
    const builtin = variant === 'engine-builtin-echo';
    const srv = (await np.makeNetworkProcess({
      name: 'echo',
      server: true,
      service: true,
      coding: 'binary',
      nodelay: true,
      buffer: '*echo*',
      ...(builtin ? { filter: createBuiltins(np).filter('echo') } : {}),
    }))!;
    if (!builtin) np.autoReplies.set(srv, { framing: 'chunk', rules: [{ match: 'regex', pattern: '^(e+)$', reply: '{{1}}' }] });
    say({ port: np.processContact(srv, 'service') });
  } else {
    const np = new Netproc();
    const srv = (await np.makeNetworkProcess({
      name: 'echo',
      server: true,
      service: true,
      coding: 'binary',
      nodelay: true,
      filter: (p: NetworkProcess, text: string) => void np.processSendString(p, text),
    }))!;
    say({ port: np.processContact(srv, 'service') });
  }
  onCommand((line) => line === 'quit' && finish({}));
}

async function connections(): Promise<void> {
  const total = Number(arg);
  gcAndSettle();
  const rssBefore = rss();
  const youngBefore = youngGeneration();
  let first = 0;
  let acceptedAll = 0;
  const served = new Set<unknown>();
  let reply: () => void = () => undefined;
  // CPU time this process spends from the first accept to the last: less swayed than the rate by a busy machine.
  let cpuAtFirst: NodeJS.CpuUsage | null = null;
  let cpuMs = 0;
  const accepted = (): void => {
    if (!first) {
      first = performance.now();
      cpuAtFirst = process.cpuUsage();
    }
  };
  const acceptedEvery = (): void => {
    acceptedAll = performance.now();
    const cpu = process.cpuUsage(cpuAtFirst ?? undefined);
    cpuMs = (cpu.user + cpu.system) / 1000;
  };
  if (variant === 'plain') {
    const sockets: Array<{ socket: net.Socket; chunks: Buffer[] }> = [];
    let count = 0;
    const server = net.createServer((s) => {
      accepted();
      const entry = { socket: s, chunks: [] as Buffer[] };
      sockets.push(entry);
      s.on('data', (d) => {
        entry.chunks.push(d);
        served.add(entry);
        if (served.size === total) reply();
      });
      if (++count === total) acceptedEvery();
    });
    server.listen({ port: 0, host: '127.0.0.1', backlog: 4096 }, () => say({ port: (server.address() as net.AddressInfo).port }));
    reply = () => {
      gcAndSettle();
      const rssAll = rss();
      const held = sockets.filter((e) => !e.socket.destroyed).length;
      for (const e of sockets) e.socket.write('ok');
      finish({
        ms: acceptedAll - first,
        cpuMs,
        rssBefore,
        rssAll,
        youngGrowth: youngGeneration() - youngBefore,
        served: served.size,
        held,
      });
    };
    return;
  }
  const np = new Netproc({ timeline });
  const srv = (await np.makeNetworkProcess({ name: 'many', server: 4096, service: true }))!;
  let count = 0;
  np.on('process-added', (p) => {
    if (p.kind !== 'accepted') return;
    accepted();
    if (++count === total) acceptedEvery();
  });
  // Only text arriving counts: a buffer also changes when it is made or when its process changes (the buffer list shows both).
  np.on('buffer-changed', (e) => {
    if (e.inserted <= 0) return;
    served.add(e.name);
    if (served.size === total) reply();
  });
  reply = () => {
    gcAndSettle();
    const rssAll = rss();
    const open = np.processList().filter((p) => p.kind === 'accepted' && np.processStatus(p) === 'open');
    for (const p of open) void np.processSendString(p, 'ok');
    finish({
      ms: acceptedAll - first,
      cpuMs,
      rssBefore,
      rssAll,
      youngGrowth: youngGeneration() - youngBefore,
      served: served.size,
      held: open.length,
    });
  };
  say({ port: np.processContact(srv, 'service') });
}

async function datagrams(): Promise<void> {
  let received = 0;
  let first = 0;
  let last = 0;
  const got = (): void => {
    if (!first) first = performance.now();
    last = performance.now();
    received++;
  };
  let port: number;
  let drops: () => number | null;
  let count = (): number => received;
  if (variant === 'plain') {
    const chunks: Buffer[] = [];
    const socket = dgram.createSocket({ type: 'udp4', reuseAddr: true });
    socket.on('message', (m) => {
      chunks.push(m);
      got();
    });
    await new Promise<void>((r) => socket.bind(0, '127.0.0.1', () => r()));
    port = socket.address().port;
    drops = () => kernelDrops(socket);
  } else {
    const np = new Netproc({ timeline });
    const srv = (await np.makeNetworkProcess({ name: 'udp', type: 'datagram', server: true, service: true, buffer: '*udp*' }))!;
    np.on('buffer-changed', (e) => e.inserted > 0 && got());
    port = np.processContact(srv, 'service') as number;
    drops = () => np.processDatagramDrops(srv);
    // The engine's own count, in case it ever coalesces several datagrams into one buffer change.
    count = () => srv.counters.datagramsIn;
  }
  say({ port });
  onCommand((line) => {
    // lastAt is on the clock both processes share, so the sender can time the whole blast.
    if (line === 'report') finish({ received: count(), ms: last - first, lastAt: performance.timeOrigin + last, drops: drops() });
  });
}

async function createDelete(): Promise<void> {
  const [portText, countText] = arg.split(':');
  const port = Number(portText);
  const count = Number(countText);
  const np = new Netproc();
  const once =
    variant === 'plain' || variant === 'plain-address'
      ? async (): Promise<void> => {
          const s = await new Promise<net.Socket>((resolve, reject) => {
            const c = net.connect(port, '127.0.0.1', () => resolve(c));
            c.on('error', reject);
          });
          // 'plain-address' also learns its local address, as the engine must for :local.
          if (variant === 'plain-address') s.address();
          s.destroy();
        }
      : async (): Promise<void> => {
          const p = await np.makeNetworkProcess({ name: 'cd', host: '127.0.0.1', service: port });
          np.deleteProcess(p!);
        };
  // Both sides first run the same number of untimed operations, so the figure is the steady
  // per-operation cost rather than how long V8 takes to optimise each side's code.
  for (let i = 0; i < count; i++) await once();
  const start = performance.now();
  for (let i = 0; i < count; i++) await once();
  finish({ ms: performance.now() - start, count });
}

/** (f) A server receives ARG bytes from the peer, then its traffic is exported as pcapng to a file; the export is timed. */
async function exportScenario(): Promise<void> {
  const total = Number(arg);
  const np = new Netproc({ bufferCap: 2 * total });
  const srv = (await np.makeNetworkProcess({ name: 'exp', server: true, service: true, buffer: '*exp*', coding: 'binary' }))!;
  let accepted: NetworkProcess | null = null;
  np.on('process-added', (p) => {
    if (p.kind === 'accepted') accepted = p;
  });
  np.on('buffer-changed', async (e) => {
    if (e.end < total || !accepted || e.name !== accepted.buffer?.name) return;
    np.removeAllListeners('buffer-changed');
    const dir = mkdtempSync(join(tmpdir(), 'netproc-bench-export-'));
    gcAndSettle();
    const rssBefore = rss();
    rssPeak = rssBefore;
    const started = performance.now();
    const written = await writeExportFile({ path: join(dir, 'conversation.pcapng') }, (out) =>
      exportPcapng(np.traffic.viewTimelinesOf(srv.id), out),
    );
    const ms = performance.now() - started;
    rmSync(dir, { recursive: true, force: true });
    finish({
      ms,
      bytes: written.bytes,
      packets: written.packets,
      missing: written.missingBytes,
      rssBefore,
      rssPeak: Math.max(rssPeak, rss()),
    });
  });
  say({ port: np.processContact(srv, 'service') });
}

/**
 * (h) A workspace of COUNT definitions, half servers on port 0 and half
 * clients to the bench's loopback server, opened and started as the
 * Workspace menu does it: applyWorkspace through the contract's handlers
 * (the file parsed and checked whole, then each process made). Plain Node
 * listens and connects as many sockets, one after another, as apply does.
 */
async function workspace(): Promise<void> {
  const [portText, countText] = arg.split(':');
  const port = Number(portText);
  const count = Number(countText);
  const servers = Math.floor(count / 2);
  let start: number;
  if (variant === 'plain') {
    start = performance.now();
    for (let i = 0; i < servers; i++) {
      const server = net.createServer();
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    }
    for (let i = servers; i < count; i++) {
      await new Promise<void>((resolve, reject) => {
        const c = net.connect(port, '127.0.0.1', () => resolve());
        c.on('error', reject);
      });
    }
    finish({ ms: performance.now() - start, made: count });
    return;
  }
  const np = new Netproc();
  const handlers = createHandlers(np, createBuiltins(np), () => ({ processes: [], buffers: [], log: [] }) as never);
  const processes = Array.from({ length: count }, (_, i) =>
    i < servers
      ? { kind: 'make-network-process', args: { name: `srv-${i}`, server: true, host: '127.0.0.1', service: 0 }, filter: 'echo' }
      : { kind: 'make-network-process', args: { name: `cli-${i}`, host: '127.0.0.1', service: port } },
  );
  const text = JSON.stringify({ format: 'netproc-workspace', version: 1, processes, messages: [], layout: {} }, null, 2);
  start = performance.now();
  const response = await handleRequest(handlers, 'applyWorkspace', { text, start: true });
  const ms = performance.now() - start;
  if (!response.ok) throw new Error(response.error.message);
  finish({ ms, made: (response.result as { created: unknown[] }).created.length });
}

/**
 * Bytes V8 holds for its young generation. It grows with the rate of
 * allocation (to about 25 MiB more during a burst of accepts, on either
 * side), not with what is kept, and a full GC leaves it grown.
 */
function youngGeneration(): number {
  return v8.getHeapSpaceStatistics().find((space) => space.space_name === 'new_space')?.space_size ?? 0;
}

function gcAndSettle(): void {
  (globalThis as { gc?: () => void }).gc?.();
}

/** Sends one byte every millisecond to the parent's port for ARG's seconds: the engine's repeat, or a plain setInterval. */
async function repeat(): Promise<void> {
  const [port, seconds] = arg.split(':').map(Number) as [number, number];
  const count = seconds * 1000;
  if (variant === 'plain') {
    const socket = net.connect(port, '127.0.0.1', () => {
      let sent = 0;
      const timer = setInterval(() => {
        socket.write('x');
        if (++sent >= count) {
          clearInterval(timer);
          socket.end(() => finish({ sent }));
        }
      }, 1);
    });
    return;
  }
  const np = new Netproc();
  const c = (await np.makeNetworkProcess({ name: 'repeat', host: '127.0.0.1', service: port, nodelay: true }))!;
  np.on('repeat', (state) => {
    if (!state.running) void np.processSendEof(c).then(() => finish({ sent: state.sent, error: state.error }));
  });
  await np.messages.send(c, { name: 'tick', template: 'x', repeat: { intervalMs: 1, count } });
}

const scenarios: Record<string, () => Promise<void>> = {
  repeat,
  ingest,
  echo,
  connections,
  datagrams,
  'create-delete': createDelete,
  workspace,
  export: exportScenario,
};
const run = scenarios[scenario];
if (!run) {
  console.error(`unknown scenario ${scenario}`);
  process.exit(2);
}
void run();
