// @vitest-environment jsdom
import { cleanup, fireEvent, render, screen, waitFor } from '@testing-library/react';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import type { NetprocApi } from '../../shared/api.js';
import { ipcHarness } from '../../main/bridge/test-clients.js';
import { freePort, plainServer } from '../../main/netproc/test-support.js';
import { createWorkbenchStore, type WorkbenchStore } from '../store.js';
import { CommandPalette, completes } from './CommandPalette.js';

beforeAll(() => {
  // jsdom lays nothing out: cmdk measures its list and scrolls the active item into view.
  globalThis.ResizeObserver ??= class {
    observe(): void {}
    unobserve(): void {}
    disconnect(): void {}
  } as unknown as typeof ResizeObserver;
  Element.prototype.scrollIntoView ??= function scrollIntoView(): void {};
});
afterEach(cleanup);

function palette(api: NetprocApi, store: WorkbenchStore = createWorkbenchStore()) {
  const handlers = {
    onDone: vi.fn(),
    onOpenForm: vi.fn(),
    onListProcesses: vi.fn(),
    onListBuffers: vi.fn(),
    onMessageLibrary: vi.fn(),
    onOpenChange: vi.fn(),
  };
  render(<CommandPalette api={api} store={store} open returnFocus={() => undefined} {...handlers} />);
  return { ...handlers, input: screen.getByRole('combobox', { name: 'Command' }) };
}

describe('CommandPalette', () => {
  it('completes the first word typed, and nothing once a Lisp form starts', () => {
    expect(completes('stop-process', 'stop-p')).toBe(true);
    expect(completes('stop-process', 'stop-process srv t')).toBe(true);
    expect(completes('continue-process', 'stop')).toBe(false);
    expect(completes('stop-process', '(stop')).toBe(false);
    expect(completes('stop-process', '')).toBe(true);
  });

  it('shows a refused request as its message and, below it, the signal as the echo area prints it; it stays open', async () => {
    const { client } = await ipcHarness();
    const api = await client();
    const port = await freePort();
    const { input, onDone } = palette(api);
    fireEvent.change(input, { target: { value: `(make-network-process :name "c" :host "127.0.0.1" :service ${port})` } });
    fireEvent.keyDown(input, { key: 'Enter' });
    expect((await screen.findByRole('alert')).textContent).toBe('make client process failed: Connection refused');
    const signal = screen.getByLabelText('Lisp signal').textContent ?? '';
    expect(signal).toMatch(/^\(file-error "make client process failed" "Connection refused" :name "c" /);
    expect(signal).toContain(`:service ${port}`);
    expect(input.getAttribute('aria-invalid')).toBe('true');
    expect(onDone).not.toHaveBeenCalled();
  });

  it('shows no signal for a mistake the palette itself catches', () => {
    const { input } = palette({} as never);
    fireEvent.change(input, { target: { value: 'shell-command' } });
    fireEvent.keyDown(input, { key: 'Enter' });
    expect(screen.getByRole('alert').textContent).toBe('Unknown command shell-command');
    expect(screen.queryByLabelText('Lisp signal')).toBeNull();
  });

  it('moves the highlight with the arrow keys, tells assistive technology, and Enter runs the highlighted command', async () => {
    const { input, onOpenForm, onListProcesses } = palette({} as never);
    const selected = () => screen.getAllByRole('option').filter((o) => o.getAttribute('aria-selected') === 'true');
    await waitFor(() => expect(selected().map((o) => o.textContent)).toEqual(['make-network-process']));
    fireEvent.keyDown(input, { key: 'ArrowDown' });
    await waitFor(() => expect(selected().map((o) => o.textContent)).toEqual(['open-network-stream']));
    expect(input.getAttribute('aria-activedescendant')).toBe(selected()[0]!.id);
    fireEvent.keyDown(input, { key: 'ArrowUp' });
    await waitFor(() => expect(selected().map((o) => o.textContent)).toEqual(['make-network-process']));
    fireEvent.keyDown(input, { key: 'Enter' });
    expect(onOpenForm).toHaveBeenCalledOnce();
    // Typing narrows the list and highlights the first match; Tab completes it.
    fireEvent.change(input, { target: { value: 'list-p' } });
    await waitFor(() => expect(selected().map((o) => o.textContent)).toEqual(['list-processes']));
    fireEvent.keyDown(input, { key: 'Tab' });
    expect((input as HTMLInputElement).value).toBe('list-processes ');
    fireEvent.keyDown(input, { key: 'Enter' });
    expect(onListProcesses).toHaveBeenCalledOnce();
  });

  it('message-library opens the Messages pane', async () => {
    const { input, onMessageLibrary } = palette({} as never);
    fireEvent.change(input, { target: { value: 'message-library' } });
    fireEvent.keyDown(input, { key: 'Enter' });
    await waitFor(() => expect(onMessageLibrary).toHaveBeenCalledOnce());
  });

  it('runs process-contact NAME t typed without parentheses, and hands the answer to the echo area', async () => {
    const { client } = await ipcHarness();
    const api = await client();
    await api.makeNetworkProcess({ name: 'srv', server: true, service: true, noquery: true });
    const store = createWorkbenchStore();
    store.getState().loadSnapshot(await api.snapshot({}));
    const { input, onDone } = palette(api, store);
    fireEvent.change(input, { target: { value: 'process-contact srv t' } });
    fireEvent.keyDown(input, { key: 'Enter' });
    await waitFor(() => expect(onDone).toHaveBeenCalledOnce());
    expect(onDone.mock.calls[0]![0]).toMatch(/^\(:name "srv" .*:server t :noquery t /);
    fireEvent.change(input, { target: { value: 'set-process-query-on-exit-flag srv t' } });
    fireEvent.keyDown(input, { key: 'Enter' });
    await waitFor(() => expect(onDone).toHaveBeenCalledTimes(2));
    expect(onDone.mock.calls[1]![0]).toBe('srv: query on exit t');
    expect((await api.snapshot({})).processes.find((p) => p.name === 'srv')!.queryOnExit).toBe(true);
  });

  it('sends nil for a yes/no keyword as false: :verify nil really connects to an unverified TLS server', async () => {
    const { client } = await ipcHarness();
    const api = await client();
    // Signed by the fixtures' own CA, which nothing trusts: only verification off lets a client in.
    const fixture = (name: string): string => join(dirname(fileURLToPath(import.meta.url)), '../../main/netproc/fixtures', name);
    const tlsServer = { cert: fixture('server.pem'), key: fixture('server.key') };
    const server = await api.makeNetworkProcess({ name: 'tls', server: true, service: true, host: '127.0.0.1', tlsServer, noquery: true });
    const port = (server!.local as number[]).at(-1)!;
    const store = createWorkbenchStore();
    const { input, onDone } = palette(api, store);
    fireEvent.change(input, {
      target: { value: `(make-network-process :name "c" :host "127.0.0.1" :service ${port} :nowait nil :tls-parameters (:verify nil))` },
    });
    fireEvent.keyDown(input, { key: 'Enter' });
    await waitFor(() => expect(onDone).toHaveBeenCalledOnce(), { timeout: 10_000 });
    expect(onDone.mock.calls[0]![0]).toBe('#<process c>');
    fireEvent.change(input, { target: { value: `(open-network-stream "ov" nil "127.0.0.1" ${port} :type 'tls :verify nil :nowait nil)` } });
    fireEvent.keyDown(input, { key: 'Enter' });
    await waitFor(() => expect(onDone).toHaveBeenCalledTimes(2), { timeout: 10_000 });
    expect(onDone.mock.calls[1]![0]).toBe('#<process ov>');
    const clients = (await api.snapshot({})).processes.filter((p) => p.name === 'c' || p.name === 'ov');
    expect(clients.map((p) => [p.name, p.status, p.tls?.verify]).sort()).toEqual([
      ['c', 'open', false],
      ['ov', 'open', false],
    ]);
  });

  it('says it is connecting while a TLS handshake is pending, and stops saying so when it ends', async () => {
    const { client } = await ipcHarness();
    const api = await client();
    // A peer that accepts and never answers the handshake, until the test hangs up on it.
    const silent = await plainServer();
    const { input } = palette(api);
    const status = screen.getByRole('status');
    expect(status.textContent).toBe('');
    fireEvent.change(input, {
      target: { value: `(make-network-process :name "c" :host "127.0.0.1" :service ${silent.port} :tls-parameters (:verify nil))` },
    });
    fireEvent.keyDown(input, { key: 'Enter' });
    await waitFor(() => expect(status.textContent).toBe('Connecting…'));
    await waitFor(() => expect(silent.sockets.length).toBe(1));
    silent.sockets[0]!.destroy();
    expect((await screen.findByRole('alert', {}, { timeout: 10_000 })).textContent).toMatch(/failed/);
    expect(status.textContent).toBe('');
  });

  it('names a refused argument as the form writes it, with what it may be', async () => {
    const { client } = await ipcHarness();
    const api = await client();
    const { input } = palette(api);
    const refusal = async (form: string): Promise<string | null> => {
      fireEvent.change(input, { target: { value: form } });
      fireEvent.keyDown(input, { key: 'Enter' });
      return (await screen.findByRole('alert')).textContent;
    };
    expect(await refusal(`(make-network-process :name "x" :service ${'9'.repeat(200)})`)).toBe(':service must be a port from 0 to 65535');
    expect(await refusal(`(make-network-process :name "x" :service 1 :tls-parameters (:servername "${'a'.repeat(300)}"))`)).toBe(
      ':tls-parameters :servername must be at most 253 characters',
    );
    expect(await refusal(`(make-network-process :name "x" :service 1 :tls-parameters (:alpn ("h2" "")))`)).toBe(
      ':tls-parameters :alpn item 2 must not be empty',
    );
    expect(await refusal(`(make-network-process :name "x" :service 1 :tls-parameters (:pin "AB"))`)).toBe(
      ':tls-parameters :pin is not a keyword of :tls-parameters',
    );
    expect(await refusal(`(make-network-process :name "x" :service 1 :frobnicate t)`)).toBe(
      ':frobnicate is not a keyword of make-network-process',
    );
    expect(await refusal(`(make-network-process :name "x" :service 1 :nowait 5)`)).toBe(':nowait must be true or false (t or nil)');
    expect(await refusal(`(open-network-stream "o" nil "127.0.0.1" 1 :type 'bogus)`)).toBe(
      ':type must be plain, network, tls, ssl or starttls',
    );
    expect(await refusal(`(open-network-stream "o" nil "" 1)`)).toBe('HOST must not be empty');
    expect(await refusal(`(open-network-stream "o" nil "h" 1 :type 'tls :client-certificate t)`)).toBe(
      ':client-certificate must be the key file and the certificate file, in that order: (KEY-FILE CERT-FILE); t (auth-source) is not supported',
    );
  });
});
