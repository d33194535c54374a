import { EventEmitter } from 'node:events';
import { describe, expect, it, vi } from 'vitest';
import { DisposableStore, disposableTimeout, listen, toDisposable } from './lifecycle.js';

describe('lifecycle', () => {
  it('toDisposable releases once however often it is disposed', () => {
    const release = vi.fn();
    const d = toDisposable(release);
    d.dispose();
    d.dispose();
    expect(release).toHaveBeenCalledTimes(1);
  });

  it('a store disposes in reverse order, each once, and keeps going past a throw', () => {
    const order: string[] = [];
    const store = new DisposableStore();
    store.add(toDisposable(() => order.push('first')));
    store.add(
      toDisposable(() => {
        order.push('second');
        throw new Error('boom');
      }),
    );
    store.add(toDisposable(() => order.push('third')));
    expect(() => store.dispose()).toThrow('boom');
    expect(order).toEqual(['third', 'second', 'first']);
    store.dispose();
    expect(order).toHaveLength(3);
    expect(store.isDisposed).toBe(true);
  });

  it('adding to a disposed store disposes at once', () => {
    const store = new DisposableStore();
    store.dispose();
    const release = vi.fn();
    store.add(toDisposable(release));
    expect(release).toHaveBeenCalledTimes(1);
    expect(store.size).toBe(0);
  });

  it('delete disposes one item, release hands it over undisposed', () => {
    const store = new DisposableStore();
    const a = vi.fn();
    const b = vi.fn();
    const da = store.add(toDisposable(a));
    const db = store.add(toDisposable(b));
    store.delete(da);
    store.release(db);
    store.dispose();
    expect(a).toHaveBeenCalledTimes(1);
    expect(b).not.toHaveBeenCalled();
  });

  it('listen stops listening on dispose; a timeout is cleared', async () => {
    const emitter = new EventEmitter();
    const seen = vi.fn();
    const d = listen(emitter, 'x', seen);
    emitter.emit('x', 1);
    d.dispose();
    emitter.emit('x', 2);
    expect(seen).toHaveBeenCalledTimes(1);
    expect(emitter.listenerCount('x')).toBe(0);
    const fired = vi.fn();
    disposableTimeout(fired, 5).dispose();
    await new Promise((r) => setTimeout(r, 20));
    expect(fired).not.toHaveBeenCalled();
  });
});
