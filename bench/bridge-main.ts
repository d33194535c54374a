/**
 * The main-process side of bench/bridge.ts: engine, bridge and loopback web
 * host in one process, as in the app, with a server whose connection the
 * benchmark floods. Reports on stdout as JSON lines.
 */
import { Bridge } from '../app/main/bridge/bridge.js';
import { Netproc } from '../app/main/netproc/index.js';
import { rendererFixtureDir } from './fixtures.js';
import { startWebHost } from '../app/main/web.js';

const total = Number(process.argv[2]);
// Bytes a benchmark sends to set up (open the view) before the timed flood starts.
const warmup = Number(process.env.NETPROC_BENCH_WARMUP_BYTES ?? 0);
const say = (m: Record<string, unknown>): void => void process.stdout.write(JSON.stringify(m) + '\n');

let rssPeak = 0;
const sample = (): number => {
  const rss = process.memoryUsage.rss();
  rssPeak = Math.max(rssPeak, rss);
  return rss;
};
const sampler = setInterval(sample, 10);

const np = new Netproc();
const bridge = new Bridge(np);
// bench:ui serves the real renderer; bench:bridge needs only the WebSocket.
const host = await startWebHost({ bridge, rendererDir: process.env.NETPROC_RENDERER_DIR ?? rendererFixtureDir() });
const srv = (await np.makeNetworkProcess({ name: 'flood', server: true, service: true, buffer: '*flood*' }))!;
(globalThis as { gc?: () => void }).gc?.();
const rssBefore = sample();
rssPeak = rssBefore;
let first = 0;
np.on('buffer-changed', (e) => {
  if (!first && e.end > warmup) first = performance.now();
  if (e.end >= total + warmup) {
    const ms = performance.now() - first;
    clearInterval(sampler);
    say({ done: true, ms, rssBefore, rssPeak: Math.max(rssPeak, sample()), cap: np.getBuffer(e.name)?.byteCap, held: e.length });
    setTimeout(() => process.exit(0), 50);
  }
});
say({
  port: np.processContact(srv, 'service'),
  url: host.url,
  ws: `ws://127.0.0.1:${host.port}/ws?token=${host.token}`,
  origin: `http://127.0.0.1:${host.port}`,
});
