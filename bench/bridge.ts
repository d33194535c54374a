/**
 * `npm run bench:bridge`: 256 MiB flood into one connection, with and without
 * a WebSocket client (standing in for the renderer) that follows the events
 * and reads the visible tail after each batch. Prints the ingest ratio, the
 * batches per second the client got, and main's memory against the buffer cap.
 */
import { spawn } from 'node:child_process';
import net from 'node:net';
import { fileURLToPath } from 'node:url';
import { messages } from './child-messages.js';
import { median } from './stats.js';
import { atLeast, atMost, INFO, verdict, type Target } from './verdict.js';
import { WebSocket } from 'ws';
import { createNetprocApi, type EventBatch } from '../app/shared/api.js';
import { createWebSocketTransport, type WebSocketLike } from '../app/renderer/web-shim.js';

const quick = process.argv.includes('--quick');
const MiB = 1024 * 1024;
const total = (quick ? 16 : 256) * MiB;
const rounds = quick ? 1 : 2;
/** Main's memory growth during a flood may be at most this many times the buffer cap. */
const MEMORY_PER_CAP = 3;
const mainScript = fileURLToPath(new URL('./bridge-main.ts', import.meta.url));

interface Round {
  mibPerS: number;
  batchesPerS: number;
  tailReads: number;
  rssGrowth: number;
  cap: number;
}

async function round(attached: boolean, bytes = total): Promise<Round> {
  const child = spawn(process.execPath, ['--expose-gc', '--import', 'tsx', mainScript, String(bytes)], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const { next } = messages(child.stdout, 'bridge-main');
  const ready = (await next()) as { port: number; ws: string; origin: string };

  let batches = 0;
  let tailReads = 0;
  let firstBatch = 0;
  let lastBatch = 0;
  let close = (): void => undefined;
  if (attached) {
    const transport = createWebSocketTransport(ready.ws, (url) => new WebSocket(url, { origin: ready.origin }) as unknown as WebSocketLike);
    await transport.opened;
    close = () => transport.close();
    const api = createNetprocApi(transport);
    let reading = false;
    api.onEvents((batch: EventBatch) => {
      batches++;
      lastBatch = performance.now();
      if (!firstBatch) firstBatch = lastBatch;
      const change = batch.events.find((e) => e.type === 'buffer-changed');
      // Like a view in follow mode: read the visible tail (about 4 KiB) whenever the buffer grew.
      if (change && change.type === 'buffer-changed' && !reading) {
        reading = true;
        void api
          .readBuffer({ name: change.buffer.name, tail: 4096 })
          .then(() => tailReads++)
          .catch(() => undefined)
          .finally(() => (reading = false));
      }
    });
    await api.snapshot({});
  }

  const socket = await new Promise<net.Socket>((resolve, reject) => {
    const s = net.connect(ready.port, '127.0.0.1', () => resolve(s));
    s.on('error', reject);
  });
  const block = Buffer.alloc(MiB, 'bridge bench line 0123456789abcdef\n');
  for (let sent = 0; sent < bytes; sent += block.length) {
    if (!socket.write(block)) await new Promise((r) => socket.once('drain', r));
  }
  const done = (await next()) as { ms: number; rssBefore: number; rssPeak: number; cap: number };
  socket.destroy();
  close();
  child.kill();
  const seconds = Math.max(lastBatch - firstBatch, 1) / 1000;
  return {
    mibPerS: bytes / MiB / (done.ms / 1000),
    batchesPerS: attached ? batches / seconds : 0,
    tailReads,
    rssGrowth: done.rssPeak - done.rssBefore,
    cap: done.cap,
  };
}

async function main(): Promise<void> {
  console.log(
    `netproc bridge benchmark${quick ? ' (quick sizes)' : ''}: ${total / MiB} MiB flood, ${rounds} round(s) each, median shown\n`,
  );
  const none: Round[] = [];
  const withClient: Round[] = [];
  for (let r = 0; r < rounds; r++) {
    none.push(await round(false));
    withClient.push(await round(true));
  }
  const rateNone = median(none.map((x) => x.mibPerS));
  const rateWith = median(withClient.map((x) => x.mibPerS));
  const ratio = rateWith / rateNone;
  const bps = median(withClient.map((x) => x.batchesPerS));
  const growth = Math.max(...withClient.map((x) => x.rssGrowth));
  const cap = withClient[0]!.cap;
  // Memory must be bounded by the cap, not by how much flowed through: a flood four times larger must not need more.
  const larger = await round(true, total * 4);
  const show = (label: string, value: string, target: Target, figure: number): void =>
    console.log(`${label.padEnd(58)} ${value.padStart(22)}   target ${target.text.padEnd(14)} ${verdict(figure, target)}`);
  show(
    'ingest, client attached vs none',
    `${rateWith.toFixed(0)} / ${rateNone.toFixed(0)} MiB/s = ${ratio.toFixed(2)}`,
    atLeast(0.85),
    ratio,
  );
  // 60 frames a second, with a little room for timer jitter in how the span is measured.
  show('event batches delivered to the client per second', `${bps.toFixed(1)} /s`, atMost(62, 0), bps);
  show('tail reads answered during the flood', String(median(withClient.map((x) => x.tailReads))), INFO, NaN);
  // The buffer holds at most the cap; the rest is garbage not yet collected, which must stay
  // within a fixed multiple of the cap however much flows through.
  show(
    `main-process memory growth (peak), ${(total / MiB).toFixed(0)} MiB flood`,
    `${(growth / MiB).toFixed(0)} MiB = ${(growth / cap).toFixed(2)}x cap`,
    atMost(MEMORY_PER_CAP, 1, 'x cap'),
    growth / cap,
  );
  show(
    `... the same with a ${((total * 4) / MiB).toFixed(0)} MiB flood`,
    `${(larger.rssGrowth / MiB).toFixed(0)} MiB = ${(larger.rssGrowth / growth).toFixed(2)}x`,
    atMost(1.15, 2, 'x'),
    larger.rssGrowth / growth,
  );
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
