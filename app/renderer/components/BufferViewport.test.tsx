// @vitest-environment jsdom
import { act, cleanup, fireEvent, render, screen } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import { ipcHarness } from '../../main/bridge/test-clients.js';
import { onCleanup, plainServer, waitFor } from '../../main/netproc/test-support.js';
import { BufferScroller, ROW_HEIGHT_PX } from '../buffer-scroller.js';
import { BufferViewport } from './BufferViewport.js';

afterEach(cleanup);

describe('the buffer viewport', () => {
  it('draws control characters, the match and the sentinel line apart, and moves by keys', async () => {
    const harness = await ipcHarness();
    const api = await harness.client();
    const lines = ['GET / HTTP/1.1\r\n', ...Array.from({ length: 60 }, (_, i) => `header-${i}: value\n`)];
    const peer = await plainServer((socket) => socket.write(lines.join('')));
    const client = (await api.makeNetworkProcess({ name: 'c', host: '127.0.0.1', service: peer.port, buffer: '*c*' }))!;
    const total = Buffer.byteLength(lines.join(''));
    await waitFor(async () => (await api.readBuffer({ name: '*c*', tail: 1 })).length === total);
    await api.deleteProcess({ ids: [client.id] });

    const scroller = new BufferScroller(api, '*c*', 'text', (message) => {
      throw new Error(message);
    });
    onCleanup(() => scroller.dispose());
    const bounds = async (): Promise<void> => {
      const r = await api.readBuffer({ name: '*c*', tail: 1 });
      scroller.setBounds({ origin: r.origin, end: r.origin + r.length, revision: r.revision });
    };
    const match = { start: 4, end: 5 };
    render(<BufferViewport scroller={scroller} label="Contents of *c*" unibyte={false} match={match} />);
    await act(bounds);
    const log = screen.getByRole('log', { name: 'Contents of *c*' });
    // Follow mode: the last of the 20 rows that fit (jsdom has no layout) is the sentinel's line.
    await waitFor(() => log.textContent?.includes('Process c deleted'));
    const sentinelRows = log.querySelectorAll('.sentinel-row');
    expect([...sentinelRows].map((r) => r.textContent)).toEqual(['\n', 'Process c deleted\n']);
    expect(log.querySelectorAll('.row')).toHaveLength(20);

    fireEvent.keyDown(log, { key: 'Home' });
    await waitFor(() => log.querySelector('.row')?.textContent?.startsWith('GET'));
    const first = log.querySelector('.row')!;
    expect(first.querySelector('mark')?.textContent).toBe('/');
    expect(first.querySelector('.control')?.textContent).toBe('^M');
    const scrollbar = screen.getByRole('scrollbar', { name: 'Position in buffer' });
    expect(scrollbar.getAttribute('aria-valuenow')).toBe('0');

    act(() => fireEvent.keyDown(log, { key: 'ArrowDown' }));
    expect(log.querySelector('.row')?.textContent).toBe('header-0: value\n');
    expect(scrollbar.getAttribute('aria-valuenow')).toBe(String(Buffer.byteLength(lines[0]!)));
    act(() => fireEvent.wheel(log, { deltaY: ROW_HEIGHT_PX * 2 + 5 }));
    expect(log.querySelector('.row')?.textContent).toBe('header-2: value\n');
    expect((log.firstElementChild as HTMLElement).style.transform).toBe('translateY(-5px)');
    act(() => fireEvent.keyDown(log, { key: 'End' }));
    expect(scroller.getView().follow).toBe(true);
  });
});
