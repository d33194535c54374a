import { describe, expect, it, vi } from 'vitest';
import type { EventBatch } from '../../shared/api.js';
import { engine, onCleanup, plainClient, plainServer, sleep, waitFor } from '../netproc/test-support.js';
import { Bridge } from './bridge.js';
import { registerIpcTransport } from './ipc-transport.js';
import { FakeIpcMain, FakeWebContents, ipcClient, ipcHarness, webHarness } from './test-clients.js';

describe('the bridge', () => {
  it('tells a client that cannot keep up to resync instead of queueing without bound', async () => {
    const np = engine();
    const bridge = new Bridge(np, { maxPendingLines: 50, frameMs: 5 });
    onCleanup(() => bridge.close());
    let ready = false;
    const batches: EventBatch[] = [];
    const session = bridge.connect({ send: (b) => batches.push(b), ready: () => ready });
    await session.request('snapshot', {});
    for (let i = 0; i < 500; i++) np.emit('message', `line ${i}`);
    await sleep(30);
    expect(batches).toEqual([]);
    ready = true;
    await waitFor(() => batches.length === 1);
    expect(batches[0]).toMatchObject({ events: [], resync: true });
    // Nothing more arrives until the client takes a new snapshot.
    np.emit('message', 'after');
    await sleep(30);
    expect(batches).toHaveLength(1);
    const snap = await session.request('snapshot', {});
    expect(snap.ok && snap.result).toMatchObject({ log: expect.arrayContaining([expect.objectContaining({ text: 'after' })]) });
    np.emit('message', 'next');
    await waitFor(() => batches.length === 2);
    expect(batches[1]?.events).toEqual([{ type: 'line', line: expect.objectContaining({ text: 'next' }) }]);
  });

  it('keeps at most one pending entry per buffer and per process however much changes', async () => {
    const np = engine();
    const bridge = new Bridge(np, { frameMs: 5 });
    onCleanup(() => bridge.close());
    let ready = false;
    const batches: EventBatch[] = [];
    const session = bridge.connect({ send: (b) => batches.push(b), ready: () => ready });
    await session.request('snapshot', {});
    const b = np.getBufferCreate('*busy*');
    for (let i = 0; i < 10_000; i++) b.insert(b.end, Buffer.from('x'), true);
    ready = true;
    await waitFor(() => batches.length === 1);
    expect(batches[0]?.events).toEqual([
      { type: 'buffer-changed', buffer: expect.objectContaining({ name: '*busy*', length: 10_000, revision: 10_000 }) },
    ]);
  });

  it("keeps one pending repeat state per repeat, the latest, so no repeat's end is lost to its progress", async () => {
    const np = engine();
    const bridge = new Bridge(np, { frameMs: 5 });
    onCleanup(() => bridge.close());
    let ready = false;
    const batches: EventBatch[] = [];
    const session = bridge.connect({ send: (b) => batches.push(b), ready: () => ready });
    await session.request('snapshot', {});
    const state = { name: 'tick', processName: 'c', intervalMs: 1, count: 1000, error: null };
    for (let sent = 0; sent <= 1000; sent++) {
      np.emit('repeat', { ...state, id: 1, sent, running: sent < 1000 });
      np.emit('repeat', { ...state, id: 2, sent, running: true });
    }
    ready = true;
    await waitFor(() => batches.length === 1);
    expect(batches[0]?.events).toEqual([
      { type: 'repeat', state: { ...state, id: 1, sent: 1000, running: false } },
      { type: 'repeat', state: { ...state, id: 2, sent: 1000, running: true } },
    ]);
  });

  it('never sends news of a connection after its removal, so a client cannot bring back a closed one', async () => {
    const np = engine();
    const bridge = new Bridge(np, { frameMs: 5 });
    onCleanup(() => bridge.close());
    const batches: EventBatch[] = [];
    const session = bridge.connect({ send: (b) => batches.push(b), ready: () => true });
    await session.request('snapshot', {});
    const srv = await np.makeNetworkProcess({ name: 'srv', server: true, service: 0, host: '127.0.0.1' });
    const port = (np.processContact(srv!, 'local') as number[])[4] as number;
    for (let round = 0; round < 5; round++) {
      const peer = await plainClient(port);
      peer.end('bye');
    }
    const events = (): EventBatch['events'] => batches.flatMap((b) => b.events);
    await waitFor(() => events().filter((e) => e.type === 'process-removed').length === 5, 5000, 'five connections removed');
    await sleep(50);
    const removed = new Set<number>();
    for (const e of events()) {
      if (e.type === 'process-removed') removed.add(e.id);
      const id = e.type === 'process-added' || e.type === 'process-changed' ? e.process.id : e.type === 'counters' ? e.id : null;
      if (id !== null) expect(removed.has(id), `${e.type} for process ${id} after its removal`).toBe(false);
    }
    expect(np.processList().map((p) => p.name)).toEqual(['srv']);
    const last = events().find((e) => e.type === 'process-removed');
    expect(last).toMatchObject({ last: { status: 'closed', name: expect.stringMatching(/^srv </) } });
  });

  it('keeps the newest lines for snapshots, and closes sessions of destroyed windows', async () => {
    const { np, bridge, ipcMain } = await ipcHarness({ logRing: 3 });
    for (let i = 0; i < 5; i++) np.emit('message', `m${i}`);
    const contents = new FakeWebContents();
    const api = ipcClient(ipcMain, contents);
    const snap = await api.snapshot({});
    expect(snap.log.map((l) => l.text)).toEqual(['m2', 'm3', 'm4']);
    expect(bridge.sessionCount).toBe(1);
    contents.destroy();
    expect(bridge.sessionCount).toBe(0);
  });

  it('listens to every engine event while open and to none once closed', () => {
    const np = engine();
    const events = ['process-added', 'process-changed', 'process-removed', 'buffer-changed', 'sentinel', 'log', 'message'] as const;
    const bridge = new Bridge(np);
    expect(events.map((e) => np.listenerCount(e))).toEqual(events.map(() => 1));
    bridge.close();
    expect(events.map((e) => np.listenerCount(e))).toEqual(events.map(() => 0));
  });

  it('refuses IPC requests from frames that are not our renderer', async () => {
    const { ipcMain } = await ipcHarness();
    const api = ipcClient(ipcMain, new FakeWebContents(), 'https://evil.example/');
    await expect(api.listProcesses({})).rejects.toMatchObject({ code: 'FORBIDDEN' });
  });

  it('reports built-in filter names and live counters', async () => {
    const { client } = await ipcHarness({ countersMs: 20 });
    const api = await client();
    const peer = await plainServer((s) => s.write('abc'));
    const batches: EventBatch[] = [];
    api.onEvents((b) => batches.push(b));
    await api.snapshot({});
    const c = (await api.makeNetworkProcess({ name: 'c', host: '127.0.0.1', service: peer.port, filter: 'discard' }))!;
    expect(c.filter).toBe('discard');
    await waitFor(() => batches.flatMap((b) => b.events).some((e) => e.type === 'counters' && e.id === c.id && e.counters.bytesIn === 3));
  });
});

describe('releasing the bridge and its transports', () => {
  const ENGINE_EVENTS = ['process-added', 'process-changed', 'process-removed', 'buffer-changed', 'sentinel', 'log', 'message'] as const;
  const engineListeners = (np: ReturnType<typeof engine>): number => ENGINE_EVENTS.reduce((n, e) => n + np.listenerCount(e), 0);

  it('closing a bridge leaves no listener on the engine and no timer, even with a flush due', async () => {
    const np = engine();
    const listenersBefore = engineListeners(np);
    // Fake timers count unreferenced ones too (the counters interval is unreferenced).
    vi.useFakeTimers();
    onCleanup(() => vi.useRealTimers());
    const bridge = new Bridge(np, { frameMs: 60_000 });
    const session = bridge.connect({ send: () => undefined, ready: () => true });
    await session.request('snapshot', {});
    np.emit('message', 'first');
    np.emit('message', 'second');
    expect(session.heldCount).toBe(2); // its place in the bridge, and the flush a frame away
    expect(engineListeners(np)).toBe(listenersBefore + ENGINE_EVENTS.length);
    expect(vi.getTimerCount()).toBe(2); // the counters interval and that flush
    bridge.close();
    expect(engineListeners(np)).toBe(listenersBefore);
    expect(vi.getTimerCount()).toBe(0);
    vi.useRealTimers();
    expect({ bridge: bridge.heldCount, session: session.heldCount, sessions: bridge.sessionCount }).toEqual({
      bridge: 0,
      session: 0,
      sessions: 0,
    });
    expect(await session.request('snapshot', {})).toMatchObject({ ok: false, error: { code: 'CLOSED' } });
  });

  it('a closed session lets go of its place in the bridge; the bridge keeps its own listeners', async () => {
    const np = engine();
    const bridge = new Bridge(np);
    onCleanup(() => bridge.close());
    const held = bridge.heldCount;
    const session = bridge.connect({ send: () => undefined, ready: () => true });
    expect(bridge.heldCount).toBe(held + 1);
    session.close();
    expect({ held: bridge.heldCount, sessions: bridge.sessionCount }).toEqual({ held, sessions: 0 });
    expect(engineListeners(np)).toBe(ENGINE_EVENTS.length);
  });

  it('disposing the IPC registration removes its handler and closes every window session', async () => {
    const np = engine();
    const bridge = new Bridge(np);
    onCleanup(() => bridge.close());
    const ipcMain = new FakeIpcMain();
    const registration = registerIpcTransport(ipcMain, bridge, () => true);
    await ipcClient(ipcMain, new FakeWebContents()).snapshot({});
    await ipcClient(ipcMain, new FakeWebContents()).snapshot({});
    expect(bridge.sessionCount).toBe(2);
    registration.dispose();
    expect(ipcMain.handlers.size).toBe(0);
    expect(bridge.sessionCount).toBe(0);
  });

  it('closing the web host closes every WebSocket session at once', async () => {
    const { bridge, client, host, np } = await webHarness();
    const api = await client();
    await api.snapshot({});
    expect(bridge.sessionCount).toBe(1);
    await host.close();
    expect(bridge.sessionCount).toBe(0);
    bridge.close();
    expect(engineListeners(np)).toBe(0);
  });
});
