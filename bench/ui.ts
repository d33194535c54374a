/**
 * `npm run bench:ui`: the workbench in headless Chromium (the web host),
 * following the buffer of a connection that a peer floods with 256 MiB.
 * Reports the frames the page renders per second during the flood, the delay
 * from a key press in the input line to its character on screen, and the
 * engine's ingest rate with the page attached against none.
 */
import { spawn } from 'node:child_process';
import net from 'node:net';
import { fileURLToPath } from 'node:url';
import { messages } from './child-messages.js';
import { median, percentile } from './stats.js';
import { chromium } from '@playwright/test';
import { CHROMIUM } from '../e2e/hosts.js';

const quick = process.argv.includes('--quick');
/** `--no-follow`: keep the page open without opening the flooded buffer, to see what the page alone costs. */
const noFollow = process.argv.includes('--no-follow');
const MiB = 1024 * 1024;
const total = (quick ? 16 : 256) * MiB;
const mainScript = fileURLToPath(new URL('./bridge-main.ts', import.meta.url));
const rendererDir = fileURLToPath(new URL('../dist/renderer', import.meta.url));

/** Counts frames and measures key press → painted character in the page. */
const PAGE_PROBE = `
  window.framesSeen = 0; window.keyDelays = []; window.pendingKey = null;
  const tick = () => { window.framesSeen++; requestAnimationFrame(tick); };
  requestAnimationFrame(tick);
  const input = document.querySelector('input[aria-label^="Input for"]');
  if (input) input.addEventListener('keydown', (e) => { window.pendingKey = e.timeStamp; });
  if (input) input.addEventListener('input', () => {
    const started = window.pendingKey;
    if (started === null) return;
    // The character is on screen at the frame after React renders the new value.
    requestAnimationFrame(() => requestAnimationFrame(() => window.keyDelays.push(performance.now() - started)));
  });
`;

const WARMUP = 'start\n';

interface Result {
  mibPerS: number;
  fps: number;
  keyDelays: number[];
}

/** `probe`: measure frames and key delays too (the probe itself asks for every frame, so ingest is timed without it). */
async function round(withPage: boolean, probe = false): Promise<Result> {
  const child = spawn(process.execPath, ['--import', 'tsx', mainScript, String(total)], {
    stdio: ['ignore', 'pipe', 'inherit'],
    env: { ...process.env, NETPROC_RENDERER_DIR: rendererDir, NETPROC_BENCH_WARMUP_BYTES: withPage ? String(WARMUP.length) : '0' },
  });
  const { next } = messages(child.stdout, 'bridge-main');
  const ready = (await next()) as { port: number; url: string };
  const socket = await new Promise<net.Socket>((resolve, reject) => {
    const s = net.connect(ready.port, '127.0.0.1', () => resolve(s));
    s.on('error', reject);
  });

  let fps = 0;
  let keyDelays: number[] = [];
  const browser = withPage
    ? await chromium.launch({
        executablePath: CHROMIUM,
        args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--no-first-run'],
      })
    : null;
  try {
    const page = browser ? await browser.newPage({ viewport: { width: 1280, height: 800 } }) : null;
    if (page) {
      await page.goto(ready.url);
      // Open the flooded connection's buffer (follow mode is on by default).
      socket.write(WARMUP);
      await page.getByRole('cell', { name: /^flood </ }).waitFor();
      if (!noFollow) await page.getByRole('cell', { name: /^flood </ }).click();
      if (!noFollow) await page.getByRole('log').waitFor();
      // A string, not a function: the TypeScript loader would add helpers the page does not have.
      if (probe) await page.evaluate(PAGE_PROBE);
      // Let the page finish starting (script compilation, first layouts) before the timed flood, which lasts about a second.
      await new Promise((r) => setTimeout(r, 1500));
      if (probe) await page.evaluate('window.framesSeen = 0');
    }
    const flood = (async () => {
      const block = Buffer.alloc(MiB, 'ui bench line 0123456789 abcdefghijklmnopqrstuvwxyz\n');
      for (let sent = 0; sent < total; sent += block.length) {
        if (!socket.write(block)) await new Promise((r) => socket.once('drain', r));
      }
    })();
    const typing = (async () => {
      if (!page || !probe || noFollow) return;
      const input = page.getByRole('textbox', { name: /^Input for flood/ });
      await input.click();
      for (let k = 0; k < (quick ? 10 : 40); k++) {
        await page.keyboard.type('x');
        await new Promise((r) => setTimeout(r, 50));
      }
    })();
    const startedAt = performance.now();
    const done = (await next()) as { ms: number };
    await flood;
    await typing;
    const seconds = (performance.now() - startedAt) / 1000;
    if (page && probe) {
      const measured = (await page.evaluate('({ frames: window.framesSeen, keyDelays: window.keyDelays })')) as {
        frames: number;
        keyDelays: number[];
      };
      fps = measured.frames / seconds;
      keyDelays = measured.keyDelays;
    }
    return { mibPerS: total / MiB / (done.ms / 1000), fps, keyDelays };
  } finally {
    await browser?.close();
    socket.destroy();
    child.kill();
  }
}

async function main(): Promise<void> {
  console.log(`netproc UI benchmark${quick ? ' (quick sizes)' : ''}: ${total / MiB} MiB flood into a followed buffer, headless Chromium\n`);
  const measured = await round(true, true);
  // A 256 MiB flood lasts about a second here, so each side is run several times, alternating, and the medians compared.
  const none: number[] = [];
  const ui: number[] = [];
  for (let r = 0; r < (quick ? 1 : 4); r++) {
    none.push((await round(false)).mibPerS);
    ui.push((await round(true)).mibPerS);
  }
  const rateNone = median(none);
  const rateUi = median(ui);
  const fps = measured.fps;
  const delays = measured.keyDelays;
  const p95 = percentile(delays, 95);
  const show = (label: string, value: string, target: string, ok: boolean): void =>
    console.log(`${label.padEnd(52)} ${value.padStart(26)}   target ${target.padEnd(10)} ${ok ? 'ok' : 'MISSED'}`);
  show('frames rendered per second during the flood (probe run)', `${fps.toFixed(1)} /s`, '>= 30', fps >= 30);
  show(
    `key press to character on screen, p95 of ${delays.length}`,
    `${p95.toFixed(1)} ms (median ${percentile(delays, 50).toFixed(1)})`,
    '< 100 ms',
    p95 < 100,
  );
  show(
    'ingest with the UI following vs none (medians)',
    `${rateUi.toFixed(0)} / ${rateNone.toFixed(0)} MiB/s = ${(rateUi / rateNone).toFixed(2)}`,
    '>= 0.80',
    rateUi / rateNone >= 0.8,
  );
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
