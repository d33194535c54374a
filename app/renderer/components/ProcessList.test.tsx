// @vitest-environment jsdom
import { act, cleanup, fireEvent, render, screen } from '@testing-library/react';
import type { ReactElement } from 'react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { ipcHarness } from '../../main/bridge/test-clients.js';
import { onCleanup, waitFor } from '../../main/netproc/test-support.js';
import type { NetprocApi, ProcessInfo } from '../../shared/api.js';
import { createWorkbenchStore } from '../store.js';
import { ProcessList } from './ProcessList.js';
import { TooltipProvider } from './ui/Button.js';
import { processInfo } from '../test-fixtures.js';

const info = (id: number, name: string, extra: Partial<ProcessInfo> = {}): ProcessInfo =>
  processInfo(id, name, { counters: { bytesIn: 2048, bytesOut: 0, datagramsIn: 0, datagramsOut: 0, accepted: 0, createdAt: 0 }, ...extra });

afterEach(cleanup);

/** As App renders it: inside the tooltip provider its icon buttons need. */
const renderList = (list: ReactElement) => render(<TooltipProvider>{list}</TooltipProvider>);

describe('ProcessList', () => {
  it('shows one row per process with the list-processes columns, and acts on the selection by toolbar and keys', async () => {
    const store = createWorkbenchStore();
    store.getState().loadSnapshot({
      seq: 1,
      processes: [info(1, 'srv'), info(2, 'zz', { stopped: true, status: 'stop' })],
      buffers: [],
      departed: [],
      log: [],
    });
    const api = {
      stopProcess: vi.fn(async () => null),
      continueProcess: vi.fn(async () => null),
      deleteProcess: vi.fn(async () => null),
      sendEof: vi.fn(),
    };
    renderList(<ProcessList api={api as unknown as NetprocApi} store={store} onError={() => undefined} />);
    const rows = screen.getAllByRole('row');
    // The columns shown by default; Command, Local and Rate in are a choice away (the Columns menu).
    expect(rows.map((r) => r.textContent)).toEqual([
      'Process ↑StatusBufferRemoteInOut',
      'TCP serversrvlisten*srv*2.0 KiB0 B',
      'TCP serverzzstop*zz*2.0 KiB0 B',
    ]);
    expect(screen.getByRole('button', { name: 'Stop' })).toHaveProperty('disabled', true);
    fireEvent.click(screen.getByRole('cell', { name: 'srv' }));
    expect(store.getState().selectedId).toBe(1);
    fireEvent.click(screen.getByRole('button', { name: 'Stop' }));
    expect(api.stopProcess).toHaveBeenCalledWith({ id: 1 });
    const body = screen.getAllByRole('rowgroup')[1]!;
    fireEvent.keyDown(body, { key: 'ArrowDown' });
    expect(store.getState().selectedId).toBe(2);
    expect(screen.getByRole('button', { name: 'Continue' })).toBeTruthy();
    fireEvent.keyDown(body, { key: 'd' });
    expect(api.deleteProcess).toHaveBeenCalledWith({ ids: [2] });
    act(() => store.getState().applyBatch({ seq: 2, events: [{ type: 'process-removed', id: 2, name: 'zz', last: info(2, 'zz') }] }));
    expect(screen.getAllByRole('row')).toHaveLength(2);
  });

  it("lists a UDP server's peers under it, each with its own kind, and folds them", () => {
    const store = createWorkbenchStore();
    const udp = { kind: 'datagram-server' as const, status: 'open' as const, splitPeers: true };
    const peer = { kind: 'datagram-peer' as const, status: 'open' as const, serverId: 1 };
    store.getState().loadSnapshot({
      seq: 1,
      processes: [info(1, 'u', udp), info(2, 'u <127.0.0.1:4001>', peer), info(3, 'u <127.0.0.1:4002>', peer), info(4, 'v')],
      buffers: [],
      departed: [],
      log: [],
    });
    renderList(<ProcessList api={{} as NetprocApi} store={store} onError={() => undefined} />);
    const names = () => screen.getAllByRole('row').map((r) => r.querySelector('td')?.textContent ?? null);
    expect(names()).toEqual([
      null,
      '▾UDP serveru',
      'UDP peer of a serveru <127.0.0.1:4001>',
      'UDP peer of a serveru <127.0.0.1:4002>',
      'TCP serverv',
    ]);
    fireEvent.click(screen.getByRole('button', { name: 'Hide the 2 peers of u' }));
    expect(names()).toEqual([null, '▸UDP serveru', 'TCP serverv']);
  });

  it('Ctrl-click marks several processes and Delete removes them all at once', () => {
    const store = createWorkbenchStore();
    store.getState().loadSnapshot({ seq: 1, processes: [info(1, 'a'), info(2, 'b'), info(3, 'c')], buffers: [], departed: [], log: [] });
    const api = { deleteProcess: vi.fn(async () => null) };
    renderList(<ProcessList api={api as unknown as NetprocApi} store={store} onError={() => undefined} />);
    fireEvent.click(screen.getByRole('cell', { name: 'a' }));
    fireEvent.click(screen.getByRole('cell', { name: 'c' }), { ctrlKey: true });
    expect(store.getState().marked).toEqual([1, 3]);
    fireEvent.click(screen.getByRole('button', { name: 'Delete 2' }));
    expect(api.deleteProcess).toHaveBeenCalledWith({ ids: [1, 3] });
    expect(store.getState().marked).toEqual([]);
  });

  it('the s key stops the selected process in the engine, and s again continues it', async () => {
    const harness = await ipcHarness();
    const api = await harness.client();
    const srv = (await harness.np.makeNetworkProcess({ name: 'keyed', server: true, service: true, noquery: true }))!;
    const store = createWorkbenchStore();
    // Fed the way App feeds it: a snapshot, then every event batch.
    onCleanup(api.onEvents((batch) => act(() => void store.getState().applyBatch(batch))));
    const snapshot = await api.snapshot({});
    act(() => store.getState().loadSnapshot(snapshot));
    const errors: string[] = [];
    renderList(<ProcessList api={api} store={store} onError={(message) => errors.push(message)} />);
    fireEvent.click(screen.getByRole('cell', { name: 'keyed' }));
    const body = screen.getAllByRole('rowgroup')[1]!;
    const statusCell = (): string | null | undefined => screen.getByRole('cell', { name: 'keyed' }).nextElementSibling?.textContent;

    fireEvent.keyDown(body, { key: 's' });
    await waitFor(() => harness.np.processStatus(srv) === 'stop', 5000, 'the server to stop');
    await waitFor(() => statusCell() === 'stop', 5000, 'the row to show stop');
    expect(screen.getByRole('button', { name: 'Continue' })).toBeTruthy();

    fireEvent.keyDown(body, { key: 's' });
    await waitFor(() => harness.np.processStatus(srv) === 'listen', 5000, 'the server to listen again');
    await waitFor(() => statusCell() === 'listen', 5000, 'the row to show listen');
    expect(errors).toEqual([]);
  });

  it('a failed action’s error stays with its process: selecting another clears it', async () => {
    const store = createWorkbenchStore();
    const client = (id: number, name: string) => info(id, name, { kind: 'stream-client', status: 'open' });
    store.getState().loadSnapshot({ seq: 1, processes: [client(1, 'imported'), client(2, 'web')], buffers: [], departed: [], log: [] });
    const api = { sendEof: vi.fn(async () => Promise.reject(new Error('imported is read-only'))) };
    renderList(<ProcessList api={api as unknown as NetprocApi} store={store} onError={() => undefined} />);
    fireEvent.click(screen.getByRole('cell', { name: 'imported' }));
    await act(async () => {
      fireEvent.click(screen.getByRole('button', { name: 'Send EOF' }));
    });
    expect(screen.getByRole('alert').textContent).toBe('imported is read-only');
    fireEvent.click(screen.getByRole('cell', { name: 'web' }));
    expect(screen.getByRole('alert').textContent).toBe('');
  });

  it('names the fold by its count in words that agree: 1 connection, 2 connections', () => {
    const store = createWorkbenchStore();
    const conn = (id: number, serverId: number) => info(id, `c${id}`, { kind: 'accepted', status: 'open', serverId });
    store.getState().loadSnapshot({
      seq: 1,
      processes: [info(1, 'one'), conn(2, 1), info(3, 'two'), conn(4, 3), conn(5, 3)],
      buffers: [],
      departed: [],
      log: [],
    });
    renderList(<ProcessList api={{} as NetprocApi} store={store} onError={() => undefined} />);
    fireEvent.click(screen.getByRole('button', { name: 'Hide the 1 connection of one' }));
    expect(screen.getByRole('button', { name: 'Show the 1 connection of one' })).toBeTruthy();
    expect(screen.getByRole('button', { name: 'Hide the 2 connections of two' })).toBeTruthy();
  });
});
