import { describe, expect, it } from 'vitest';
import { ipcHarness } from '../main/bridge/test-clients.js';
import { onCleanup, plainServer, waitFor } from '../main/netproc/test-support.js';
import type { NetprocApi } from '../shared/api.js';
import { rowsText } from './buffer-rows.js';
import { BufferScroller, ROW_HEIGHT_PX } from './buffer-scroller.js';

const LINES = 100_000;
/** 13 bytes each, so line n starts at byte 13 * n. */
const line = (n: number): string => `line ${String(n).padStart(7, '0')}\n`;

/** A client process whose buffer holds LINES numbered lines written by a real peer on loopback. */
async function numberedBuffer(): Promise<{ api: NetprocApi; name: string }> {
  const harness = await ipcHarness();
  const api = await harness.client();
  let text = '';
  for (let n = 0; n < LINES; n++) text += line(n);
  const peer = await plainServer((socket) => socket.end(text));
  const client = (await api.makeNetworkProcess({ name: 'c', host: '127.0.0.1', service: peer.port, buffer: '*c*', sentinel: 'silent' }))!;
  await waitFor(async () => (await api.readBuffer({ name: '*c*', tail: 1 })).length === text.length, 10_000, 'all lines in the buffer');
  expect(client.buffer).toBe('*c*');
  return { api, name: '*c*' };
}

async function scroller(api: NetprocApi, name: string, layout: 'text' | 'hex' = 'text'): Promise<BufferScroller> {
  const errors: string[] = [];
  const s = new BufferScroller(api, name, layout, (message) => errors.push(message));
  onCleanup(() => {
    s.dispose();
    expect(errors).toEqual([]);
  });
  s.setViewportHeight(20 * ROW_HEIGHT_PX + 5);
  const range = await api.readBuffer({ name, tail: 1 });
  s.setBounds({ origin: range.origin, end: range.origin + range.length, revision: range.revision });
  return s;
}

const topLine = (s: BufferScroller): string => {
  const view = s.getView();
  return view.slice ? rowsText(view.slice, 'text', view.rows.slice(0, 1)) : '';
};

describe('scrolling a large buffer through a slice', () => {
  it('follows the tail, scrolls up row by row across many reads and back down into follow mode', async () => {
    const { api, name } = await numberedBuffer();
    const s = await scroller(api, name);
    await waitFor(() => s.getView().rows.length === 20, 5000, 'the tail shown');
    expect(topLine(s)).toBe(line(LINES - 20));
    expect(s.getView().follow).toBe(true);

    s.scrollBy(-7);
    expect(s.getView()).toMatchObject({ follow: false, shift: ROW_HEIGHT_PX - 7 });
    expect(topLine(s)).toBe(line(LINES - 21));

    // 12,000 rows up is more than one slice holds: every step lands exactly one line higher.
    for (let step = 1; step <= 120; step++) {
      s.scrollRows(-100);
      await waitFor(() => topLine(s) === line(LINES - 21 - 100 * step), 5000, `step ${step}`);
    }
    const view = s.getView();
    expect(view.slice!.bytes.length).toBeLessThan(128 * 1024);

    s.jumpTo(13 * (LINES - 25));
    await waitFor(() => topLine(s) === line(LINES - 25));
    for (let i = 0; i < 5; i++) s.scrollRows(1);
    expect(topLine(s)).toBe(line(LINES - 20));
    s.scrollRows(1);
    expect(s.getView().follow).toBe(true);
  });

  it('jumps to any byte, by offset or by scroll-bar fraction, and stops at the first row', async () => {
    const { api, name } = await numberedBuffer();
    const s = await scroller(api, name);
    await waitFor(() => s.getView().rows.length === 20);
    s.jumpToFraction(0.5);
    await waitFor(() => topLine(s) === line(LINES / 2 - 1) || topLine(s) === line(LINES / 2));
    s.jumpTo(13 * 3 + 5, 2);
    await waitFor(() => topLine(s) === line(1));
    s.scrollRows(-10);
    expect(topLine(s)).toBe(line(0));
    expect(s.getView().shift).toBe(0);
    expect(s.visibleText()).toBe(Array.from({ length: 20 }, (_, n) => line(n)).join(''));
  });

  it('starts a search from the match while it is on screen, else from what the view shows (after Home, the top)', async () => {
    const { api, name } = await numberedBuffer();
    const s = await scroller(api, name);
    await waitFor(() => s.getView().rows.length > 0 && s.getView().follow);
    const nearTail = { start: 13 * (LINES - 3), end: 13 * (LINES - 3) + 12 };
    // Following the tail with nothing found yet: the whole buffer.
    expect(s.searchFrom('forward', null)).toBeUndefined();
    // The match is on screen at the tail: the next search continues past it, the previous one before it.
    expect(s.searchFrom('forward', nearTail)).toBe(nearTail.end);
    expect(s.searchFrom('backward', nearTail)).toBe(nearTail.start);
    // Home: the match is off screen now, so a search looks from the top, and finds the first line there.
    s.jumpTo(0);
    await waitFor(() => topLine(s) === line(0));
    expect(s.searchFrom('forward', nearTail)).toBe(0);
    const found = await api.searchBuffer({ name, query: 'line 0000001', mode: 'text', direction: 'forward', from: 0 });
    expect(found?.start).toBe(13);
    // Going backward from a view in the middle starts at the end of its last row shown.
    s.jumpTo(13 * 500);
    await waitFor(() => topLine(s) === line(500));
    expect(s.searchFrom('backward', nearTail)).toBe(13 * 520);
    expect(s.searchFrom('forward', nearTail)).toBe(13 * 500);
  });

  it('shows sixteen-byte hex rows from a jump', async () => {
    const { api, name } = await numberedBuffer();
    const s = await scroller(api, name, 'hex');
    s.jumpTo(1000);
    await waitFor(() => s.getView().rows[0]?.start === 992);
    expect(
      s
        .getView()
        .rows.slice(0, 3)
        .map((r) => r.end - r.start),
    ).toEqual([16, 16, 16]);
    expect(s.visibleText().split('\n')[0]).toMatch(/^000003e0 {2}/);
  });
});
