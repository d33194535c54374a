/**
 * Buffer search that cannot stall the main thread, whatever the buffer size
 * or the pattern.
 *
 * Both remedies are used, because neither is enough alone. RE2 (see
 * search-matcher.ts) makes every search linear in the buffer size, so no
 * pattern explodes; but linear over 64 MiB is still seconds of CPU, which on
 * the main thread would freeze every socket, client and window. So the search
 * runs on a worker thread: main only copies the bytes into shared memory in
 * slices of a few milliseconds each. A deadline ends a search that still runs
 * too long (terminating its thread, the only way to stop a synchronous RE2
 * scan), and so does killing the buffer.
 */
import { DisposableStore, disposableTimeout, listen, onAbort } from '../../shared/lifecycle.js';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import { invalidArgument, NetprocError } from './errors.js';
import type { ByteRange, SearchPattern } from './search-matcher.js';
import type { SearchAnswer, SearchJob } from './search-worker.js';

export type { ByteRange, SearchPattern };

/** A search of 64 MiB takes a few seconds, up to about 20 on a loaded machine for the slowest (a match far away found by the NFA). */
export const DEFAULT_SEARCH_DEADLINE_MS = 60_000;
/** Searches beyond this many wait their turn: each holds a copy of its buffer, and the machine's cores are shared with the sockets. */
const MOST_SEARCH_THREADS = 2;
/** Bytes copied per turn of the event loop: 4 MiB took 40-130 ms on a loaded machine (first writes to fresh shared pages fault), this takes a few. */
const COPY_SLICE = 512 * 1024;
/** An idle search thread is kept this long for the next search, then ended. */
const IDLE_THREAD_MS = 10_000;
/** Bytes around `from` a search needs beyond the text it reads: one UTF-8 character, for `\b` and for finding where characters start. */
const CONTEXT_BYTES = 4;

export interface SearchOptions {
  /** How long the search may take, waiting for a thread included. */
  deadlineMs?: number;
}

/** What a search reads from a buffer (a NetprocBuffer). */
export interface SearchSource {
  readonly name: string;
  readonly origin: number;
  readonly end: number;
  /** Aborted when the buffer is killed. */
  readonly killedSignal: AbortSignal;
  /** The bytes of [start, end) as views of the buffer's own storage, which is never written over. */
  views(start: number, end: number): Buffer[];
}

/**
 * Searches a buffer for `pattern` from absolute offset `from` (backward: the
 * match starting latest that ends by `from`). Answers absolute byte offsets or
 * null; rejects INVALID_ARGUMENT on `query` for a pattern RE2 cannot parse,
 * ETIMEDOUT "search stopped after N s" past the deadline, INVALID_ARGUMENT on
 * `buffer` if the buffer is killed meanwhile.
 */
export async function searchBuffer(
  source: SearchSource,
  pattern: SearchPattern,
  from: number,
  backward: boolean,
  options: SearchOptions = {},
): Promise<ByteRange | null> {
  const deadlineMs = options.deadlineMs ?? DEFAULT_SEARCH_DEADLINE_MS;
  if (!Number.isFinite(deadlineMs) || deadlineMs <= 0)
    throw invalidArgument('deadlineMs', 'The search deadline must be a positive number of milliseconds');
  const stop = new AbortController();
  const ends = new DisposableStore();
  ends.add(
    disposableTimeout(
      () => stop.abort(new NetprocError({ code: 'ETIMEDOUT', message: `search stopped after ${deadlineMs / 1000} s`, field: 'query' })),
      deadlineMs,
    ),
  );
  const onKilled = (): void => stop.abort(invalidArgument('buffer', `Buffer ${source.name} was killed during the search`));
  ends.add(onAbort(source.killedSignal, onKilled));
  const region = regionToSearch(source, from, backward);
  try {
    const thread = await threads.acquire(stop.signal);
    let reusable = false;
    try {
      const bytes = await copyToShared(region.views, region.end - region.start, stop.signal);
      const answer = await runOn(thread, { bytes, pattern, from: region.at - region.start, backward }, stop.signal);
      reusable = true;
      if ('syntaxError' in answer) throw invalidArgument('query', answer.syntaxError);
      if ('failure' in answer) throw new NetprocError({ code: 'SYSTEM', message: `search failed: ${answer.failure}` });
      return answer.match && { start: region.start + answer.match.start, end: region.start + answer.match.end };
    } finally {
      threads.release(thread, reusable);
    }
  } finally {
    ends.dispose();
  }
}

/**
 * What the search reads, as views taken at once: the search sees the buffer as
 * it was when asked, even if text arrives, is trimmed or cleared meanwhile.
 */
function regionToSearch(
  source: SearchSource,
  from: number,
  backward: boolean,
): { views: Buffer[]; start: number; end: number; at: number } {
  const at = Math.min(Math.max(from, source.origin), source.end);
  const start = backward ? source.origin : Math.max(source.origin, at - CONTEXT_BYTES);
  // Backward reads the text only up to `from`, but needs the bytes just after it to tell whether `from` falls inside a character.
  const end = backward ? Math.min(source.end, at + CONTEXT_BYTES) : source.end;
  return { views: source.views(start, end), start, end, at };
}

/** Copies the views into memory the worker shares, a slice per turn of the event loop. */
async function copyToShared(views: Buffer[], length: number, signal: AbortSignal): Promise<Uint8Array> {
  const bytes = new Uint8Array(new SharedArrayBuffer(length));
  let filled = 0;
  let sinceYield = 0;
  for (const view of views) {
    for (let i = 0; i < view.length;) {
      const n = Math.min(view.length - i, COPY_SLICE - sinceYield);
      bytes.set(view.subarray(i, i + n), filled);
      filled += n;
      i += n;
      sinceYield += n;
      if (sinceYield === COPY_SLICE) {
        await new Promise((resolve) => setImmediate(resolve));
        signal.throwIfAborted();
        sinceYield = 0;
      }
    }
  }
  return bytes;
}

/**
 * Why a thread can no longer run a search: it failed to load, crashed, ran
 * out of memory or was ended. Recorded by listeners every thread has from
 * its start, because a Worker's 'error' with no listener is fatal to the
 * whole process, and a thread can fail while its search is still copying.
 */
const threadFailures = new WeakMap<Worker, Error>();

function watchThread(thread: Worker): Worker {
  thread.on('error', (err) => threadFailures.set(thread, err));
  thread.on('exit', (code) => {
    if (!threadFailures.has(thread)) threadFailures.set(thread, new Error(`search thread exited with code ${code}`));
  });
  return thread;
}

function runOn(thread: Worker, job: SearchJob, signal: AbortSignal): Promise<SearchAnswer> {
  signal.throwIfAborted();
  const failed = threadFailures.get(thread);
  if (failed) return Promise.reject(new NetprocError({ code: 'SYSTEM', message: `search failed: ${failed.message}` }));
  return new Promise<SearchAnswer>((resolve, reject) => {
    const listening = new DisposableStore();
    const settle = (): void => listening.dispose();
    listening.add(
      listen(thread, 'message', (answer: SearchAnswer) => {
        settle();
        resolve(answer);
      }),
    );
    listening.add(
      listen(thread, 'error', (err: Error) => {
        settle();
        reject(new NetprocError({ code: 'SYSTEM', message: `search failed: ${err.message}` }));
      }),
    );
    listening.add(
      listen(thread, 'exit', (code: number) => {
        settle();
        reject(new NetprocError({ code: 'SYSTEM', message: `search thread exited with code ${code}` }));
      }),
    );
    listening.add(
      onAbort(signal, () => {
        settle();
        void thread.terminate();
        reject(signal.reason);
      }),
    );
    thread.postMessage(job);
  });
}

let makeThread: () => Worker = startThread;

/** Tests only: how search threads are started (null restores the real worker). */
export function setSearchThreadFactoryForTests(factory: (() => Worker) | null): void {
  makeThread = factory ?? startThread;
}

function startThread(): Worker {
  const here = import.meta.url;
  const resourceLimits = { maxOldGenerationSizeMb: 512 };
  if (here.endsWith('.ts')) {
    // Running from TypeScript sources (vitest, tsx): the worker is TypeScript too, loaded
    // through tsx's tsImport. Node 20 ignores loader hooks given to a worker as `--import`.
    const tsxPackage = dirname(createRequire(here).resolve('tsx/package.json'));
    const tsxApi = pathToFileURL(join(tsxPackage, 'dist/esm/api/index.mjs')).href;
    const entry = new URL('./search-worker.ts', here).href;
    const boot = `import(${JSON.stringify(tsxApi)}).then(({ tsImport }) => tsImport(${JSON.stringify(entry)}, ${JSON.stringify(here)}))`;
    return new Worker(boot, { eval: true, execArgv: [], resourceLimits });
  }
  // Bundled (scripts/build-main.mjs): dist/main/search-worker.js sits beside the main bundle.
  return new Worker(new URL('./search-worker.js', here), { execArgv: [], resourceLimits });
}

/** At most MOST_SEARCH_THREADS threads run searches; later searches wait for one, within their deadline. */
class SearchThreads {
  private readonly idle: Array<{ thread: Worker; timer: NodeJS.Timeout }> = [];
  private running = 0;
  private readonly waiting: Array<() => void> = [];

  async acquire(signal: AbortSignal): Promise<Worker> {
    while (this.running >= MOST_SEARCH_THREADS) {
      await new Promise<void>((resolve, reject) => {
        const onAbort = (): void => {
          this.waiting.splice(this.waiting.indexOf(turn), 1);
          reject(signal.reason);
        };
        const turn = (): void => {
          signal.removeEventListener('abort', onAbort);
          resolve();
        };
        signal.throwIfAborted();
        signal.addEventListener('abort', onAbort, { once: true });
        this.waiting.push(turn);
      });
    }
    let kept = this.idle.pop();
    while (kept && threadFailures.has(kept.thread)) {
      clearTimeout(kept.timer);
      kept = this.idle.pop();
    }
    let thread: Worker;
    if (kept) {
      clearTimeout(kept.timer);
      kept.thread.ref();
      thread = kept.thread;
    } else {
      try {
        thread = watchThread(makeThread());
      } catch (err) {
        throw new NetprocError({ code: 'SYSTEM', message: `cannot start a search thread: ${(err as Error).message}`, cause: err });
      }
    }
    this.running++;
    return thread;
  }

  /** A thread that was terminated or failed is not kept. */
  release(thread: Worker, reusable: boolean): void {
    this.running--;
    if (reusable) {
      thread.unref();
      const entry = { thread, timer: setTimeout(() => this.end(entry), IDLE_THREAD_MS).unref() };
      this.idle.push(entry);
    } else void thread.terminate();
    this.waiting.shift()?.();
  }

  /** Ends idle threads now (tests, shutdown); running searches finish as they would. */
  endIdle(): void {
    for (const entry of [...this.idle]) this.end(entry);
  }

  private end(entry: { thread: Worker; timer: NodeJS.Timeout }): void {
    clearTimeout(entry.timer);
    this.idle.splice(this.idle.indexOf(entry), 1);
    void entry.thread.terminate();
  }
}

const threads = new SearchThreads();

export function endIdleSearchThreads(): void {
  threads.endIdle();
}
