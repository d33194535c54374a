import { describe, expect, it, vi } from 'vitest';
import { onAbort } from './lifecycle.js';

describe('onAbort', () => {
  it('runs at once on a signal already aborted, and once later otherwise, not after dispose', () => {
    const early = vi.fn();
    onAbort(AbortSignal.abort(), early);
    expect(early).toHaveBeenCalledTimes(1);
    const controller = new AbortController();
    const later = vi.fn();
    const kept = vi.fn();
    onAbort(controller.signal, later).dispose();
    onAbort(controller.signal, kept);
    controller.abort();
    expect(later).not.toHaveBeenCalled();
    expect(kept).toHaveBeenCalledTimes(1);
  });
});
