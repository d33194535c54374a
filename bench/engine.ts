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
import { messages } from './child-messages.js';
import { median } from './stats.js';

const quick = process.argv.includes('--quick');
const MiB = 1024 * 1024;
const sizes = quick
  ? { ingest: 8 * MiB, echoes: 300, connections: 200, datagrams: 3000, createDelete: 50, rounds: 1 }
  : { ingest: 256 * MiB, echoes: 10_000, connections: 5000, datagrams: 100_000, createDelete: 1000, rounds: 3 };

const receiverPath = fileURLToPath(new URL('./engine-receiver.ts', import.meta.url));

interface Receiver {
  child: ChildProcess;
  next: () => Promise<Record<string, unknown>>;
  send: (line: string) => void;
}

function startReceiver(scenario: string, variant: string, arg = ''): Receiver {
  const child = spawn(process.execPath, ['--expose-gc', '--import', 'tsx', receiverPath, scenario, variant, arg], {
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  const { next } = messages(child.stdout!, `${scenario}/${variant}`, 120_000);
  return {
    child,
    next,
    send: (line) => child.stdin!.write(line + '\n'),
  };
}

function stop(receiver: Receiver): Promise<void> {
  return new Promise((resolve) => {
    if (receiver.child.exitCode !== null) return resolve();
    receiver.child.once('exit', () => resolve());
    receiver.child.kill();
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
async function connectionsOnce(
  variant: string,
): Promise<{ acceptsPerS: number; bytesPerConnection: number; served: number; replies: number }> {
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
  const done = (await r.next()) as { ms: number; rssBefore: number; rssAll: number; served: number };
  const deadline = Date.now() + 30_000;
  while (replies < sizes.connections && Date.now() < deadline) await new Promise((res) => setTimeout(res, 20));
  for (const s of sockets) s.destroy();
  await stop(r);
  return {
    acceptsPerS: sizes.connections / (done.ms / 1000),
    bytesPerConnection: (done.rssAll - done.rssBefore) / sizes.connections,
    served: done.served,
    replies,
  };
}

// ───────────── (d) datagram blast ─────────────
async function datagramsOnce(variant: string): Promise<{ perS: number; received: number }> {
  const r = startReceiver('datagrams', variant);
  const { port } = (await r.next()) as { port: number };
  const sender = dgram.createSocket('udp4');
  const payload = Buffer.alloc(512, 'u');
  for (let sent = 0; sent < sizes.datagrams;) {
    const batch: Array<Promise<void>> = [];
    for (let k = 0; k < 64 && sent < sizes.datagrams; k++, sent++) {
      batch.push(new Promise((resolve) => sender.send(payload, port, '127.0.0.1', () => resolve())));
    }
    await Promise.all(batch);
  }
  await new Promise((res) => setTimeout(res, 500));
  r.send('report');
  const done = (await r.next()) as { received: number; ms: number };
  sender.close();
  await stop(r);
  return { perS: done.received / (Math.max(done.ms, 1) / 1000), received: done.received };
}

// ───────────── (e) create + delete ─────────────
async function createDeleteOnce(variant: string, port: number): Promise<number> {
  const r = startReceiver('create-delete', variant, `${port}:${sizes.createDelete}`);
  const done = (await r.next()) as { ms: number; count: number };
  await stop(r);
  return done.ms / done.count;
}

function line(figure: string, engine: string, plain: string, ratio: number, target: string, ok: boolean): void {
  console.log(
    `${figure.padEnd(46)} engine ${engine.padStart(14)}   plain ${plain.padStart(14)}   ratio ${ratio.toFixed(2).padStart(5)}   target ${target.padEnd(8)} ${ok ? 'ok' : 'MISSED'}`,
  );
}

async function main(): Promise<void> {
  console.log(
    `netproc engine benchmark${quick ? ' (quick sizes)' : ''}: node ${process.version}, ${sizes.rounds} round(s), median shown\n`,
  );

  const ingest: Record<string, Array<{ mibPerS: number; memoryRatio: number }>> = { plain: [], 'engine-utf8': [], 'engine-binary': [] };
  for (let round = 0; round < Math.max(1, sizes.rounds - 1); round++) {
    for (const variant of Object.keys(ingest)) ingest[variant]!.push(await ingestOnce(variant));
  }
  const rate = (v: string): number => median(ingest[v]!.map((x) => x.mibPerS));
  const mem = (v: string): number => median(ingest[v]!.map((x) => x.memoryRatio));
  const mbs = (n: number): string => `${n.toFixed(0)} MiB/s`;
  line(
    `(a) ingest ${sizes.ingest / MiB} MiB into a buffer, utf-8`,
    mbs(rate('engine-utf8')),
    mbs(rate('plain')),
    rate('engine-utf8') / rate('plain'),
    '>= 0.60',
    rate('engine-utf8') / rate('plain') >= 0.6,
  );
  line(
    `(a) ingest ${sizes.ingest / MiB} MiB into a buffer, binary`,
    mbs(rate('engine-binary')),
    mbs(rate('plain')),
    rate('engine-binary') / rate('plain'),
    '>= 0.60',
    rate('engine-binary') / rate('plain') >= 0.6,
  );
  line(
    '(a) binary vs utf-8 ingest rate',
    mbs(rate('engine-binary')),
    mbs(rate('engine-utf8')),
    rate('engine-binary') / rate('engine-utf8'),
    '>= ~1.0',
    rate('engine-binary') / rate('engine-utf8') >= 0.95,
  );
  line(
    '(a) peak memory / data held',
    `${mem('engine-utf8').toFixed(2)}x`,
    `${mem('plain').toFixed(2)}x`,
    mem('engine-utf8'),
    '<= 1.30',
    mem('engine-utf8') <= 1.3,
  );

  const echo: Record<string, number[]> = { plain: [], engine: [] };
  for (let round = 0; round < sizes.rounds; round++) for (const v of Object.keys(echo)) echo[v]!.push(await echoOnce(v));
  const echoRatio = median(echo.engine!) / median(echo.plain!);
  line(
    `(b) ${sizes.echoes} sequential echo round trips`,
    `${median(echo.engine!).toFixed(0)} rt/s`,
    `${median(echo.plain!).toFixed(0)} rt/s`,
    echoRatio,
    '>= 0.80',
    echoRatio >= 0.8,
  );

  const conns: Record<string, Awaited<ReturnType<typeof connectionsOnce>>> = {};
  for (const v of ['plain', 'engine']) conns[v] = await connectionsOnce(v);
  const acceptRatio = conns.engine!.acceptsPerS / conns.plain!.acceptsPerS;
  line(
    `(c) accept ${sizes.connections} concurrent connections`,
    `${conns.engine!.acceptsPerS.toFixed(0)} /s`,
    `${conns.plain!.acceptsPerS.toFixed(0)} /s`,
    acceptRatio,
    '>= 0.70',
    acceptRatio >= 0.7,
  );
  const kib = (b: number): string => `${(b / 1024).toFixed(1)} KiB`;
  line(
    '(c) memory per idle connection',
    kib(conns.engine!.bytesPerConnection),
    kib(conns.plain!.bytesPerConnection),
    conns.engine!.bytesPerConnection / Math.max(conns.plain!.bytesPerConnection, 1),
    '< 20 KiB',
    conns.engine!.bytesPerConnection < 20 * 1024,
  );
  line(
    '(c) connections served (data in, reply out)',
    `${conns.engine!.served}/${conns.engine!.replies}`,
    `${conns.plain!.served}/${conns.plain!.replies}`,
    conns.engine!.replies / sizes.connections,
    'all',
    conns.engine!.replies === sizes.connections && conns.engine!.served === sizes.connections,
  );

  const udp: Record<string, Array<{ perS: number; received: number }>> = { plain: [], engine: [] };
  for (let round = 0; round < Math.max(1, sizes.rounds - 1); round++)
    for (const v of Object.keys(udp)) udp[v]!.push(await datagramsOnce(v));
  const udpRate = (v: string): number => median(udp[v]!.map((x) => x.perS));
  const udpReceived = (v: string): number => median(udp[v]!.map((x) => x.received));
  line(
    `(d) ${sizes.datagrams} datagram blast, received rate`,
    `${udpRate('engine').toFixed(0)} /s`,
    `${udpRate('plain').toFixed(0)} /s`,
    udpRate('engine') / udpRate('plain'),
    '>= 0.90',
    udpRate('engine') / udpRate('plain') >= 0.9,
  );
  line(
    '(d) datagrams received (rest lost in the kernel)',
    String(udpReceived('engine')),
    String(udpReceived('plain')),
    udpReceived('engine') / udpReceived('plain'),
    'info',
    true,
  );

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
    '<= 1.50',
    cdRatio <= 1.5,
  );
  const withAddress = median(cd['plain-address']!);
  line(
    '(e) ... beside plain Node that reads its :local',
    `${(median(cd.engine!) * 1000).toFixed(0)} µs/op`,
    `${(withAddress * 1000).toFixed(0)} µs/op`,
    median(cd.engine!) / withAddress,
    'info',
    true,
  );
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
