// @vitest-environment jsdom
import { act, cleanup, fireEvent, render, screen } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { RECONNECT_DEFAULTS, type NetprocApi } from '../../shared/api.js';
import { createWorkbenchStore } from '../store.js';
import { processInfo } from '../test-fixtures.js';
import { BufferView } from './BufferView.js';
import { TooltipProvider } from './ui/Button.js';

afterEach(cleanup);

describe('BufferView’s input line', () => {
  it('keeps each process’s unsent draft and failed send apart, and gives them back when the process is shown again', async () => {
    const store = createWorkbenchStore();
    // Without buffers, as the trial had them: the view's buffer name stays null from one process to the next.
    const client = (id: number, name: string) =>
      processInfo(id, name, { kind: 'stream-client', status: 'open', buffer: null, remoteText: `127.0.0.1:${9000 + id}` });
    store.getState().loadSnapshot({ seq: 1, processes: [client(1, 'draft-a'), client(2, 'draft-b')], buffers: [], departed: [], log: [] });
    const api = { sendString: vi.fn(async () => Promise.reject(new Error('draft-a is not open'))) };
    const view = (id: number) => (
      <TooltipProvider>
        <BufferView api={api as unknown as NetprocApi} store={store} processId={id} />
      </TooltipProvider>
    );
    const { rerender } = render(view(1));
    fireEvent.change(screen.getByLabelText('Input for draft-a'), { target: { value: 'sent and refused' } });
    await act(async () => {
      fireEvent.submit(screen.getByRole('form', { name: 'Send to draft-a' }));
    });
    expect(api.sendString).toHaveBeenCalledWith({ id: 1, text: 'sent and refused\n' });
    expect(screen.getByRole('alert').textContent).toBe('draft-a is not open');
    fireEvent.change(screen.getByLabelText('Input for draft-a'), { target: { value: 'draft for a' } });

    rerender(view(2));
    expect(screen.getByLabelText<HTMLInputElement>('Input for draft-b').value).toBe('');
    expect(screen.getByRole('alert').textContent).toBe('');
    expect(screen.getByLabelText('Input for draft-b').getAttribute('aria-invalid')).toBeNull();
    fireEvent.change(screen.getByLabelText('Input for draft-b'), { target: { value: 'draft for b' } });

    rerender(view(1));
    expect(screen.getByLabelText<HTMLInputElement>('Input for draft-a').value).toBe('draft for a');
    expect(screen.getByRole('alert').textContent).toBe('draft-a is not open');
    rerender(view(2));
    expect(screen.getByLabelText<HTMLInputElement>('Input for draft-b').value).toBe('draft for b');
  });

  it('gives a draft to the next reconnect attempt of its client, never to a new, unrelated process of the same name', () => {
    const store = createWorkbenchStore();
    const client = (id: number, replaces: number | null = null) =>
      processInfo(id, 'peer', {
        kind: 'stream-client',
        status: 'open',
        buffer: null,
        reconnect:
          replaces === null
            ? null
            : { name: 'peer', policy: RECONNECT_DEFAULTS, attempt: 0, nextAttemptAt: null, lastError: null, replaces },
      });
    const api = { sendString: vi.fn() };
    const view = (id: number) => (
      <TooltipProvider>
        <BufferView api={api as unknown as NetprocApi} store={store} processId={id} />
      </TooltipProvider>
    );
    store.getState().loadSnapshot({ seq: 1, processes: [client(1)], buffers: [], departed: [], log: [] });
    const { rerender } = render(view(1));
    fireEvent.change(screen.getByLabelText('Input for peer'), { target: { value: 'half typed' } });

    // The client closed and reconnected: attempt 2 took the place of process 1, then attempt 3 of 2.
    store.getState().loadSnapshot({ seq: 2, processes: [client(3, 2)], buffers: [], departed: [], log: [] });
    rerender(view(3));
    expect(screen.getByLabelText<HTMLInputElement>('Input for peer').value).toBe('half typed');

    // Deleted, and a new process made under the same name: its input line starts empty.
    store.getState().loadSnapshot({ seq: 3, processes: [client(4)], buffers: [], departed: [], log: [] });
    rerender(view(4));
    expect(screen.getByLabelText<HTMLInputElement>('Input for peer').value).toBe('');
  });
});
