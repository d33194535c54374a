import { describe, expect, it } from 'vitest';
import type { RepeatState } from '../shared/api.js';
import { createMessageLibraryStore, LIBRARY_STORAGE_KEY, uniqueName } from './message-library.js';
import { createWorkbenchStore } from './store.js';
import { memoryStorage } from './test-fixtures.js';

describe('the message library store', () => {
  it('adds, renames, duplicates and deletes; names stay unique; what is stored is the plain MessageLibrary', () => {
    const storage = memoryStorage();
    const library = createMessageLibraryStore(() => storage);
    const a = library.getState().add({ name: 'ping', kind: 'text', body: 'PING\\r\\n' });
    const b = library.getState().add({ name: 'ping', kind: 'hex', body: '00 ff' });
    expect(library.getState().messages.map((m) => m.name)).toEqual(['ping', 'ping 2']);
    library.getState().update(b, { name: 'ping' });
    expect(library.getState().messages.map((m) => m.name)).toEqual(['ping', 'ping 2']);
    const copy = library.getState().duplicate(a)!;
    expect(library.getState().messages.map((m) => m.name)).toEqual(['ping', 'ping copy', 'ping 2']);
    library.getState().update(copy, { repeat: { intervalMs: 5, count: null } });
    library.getState().remove(b);
    const saved = JSON.parse(storage.entries.get(LIBRARY_STORAGE_KEY)!) as { state: unknown };
    expect(saved.state).toEqual({
      messages: [
        { name: 'ping', kind: 'text', body: 'PING\\r\\n' },
        { name: 'ping copy', kind: 'text', body: 'PING\\r\\n', repeat: { intervalMs: 5, count: null } },
      ],
    });
    expect(library.getState().library()).toEqual(saved.state);

    // A new window reads it back.
    const again = createMessageLibraryStore(() => storage);
    expect(again.getState().messages.map((m) => m.name)).toEqual(['ping', 'ping copy']);
  });

  it('a damaged stored library starts an empty one; a workspace library is loaded only when valid', () => {
    const storage = memoryStorage();
    storage.setItem(LIBRARY_STORAGE_KEY, JSON.stringify({ state: { messages: [{ name: 'x', kind: 'shell', body: 'rm' }] }, version: 0 }));
    const library = createMessageLibraryStore(() => storage);
    expect(library.getState().messages).toEqual([]);
    expect(library.getState().load({ messages: [{ name: 'x', body: 'y' }] })).toBe(false);
    expect(library.getState().load({ messages: [{ name: 'x', kind: 'text', body: 'y' }] })).toBe(true);
    expect(library.getState().messages.map((m) => m.name)).toEqual(['x']);
  });

  it('uniqueName numbers a taken name, and a message keeps its own', () => {
    expect(uniqueName('a', ['a', 'a 2'])).toBe('a 3');
    expect(uniqueName('a', ['a'], 'a')).toBe('a');
  });
});

describe('repeats in the workbench store', () => {
  const state = (id: number, sent: number, running = true): RepeatState => ({
    id,
    name: 'tick',
    processName: 'c',
    intervalMs: 5,
    count: 100,
    sent,
    running,
    error: null,
  });

  it('follows repeat events; a count never goes back and an ended repeat stays ended, whatever arrives late', () => {
    const store = createWorkbenchStore();
    const batch = (...states: RepeatState[]) =>
      store.getState().applyBatch({ seq: 1, events: states.map((s) => ({ type: 'repeat' as const, state: s })) });
    batch(state(1, 0));
    batch(state(1, 40));
    store.getState().noteRepeat(state(1, 0));
    expect(store.getState().repeats[1]!.sent).toBe(40);
    batch(state(1, 100, false));
    batch(state(1, 90));
    expect(store.getState().repeats[1]).toMatchObject({ sent: 100, running: false });
    store.getState().dismissRepeat(1);
    expect(store.getState().repeats).toEqual({});
  });

  it('after a resync, a repeat no longer running is taken as ended; the last 20 ended are kept', () => {
    const store = createWorkbenchStore();
    store.getState().noteRepeat(state(1, 3));
    store.getState().noteRepeat(state(2, 3));
    store.getState().loadRepeats([state(2, 9)]);
    expect(Object.keys(store.getState().repeats)).toEqual(['2']);
    for (let id = 10; id < 40; id++) store.getState().noteRepeat(state(id, 100, false));
    const ended = Object.values(store.getState().repeats).filter((r) => !r.running);
    expect(ended.map((r) => r.id)).toEqual(Array.from({ length: 20 }, (_, i) => 20 + i));
  });
});
