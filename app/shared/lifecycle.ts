/**
 * One way to release things — listeners, timers, sockets, subscriptions —
 * across the engine and the bridge, in the shape of VS Code's `lifecycle.ts`:
 * whatever must be undone later is a `Disposable`, and an owner keeps its
 * disposables in one `DisposableStore` that it disposes when it goes away.
 *
 * Written by hand rather than taken from a library because it is forty lines
 * with no dependency, and both the engine (plain Node) and the contract side
 * import it; the npm packages that offer it pull in a whole event framework.
 */

/** Something that can be released; `dispose()` is safe to call more than once. */
export interface Disposable {
  dispose(): void;
}

/** A Disposable that runs `release` once, however often it is disposed. */
export function toDisposable(release: () => void): Disposable {
  let released = false;
  return {
    dispose() {
      if (released) return;
      released = true;
      release();
    },
  };
}

/** Listen on a Node-style emitter and get back the way to stop. */
export function listen<Args extends unknown[]>(
  emitter: {
    on(event: string, listener: (...args: Args) => void): unknown;
    off(event: string, listener: (...args: Args) => void): unknown;
  },
  event: string,
  listener: (...args: Args) => void,
): Disposable {
  emitter.on(event, listener);
  return toDisposable(() => emitter.off(event, listener));
}

/** Run once when SIGNAL aborts (at once if it already has); dispose to stop waiting for it. */
export function onAbort(signal: AbortSignal, run: () => void): Disposable {
  if (signal.aborted) {
    run();
    return toDisposable(() => undefined);
  }
  signal.addEventListener('abort', run, { once: true });
  return toDisposable(() => signal.removeEventListener('abort', run));
}

interface TimerOptions {
  /** Under Node: the timer alone does not keep the process alive. */
  unref?: boolean;
}

function unrefTimer(timer: unknown, options: TimerOptions | undefined): void {
  if (options?.unref) (timer as { unref?: () => void }).unref?.();
}

/** A timer that is cleared on dispose. */
export function disposableTimeout(run: () => void, ms: number, options?: TimerOptions): Disposable {
  const timer = setTimeout(run, ms);
  unrefTimer(timer, options);
  return toDisposable(() => clearTimeout(timer));
}

export function disposableInterval(run: () => void, ms: number, options?: TimerOptions): Disposable {
  const timer = setInterval(run, ms);
  unrefTimer(timer, options);
  return toDisposable(() => clearInterval(timer));
}

/**
 * The disposables one owner holds. Disposing the store disposes each of them
 * once, in reverse order of adding (the last thing set up is the first torn
 * down); one that throws does not stop the rest, and the first error is
 * rethrown after all ran. Adding to a disposed store disposes at once, so a
 * late subscription cannot outlive its owner.
 */
export class DisposableStore implements Disposable {
  private readonly items = new Set<Disposable>();
  private disposedFlag = false;

  get isDisposed(): boolean {
    return this.disposedFlag;
  }

  get size(): number {
    return this.items.size;
  }

  add<T extends Disposable>(item: T): T {
    if (this.disposedFlag) item.dispose();
    else this.items.add(item);
    return item;
  }

  /** Dispose one item now and stop holding it. */
  delete(item: Disposable): void {
    if (this.items.delete(item)) item.dispose();
  }

  /** Stop holding an item without disposing it (its ownership moved). */
  release(item: Disposable): void {
    this.items.delete(item);
  }

  /** Dispose everything held so far; the store stays usable. */
  clear(): void {
    const items = [...this.items].reverse();
    this.items.clear();
    let firstError: unknown = null;
    let failed = false;
    for (const item of items) {
      try {
        item.dispose();
      } catch (err) {
        if (!failed) firstError = err;
        failed = true;
      }
    }
    if (failed) throw firstError;
  }

  dispose(): void {
    if (this.disposedFlag) return;
    this.disposedFlag = true;
    this.clear();
  }
}
