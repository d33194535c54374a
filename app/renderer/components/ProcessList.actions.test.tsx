// @vitest-environment jsdom
import { act, cleanup, fireEvent, render, screen } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { NetprocApi } from '../../shared/api.js';
import { createWorkbenchStore } from '../store.js';
import { processInfo } from '../test-fixtures.js';
import { ProcessList } from './ProcessList.js';
import { TooltipProvider } from './ui/Button.js';

afterEach(cleanup);

const client = (id: number, name: string, extra = {}) =>
  processInfo(id, name, { kind: 'stream-client', status: 'open', remote: [127, 0, 0, 1, 80], remoteText: '127.0.0.1:80', ...extra });

function listOf(processes: ReturnType<typeof client>[], api: Partial<Record<keyof NetprocApi, unknown>>) {
  const store = createWorkbenchStore();
  store.getState().loadSnapshot({ seq: 1, processes, buffers: [], departed: [], log: [] });
  render(
    <TooltipProvider>
      <ProcessList api={api as unknown as NetprocApi} store={store} onError={() => undefined} />
    </TooltipProvider>,
  );
  return store;
}

describe('the process actions', () => {
  it('are off for an imported conversation: a read-only record has nothing to stop, continue or end', () => {
    const api = { stopProcess: vi.fn(async () => null), sendEof: vi.fn(async () => null) };
    listOf([client(1, 'web.pcapng', { status: 'closed', imported: '/tmp/web.pcapng' }), client(2, 'live')], api);
    fireEvent.click(screen.getByRole('cell', { name: 'web.pcapng' }));
    expect(screen.getByRole('button', { name: 'Stop' })).toHaveProperty('disabled', true);
    expect(screen.getByRole('button', { name: 'Send EOF' })).toHaveProperty('disabled', true);
    expect(screen.getByRole('button', { name: 'Delete' })).toHaveProperty('disabled', false);
    fireEvent.keyDown(screen.getAllByRole('rowgroup')[1]!, { key: 's' });
    expect(api.stopProcess).not.toHaveBeenCalled();
    // A live client keeps them.
    fireEvent.click(screen.getByRole('cell', { name: 'live' }));
    expect(screen.getByRole('button', { name: 'Stop' })).toHaveProperty('disabled', false);
    expect(screen.getByRole('button', { name: 'Send EOF' })).toHaveProperty('disabled', false);
  });

  it("an action's error shows whole (its title too) and goes when another process is chosen", async () => {
    const message = 'Process a-client-with-a-long-name not running: the peer closed the connection before the end of file was sent';
    const api = { sendEof: vi.fn(async () => Promise.reject(new Error(message))) };
    listOf([client(1, 'a-client-with-a-long-name'), client(2, 'other')], api);
    fireEvent.click(screen.getByRole('cell', { name: 'a-client-with-a-long-name' }));
    await act(async () => fireEvent.click(screen.getByRole('button', { name: 'Send EOF' })));
    const alert = screen.getByRole('alert');
    expect(alert.textContent).toBe(message);
    expect(alert.getAttribute('title')).toBe(message);
    fireEvent.click(screen.getByRole('cell', { name: 'other' }));
    expect(screen.getByRole('alert').textContent).toBe('');
  });
});
