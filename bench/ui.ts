/**
 * `npm run bench:ui`: the workbench in headless Chromium (the web host),
 * following the buffer of a connection that a peer floods with 256 MiB.
 * Reports the frames the page renders per second during the flood, the delay
 * from a key press in the input line to its character on screen, the
 * engine's ingest rate with the page attached against none, and how soon a
 * full (64 MiB) buffer opened from the buffer list shows its tail.
 */
import { spawn } from 'node:child_process';
import { createWriteStream, mkdtempSync, rmSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { WebSocket } from 'ws';
import { PcapngWriter, writeUdpDatagram } from '../app/main/capture/pcapng-writer.js';
import { createNetprocApi } from '../app/shared/api.js';
import { createWebSocketTransport, type WebSocketLike } from '../app/renderer/web-shim.js';
import { messages } from './child-messages.js';
import { median, percentile } from './stats.js';
import { atLeast, below, verdict, type Target } from './verdict.js';
import { chromium, type Page } from '@playwright/test';
import { CHROMIUM } from '../e2e/hosts.js';

const quick = process.argv.includes('--quick');
/** `--no-follow`: keep the page open without opening the flooded buffer, to see what the page alone costs. */
const noFollow = process.argv.includes('--no-follow');
/** `--timeline-only`: just the traffic timeline's figures. */
const timelineOnly = process.argv.includes('--timeline-only');
/** `--scroll-px=N`: how far the timeline scrolls each frame (default 200: ten rows a frame, 600 rows a second). */
const scrollPixels = Number(process.argv.find((a) => a.startsWith('--scroll-px='))?.slice('--scroll-px='.length) ?? 200);
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

// ───────────── the traffic timeline with 100,000 records ─────────────

const TIMELINE_RECORDS = quick ? 5_000 : 100_000;

/** A capture of N UDP datagrams, requests and replies in turn, a millisecond apart: imported, it is a timeline of N records. */
async function benchCapture(path: string, records: number): Promise<void> {
  const out = createWriteStream(path);
  const writer = await PcapngWriter.open(out);
  const client = { address: '10.0.0.1', port: 40000 };
  const server = { address: '10.0.0.2', port: 5353 };
  const start = Date.now() * 1000;
  for (let i = 0; i < records; i++) {
    const request = i % 2 === 0;
    const text = request ? `GET /item/${i} HTTP/1.1\r\nHost: bench\r\n\r\n` : `HTTP/1.1 200 OK\r\nContent-Length: ${i % 997}\r\n\r\n`;
    await writeUdpDatagram(writer, request ? client : server, request ? server : client, Buffer.from(text), start + i * 1000);
  }
  await new Promise<void>((resolve, reject) => out.end((err?: Error | null) => (err ? reject(err) : resolve())));
}

const FRAME_PROBE = `
  window.frameTimes = [];
  const tick = () => { window.frameTimes.push(performance.now()); requestAnimationFrame(tick); };
  requestAnimationFrame(tick);
`;

/** Scrolls the timeline's rows by PIXELS every frame for SECONDS (inside the page, so each frame moves). */
const scrollFor = (pixels: number, seconds: number): string => `new Promise((resolve) => {
  const body = document.querySelector('.tl-body');
  const end = performance.now() + ${seconds * 1000};
  // Measured once: reading them every frame would force a layout the page itself does not need.
  const last = body.scrollHeight - body.clientHeight;
  let at = body.scrollTop;
  let direction = 1;
  const step = () => {
    if (at >= last) direction = -1;
    if (at <= 0) direction = 1;
    at = Math.min(last, Math.max(0, at + direction * ${pixels}));
    body.scrollTop = at;
    if (performance.now() < end) requestAnimationFrame(step); else resolve(null);
  };
  requestAnimationFrame(step);
})`;

interface TimelineFigures {
  scrollFps: number;
  filterFps: number;
  /** From the last key of the filter to its count on screen. */
  filterMs: number;
  records: number;
}

/** A timeline of TIMELINE_RECORDS records, scrolled through and then filtered by typing, frames counted in each phase. */
async function timelineRound(): Promise<TimelineFigures> {
  const dir = mkdtempSync(join(tmpdir(), 'netproc-bench-timeline-'));
  const capture = join(dir, 'bench.pcapng');
  await benchCapture(capture, TIMELINE_RECORDS);
  const child = spawn(process.execPath, ['--import', 'tsx', mainScript, String(Number.MAX_SAFE_INTEGER)], {
    stdio: ['ignore', 'pipe', 'inherit'],
    env: { ...process.env, NETPROC_RENDERER_DIR: rendererDir },
  });
  const { next } = messages(child.stdout, 'bridge-main');
  const ready = (await next()) as { url: string; ws: string; origin: string };
  const transport = createWebSocketTransport(ready.ws, (url) => new WebSocket(url, { origin: ready.origin }) as unknown as WebSocketLike);
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--no-first-run'],
  });
  try {
    await transport.opened;
    const api = createNetprocApi(transport);
    await api.importCapture({ path: capture, name: 'bench-traffic' });
    const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    await page.goto(ready.url);
    await page.getByRole('cell', { name: 'bench-traffic', exact: true }).click();
    await page.getByRole('radio', { name: 'Traffic' }).click();
    const grid = page.getByRole('grid', { name: 'Traffic timeline of bench-traffic' });
    await grid.getByRole('row').filter({ hasText: 'HTTP/1.1 200 OK' }).first().waitFor();
    await page
      .getByRole('status')
      .filter({ hasText: `${TIMELINE_RECORDS.toLocaleString('en')} records` })
      .waitFor();
    await page.evaluate(FRAME_PROBE);
    await new Promise((r) => setTimeout(r, 500));
    const frames = async (phase: () => Promise<void>): Promise<number> => {
      const start = (await page.evaluate('performance.now()')) as number;
      await phase();
      const end = (await page.evaluate('performance.now()')) as number;
      const times = (await page.evaluate('window.frameTimes')) as number[];
      return times.filter((t) => t >= start && t <= end).length / ((end - start) / 1000);
    };
    // Scrolling: ten rows a frame (a fast scroll), through the timeline and back.
    const scrollFps = await frames(async () => void (await page.evaluate(scrollFor(scrollPixels, quick ? 1 : 3))));
    // Filtering: typed a key at a time; each key asks main for a new view of every record.
    const filter = page.getByRole('searchbox', { name: 'Filter traffic' });
    let filterMs = 0;
    const filterFps = await frames(async () => {
      await filter.click();
      await page.keyboard.type('/item/4242 HTTP', { delay: 120 });
      const typed = performance.now();
      await page
        .getByRole('status')
        .filter({ hasText: /matching record/ })
        .filter({ hasText: /^1 matching record$/ })
        .waitFor();
      filterMs = performance.now() - typed;
      await page.keyboard.press('Control+A');
      await page.keyboard.press('Backspace');
      await page
        .getByRole('status')
        .filter({ hasText: `${TIMELINE_RECORDS.toLocaleString('en')} records` })
        .waitFor();
    });
    return { scrollFps, filterFps, filterMs, records: TIMELINE_RECORDS };
  } finally {
    await browser.close();
    transport.close();
    child.kill();
    rmSync(dir, { recursive: true, force: true });
  }
}

async function main(): Promise<void> {
  console.log(`netproc UI benchmark${quick ? ' (quick sizes)' : ''}: ${total / MiB} MiB flood into a followed buffer, headless Chromium\n`);
  const show = (label: string, value: string, target: Target, figure: number): void =>
    console.log(`${label.padEnd(52)} ${value.padStart(26)}   target ${target.text.padEnd(10)} ${verdict(figure, target)}`);
  if (!timelineOnly) await floodFigures(show);
  const timeline = await timelineRound();
  const count = timeline.records.toLocaleString('en');
  show(
    `timeline of ${count} records: frames per second scrolling ${scrollPixels / 20} rows a frame`,
    `${timeline.scrollFps.toFixed(1)} /s`,
    atLeast(55, 0),
    timeline.scrollFps,
  );
  show(
    `timeline of ${count} records: frames per second filtering`,
    `${timeline.filterFps.toFixed(1)} /s (${timeline.filterMs.toFixed(0)} ms to the result)`,
    atLeast(55, 0),
    timeline.filterFps,
  );
}

type Show = (label: string, value: string, target: Target, figure: number) => void;

/** The flood's figures: frames and key presses while bytes arrive, and ingest with the page against none. */
async function floodFigures(show: Show): Promise<void> {
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
  show(
    `frames per second while ${measured.mibSent.toFixed(0)} MiB arrived in ${measured.seconds.toFixed(1)} s`,
    `${measured.fps.toFixed(1)} /s`,
    // The design issue's bar: no worse than before it (55 frames/s, p95 under 50 ms, ingest 0.85 of none).
    atLeast(55, 0),
    measured.fps,
  );
  show(
    `key press to character on screen, p95 of ${delays.length}`,
    `${p95.toFixed(1)} ms (median ${percentile(delays, 50).toFixed(1)})`,
    below(50, 0, ' ms'),
    p95,
  );
  show(
    'ingest with the UI following vs none (medians)',
    `${rateUi.toFixed(0)} / ${rateNone.toFixed(0)} MiB/s = ${(rateUi / rateNone).toFixed(2)}`,
    atLeast(0.85),
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
