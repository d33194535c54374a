/**
 * Reading something from main over and over while, and only while, it is on
 * screen: at most one read in flight, reads started at least `intervalMs`
 * apart, none while inactive or after disposal. Whatever decides "on screen"
 * calls setActive; `watchOnScreen` is that for an element of the page.
 */
import { DisposableStore, disposableTimeout, toDisposable, type Disposable } from '../shared/lifecycle.js';

/** Four reads a second at most. */
export const SAMPLE_INTERVAL_MS = 250;

export type SampleResult<T> = { ok: true; value: T } | { ok: false; error: unknown };

export class LiveSampler<T> implements Disposable {
  private readonly store = new DisposableStore();
  private timer: Disposable | null = null;
  private active = false;
  private reading = false;
  private lastStart = Number.NEGATIVE_INFINITY;

  constructor(
    private readonly read: () => Promise<T>,
    private readonly onResult: (result: SampleResult<T>) => void,
    private readonly intervalMs = SAMPLE_INTERVAL_MS,
    private readonly now: () => number = () => Date.now(),
  ) {}

  setActive(active: boolean): void {
    if (this.store.isDisposed) return;
    this.active = active;
    if (active) this.schedule();
    else this.cancel();
  }

  dispose(): void {
    this.active = false;
    this.timer = null;
    this.store.dispose();
  }

  private schedule(): void {
    if (!this.active || this.reading || this.timer || this.store.isDisposed) return;
    const wait = Math.max(0, this.lastStart + this.intervalMs - this.now());
    this.timer = this.store.add(disposableTimeout(() => void this.sample(), wait));
  }

  private cancel(): void {
    if (this.timer) this.store.delete(this.timer);
    this.timer = null;
  }

  private async sample(): Promise<void> {
    if (this.timer) this.store.release(this.timer);
    this.timer = null;
    this.reading = true;
    this.lastStart = this.now();
    let result: SampleResult<T>;
    try {
      result = { ok: true, value: await this.read() };
    } catch (error) {
      result = { ok: false, error };
    }
    this.reading = false;
    if (this.store.isDisposed) return;
    this.onResult(result);
    this.schedule();
  }
}

/**
 * Calls onChange(true) while ELEMENT intersects the viewport (it is not
 * scrolled out of its pane, and the pane has a size) and the document is
 * visible (not a background tab or a minimised window); onChange(false)
 * otherwise. Where IntersectionObserver is missing, only the document's
 * visibility counts.
 */
export function watchOnScreen(element: Element, onChange: (onScreen: boolean) => void): Disposable {
  const store = new DisposableStore();
  const observable = typeof IntersectionObserver !== 'undefined';
  let intersecting = !observable;
  let visible = document.visibilityState !== 'hidden';
  let reported: boolean | null = null;
  const update = (): void => {
    const now = intersecting && visible;
    if (now === reported) return;
    reported = now;
    onChange(now);
  };
  if (observable) {
    const observer = new IntersectionObserver((entries) => {
      const last = entries[entries.length - 1];
      if (last) intersecting = last.isIntersecting;
      update();
    });
    observer.observe(element);
    store.add(toDisposable(() => observer.disconnect()));
  }
  const onVisibility = (): void => {
    visible = document.visibilityState !== 'hidden';
    update();
  };
  document.addEventListener('visibilitychange', onVisibility);
  store.add(toDisposable(() => document.removeEventListener('visibilitychange', onVisibility)));
  update();
  return store;
}
