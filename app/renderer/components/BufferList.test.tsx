// @vitest-environment jsdom
import { act, cleanup, fireEvent, render, screen, within } from '@testing-library/react';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { ipcHarness } from '../../main/bridge/test-clients.js';
import { onCleanup, plainClient, waitFor } from '../../main/netproc/test-support.js';
import { createWorkbenchStore, listedDeparted } from '../store.js';
import { bufferInfo } from '../test-fixtures.js';
import { BufferList, bufferOwner, changedText, suggestedFileName } from './BufferList.js';
import { TooltipProvider } from './ui/Button.js';

afterEach(cleanup);

// jsdom lays nothing out; the virtual list draws the rows that fit the height its scroller reports.
const clientHeight = Object.getOwnPropertyDescriptor(Element.prototype, 'clientHeight')!;
beforeAll(() => Object.defineProperty(Element.prototype, 'clientHeight', { configurable: true, get: () => 600 }));
afterAll(() => Object.defineProperty(Element.prototype, 'clientHeight', clientHeight));

describe('the buffer list', () => {
  it('says whose a buffer is: a live process, a departed one (with its server and peer), or none', () => {
    expect(bufferOwner(bufferInfo('*srv*', { process: { id: 1, name: 'srv' } }))).toMatchObject({ state: 'live', text: 'srv' });
    const departed = bufferOwner(
      bufferInfo('*srv* <127.0.0.1:5>', {
        lastProcess: {
          id: 2,
          name: 'srv <127.0.0.1:5>',
          kind: 'accepted',
          status: 'closed',
          exitStatus: 256,
          serverId: 1,
          serverName: 'srv',
          remoteText: '127.0.0.1:5',
        },
      }),
    );
    expect(departed).toMatchObject({ state: 'departed', text: 'srv <127.0.0.1:5> (departed)' });
    expect(departed.title).toContain('accepted by srv from 127.0.0.1:5');
    expect(bufferOwner(bufferInfo('*scratch*'))).toMatchObject({ state: 'none', text: 'none' });
    expect(changedText(0)).toBe('never');
    expect(suggestedFileName('*srv* <127.0.0.1:5555>')).toBe('srv_127.0.0.1_5555.txt');
    expect(suggestedFileName('***')).toBe('buffer.txt');
  });

  it('lists a departed connection’s buffer, opens it, saves it to a file, clears it and kills it, on a real engine', async () => {
    const harness = await ipcHarness();
    const api = await harness.client();
    const srv = (await harness.np.makeNetworkProcess({ name: 'srv', server: true, host: '127.0.0.1', service: true, buffer: '*srv*' }))!;
    const store = createWorkbenchStore();
    onCleanup(api.onEvents((batch) => act(() => void store.getState().applyBatch(batch))));
    act(() => store.getState().loadSnapshot({ seq: 0, processes: [], buffers: [], departed: [], log: [] }));
    act(() => void api.snapshot({}).then((s) => store.getState().loadSnapshot(s)));
    const peer = await plainClient(harness.np.processContact(srv, 'service') as number);
    const port = peer.localPort;
    const bufferName = `*srv* <127.0.0.1:${port}>`;
    peer.end('hello\n');
    await waitFor(() => store.getState().buffers[bufferName]?.lastProcess, 5000, 'the buffer to name its departed process');
    const onClose = vi.fn();
    render(
      <TooltipProvider>
        <BufferList api={api} store={store} onClose={onClose} />
      </TooltipProvider>,
    );
    const table = screen.getByRole('table', { name: 'Buffers' });
    const row = (name: string) => within(table).getByRole('cell', { name }).closest('tr')!;
    await waitFor(() => within(table).queryByRole('cell', { name: bufferName }), 5000, 'the row');
    expect(row(bufferName).textContent).toContain(`srv <127.0.0.1:${port}> (departed)`);
    expect(row('*srv*').textContent).toContain('srv');

    // Enter opens it: its departed process is selected, so the buffer view shows it.
    fireEvent.click(row(bufferName));
    const body = within(table).getAllByRole('rowgroup')[1]!;
    fireEvent.keyDown(body, { key: 'Enter' });
    expect(store.getState().selectedId).toBe(store.getState().buffers[bufferName]?.lastProcess?.id);

    // Save: a relative path is refused next to the field; an absolute one writes the bytes.
    fireEvent.click(screen.getByRole('button', { name: 'Save buffer…' }));
    const path = screen.getByLabelText('File path');
    fireEvent.change(path, { target: { value: 'relative.txt' } });
    fireEvent.click(screen.getByRole('button', { name: 'Save' }));
    const form = screen.getByRole('form', { name: `Save ${bufferName}` });
    await waitFor(() => within(form).getByRole('alert').textContent === 'path: must be an absolute file path', 5000, 'the inline error');
    expect(path.getAttribute('aria-invalid')).toBe('true');
    const dir = mkdtempSync(join(tmpdir(), 'netproc-list-save-'));
    onCleanup(() => rmSync(dir, { recursive: true, force: true }));
    fireEvent.change(path, { target: { value: join(dir, 'conn.txt') } });
    fireEvent.click(screen.getByRole('button', { name: 'Save' }));
    await waitFor(() => screen.queryByRole('status')?.textContent?.startsWith('Saved'), 5000, 'the save');
    expect(readFileSync(join(dir, 'conn.txt'), 'utf8')).toBe(harness.np.bufferString(bufferName));
    expect(readFileSync(join(dir, 'conn.txt'), 'utf8')).toMatch(/^hello\n/);

    fireEvent.click(screen.getByRole('button', { name: 'Clear buffer' }));
    await waitFor(() => harness.np.getBuffer(bufferName)?.length === 0, 5000, 'the clear');

    // No live process: killed at once, no question asked.
    fireEvent.keyDown(body, { key: 'k' });
    await waitFor(() => harness.np.getBuffer(bufferName) === null, 5000, 'the kill');
    await waitFor(() => within(table).queryByRole('cell', { name: bufferName }) === null, 5000, 'the row to go');
    // No longer listed; kept only while it is selected.
    expect(listedDeparted(store.getState())).toEqual([]);
    act(() => store.getState().select(null));
    expect(store.getState().departed).toEqual({});
  });

  it('asks before killing a buffer whose live process would be deleted, and deletes it with "deleted"', async () => {
    const harness = await ipcHarness();
    const api = await harness.client();
    const srv = (await harness.np.makeNetworkProcess({ name: 'srv', server: true, host: '127.0.0.1', service: true, buffer: '*srv*' }))!;
    const store = createWorkbenchStore();
    onCleanup(api.onEvents((batch) => act(() => void store.getState().applyBatch(batch))));
    const snapshot = await api.snapshot({});
    act(() => store.getState().loadSnapshot(snapshot));
    render(
      <TooltipProvider>
        <BufferList api={api} store={store} onClose={() => undefined} />
      </TooltipProvider>,
    );
    fireEvent.click(screen.getByRole('cell', { name: '*srv*' }));
    fireEvent.click(screen.getByRole('button', { name: 'Kill buffer' }));
    const dialog = screen.getByRole('alertdialog');
    expect(dialog.textContent).toContain('Buffer "*srv*" has a running process; kill it?');
    fireEvent.click(within(dialog).getByRole('button', { name: 'Cancel' }));
    expect(harness.np.processStatus(srv)).toBe('listen');
    fireEvent.click(screen.getByRole('button', { name: 'Kill buffer' }));
    fireEvent.click(within(screen.getByRole('alertdialog')).getByRole('button', { name: 'Kill buffer and process' }));
    await waitFor(() => harness.np.getBuffer('*srv*') === null, 5000, 'the kill');
    expect(harness.np.processList()).toEqual([]);
    await waitFor(() => store.getState().log.some((l) => l.processName === 'srv' && l.text === 'deleted\n'), 5000, 'the sentinel line');
  });
});
