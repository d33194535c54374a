/**
 * `npm run bench:ui`: the workbench in headless Chromium (the web host),
 * following the buffer of a connection that a peer floods with 256 MiB.
 * Reports the frames the page renders per second during the flood, the delay
 * from a key press in the input line to its character on screen, the
 * engine's ingest rate with the page attached against none, and how soon a
 * full (64 MiB) buffer opened from the buffer list shows its tail.
 */
import { spawn } from 'node:child_process';
import net from 'node:net';
import { fileURLToPath } from 'node:url';
import { messages } from './child-messages.js';
import { median, percentile } from './stats.js';
import { atLeast, below, verdict, type Target } from './verdict.js';
import { chromium, type Page } from '@playwright/test';
import { CHROMIUM } from '../e2e/hosts.js';

const quick = process.argv.includes('--quick');
/** `--no-follow`: keep the page open without opening the flooded buffer, to see what the page alone costs. */
const noFollow = process.argv.includes('--no-follow');
const MiB = 1024 * 1024;
const total = (quick ? 16 : 256) * MiB;
const mainScript = fileURLToPath(new URL('./bridge-main.ts', import.meta.url));
const rendererDir = fileURLToPath(new URL('../dist/renderer', import.meta.url));

/** Records each frame's time and each key press → painted character delay, on the page's clock. */
const PAGE_PROBE = `
  window.frameTimes = []; window.keys = []; window.pendingKey = null;
  const tick = () => { window.frameTimes.push(performance.now()); requestAnimationFrame(tick); };
  requestAnimationFrame(tick);
  const input = document.querySelector('input[aria-label^="Input for"]');
  if (input) input.addEventListener('keydown', (e) => { window.pendingKey = e.timeStamp; });
  if (input) input.addEventListener('input', () => {
    const started = window.pendingKey;
    if (started === null) return;
    // The character is on screen at the frame after React renders the new value.
    requestAnimationFrame(() => requestAnimationFrame(() => window.keys.push({ at: started, delay: performance.now() - started })));
  });
`;

const WARMUP = 'start\n';
const FLOOD_BLOCK = Buffer.alloc(MiB, 'ui bench line 0123456789 abcdefghijklmnopqrstuvwxyz\n');

interface Session {
  socket: net.Socket;
  next: () => Promise<Record<string, unknown>>;
  page: Page | null;
  close: () => Promise<void>;
}

/** Main (engine, bridge, web host) in a child, a peer connected to its server, and the page following the connection's buffer (unless `follow` is false). */
async function open(withPage: boolean, floodBytes: number, follow = !noFollow): Promise<Session> {
  const child = spawn(process.execPath, ['--import', 'tsx', mainScript, String(floodBytes)], {
    stdio: ['ignore', 'pipe', 'inherit'],
    env: { ...process.env, NETPROC_RENDERER_DIR: rendererDir, NETPROC_BENCH_WARMUP_BYTES: withPage ? String(WARMUP.length) : '0' },
  });
  const { next } = messages(child.stdout, 'bridge-main');
  const ready = (await next()) as { port: number; url: string };
  const socket = await new Promise<net.Socket>((resolve, reject) => {
    const s = net.connect(ready.port, '127.0.0.1', () => resolve(s));
    s.on('error', reject);
  });
  const browser = withPage
    ? await chromium.launch({
        executablePath: CHROMIUM,
        args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--no-first-run'],
      })
    : null;
  const close = async (): Promise<void> => {
    await browser?.close();
    socket.destroy();
    child.kill();
  };
  try {
    const page = browser ? await browser.newPage({ viewport: { width: 1280, height: 800 } }) : null;
    if (page) {
      await page.goto(ready.url);
      // Open the flooded connection's buffer (follow mode is on by default).
      socket.write(WARMUP);
      await page.getByRole('cell', { name: /^flood </ }).waitFor();
      if (follow) await page.getByRole('cell', { name: /^flood </ }).click();
      if (follow) await page.getByRole('log', { name: /^Contents of/ }).waitFor();
    }
    return { socket, next, page, close };
  } catch (err) {
    await close();
    throw err;
  }
}

/** Writes blocks as fast as the connection takes them until `more()` says stop; resolves with the bytes sent. */
async function flood(socket: net.Socket, more: (sent: number) => boolean): Promise<number> {
  let sent = 0;
  while (more(sent)) {
    sent += FLOOD_BLOCK.length;
    if (!socket.write(FLOOD_BLOCK)) await new Promise((r) => socket.once('drain', r));
  }
  return sent;
}

/** Ingest rate of `total` bytes, with the page following or with no page. */
async function ingestRound(withPage: boolean): Promise<number> {
  const session = await open(withPage, total);
  try {
    // Let the page finish starting (script compilation, first layouts) before the timed flood, which lasts about a second.
    if (session.page) await new Promise((r) => setTimeout(r, 1500));
    const sending = flood(session.socket, (sent) => sent < total);
    const done = (await session.next()) as { ms: number };
    await sending;
    return total / MiB / (done.ms / 1000);
  } finally {
    await session.close();
  }
}

interface Probe {
  fps: number;
  keyDelays: number[];
  seconds: number;
  mibSent: number;
}

/**
 * Frames and key delays measured only while the flood is running: the peer
 * keeps sending until the typing is over, and only frames and key presses
 * between two readings of the page's clock taken inside the flood count.
 * (The probe asks for every frame itself, so ingest is timed without it.)
 */
async function probeRound(): Promise<Probe> {
  // Main is told of a flood it never reaches, so it keeps reading until the peer stops.
  const session = await open(true, Number.MAX_SAFE_INTEGER);
  const page = session.page!;
  try {
    // A string, not a function: the TypeScript loader would add helpers the page does not have.
    await page.evaluate(PAGE_PROBE);
    const input = noFollow ? null : page.getByRole('textbox', { name: /^Input for flood/ });
    await input?.click();
    await new Promise((r) => setTimeout(r, 1500));
    let typing = true;
    const sentAt = { start: 0, end: 0 };
    let sentSoFar = 0;
    const sending = flood(session.socket, (sent) => ((sentSoFar = sent), typing));
    // Start the clock once the flood is under way, and stop it before the flood stops.
    await new Promise((r) => setTimeout(r, 200));
    const start = (await page.evaluate('performance.now()')) as number;
    sentAt.start = sentSoFar;
    for (let k = 0; k < (quick ? 10 : 40); k++) {
      if (input) await page.keyboard.type('x');
      await new Promise((r) => setTimeout(r, 50));
    }
    const end = (await page.evaluate('performance.now()')) as number;
    sentAt.end = sentSoFar;
    typing = false;
    await sending;
    const measured = (await page.evaluate('({ frames: window.frameTimes, keys: window.keys })')) as {
      frames: number[];
      keys: Array<{ at: number; delay: number }>;
    };
    const inFlood = (t: number): boolean => t >= start && t <= end;
    const seconds = (end - start) / 1000;
    return {
      fps: measured.frames.filter(inFlood).length / seconds,
      keyDelays: measured.keys.filter((k) => inFlood(k.at)).map((k) => k.delay),
      seconds,
      mibSent: (sentAt.end - sentAt.start) / MiB,
    };
  } finally {
    await session.close();
  }
}

/** The buffer the list opens: as large as the buffer cap (64 MiB), its last line a marker to look for. */
const BIG_BUFFER = 64 * MiB;
const OPENS = quick ? 2 : 7;

/**
 * In the page: from the next Enter in the buffer list to the first frame
 * painted after the marker's line is in the buffer view. The clock starts at
 * the key event's own time stamp, so the page's handling counts.
 */
const OPEN_PROBE = (marker: string): string => `
  window.tailShown = new Promise((resolve) => {
    const rows = document.querySelector('table[aria-label="Buffers"] tbody');
    rows.addEventListener('keydown', (event) => {
      if (event.key !== 'Enter') return;
      const start = event.timeStamp;
      const check = () => {
        const log = document.querySelector('[role="log"][aria-label^="Contents of *flood* <"]');
        if (log && log.textContent.includes(${JSON.stringify(marker)})) requestAnimationFrame(() => resolve(performance.now() - start));
        else requestAnimationFrame(check);
      };
      check();
    }, { once: true });
  });
  // The script's value must not be the promise: page.evaluate would wait for it, and the Enter that settles it comes after.
  undefined;
`;

/**
 * A connection fills its buffer to the cap and leaves; the buffer list opens
 * that buffer again and again (another buffer in between), each time timed
 * from Enter to its tail on screen. Milliseconds, one per open.
 */
async function openFromListRound(): Promise<number[]> {
  const session = await open(true, Number.MAX_SAFE_INTEGER, false);
  const page = session.page!;
  try {
    const marker = `tail marker ${Date.now()}`;
    const last = Buffer.from(`\n${marker}\n`);
    await flood(session.socket, (sent) => sent < BIG_BUFFER - MiB);
    const lastBlock = Buffer.concat([FLOOD_BLOCK.subarray(0, MiB - last.length), last]);
    await new Promise<void>((resolve) => session.socket.end(lastBlock, resolve));
    await page.keyboard.press('Control+Shift+B');
    const rows = page.getByRole('table', { name: 'Buffers' }).getByRole('row');
    const big = rows.filter({ has: page.getByRole('cell', { name: /^\*flood\* </ }) });
    await big.filter({ hasText: `${(BIG_BUFFER / MiB).toFixed(1)} MiB` }).waitFor({ timeout: 60_000 });
    const other = rows.filter({ has: page.getByRole('cell', { name: '*flood*', exact: true }) });
    const times: number[] = [];
    for (let i = 0; i < OPENS; i++) {
      // Something else first, so that each open starts from another buffer.
      await other.click();
      await page.keyboard.press('Enter');
      await page.getByRole('log', { name: 'Contents of *flood*' }).waitFor();
      await big.click();
      await page.evaluate(OPEN_PROBE(marker));
      await page.keyboard.press('Enter');
      times.push((await page.evaluate('window.tailShown')) as number);
    }
    return times;
  } finally {
    await session.close();
  }
}

async function main(): Promise<void> {
  console.log(`netproc UI benchmark${quick ? ' (quick sizes)' : ''}: ${total / MiB} MiB flood into a followed buffer, headless Chromium\n`);
  const measured = await probeRound();
  // A 256 MiB flood lasts about a second here, so each side is run several times, alternating, and the medians compared.
  const none: number[] = [];
  const ui: number[] = [];
  for (let r = 0; r < (quick ? 1 : 4); r++) {
    none.push(await ingestRound(false));
    ui.push(await ingestRound(true));
  }
  const opens = await openFromListRound();
  const rateNone = median(none);
  const rateUi = median(ui);
  const delays = measured.keyDelays;
  const p95 = percentile(delays, 95);
  const show = (label: string, value: string, target: Target, figure: number): void =>
    console.log(`${label.padEnd(52)} ${value.padStart(26)}   target ${target.text.padEnd(10)} ${verdict(figure, target)}`);
  show(
    `frames per second while ${measured.mibSent.toFixed(0)} MiB arrived in ${measured.seconds.toFixed(1)} s`,
    `${measured.fps.toFixed(1)} /s`,
    atLeast(30, 0),
    measured.fps,
  );
  show(
    `key press to character on screen, p95 of ${delays.length}`,
    `${p95.toFixed(1)} ms (median ${percentile(delays, 50).toFixed(1)})`,
    below(100, 0, ' ms'),
    p95,
  );
  show(
    'ingest with the UI following vs none (medians)',
    `${rateUi.toFixed(0)} / ${rateNone.toFixed(0)} MiB/s = ${(rateUi / rateNone).toFixed(2)}`,
    atLeast(0.8),
    rateUi / rateNone,
  );
  show(
    `open a ${BIG_BUFFER / MiB} MiB buffer from the buffer list → tail shown, median of ${opens.length}`,
    `${median(opens).toFixed(0)} ms (max ${Math.max(...opens).toFixed(0)})`,
    below(200, 0, ' ms'),
    median(opens),
  );
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
