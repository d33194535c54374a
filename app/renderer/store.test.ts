import { describe, expect, it } from 'vitest';
import type { ProcessInfo } from '../shared/api.js';
import { createWorkbenchStore, currentRate, isDeparted, listedDeparted, processById, processTree, RATE_TICK_MS } from './store.js';
import { bufferInfo, processInfo } from './test-fixtures.js';

const info = (id: number, name: string, extra: Partial<ProcessInfo> = {}): ProcessInfo =>
  processInfo(id, name, { kind: 'stream-client', status: 'open', buffer: null, command: '', local: null, localText: null, ...extra });

describe('the workbench store', () => {
  it('loads a snapshot, then applies added, changed, removed, buffer and line events', () => {
    const store = createWorkbenchStore();
    store.getState().loadSnapshot({ seq: 1, processes: [info(1, 'a')], buffers: [], departed: [], log: [] });
    store.getState().select(1);
    store.getState().applyBatch({
      seq: 2,
      events: [
        { type: 'process-added', process: info(2, 'b') },
        { type: 'process-changed', process: info(1, 'a', { status: 'stop', stopped: true }) },
        { type: 'buffer-changed', buffer: bufferInfo('*b*', { end: 5, length: 5, revision: 1, cap: 100 }) },
        { type: 'line', line: { time: 1, kind: 'sentinel', processId: 2, processName: 'b', buffer: null, text: 'open\n' } },
      ],
    });
    let s = store.getState();
    expect(Object.keys(s.processes)).toEqual(['1', '2']);
    expect(s.processes[1]?.stopped).toBe(true);
    expect(s.buffers['*b*']?.length).toBe(5);
    expect(s.log.map((l) => l.text)).toEqual(['open\n']);
    store.getState().applyBatch({
      seq: 3,
      events: [
        { type: 'process-removed', id: 1, name: 'a', last: info(1, 'a', { status: 'closed' }) },
        { type: 'buffer-killed', name: '*b*' },
      ],
    });
    s = store.getState();
    expect(Object.keys(s.processes)).toEqual(['2']);
    expect(s.buffers).toEqual({});
    // The selected process left the table; its last state stays in view until the user looks elsewhere.
    expect(s.selectedId).toBe(1);
    expect(processById(s, 1)?.status).toBe('closed');
    expect(isDeparted(s, 1)).toBe(true);
    expect(isDeparted(s, 2)).toBe(false);
    store.getState().select(2);
    expect(store.getState().departed).toEqual({});
    expect(processById(store.getState(), 1)).toBeUndefined();
  });

  it('asks for a resync when told to, and keeps counters as rates', () => {
    const store = createWorkbenchStore();
    store.getState().loadSnapshot({ seq: 1, processes: [info(1, 'a')], buffers: [], departed: [], log: [] });
    expect(store.getState().applyBatch({ seq: 2, events: [], resync: true })).toEqual({ resync: true });
    const counters = { bytesIn: 1000, bytesOut: 10, datagramsIn: 0, datagramsOut: 0, accepted: 0, createdAt: 0 };
    store.getState().applyBatch({ seq: 3, events: [{ type: 'counters', id: 1, counters }] });
    expect(store.getState().processes[1]?.counters.bytesIn).toBe(1000);
    expect(
      currentRate([
        { time: 0, bytesIn: 0, bytesOut: 0 },
        { time: 2000, bytesIn: 4000, bytesOut: 100 },
      ]),
    ).toEqual({ bytesIn: 2000, bytesOut: 50 });
    expect(currentRate(undefined)).toEqual({ bytesIn: 0, bytesOut: 0 });
  });

  it('lets a rate fall to 0 once the counters stop moving (a stopped process included), and then stops ticking', () => {
    const store = createWorkbenchStore();
    store.getState().loadSnapshot({ seq: 1, processes: [info(1, 'a')], buffers: [], log: [], departed: [] });
    const counters = (bytesIn: number) => ({ bytesIn, bytesOut: 0, datagramsIn: 0, datagramsOut: 0, accepted: 0, createdAt: 0 });
    const real = Date.now;
    let clock = 1_000_000;
    Date.now = () => clock;
    try {
      for (let i = 1; i <= 4; i++) {
        clock += 250;
        store.getState().applyBatch({ seq: 1 + i, events: [{ type: 'counters', id: 1, counters: counters(i * 1000) }] });
      }
    } finally {
      Date.now = real;
    }
    expect(currentRate(store.getState().rates[1]).bytesIn).toBe(4000);
    // Too soon after the last sample: nothing changes.
    store.getState().tickRates(clock + RATE_TICK_MS - 1);
    expect(store.getState().rates[1]).toHaveLength(4);
    const seen: number[] = [];
    for (let tick = 1; tick <= 10; tick++) {
      store.getState().tickRates(clock + tick * RATE_TICK_MS);
      seen.push(currentRate(store.getState().rates[1]).bytesIn);
    }
    expect(seen[0]).toBeGreaterThan(0);
    expect(seen[0]).toBeLessThan(4000);
    expect(seen.at(-1)).toBe(0);
    // At rest: further ticks leave the state alone (no re-render of the list every second).
    const before = store.getState().rates;
    store.getState().tickRates(clock + 60 * RATE_TICK_MS);
    expect(store.getState().rates).toBe(before);
  });

  it('orders the list by name with accepted connections under their server, and can hide closed ones', () => {
    const processes = {
      1: info(1, 'srv', { kind: 'stream-server', status: 'listen' }),
      2: info(2, 'srv <127.0.0.1:2>', { kind: 'accepted', serverId: 1 }),
      3: info(3, 'alpha'),
      4: info(4, 'srv <127.0.0.1:1>', { kind: 'accepted', serverId: 1, status: 'closed' }),
      5: info(5, 'orphan <x>', { kind: 'accepted', serverId: 99 }),
    };
    expect(processTree(processes, true).map((r) => `${r.depth}:${r.process.name}`)).toEqual([
      '0:alpha',
      '0:orphan <x>',
      '0:srv',
      '1:srv <127.0.0.1:1>',
      '1:srv <127.0.0.1:2>',
    ]);
    expect(processTree(processes, false).map((r) => r.process.name)).not.toContain('srv <127.0.0.1:1>');
  });
});

describe('buffer tabs', () => {
  it('opens each process once, closes, and keeps the tab of a removed process until it is closed', () => {
    const store = createWorkbenchStore();
    store.getState().loadSnapshot({ seq: 1, processes: [info(1, 'a'), info(2, 'b')], buffers: [], departed: [], log: [] });
    store.getState().openTab(1);
    store.getState().openTab(2);
    store.getState().openTab(1);
    expect(store.getState().tabs).toEqual([1, 2]);
    store.getState().closeTab(1);
    expect(store.getState().tabs).toEqual([2]);
    store.getState().applyBatch({ seq: 2, events: [{ type: 'process-removed', id: 2, name: 'b', last: info(2, 'b') }] });
    // A tab outlives its process (the buffer does), until it is closed.
    expect(store.getState().tabs).toEqual([2]);
    expect(isDeparted(store.getState(), 2)).toBe(true);
    store.getState().closeTab(2);
    expect(store.getState()).toMatchObject({ tabs: [], departed: {} });
  });
});

describe('sorting and folding', () => {
  it('sorts roots and children by the chosen column and hides a collapsed server’s connections', () => {
    const processes = {
      1: info(1, 'srv', { kind: 'stream-server', status: 'listen' }),
      2: info(2, 'srv <a>', {
        kind: 'accepted',
        serverId: 1,
        counters: { bytesIn: 5, bytesOut: 0, datagramsIn: 0, datagramsOut: 0, accepted: 0, createdAt: 0 },
      }),
      3: info(3, 'srv <b>', {
        kind: 'accepted',
        serverId: 1,
        counters: { bytesIn: 9, bytesOut: 0, datagramsIn: 0, datagramsOut: 0, accepted: 0, createdAt: 0 },
      }),
      4: info(4, 'alpha'),
    };
    expect(processTree(processes, true, { key: 'bytesIn', descending: true }).map((r) => r.process.name)).toEqual([
      'alpha',
      'srv',
      'srv <b>',
      'srv <a>',
    ]);
    expect(processTree(processes, true, { key: 'name', descending: false }, [1]).map((r) => `${r.process.name}:${r.children}`)).toEqual([
      'alpha:0',
      'srv:2',
    ]);
  });
});

describe('buffers outlive their processes', () => {
  const accepted = (id: number, extra: Partial<ProcessInfo> = {}): ProcessInfo =>
    info(id, `srv <127.0.0.1:${id}>`, { kind: 'accepted', serverId: 1, buffer: `*srv* <127.0.0.1:${id}>`, ...extra });
  const lastOf = (p: ProcessInfo) => ({
    id: p.id,
    name: p.name,
    kind: p.kind,
    status: 'closed' as const,
    exitStatus: 256,
    serverId: 1,
    serverName: 'srv',
    remoteText: `127.0.0.1:${p.id}`,
  });

  it('a departed connection stays listed under its server while its buffer names it, and goes with the buffer', () => {
    const store = createWorkbenchStore();
    const server = info(1, 'srv', { kind: 'stream-server', status: 'listen', buffer: '*srv*' });
    const conn = accepted(2);
    store.getState().loadSnapshot({ seq: 1, processes: [server, conn], buffers: [], departed: [], log: [] });
    store.getState().applyBatch({
      seq: 2,
      events: [
        { type: 'buffer-changed', buffer: bufferInfo(conn.buffer!, { length: 6, end: 6, lastProcess: lastOf(conn) }) },
        { type: 'process-removed', id: 2, name: conn.name, last: { ...conn, status: 'closed' } },
      ],
    });
    let s = store.getState();
    expect(s.processes[2]).toBeUndefined();
    expect(listedDeparted(s).map((p) => p.name)).toEqual([conn.name]);
    const listed = { ...s.processes, ...Object.fromEntries(listedDeparted(s).map((p) => [p.id, p])) };
    expect(processTree(listed, true).map((r) => `${r.depth}:${r.process.name}`)).toEqual(['0:srv', `1:${conn.name}`]);
    // Looking elsewhere does not drop it: its buffer still names it.
    store.getState().select(1);
    expect(listedDeparted(store.getState())).toHaveLength(1);
    store.getState().applyBatch({ seq: 3, events: [{ type: 'buffer-killed', name: conn.buffer! }] });
    s = store.getState();
    expect(listedDeparted(s)).toEqual([]);
    expect(s.departed).toEqual({});
  });

  it('a departed server without a buffer stays listed while a departed connection of its is, so that stays under it', () => {
    const store = createWorkbenchStore();
    const server = info(1, 'srv', { kind: 'stream-server', status: 'listen', buffer: null });
    const conn = accepted(2);
    store.getState().loadSnapshot({ seq: 1, processes: [server, conn], buffers: [], departed: [], log: [] });
    // Workspace ▸ Delete all: both leave the table; only the connection has a buffer to name it.
    store.getState().applyBatch({
      seq: 2,
      events: [
        { type: 'buffer-changed', buffer: bufferInfo(conn.buffer!, { length: 6, end: 6, lastProcess: lastOf(conn) }) },
        { type: 'process-removed', id: 2, name: conn.name, last: { ...conn, status: 'closed' } },
        { type: 'process-removed', id: 1, name: 'srv', last: { ...server, status: 'closed' } },
      ],
    });
    let s = store.getState();
    expect(listedDeparted(s).map((p) => p.name)).toEqual(['srv', conn.name]);
    const listed = Object.fromEntries(listedDeparted(s).map((p) => [p.id, p]));
    expect(processTree(listed, true).map((r) => `${r.depth}:${r.process.name}`)).toEqual(['0:srv', `1:${conn.name}`]);
    // Looking elsewhere keeps it; killing the connection's buffer takes both.
    store.getState().select(null);
    expect(Object.keys(store.getState().departed)).toEqual(['1', '2']);
    store.getState().applyBatch({ seq: 3, events: [{ type: 'buffer-killed', name: conn.buffer! }] });
    s = store.getState();
    expect(listedDeparted(s)).toEqual([]);
    expect(s.departed).toEqual({});
  });

  it('a departed process whose buffer another process took is no longer listed', () => {
    const store = createWorkbenchStore();
    const old = info(2, 'c', { buffer: '*c*' });
    store.getState().loadSnapshot({
      seq: 1,
      processes: [],
      buffers: [bufferInfo('*c*', { lastProcess: { ...lastOf(old), name: 'c', serverId: null, serverName: null } })],
      departed: [old],
      log: [],
    });
    expect(listedDeparted(store.getState()).map((p) => p.id)).toEqual([2]);
    store.getState().applyBatch({
      seq: 2,
      events: [
        { type: 'process-added', process: info(3, 'c', { buffer: '*c*' }) },
        { type: 'buffer-changed', buffer: bufferInfo('*c*', { process: { id: 3, name: 'c' } }) },
      ],
    });
    expect(listedDeparted(store.getState())).toEqual([]);
    expect(store.getState().departed).toEqual({});
  });

  it('a snapshot brings departed processes back, with their tabs and the selection', () => {
    const store = createWorkbenchStore();
    const conn = accepted(2);
    store.getState().openTab(2);
    store.getState().select(2);
    store.getState().loadSnapshot({
      seq: 5,
      processes: [info(1, 'srv', { kind: 'stream-server' })],
      buffers: [bufferInfo(conn.buffer!, { lastProcess: lastOf(conn) })],
      departed: [{ ...conn, status: 'closed' }],
      log: [],
    });
    const s = store.getState();
    expect(s.tabs).toEqual([2]);
    expect(s.selectedId).toBe(2);
    expect(isDeparted(s, 2)).toBe(true);
    expect(processById(s, 2)?.status).toBe('closed');
  });

  it('opens a buffer through its live process, its departed one, or by itself when it has none', () => {
    const store = createWorkbenchStore();
    const conn = accepted(2);
    store.getState().loadSnapshot({
      seq: 1,
      processes: [info(1, 'srv', { kind: 'stream-server', buffer: '*srv*' })],
      buffers: [
        bufferInfo('*srv*', { process: { id: 1, name: 'srv' } }),
        bufferInfo(conn.buffer!, { lastProcess: lastOf(conn) }),
        bufferInfo('*scratch*'),
      ],
      departed: [conn],
      log: [],
    });
    store.getState().openBuffer('*srv*');
    expect(store.getState()).toMatchObject({ selectedId: 1, viewedBuffer: null });
    store.getState().openBuffer(conn.buffer!);
    expect(store.getState()).toMatchObject({ selectedId: 2, viewedBuffer: null });
    store.getState().openBuffer('*scratch*');
    expect(store.getState()).toMatchObject({ selectedId: null, viewedBuffer: '*scratch*' });
    store.getState().applyBatch({ seq: 2, events: [{ type: 'buffer-killed', name: '*scratch*' }] });
    expect(store.getState().viewedBuffer).toBeNull();
    store.getState().openBuffer('*scratch*');
    expect(store.getState().viewedBuffer).toBeNull();
  });

  describe('the selection follows a reconnecting client', () => {
    const policy = { initialMs: 20, maxMs: 80, multiplier: 2, jitter: 0, maxAttempts: 10 };
    const waiting = (replaces: number | null) => ({ name: 'c', policy, attempt: 1, nextAttemptAt: 1, lastError: 'closed', replaces });
    const attempt = (replaces: number | null) => ({ ...waiting(replaces), nextAttemptAt: null });
    const removed = (id: number) => ({ type: 'process-removed' as const, id, name: 'c', last: info(id, 'c', { status: 'closed' }) });
    const added = (id: number, reconnect: ProcessInfo['reconnect']) => ({
      type: 'process-added' as const,
      process: info(id, 'c', { reconnect }),
    });
    const selectedClient = () => {
      const store = createWorkbenchStore();
      store
        .getState()
        .loadSnapshot({ seq: 1, processes: [info(1, 'c', { reconnect: attempt(null) })], buffers: [], departed: [], log: [] });
      store.getState().select(1);
      // The peer closed: the row waits for the next attempt.
      store.getState().applyBatch({
        seq: 2,
        events: [{ type: 'process-changed', process: info(1, 'c', { status: 'closed', reconnect: waiting(null) }) }],
      });
      return store;
    };

    it('to the next attempt, in the same batch or a later one, and on through attempts', () => {
      const store = selectedClient();
      store.getState().applyBatch({ seq: 3, events: [removed(1)] });
      expect(store.getState().selectedId).toBe(1);
      store.getState().applyBatch({ seq: 4, events: [added(2, attempt(1))] });
      expect(store.getState().selectedId).toBe(2);
      // The old process is let go: nothing keeps it now that it is not looked at.
      expect(store.getState().departed).toEqual({});
      // An attempt made and gone between two updates (3 is never seen) does not lose the client.
      store.getState().applyBatch({
        seq: 5,
        events: [
          { type: 'process-changed', process: info(2, 'c', { status: 'failed', reconnect: waiting(1) }) },
          removed(2),
          added(4, attempt(3)),
        ],
      });
      expect(store.getState().selectedId).toBe(4);
      expect(store.getState().following).toBeNull();
    });

    it('after a resync too', () => {
      const store = selectedClient();
      store.getState().applyBatch({ seq: 3, events: [removed(1)] });
      store.getState().loadSnapshot({ seq: 9, processes: [info(5, 'c', { reconnect: attempt(1) })], buffers: [], departed: [], log: [] });
      expect(store.getState().selectedId).toBe(5);
    });

    it('never to a process the user did not ask for: a new client of the name, another selection, a client not reconnecting', () => {
      // Deleted while waiting, then a new client takes the name: it is no attempt (replaces null), and nothing follows later.
      let store = selectedClient();
      store.getState().applyBatch({ seq: 3, events: [removed(1), added(2, null)] });
      expect(store.getState().selectedId).toBe(1);
      store.getState().applyBatch({ seq: 4, events: [{ type: 'process-changed', process: info(2, 'c', { reconnect: attempt(2) }) }] });
      expect(store.getState().selectedId).toBe(1);
      // A fresh client of the name with a policy set at once is no attempt either.
      store = selectedClient();
      store.getState().applyBatch({ seq: 3, events: [removed(1), added(2, { ...waiting(null), attempt: 0, nextAttemptAt: null })] });
      expect(store.getState().selectedId).toBe(1);
      // The user looked elsewhere before the attempt came.
      store = selectedClient();
      store.getState().applyBatch({ seq: 3, events: [removed(1), { type: 'process-added', process: info(7, 'other') }] });
      store.getState().select(7);
      store.getState().applyBatch({ seq: 4, events: [added(2, attempt(1))] });
      expect(store.getState().selectedId).toBe(7);
      // A plain client deleted, then another made in its name (even one that reconnects later): the selection stays.
      store = createWorkbenchStore();
      store.getState().loadSnapshot({ seq: 1, processes: [info(1, 'c')], buffers: [], departed: [], log: [] });
      store.getState().select(1);
      store.getState().applyBatch({ seq: 2, events: [removed(1), added(2, attempt(1))] });
      expect(store.getState().selectedId).toBe(1);
      // A reconnecting client that was not selected takes nothing.
      store = selectedClient();
      store.getState().applyBatch({ seq: 3, events: [{ type: 'process-added', process: info(8, 'other') }] });
      store.getState().select(8);
      store.getState().applyBatch({ seq: 4, events: [removed(1), added(2, attempt(1))] });
      expect(store.getState().selectedId).toBe(8);
    });
  });
});
