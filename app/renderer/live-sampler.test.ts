// @vitest-environment jsdom
import { afterEach, describe, expect, it, vi } from 'vitest';
import { LiveSampler, SAMPLE_INTERVAL_MS, watchOnScreen, type SampleResult } from './live-sampler.js';

afterEach(() => {
  vi.useRealTimers();
  vi.unstubAllGlobals();
});

/** A read that answers after `ms`, counting how many are in flight at once. */
function reader(ms: number) {
  const starts: number[] = [];
  let inFlight = 0;
  let most = 0;
  const read = async (): Promise<number> => {
    starts.push(Date.now());
    most = Math.max(most, ++inFlight);
    await new Promise((resolve) => setTimeout(resolve, ms));
    inFlight--;
    return starts.length;
  };
  return { read, starts, most: () => most };
}

describe('LiveSampler', () => {
  it('reads at most four times a second, one read at a time, only while active, and never after disposal', async () => {
    vi.useFakeTimers();
    const fast = reader(1);
    const results: Array<SampleResult<number>> = [];
    const sampler = new LiveSampler(fast.read, (r) => results.push(r));
    await vi.advanceTimersByTimeAsync(2000);
    expect(fast.starts).toEqual([]);
    sampler.setActive(true);
    // Not a multiple of the interval: the next read is waiting on its timer when the sampler goes inactive.
    await vi.advanceTimersByTimeAsync(2100);
    expect(fast.starts.length).toBeGreaterThanOrEqual(7);
    expect(fast.starts.length).toBeLessThanOrEqual(Math.floor(2100 / SAMPLE_INTERVAL_MS) + 1);
    for (let i = 1; i < fast.starts.length; i++) expect(fast.starts[i]! - fast.starts[i - 1]!).toBeGreaterThanOrEqual(SAMPLE_INTERVAL_MS);
    expect(results.every((r) => r.ok)).toBe(true);
    sampler.setActive(false);
    const stoppedAt = fast.starts.length;
    await vi.advanceTimersByTimeAsync(2000);
    expect(fast.starts.length).toBe(stoppedAt);
    const before = fast.starts.length;
    sampler.setActive(true);
    await vi.advanceTimersByTimeAsync(600);
    expect(fast.starts.length).toBeGreaterThan(before);
    sampler.dispose();
    const answered = results.length;
    const disposedAt = fast.starts.length;
    sampler.setActive(true);
    await vi.advanceTimersByTimeAsync(2000);
    expect(fast.starts.length).toBe(disposedAt);
    expect(results.length).toBeLessThanOrEqual(answered);
  });

  it('waits for a slow read before the next, and reports failures as results', async () => {
    vi.useFakeTimers();
    const slow = reader(900);
    const results: Array<SampleResult<number>> = [];
    const sampler = new LiveSampler(slow.read, (r) => results.push(r));
    sampler.setActive(true);
    await vi.advanceTimersByTimeAsync(3000);
    expect(slow.most()).toBe(1);
    expect(slow.starts.length).toBeLessThanOrEqual(4);
    sampler.dispose();
    let n = 0;
    const failing = new LiveSampler(
      () => Promise.reject(new Error(`no ${++n}`)),
      (r) => results.push(r),
    );
    failing.setActive(true);
    await vi.advanceTimersByTimeAsync(300);
    failing.dispose();
    expect(results.filter((r) => !r.ok).map((r) => ((r as { error: Error }).error as Error).message)).toEqual(['no 1', 'no 2']);
  });
});

describe('watchOnScreen', () => {
  it('is on screen while the element intersects the viewport and the document is visible; disposal stops watching', () => {
    const observers: Array<{ fire: (isIntersecting: boolean) => void; disconnected: boolean }> = [];
    vi.stubGlobal(
      'IntersectionObserver',
      class {
        disconnected = false;
        constructor(private readonly callback: (entries: Array<{ isIntersecting: boolean }>) => void) {
          observers.push(this);
        }
        observe(): void {}
        disconnect(): void {
          this.disconnected = true;
        }
        fire(isIntersecting: boolean): void {
          this.callback([{ isIntersecting }]);
        }
      },
    );
    let visibility: DocumentVisibilityState = 'visible';
    vi.spyOn(document, 'visibilityState', 'get').mockImplementation(() => visibility);
    const seen: boolean[] = [];
    const watch = watchOnScreen(document.createElement('div'), (on) => seen.push(on));
    expect(seen).toEqual([false]);
    observers[0]!.fire(true);
    expect(seen).toEqual([false, true]);
    visibility = 'hidden';
    document.dispatchEvent(new Event('visibilitychange'));
    expect(seen).toEqual([false, true, false]);
    visibility = 'visible';
    document.dispatchEvent(new Event('visibilitychange'));
    observers[0]!.fire(false);
    expect(seen).toEqual([false, true, false, true, false]);
    watch.dispose();
    expect(observers[0]!.disconnected).toBe(true);
    document.dispatchEvent(new Event('visibilitychange'));
    expect(seen).toHaveLength(5);
  });
});
