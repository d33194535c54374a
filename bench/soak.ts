/**
 * `npm run bench:soak`: N plain Node clients each send SIZE random bytes every
 * INTERVAL ms for SECONDS through an engine server's echo filter (the engine
 * in its own process, bench/soak-engine.ts), and check that every byte came
 * back in order. Prints the engine's RSS (after a full GC) and open
 * descriptors as it goes, their trend, and a verdict that says MISSED if
 * anything was lost or memory or descriptors grew past the stated bounds.
 *
 *   npm run bench:soak -- --clients 50 --interval 10 --size 1024 --seconds 180
 *
 * The defaults are a smoke run small enough for the test suite.
 */
import { spawn } from 'node:child_process';
import { createHash, randomBytes, type Hash } from 'node:crypto';
import net from 'node:net';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { messages } from './child-messages.js';
import { rssSlopeMiBPerMinute, SOAK_BOUNDS, soakVerdict, type SoakSample } from './soak-report.js';

const MiB = 1024 * 1024;
const { values: flags } = parseArgs({
  options: {
    clients: { type: 'string', default: '3' },
    interval: { type: 'string', default: '10' },
    size: { type: 'string', default: '1024' },
    seconds: { type: 'string', default: '2' },
    sample: { type: 'string' },
    'buffer-cap': { type: 'string', default: String(MiB) },
  },
});

function positiveInteger(name: string, text: string | undefined): number {
  const value = Number(text);
  if (!Number.isInteger(value) || value <= 0) {
    console.error(`bench:soak: --${name} must be a positive integer, got ${JSON.stringify(text)}`);
    process.exit(2);
  }
  return value;
}

const clientCount = positiveInteger('clients', flags.clients);
const intervalMs = positiveInteger('interval', flags.interval);
const size = positiveInteger('size', flags.size);
const seconds = positiveInteger('seconds', flags.seconds);
// Every 10 s in a real run, every second in a short (smoke) one.
const sampleSeconds = positiveInteger('sample', flags.sample ?? (seconds < 30 ? '1' : '10'));
const bufferCap = positiveInteger('buffer-cap', flags['buffer-cap']);
// Buffers fill up to their cap first; growth before then is expected and not judged.
const warmupSeconds = Math.min(seconds / 5, 30);

const enginePath = fileURLToPath(new URL('./soak-engine.ts', import.meta.url));

interface Client {
  socket: net.Socket;
  sent: number;
  received: number;
  sentHash: Hash;
  receivedHash: Hash;
  timer: NodeJS.Timeout | null;
}

function connectClient(port: number): Promise<Client> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, '127.0.0.1');
    const client: Client = {
      socket,
      sent: 0,
      received: 0,
      sentHash: createHash('sha256'),
      receivedHash: createHash('sha256'),
      timer: null,
    };
    socket.setNoDelay(true);
    socket.on('data', (chunk: Buffer) => {
      client.received += chunk.length;
      client.receivedHash.update(chunk);
    });
    socket.once('connect', () => resolve(client));
    socket.once('error', reject);
  });
}

function startSending(client: Client): void {
  client.timer = setInterval(() => {
    const message = randomBytes(size);
    client.sent += message.length;
    client.sentHash.update(message);
    client.socket.write(message);
  }, intervalMs);
}

async function waitUntil(check: () => boolean | Promise<boolean>, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) return false;
    await new Promise((r) => setTimeout(r, 50));
  }
  return true;
}

const mib = (bytes: number): string => `${(bytes / MiB).toFixed(1)} MiB`;

async function main(): Promise<void> {
  console.log(
    `netproc soak: ${clientCount} clients × ${size} B every ${intervalMs} ms for ${seconds} s through the engine's echo filter ` +
      `(buffer cap ${mib(bufferCap)}); engine RSS after GC and open descriptors every ${sampleSeconds} s\n`,
  );
  const engine = spawn(process.execPath, ['--expose-gc', '--import', 'tsx', enginePath, String(bufferCap)], {
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  const { next } = messages(engine.stdout, 'soak engine', 60_000);
  const ask = async (): Promise<{ rss: number; fds: number; connections: number }> => {
    engine.stdin.write('sample\n');
    return (await next()) as { rss: number; fds: number; connections: number };
  };
  const clients: Client[] = [];
  try {
    const ready = (await next()) as { port: number; rss: number; fds: number };
    const fdsBefore = ready.fds;
    for (let i = 0; i < clientCount; i++) clients.push(await connectClient(ready.port));
    if (!(await waitUntil(async () => (await ask()).connections === clientCount, 10_000)))
      throw new Error('the engine did not accept every client');

    const samples: SoakSample[] = [];
    const started = performance.now();
    const record = async (): Promise<void> => {
      const { rss, fds } = await ask();
      const t = (performance.now() - started) / 1000;
      samples.push({ t, rss, fds });
      const echoed = clients.reduce((sum, c) => sum + c.received, 0);
      console.log(
        `${t.toFixed(0).padStart(5)} s   RSS ${mib(rss).padStart(10)}   fds ${String(fds).padStart(5)}   echoed ${mib(echoed).padStart(10)}`,
      );
    };
    await record();
    for (const c of clients) startSending(c);
    for (let k = 1; k * sampleSeconds <= seconds; k++) {
      await new Promise((r) => setTimeout(r, Math.max(0, started + k * sampleSeconds * 1000 - performance.now())));
      await record();
    }
    for (const c of clients) clearInterval(c.timer!);
    // Everything sent must come back; allow the echo time to drain.
    await waitUntil(() => clients.every((c) => c.received >= c.sent), 15_000);
    const steady = samples.filter((s) => s.t >= warmupSeconds);

    for (const c of clients) c.socket.end();
    const allGone = await waitUntil(async () => (await ask()).connections === 0, 10_000);
    const after = await ask();

    const outcome = {
      clients: clients.map((c) => {
        const inOrder = c.received === c.sent && c.receivedHash.digest('hex') === c.sentHash.digest('hex');
        return { sent: c.sent, received: c.received, inOrder };
      }),
      steady,
      fdsBefore,
      fdsAfter: after.fds,
    };
    const sent = outcome.clients.reduce((sum, c) => sum + c.sent, 0);
    const received = outcome.clients.reduce((sum, c) => sum + c.received, 0);
    const intact = outcome.clients.filter((c) => c.inOrder).length;
    const first = steady[0];
    const last = steady[steady.length - 1];
    console.log('');
    console.log(
      `trend after the ${warmupSeconds.toFixed(1)} s warm-up: RSS ${rssSlopeMiBPerMinute(steady).toFixed(2)} MiB/min` +
        (first && last ? ` (${mib(first.rss)} → ${mib(last.rss)}), fds ${first.fds} → ${last.fds}` : ''),
    );
    console.log(`echoed: ${sent} B sent, ${received} B back; ${intact} of ${clientCount} clients got every byte back in order`);
    console.log(
      `descriptors: ${fdsBefore} before the clients came, ${after.fds} after they left${allGone ? '' : ' (some connections still open)'}`,
    );
    const { ok, reasons } = soakVerdict(outcome);
    console.log(
      `soak verdict: ${ok ? 'ok' : 'MISSED'} (bounds: nothing lost; RSS growth after warm-up <= ${SOAK_BOUNDS.rssGrowthMiB} MiB; ` +
        `fds growth <= ${SOAK_BOUNDS.fdGrowth}; none left open)${ok ? '' : ': ' + reasons.join('; ')}`,
    );
  } finally {
    for (const c of clients) {
      if (c.timer) clearInterval(c.timer);
      c.socket.destroy();
    }
    engine.stdin.write('quit\n');
    await waitUntil(() => engine.exitCode !== null, 5000);
    if (engine.exitCode === null) engine.kill();
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
