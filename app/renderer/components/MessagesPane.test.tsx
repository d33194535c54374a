// @vitest-environment jsdom
import { act, cleanup, fireEvent, render, screen } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { NetprocApi, RepeatState } from '../../shared/api.js';
import { createMessageLibraryStore } from '../message-library.js';
import { createWorkbenchStore } from '../store.js';
import { memoryStorage, processInfo } from '../test-fixtures.js';
import { MessagesPane } from './MessagesPane.js';
import { TooltipProvider } from './ui/Button.js';

afterEach(cleanup);

function pane(selected: 'server' | 'client') {
  const store = createWorkbenchStore();
  store.getState().loadSnapshot({
    seq: 1,
    processes: [processInfo(1, 'srv'), processInfo(2, 'cli', { kind: 'stream-client', status: 'open' })],
    buffers: [],
    log: [],
    departed: [],
  });
  store.getState().select(selected === 'server' ? 1 : 2);
  const library = createMessageLibraryStore(memoryStorage);
  library.getState().add({ name: 'hello', kind: 'text', body: 'hi {{seq}}\\r\\n' });
  const started: RepeatState = { id: 7, name: 'hello', processName: 'cli', intervalMs: 5, count: 100, sent: 0, running: true, error: null };
  const api = { sendMessage: vi.fn(async () => started), sendFile: vi.fn(), stopRepeat: vi.fn(async () => true) };
  render(
    <TooltipProvider>
      <MessagesPane api={api as unknown as NetprocApi} store={store} library={library} onClose={() => undefined} />
    </TooltipProvider>,
  );
  return { api, store, library };
}

describe('MessagesPane', () => {
  it('sends a message to a server as one to every connection', async () => {
    const { api } = pane('server');
    await act(async () => fireEvent.click(screen.getByRole('button', { name: 'Send to every connection' })));
    expect(api.sendMessage).toHaveBeenCalledWith({ id: 1, name: 'hello', template: 'hi {{seq}}\\r\\n', everyConnection: true });
  });

  it('checks the template as it is typed, with where the mistake is, and sends nothing until it is right', () => {
    pane('client');
    const template = screen.getByLabelText('Template');
    expect(screen.getByLabelText('Preview').textContent).toContain('68 69 20 31 0d 0a');
    fireEvent.change(template, { target: { value: 'hi {{sec}}' } });
    expect(template.getAttribute('aria-invalid')).toBe('true');
    expect(screen.getByRole('alert').textContent).toMatch(/unknown variable \{\{sec\}\}.*at character 4/);
    expect(screen.getByRole('button', { name: 'Send' })).toHaveProperty('disabled', true);
    expect(screen.queryByLabelText('Preview')).toBeNull();
  });

  it('a repeat shows its live count from the events, and Stop stops it', async () => {
    const { api, store } = pane('client');
    fireEvent.click(screen.getByRole('checkbox', { name: 'Repeat' }));
    fireEvent.change(screen.getByLabelText('Times'), { target: { value: '100' } });
    fireEvent.change(screen.getByLabelText('Every (ms)'), { target: { value: '5' } });
    await act(async () => fireEvent.click(screen.getByRole('button', { name: 'Repeat' })));
    expect(api.sendMessage).toHaveBeenCalledWith({
      id: 2,
      name: 'hello',
      template: 'hi {{seq}}\\r\\n',
      repeat: { intervalMs: 5, count: 100 },
    });
    const state: RepeatState = {
      id: 7,
      name: 'hello',
      processName: 'cli',
      intervalMs: 5,
      count: 100,
      sent: 37,
      running: true,
      error: null,
    };
    act(() => void store.getState().applyBatch({ seq: 2, events: [{ type: 'repeat', state }] }));
    expect(screen.getByRole('status', { name: 'Sent by hello' }).textContent).toBe('37 of 100');
    fireEvent.click(screen.getByRole('button', { name: 'Stop hello to cli' }));
    expect(api.stopRepeat).toHaveBeenCalledWith({ id: 7 });
    act(() => void store.getState().applyBatch({ seq: 3, events: [{ type: 'repeat', state: { ...state, sent: 40, running: false } }] }));
    expect(screen.getByRole('status', { name: 'Sent by hello' }).textContent).toBe('40 of 100');
    expect(screen.queryByRole('button', { name: 'Stop' })).toBeNull();
  });

  it("shows beside the send only the repeat to the process it would send to now, not another target's", () => {
    const { store } = pane('server');
    const toClient: RepeatState = {
      id: 8,
      name: 'hello',
      processName: 'cli',
      intervalMs: 5,
      count: 4,
      sent: 4,
      running: false,
      error: null,
    };
    act(() => void store.getState().applyBatch({ seq: 2, events: [{ type: 'repeat', state: toClient }] }));
    // The Repeats list has it, under its target; the server's send line does not.
    expect(screen.getByRole('status', { name: 'Sent by hello to cli' }).textContent).toBe('4 of 4');
    expect(screen.queryByRole('status', { name: 'Sent by hello' })).toBeNull();
    act(() => store.getState().select(2));
    expect(screen.getByRole('status', { name: 'Sent by hello' }).textContent).toBe('4 of 4');
  });
});
