/**
 * `npm run bench:stalled-peer`: a peer sends MiB megabytes to an engine
 * server whose connection echoes (the workbench's built-in echo filter) and
 * never reads a byte back. Without backpressure the engine queued every echo
 * (RSS 55 → 574 MiB for 200 MB); with it, the engine stops reading once its
 * unsent output passes 1 MiB and TCP holds the peer back. Prints the engine's
 * RSS (after a full GC) each second while the peer pushes, how much the
 * engine took in, and a verdict: MISSED if RSS grew by more than the
 * connection buffer's cap plus 32 MiB, or the engine took in everything.
 *
 *   npm run bench:stalled-peer -- --mib 200
 */
import { spawn } from 'node:child_process';
import net from 'node:net';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { messages } from './child-messages.js';
import { atMost, below, verdict } from './verdict.js';

const MiB = 1024 * 1024;
const { values: flags } = parseArgs({
  options: { mib: { type: 'string', default: '200' }, 'buffer-cap': { type: 'string', default: '64' } },
});
const total = Number(flags.mib) * MiB;
const bufferCap = Number(flags['buffer-cap']) * MiB;
if (!Number.isInteger(total) || total <= 0 || !Number.isInteger(bufferCap) || bufferCap <= 0) {
  console.error('bench:stalled-peer: --mib and --buffer-cap must be positive whole numbers of MiB');
  process.exit(2);
}

const enginePath = fileURLToPath(new URL('./soak-engine.ts', import.meta.url));
const engine = spawn(process.execPath, ['--expose-gc', '--import', 'tsx', enginePath, String(bufferCap)], {
  stdio: ['pipe', 'pipe', 'inherit'],
});
const { next } = messages(engine.stdout, 'engine', 60_000);
const sample = async (): Promise<{ rss: number }> => {
  engine.stdin.write('sample\n');
  return (await next()) as unknown as { rss: number };
};

const hello = (await next()) as unknown as { port: number; rss: number };
const peer = net.connect(hello.port, '127.0.0.1');
await new Promise<void>((resolve) => peer.once('connect', resolve));
peer.pause();
const piece = Buffer.alloc(64 * 1024, 0x61);
let written = 0;
let lastProgress = Date.now();
const pump = (): void => {
  while (written < total) {
    written += piece.length;
    lastProgress = Date.now();
    if (!peer.write(piece)) {
      peer.once('drain', pump);
      return;
    }
  }
};
pump();

const start = hello.rss;
let peak = start;
console.log(`engine RSS before: ${(start / MiB).toFixed(1)} MiB; the peer sends ${total / MiB} MiB and never reads`);
// Until the peer is held back (no progress for 3 s) or has sent everything; 120 s at most.
const deadline = Date.now() + 120_000;
while (Date.now() - lastProgress < 3000 && written < total && Date.now() < deadline) {
  await new Promise((resolve) => setTimeout(resolve, 1000));
  const { rss } = await sample();
  peak = Math.max(peak, rss);
  console.log(
    `  peer has written ${(written / MiB).toFixed(1)} MiB (its own queue ${(peer.writableLength / MiB).toFixed(1)} MiB); engine RSS ${(rss / MiB).toFixed(1)} MiB`,
  );
}
const taken = written - peer.writableLength;
const growth = peak - start;
const growthTarget = atMost((bufferCap + 32 * MiB) / MiB, 0, ' MiB');
const takenTarget = below(total / MiB, 0, ' MiB');
console.log(
  `engine RSS growth (peak - before): ${(growth / MiB).toFixed(1)} MiB, target ${growthTarget.text}: ${verdict(growth / MiB, growthTarget)}`,
);
console.log(
  `bytes that left the peer: ${(taken / MiB).toFixed(1)} MiB, target ${takenTarget.text} (held back): ${verdict(taken / MiB, takenTarget)}`,
);
peer.destroy();
engine.stdin.write('quit\n');
