import { describe, expect, it } from 'vitest';
import type { NetprocApi, TimelineEntry, TimelinePage } from '../shared/api.js';
import { clockTime, connectionNameParts, relativeTime, statusText, TIMELINE_PAGE, TimelineFeed } from './timeline-feed.js';

function entry(position: number): TimelineEntry {
  return {
    position,
    processId: 1,
    processName: 'p',
    index: position,
    timeUs: 1_700_000_000_000_000 + position,
    kind: 'data',
    direction: 'in',
    size: 1,
    peer: null,
    preview: String(position),
    bytesKept: true,
    label: null,
    bufferAt: position,
    buffer: '*p*',
    status: null,
    exitCode: null,
    event: null,
  };
}

/** A contract that holds positions [first, end) in view EPOCH, and records what it was asked. */
function fakeApi(view: { first: number; end: number; epoch: number }, asked: Array<Record<string, unknown>>): NetprocApi {
  return {
    readTimeline: async (params: { from?: number; count?: number }) => {
      asked.push(params);
      const from = Math.max(params.from ?? 0, view.first);
      const to = Math.min(view.end, (params.from ?? 0) + (params.count ?? 200));
      const records = [];
      for (let p = from; p < to; p++) records.push(entry(p));
      const page: TimelinePage = { ...view, held: 0, dropped: 0, capacity: 100_000, payloadDropped: 0, startUs: 0, records };
      return page;
    },
  } as unknown as NetprocApi;
}

describe('the traffic feed', () => {
  it('reads the pages in view, keeps them while positions hold, and drops them when the view renumbers', async () => {
    const asked: Array<Record<string, unknown>> = [];
    const view = { first: 0, end: 1000, epoch: 0 };
    const feed = new TimelineFeed(fakeApi(view, asked), 1, { direction: 'in', query: '0d 0a', mode: 'hex' });
    await feed.refresh();
    expect(asked[0]).toEqual({ id: 1, from: 0, count: TIMELINE_PAGE, direction: 'in', hex: '0d 0a' });
    expect(feed.getState()).toMatchObject({ first: 0, end: 1000, loaded: true });
    feed.show(450, 470);
    await new Promise((r) => setTimeout(r, 0));
    expect(feed.entry(460)?.preview).toBe('460');
    const before = asked.length;
    // Already here: nothing asked again.
    feed.show(450, 470);
    expect(asked.length).toBe(before);
    // Records left the front: the same positions, the pages stay.
    view.first = 300;
    await feed.refresh();
    expect(feed.getState().first).toBe(300);
    expect(feed.entry(460)?.preview).toBe('460');
    // Renumbered: what was read before goes, and the pages in view are read again.
    view.epoch = 1;
    view.end = 500;
    await feed.refresh();
    await new Promise((r) => setTimeout(r, 0));
    expect(feed.getState()).toMatchObject({ epoch: 1, end: 500 });
    expect(feed.entry(460)?.preview).toBe('460');
    expect(feed.entry(10)).toBeUndefined();
    feed.dispose();
  });

  it('writes times to the microsecond', () => {
    const us = new Date(2024, 0, 2, 3, 4, 5).getTime() * 1000 + 678;
    expect(clockTime(us)).toBe('03:04:05.000678');
    expect(relativeTime(us, us - 1_500_001)).toBe('+1.500001');
    expect(relativeTime(us, null)).toBe('');
  });

  it('words a status row with the process-status word, the event only when it says more', () => {
    const status = (s: string, exitCode: number | string | null, event: string | null) =>
      statusText({ kind: 'status', status: s, exitCode, event });
    expect(status('open', null, null)).toBe('open');
    expect(status('open', null, 'open\n')).toBe('open');
    expect(status('open', null, 'open from 127.0.0.1\n')).toBe('open from 127.0.0.1');
    expect(status('closed', 256, 'connection broken by remote peer\n')).toBe('closed (256) — connection broken by remote peer');
    expect(status('closed', 0, 'deleted\n')).toBe('closed — deleted');
    expect(status('failed', 111, 'failed with code 111\n')).toBe('failed with code 111');
    expect(status('listen', null, null)).toBe('listen');
    expect(statusText({ kind: 'dropped', status: null, exitCode: null, event: null })).toContain('dropped');
  });

  it("splits an accepted connection's name into its server's and the address that tells it apart", () => {
    expect(connectionNameParts('echo <127.0.0.1:48123>')).toEqual({ server: 'echo', address: '<127.0.0.1:48123>' });
    expect(connectionNameParts('my srv <[::1]:5555>')).toEqual({ server: 'my srv', address: '<[::1]:5555>' });
    expect(connectionNameParts('web')).toBeNull();
    expect(connectionNameParts('<1>')).toBeNull();
  });
});
