import { describe, expect, it } from 'vitest';
import type { ProcessInfo } from '../shared/api.js';
import { createWorkbenchStore, currentRate, isDeparted, processById, processTree, RATE_TICK_MS } from './store.js';
import { processInfo } from './test-fixtures.js';

const info = (id: number, name: string, extra: Partial<ProcessInfo> = {}): ProcessInfo =>
  processInfo(id, name, { kind: 'stream-client', status: 'open', buffer: null, command: '', local: null, localText: null, ...extra });

describe('the workbench store', () => {
  it('loads a snapshot, then applies added, changed, removed, buffer and line events', () => {
    const store = createWorkbenchStore();
    store.getState().loadSnapshot({ seq: 1, processes: [info(1, 'a')], buffers: [], log: [] });
    store.getState().select(1);
    store.getState().applyBatch({
      seq: 2,
      events: [
        { type: 'process-added', process: info(2, 'b') },
        { type: 'process-changed', process: info(1, 'a', { status: 'stop', stopped: true }) },
        { type: 'buffer-changed', buffer: { name: '*b*', origin: 0, end: 5, length: 5, revision: 1, trimmedBytes: 0, cap: 100 } },
        { type: 'line', line: { time: 1, kind: 'sentinel', processId: 2, processName: 'b', text: 'open\n' } },
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
    store.getState().loadSnapshot({ seq: 1, processes: [info(1, 'a')], buffers: [], log: [] });
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
    store.getState().loadSnapshot({ seq: 1, processes: [info(1, 'a')], buffers: [], log: [] });
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
    store.getState().loadSnapshot({ seq: 1, processes: [info(1, 'a'), info(2, 'b')], buffers: [], log: [] });
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
