/**
 * `npm run bench:engine`: each engine figure beside plain Node doing the
 * same work in the same run, and their ratio (issue: engine performance).
 * The receiver runs in its own process (bench/engine-receiver.ts); this
 * process is the peer. `--quick` runs tiny sizes (used by the smoke test).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import dgram from 'node:dgram';
import net from 'node:net';
import { fileURLToPath } from 'node:url';
import { openFileLimit } from '../app/main/netproc/descriptor-watch.js';
import { messages } from './child-messages.js';
import { median } from './stats.js';
import { atLeast, atMost, below, exactly, INFO, verdict, type Target } from './verdict.js';

const quick = process.argv.includes('--quick');
/** `--only a,c` runs just those scenarios (for profiling one path). */
const onlyArg = process.argv.find((a) => a.startsWith('--only='))?.slice('--only='.length);
const runs = (scenario: string): boolean => !onlyArg || onlyArg.split(',').includes(scenario);
/** Extra node flags for the receivers, e.g. NETPROC_BENCH_NODE_FLAGS='--cpu-prof --cpu-prof-dir=/tmp/prof'. */
const childFlags = (process.env.NETPROC_BENCH_NODE_FLAGS ?? '').split(/\s+/).filter(Boolean);
const MiB = 1024 * 1024;
const sizes = quick
  ? {
      ingest: 8 * MiB,
      echoes: 300,
      connections: 200,
      datagrams: 3000,
      createDelete: 50,
      workspace: 40,
      exported: 4 * MiB,
      rounds: 1,
      ingestRounds: 1,
    }
  : {
      ingest: 256 * MiB,
      echoes: 10_000,
      connections: 15_000,
      datagrams: 100_000,
      createDelete: 1000,
      workspace: 500,
      exported: 64 * MiB,
      rounds: 3,
      ingestRounds: 4,
    };
/**
 * Each side of (c) holds every connection at once, and this process holds the
 * peers' ends: descriptors for both, with room for everything else. The hard
 * limit here is 20,000 per process; the soft one is raised to it where lower.
 */
const DESCRIPTORS_NEEDED = sizes.connections + 512;

const receiverPath = fileURLToPath(new URL('./engine-receiver.ts', import.meta.url));

interface Receiver {
  child: ChildProcess;
  next: () => Promise<Record<string, unknown>>;
  send: (line: string) => void;
}

/** Quotes one word for sh. */
const shellWord = (word: string): string => `'${word.replace(/'/g, `'\\''`)}'`;

/** Runs node with its soft descriptor limit raised to DESCRIPTORS_NEEDED (the shell's ulimit; Node has no setrlimit). */
function spawnWithDescriptors(args: string[], options: Parameters<typeof spawn>[2]): ChildProcess {
  const command = [process.execPath, ...args].map(shellWord).join(' ');
  return spawn('sh', ['-c', `ulimit -S -n ${DESCRIPTORS_NEEDED} && exec ${command}`], options);
}

function startReceiver(scenario: string, variant: string, arg = ''): Receiver {
  const child = spawnWithDescriptors(['--expose-gc', ...childFlags, '--import', 'tsx', receiverPath, scenario, variant, arg], {
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  const { next } = messages(child.stdout!, `${scenario}/${variant}`, 120_000);
  return {
    child,
    next,
    send: (line) => child.stdin!.write(line + '\n'),
  };
}

/** Every receiver exits by itself once it has reported (so a --cpu-prof profile gets written); one that does not is killed. */
function stop(receiver: Receiver): Promise<void> {
  return new Promise((resolve) => {
    if (receiver.child.exitCode !== null || receiver.child.signalCode !== null) return resolve();
    const kill = setTimeout(() => receiver.child.kill(), 3000);
    receiver.child.once('exit', () => {
      clearTimeout(kill);
      resolve();
    });
  });
}

function connect(port: number): Promise<net.Socket> {
  return new Promise((resolve, reject) => {
    const s = net.connect(port, '127.0.0.1', () => resolve(s));
    s.once('error', reject);
  });
}

// ───────────── (a) stream ingest ─────────────
async function ingestOnce(variant: string): Promise<{ mibPerS: number; memoryRatio: number }> {
  const r = startReceiver('ingest', variant, String(sizes.ingest));
  const { port } = (await r.next()) as { port: number };
  const s = await connect(port);
  const block = Buffer.alloc(MiB, 'netproc ingest line 0123456789\n');
  for (let sent = 0; sent < sizes.ingest; sent += block.length) {
    if (!s.write(block)) await new Promise((resolve) => s.once('drain', resolve));
  }
  const done = (await r.next()) as { ms: number; rssBefore: number; rssPeak: number; held: number };
  s.destroy();
  await stop(r);
  return { mibPerS: sizes.ingest / MiB / (done.ms / 1000), memoryRatio: (done.rssPeak - done.rssBefore) / done.held };
}

// ───────────── (b) echo round trips ─────────────
async function echoOnce(variant: string): Promise<number> {
  const r = startReceiver('echo', variant);
  const { port } = (await r.next()) as { port: number };
  const s = await connect(port);
  s.setNoDelay(true);
  const message = Buffer.alloc(64, 'e');
  let got = 0;
  let wake: () => void = () => undefined;
  s.on('data', (d) => {
    got += d.length;
    if (got >= 64) {
      got -= 64;
      wake();
    }
  });
  const start = performance.now();
  for (let i = 0; i < sizes.echoes; i++) {
    await new Promise<void>((resolve) => {
      wake = resolve;
      s.write(message);
    });
  }
  const ms = performance.now() - start;
  s.destroy();
  r.send('quit');
  await stop(r);
  return sizes.echoes / (ms / 1000);
}

// ───────────── (c) many concurrent connections ─────────────
interface Connections {
  acceptsPerS: number;
  /** The receiver's CPU time (user + system) per accept, in microseconds. */
  cpuUsPerAccept: number;
  /**
   * Resident memory the receiver gained per connection, measured after a full
   * GC with every connection held, less what V8's young generation grew by:
   * that growth follows the rate of allocation during the burst of accepts
   * (about 25 MiB on either side) and is not held by the connections.
   */
  bytesPerConnection: number;
  /** What the young generation grew by, per connection (shown for reading). */
  youngPerConnection: number;
  /** Connections the receiver held open at once when it measured. */
  held: number;
  served: number;
  replies: number;
}

async function connectionsOnce(variant: string): Promise<Connections> {
  const r = startReceiver('connections', variant, String(sizes.connections));
  const { port } = (await r.next()) as { port: number };
  const sockets: net.Socket[] = [];
  let replies = 0;
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < sizes.connections) {
      next++;
      const s = await connect(port);
      s.on('data', () => replies++);
      s.on('error', () => undefined);
      s.write('x');
      sockets.push(s);
    }
  };
  await Promise.all(Array.from({ length: 128 }, worker));
  const done = (await r.next()) as {
    ms: number;
    cpuMs: number;
    rssBefore: number;
    rssAll: number;
    youngGrowth: number;
    served: number;
    held: number;
  };
  const deadline = Date.now() + 30_000;
  while (replies < sizes.connections && Date.now() < deadline) await new Promise((res) => setTimeout(res, 20));
  for (const s of sockets) s.destroy();
  await stop(r);
  return {
    acceptsPerS: sizes.connections / (done.ms / 1000),
    cpuUsPerAccept: (done.cpuMs * 1000) / sizes.connections,
    bytesPerConnection: (done.rssAll - done.rssBefore - done.youngGrowth) / sizes.connections,
    youngPerConnection: done.youngGrowth / sizes.connections,
    held: done.held,
    served: done.served,
    replies,
  };
}

// ───────────── (d) datagram blast ─────────────
interface Blast {
  /** Datagrams received per second, from the first send to the last arrival: drops lower it. */
  perS: number;
  sent: number;
  received: number;
  /** What the kernel dropped at the receiving socket (queue full); null where it cannot tell. */
  drops: number | null;
}

async function datagramsOnce(variant: string): Promise<Blast> {
  const r = startReceiver('datagrams', variant);
  const { port } = (await r.next()) as { port: number };
  const sender = dgram.createSocket('udp4');
  const payload = Buffer.alloc(512, 'u');
  let sendErrors = 0;
  const startedAt = performance.timeOrigin + performance.now();
  for (let attempted = 0; attempted < sizes.datagrams;) {
    const batch: Array<Promise<void>> = [];
    for (let k = 0; k < 64 && attempted < sizes.datagrams; k++, attempted++) {
      batch.push(new Promise((resolve) => sender.send(payload, port, '127.0.0.1', (err) => resolve(void (err && sendErrors++)))));
    }
    await Promise.all(batch);
  }
  await new Promise((res) => setTimeout(res, 500));
  r.send('report');
  const done = (await r.next()) as { received: number; lastAt: number; drops: number | null };
  sender.close();
  await stop(r);
  return {
    perS: done.received / (Math.max(done.lastAt - startedAt, 1) / 1000),
    sent: sizes.datagrams - sendErrors,
    received: done.received,
    drops: done.drops,
  };
}

// ───────────── (e) create + delete ─────────────
/** Bytes per whole second (from the first byte) that a repeating sender delivered, for SECONDS seconds. */
async function repeatOnce(variant: string, seconds: number): Promise<number[]> {
  const bins: number[] = [];
  let first = 0;
  const server = net.createServer((s) => {
    s.on('error', () => undefined);
    s.on('data', (d: Buffer) => {
      const now = performance.now();
      if (!first) first = now;
      const bin = Math.floor((now - first) / 1000);
      bins[bin] = (bins[bin] ?? 0) + d.length;
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const r = startReceiver('repeat', variant, `${(server.address() as net.AddressInfo).port}:${seconds}`);
  await r.next();
  await stop(r);
  server.close();
  return Array.from({ length: seconds }, (_, i) => bins[i] ?? 0);
}

async function createDeleteOnce(variant: string, port: number): Promise<number> {
  const r = startReceiver('create-delete', variant, `${port}:${sizes.createDelete}`);
  const done = (await r.next()) as { ms: number; count: number };
  await stop(r);
  return done.ms / done.count;
}

async function workspaceOnce(variant: string, port: number): Promise<number> {
  const r = startReceiver('workspace', variant, `${port}:${sizes.workspace}`);
  const done = (await r.next()) as { ms: number; made: number };
  await stop(r);
  if (done.made !== sizes.workspace) throw new Error(`(h) ${variant} made ${done.made} of ${sizes.workspace} processes`);
  return done.ms;
}

// ───────────── (i) pcapng export ─────────────
interface Exported {
  mibPerS: number;
  /** Resident memory the receiver gained while writing, in MiB. */
  growthMiB: number;
  fileMiB: number;
  missing: number;
}

async function exportOnce(): Promise<Exported> {
  const r = startReceiver('export', 'engine', String(sizes.exported));
  const { port } = (await r.next()) as { port: number };
  const s = await connect(port);
  const block = Buffer.alloc(MiB, 'netproc export line 0123456789\n');
  for (let sent = 0; sent < sizes.exported; sent += block.length) {
    if (!s.write(block)) await new Promise((resolve) => s.once('drain', resolve));
  }
  const done = (await r.next()) as { ms: number; bytes: number; missing: number; rssBefore: number; rssPeak: number };
  s.destroy();
  await stop(r);
  return {
    mibPerS: done.bytes / MiB / (done.ms / 1000),
    growthMiB: (done.rssPeak - done.rssBefore) / MiB,
    fileMiB: done.bytes / MiB,
    missing: done.missing,
  };
}

/** One figure: engine beside plain Node, their ratio, and the verdict on `judged` (the ratio unless given). */
function line(figure: string, engine: string, plain: string, ratio: number, target: Target, judged = ratio): void {
  console.log(
    `${figure.padEnd(46)} engine ${engine.padStart(14)}   plain ${plain.padStart(14)}   ratio ${ratio.toFixed(2).padStart(5)}   target ${target.text.padEnd(16)} ${verdict(judged, target)}`,
  );
}

async function main(): Promise<void> {
  console.log(
    `netproc engine benchmark${quick ? ' (quick sizes)' : ''}: node ${process.version}, ${sizes.rounds} round(s), median shown\n`,
  );

  if (runs('a')) {
    const ingest: Record<string, Array<{ mibPerS: number; memoryRatio: number }>> = {
      plain: [],
      'engine-utf8': [],
      'engine-binary': [],
      'engine-tapped': [],
      'engine-no-timeline': [],
    };
    // Each round runs every variant, starting one further along each time, so that no variant always follows
    // the same one (or meets the machine at the same point); the comparisons between variants are paired per round.
    const variants = Object.keys(ingest);
    for (let round = 0; round < sizes.ingestRounds; round++) {
      for (let k = 0; k < variants.length; k++) {
        const variant = variants[(round + k) % variants.length]!;
        ingest[variant]!.push(await ingestOnce(variant));
      }
    }
    const rate = (v: string): number => median(ingest[v]!.map((x) => x.mibPerS));
    const paired = (a: string, b: string): number => median(ingest[a]!.map((x, round) => x.mibPerS / ingest[b]![round]!.mibPerS));
    const mem = (v: string): number => median(ingest[v]!.map((x) => x.memoryRatio));
    const mbs = (n: number): string => `${n.toFixed(0)} MiB/s`;
    line(
      `(a) ingest ${sizes.ingest / MiB} MiB into a buffer, utf-8`,
      mbs(rate('engine-utf8')),
      mbs(rate('plain')),
      paired('engine-utf8', 'plain'),
      atLeast(0.6),
    );
    line(
      `(a) ingest ${sizes.ingest / MiB} MiB into a buffer, binary`,
      mbs(rate('engine-binary')),
      mbs(rate('plain')),
      paired('engine-binary', 'plain'),
      atLeast(0.6),
    );
    line(
      '(a) binary vs utf-8 ingest rate',
      mbs(rate('engine-binary')),
      mbs(rate('engine-utf8')),
      paired('engine-binary', 'engine-utf8'),
      atLeast(1.0),
    );
    line(
      '(a) ingest, one tap subscriber vs none (utf-8)',
      mbs(rate('engine-tapped')),
      mbs(rate('engine-no-timeline')),
      paired('engine-tapped', 'engine-no-timeline'),
      atLeast(0.95),
    );
    line(
      '(a) ingest, timeline recording vs none (utf-8)',
      mbs(rate('engine-utf8')),
      mbs(rate('engine-no-timeline')),
      paired('engine-utf8', 'engine-no-timeline'),
      atLeast(0.9),
    );
    line(
      '(a) peak memory / data held',
      `${mem('engine-utf8').toFixed(2)}x`,
      `${mem('plain').toFixed(2)}x`,
      mem('engine-utf8'),
      atMost(1.3),
    );
  }

  if (runs('b')) {
    const echo: Record<string, number[]> = { plain: [], engine: [] };
    for (let round = 0; round < sizes.rounds; round++) for (const v of Object.keys(echo)) echo[v]!.push(await echoOnce(v));
    const echoRatio = median(echo.engine!) / median(echo.plain!);
    line(
      `(b) ${sizes.echoes} sequential echo round trips`,
      `${median(echo.engine!).toFixed(0)} rt/s`,
      `${median(echo.plain!).toFixed(0)} rt/s`,
      echoRatio,
      atLeast(0.8),
    );
  }

  if (runs('c')) {
    // Paired rounds, alternating which side goes first so that neither always meets a warmer (or busier) machine.
    const conns: Record<string, Connections[]> = { plain: [], engine: [], 'engine-no-timeline': [] };
    const acceptRatios: number[] = [];
    for (let round = 0; round < sizes.rounds; round++) {
      const order = ['plain', 'engine', 'engine-no-timeline'];
      for (let k = 0; k < order.length; k++) {
        const v = order[(round + k) % order.length]!;
        conns[v]!.push(await connectionsOnce(v));
      }
      acceptRatios.push(conns.engine![round]!.acceptsPerS / conns.plain![round]!.acceptsPerS);
    }
    const acceptRate = (v: string): number => median(conns[v]!.map((x) => x.acceptsPerS));
    const perConnection = (v: string): number => median(conns[v]!.map((x) => x.bytesPerConnection));
    const worst = (v: string): { served: number; replies: number; held: number } => ({
      served: Math.min(...conns[v]!.map((x) => x.served)),
      replies: Math.min(...conns[v]!.map((x) => x.replies)),
      held: Math.min(...conns[v]!.map((x) => x.held)),
    });
    line(
      `(c) accept ${sizes.connections} concurrent connections (paired)`,
      `${acceptRate('engine').toFixed(0)} /s`,
      `${acceptRate('plain').toFixed(0)} /s`,
      median(acceptRatios),
      atLeast(0.9),
    );
    // Plain Node's CPU per accept over the engine's, so that (like the rate) higher is better for the engine.
    const cpu = (v: string): number => median(conns[v]!.map((x) => x.cpuUsPerAccept));
    line(
      '(c) ... receiver CPU time per accept',
      `${cpu('engine').toFixed(0)} µs`,
      `${cpu('plain').toFixed(0)} µs`,
      median(conns.plain!.map((x, round) => x.cpuUsPerAccept / conns.engine![round]!.cpuUsPerAccept)),
      INFO,
    );
    const kib = (b: number): string => `${(b / 1024).toFixed(1)} KiB`;
    // RSS moves by whole pages and with the allocator's moods: with few connections (--quick) a variant can come out
    // at or below zero, which is no measurement at all, so its ratio is NaN (and MISSED), never a ratio that passes.
    const memoryRatio = (a: number, b: number): number => (a > 0 && b > 0 ? a / b : NaN);
    line(
      '(c) memory per idle connection (RSS after GC)',
      kib(perConnection('engine')),
      kib(perConnection('plain')),
      memoryRatio(perConnection('engine'), perConnection('plain')),
      atMost(1.5),
    );
    line(
      '(c) ... of which timelines (engine without them)',
      kib(perConnection('engine')),
      kib(perConnection('engine-no-timeline')),
      memoryRatio(perConnection('engine'), perConnection('engine-no-timeline')),
      INFO,
    );
    const young = (v: string): number => median(conns[v]!.map((x) => x.youngPerConnection));
    line(
      '(c) ... not counted: young generation growth',
      kib(young('engine')),
      kib(young('plain')),
      young('engine') / Math.max(young('plain'), 1),
      INFO,
    );
    // The fewest in any round: every connection must be held at once, get its data in and its reply out, every time.
    const servedText = (v: string): string => `${worst(v).held}/${worst(v).served}/${worst(v).replies}`;
    line(
      '(c) connections served (held/data in/reply out)',
      servedText('engine'),
      servedText('plain'),
      worst('engine').replies / sizes.connections,
      exactly(sizes.connections, 'all'),
      Math.min(worst('engine').held, worst('engine').served, worst('engine').replies),
    );
  }

  if (runs('d')) {
    const udp: Record<string, Blast[]> = { plain: [], engine: [], 'engine-no-timeline': [] };
    for (let round = 0; round < Math.max(1, sizes.rounds - 1); round++)
      for (const v of Object.keys(udp)) udp[v]!.push(await datagramsOnce(v));
    const udpRate = (v: string): number => median(udp[v]!.map((x) => x.perS));
    const udpReceived = (v: string): number => median(udp[v]!.map((x) => x.received));
    line(
      `(d) ${sizes.datagrams} datagram blast, received rate`,
      `${udpRate('engine').toFixed(0)} /s`,
      `${udpRate('plain').toFixed(0)} /s`,
      udpRate('engine') / udpRate('plain'),
      atLeast(0.95),
    );
    line(
      '(d) ... the same without timelines',
      `${udpRate('engine').toFixed(0)} /s`,
      `${udpRate('engine-no-timeline').toFixed(0)} /s`,
      udpRate('engine') / udpRate('engine-no-timeline'),
      INFO,
    );
    line(
      `(d) datagrams received of ${sizes.datagrams} sent`,
      String(udpReceived('engine')),
      String(udpReceived('plain')),
      udpReceived('engine') / udpReceived('plain'),
      atLeast(0.95),
    );
    // Whatever did not arrive must be what the kernel says it dropped at the receiving socket, on both sides.
    const dropsText = (v: string): string => udp[v]!.map((x) => (x.drops === null ? 'unknown' : String(x.drops))).join('+');
    const unaccounted = (v: string): number =>
      Math.max(...udp[v]!.map((x) => (x.drops === null ? NaN : Math.abs(x.sent - x.received - x.drops))));
    const engineDrops = median(udp.engine!.map((x) => x.drops ?? NaN));
    const plainDrops = median(udp.plain!.map((x) => x.drops ?? NaN));
    line(
      '(d) kernel drops (receive queue full)',
      dropsText('engine'),
      dropsText('plain'),
      plainDrops > 0 ? engineDrops / plainDrops : engineDrops === 0 ? 1 : NaN,
      exactly(0, 'sent=got+dropped'),
      Math.max(unaccounted('engine'), unaccounted('plain')),
    );
  }

  if (runs('f')) {
    // Paired rounds, alternating which goes first.
    const rt: Record<string, number[]> = { 'engine-builtin-echo': [], 'engine-rule': [] };
    const ratios: number[] = [];
    for (let round = 0; round < sizes.rounds; round++) {
      for (const v of round % 2 ? ['engine-rule', 'engine-builtin-echo'] : ['engine-builtin-echo', 'engine-rule'])
        rt[v]!.push(await echoOnce(v));
      ratios.push(rt['engine-rule']![round]! / rt['engine-builtin-echo']![round]!);
    }
    line(
      `(f) regex auto-reply vs built-in echo, ${sizes.echoes} requests`,
      `${median(rt['engine-rule']!).toFixed(0)} rt/s`,
      `${median(rt['engine-builtin-echo']!).toFixed(0)} rt/s`,
      median(ratios),
      atLeast(0.8),
    );
  }

  if (runs('g')) {
    const seconds = quick ? 2 : 10;
    const bins: Record<string, number[]> = { engine: await repeatOnce('engine', seconds), plain: await repeatOnce('plain', seconds) };
    const average = (v: string): number => bins[v]!.reduce((a, b) => a + b, 0) / seconds;
    // The worst second's distance from the 1,000 sends a second asked for.
    const worst = (v: string): number => Math.max(...bins[v]!.map((n) => Math.abs(n / 1000 - 1)));
    line(
      `(g) repeat every 1 ms for ${seconds} s: worst second`,
      `${Math.min(...bins.engine!)}-${Math.max(...bins.engine!)}/s`,
      `${Math.min(...bins.plain!)}-${Math.max(...bins.plain!)}/s`,
      average('engine') / 1000,
      atMost(0.1),
      worst('engine'),
    );
    line(
      '(g) ... plain setInterval(1 ms), worst second',
      `${(worst('engine') * 100).toFixed(1)} %`,
      `${(worst('plain') * 100).toFixed(1)} %`,
      average('plain') / 1000,
      INFO,
    );
  }

  if (runs('e')) {
    const server = net.createServer((s) => s.on('error', () => undefined));
    await new Promise<void>((r) => server.listen({ port: 0, host: '127.0.0.1', backlog: 1024 }, r));
    const port = (server.address() as net.AddressInfo).port;
    const cd: Record<string, number[]> = { plain: [], 'plain-address': [], engine: [] };
    for (let round = 0; round < sizes.rounds; round++) for (const v of Object.keys(cd)) cd[v]!.push(await createDeleteOnce(v, port));
    server.close();
    const cdRatio = median(cd.engine!) / median(cd.plain!);
    line(
      `(e) create + delete ${sizes.createDelete} client connections`,
      `${(median(cd.engine!) * 1000).toFixed(0)} µs/op`,
      `${(median(cd.plain!) * 1000).toFixed(0)} µs/op`,
      cdRatio,
      atMost(1.5),
    );
    const withAddress = median(cd['plain-address']!);
    line(
      '(e) ... beside plain Node that reads its :local',
      `${(median(cd.engine!) * 1000).toFixed(0)} µs/op`,
      `${(withAddress * 1000).toFixed(0)} µs/op`,
      median(cd.engine!) / withAddress,
      INFO,
    );
  }

  if (runs('h')) {
    const server = net.createServer((s) => s.on('error', () => undefined));
    await new Promise<void>((r) => server.listen({ port: 0, host: '127.0.0.1', backlog: 1024 }, r));
    const port = (server.address() as net.AddressInfo).port;
    const ws: Record<string, number[]> = { engine: [], plain: [] };
    for (let round = 0; round < sizes.rounds; round++) for (const v of Object.keys(ws)) ws[v]!.push(await workspaceOnce(v, port));
    server.close();
    line(
      `(h) workspace of ${sizes.workspace} processes: open + start`,
      `${median(ws.engine!).toFixed(0)} ms`,
      `${median(ws.plain!).toFixed(0)} ms`,
      median(ws.engine!) / median(ws.plain!),
      below(2000, 0, ' ms'),
      median(ws.engine!),
    );
  }
  if (runs('i')) await exportFigures();
}

/** (i): the export alone (no plain Node to compare with): its rate, and how little memory it takes beside the conversation's size. */
async function exportFigures(): Promise<void> {
  const runs: Exported[] = [];
  for (let round = 0; round < sizes.rounds; round++) runs.push(await exportOnce());
  const rate = median(runs.map((x) => x.mibPerS));
  const growth = median(runs.map((x) => x.growthMiB));
  const size = `${sizes.exported / MiB} MiB`;
  line(`(i) pcapng export of a ${size} conversation`, `${rate.toFixed(0)} MiB/s`, '-', rate, atLeast(100, 0, ' MiB/s'));
  // Streamed: the file is written as it is made, so the receiver grows by a fraction of the conversation, not by the file.
  line(
    '(i) ... receiver memory growth while writing',
    `${growth.toFixed(1)} MiB`,
    `${median(runs.map((x) => x.fileMiB)).toFixed(0)} MiB file`,
    growth / (sizes.exported / MiB),
    atMost(0.25),
  );
  const missing = Math.max(...runs.map((x) => x.missing));
  line('(i) ... payload bytes missing from the file', String(missing), '-', missing, exactly(0, 'none'));
}

/** Runs the benchmark in a child whose descriptor limit is raised, where this process's is too low. */
async function withDescriptors(): Promise<void> {
  const limit = openFileLimit();
  if (limit === null || limit >= DESCRIPTORS_NEEDED || process.env.NETPROC_BENCH_RAISED) return main();
  const child = spawnWithDescriptors([...process.execArgv, ...process.argv.slice(1)], {
    stdio: 'inherit',
    env: { ...process.env, NETPROC_BENCH_RAISED: '1' },
  });
  const code = await new Promise<number>((resolve) => child.on('exit', (c) => resolve(c ?? 1)));
  process.exit(code);
}

withDescriptors().catch((err) => {
  console.error(err);
  process.exit(1);
});
