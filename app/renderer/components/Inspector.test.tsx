// @vitest-environment jsdom
import dgram from 'node:dgram';
import { act, cleanup, fireEvent, render, screen, within } from '@testing-library/react';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ipcHarness } from '../../main/bridge/test-clients.js';
import { onCleanup, sleep, waitFor } from '../../main/netproc/test-support.js';
import type { NetprocApi } from '../../shared/api.js';
import { loadSettings } from '../settings.js';
import { createWorkbenchStore, type WorkbenchStore } from '../store.js';
import { Inspector } from './Inspector.js';
import { TooltipProvider } from './ui/Button.js';

afterEach(cleanup);
beforeEach(() => localStorage.clear());

/** A workbench store fed by a real engine over IPC, as App feeds it, with PROCESS selected. */
async function workbench(): Promise<{ api: NetprocApi; store: WorkbenchStore; harness: Awaited<ReturnType<typeof ipcHarness>> }> {
  const harness = await ipcHarness();
  const api = await harness.client();
  const store = createWorkbenchStore();
  onCleanup(api.onEvents((batch) => act(() => void store.getState().applyBatch(batch))));
  return { api, store, harness };
}

async function show(api: NetprocApi, store: WorkbenchStore, id: number) {
  const snapshot = await api.snapshot({});
  act(() => {
    store.getState().loadSnapshot(snapshot);
    store.getState().select(id);
  });
  return render(<Inspector api={api} store={store} />, { wrapper: TooltipProvider });
}

const expanded = (title: string): string | null => screen.getByRole('button', { name: title }).getAttribute('aria-expanded');

describe('the inspector', () => {
  it('heads itself with the name, kind and status; its sections fold, and which are open is remembered', async () => {
    const { api, store, harness } = await workbench();
    const srv = (await harness.np.makeNetworkProcess({ name: 'srv', server: true, host: '127.0.0.1', service: true, noquery: true }))!;
    const view = await show(api, store, srv.id);
    const inspector = screen.getByRole('region', { name: 'Inspector' });
    const header = inspector.querySelector('header')!;
    expect(within(header).getByRole('heading', { name: 'srv' })).toBeTruthy();
    expect(header.textContent).toContain('TCP server');
    expect(header.textContent).toContain('listen');
    // The header is no section's: it stays while they scroll (position: sticky on .inspector-header).
    expect(header.className).toBe('inspector-header');
    expect(header.closest('.section')).toBeNull();

    expect(expanded('Status')).toBe('true');
    expect(expanded('Kernel queues')).toBe('false');
    expect(screen.getByRole('region', { name: 'Addresses' }).textContent).toContain('127.0.0.1:');
    fireEvent.click(screen.getByRole('button', { name: 'Addresses' }));
    expect(expanded('Addresses')).toBe('false');
    expect(screen.queryByRole('button', { name: 'Copy local address' })).toBeNull();
    fireEvent.click(screen.getByRole('button', { name: 'Socket options' }));
    expect(expanded('Socket options')).toBe('true');
    expect(loadSettings().inspectorSections).toEqual({ Addresses: false, 'Socket options': true });

    // A reload: a new inspector opens the same sections.
    view.unmount();
    await show(api, store, srv.id);
    expect(expanded('Addresses')).toBe('false');
    expect(expanded('Socket options')).toBe('true');
    expect(expanded('Contact')).toBe('true');
  });

  it('copies a value with the clipboard and says so beside the button; a refused clipboard says that instead', async () => {
    const { api, store, harness } = await workbench();
    const srv = (await harness.np.makeNetworkProcess({ name: 'cp', server: true, host: '127.0.0.1', service: true, noquery: true }))!;
    const port = (harness.np.processContact(srv, 'local') as number[])[4];
    const writeText = vi.fn(async () => undefined);
    Object.defineProperty(navigator, 'clipboard', { value: { writeText }, configurable: true });
    await show(api, store, srv.id);
    const copyLocal = screen.getByRole('button', { name: 'Copy local address' });
    fireEvent.click(copyLocal);
    expect(writeText).toHaveBeenCalledWith(`127.0.0.1:${port}`);
    expect(await within(copyLocal.parentElement!).findByRole('status')).toHaveProperty('textContent', 'Copied');
    fireEvent.click(screen.getByRole('button', { name: 'Copy local address as Lisp' }));
    expect(writeText).toHaveBeenLastCalledWith(`[127 0 0 1 ${port}]`);
    await waitFor(() => screen.queryByRole('button', { name: 'Copy :local' }));
    fireEvent.click(screen.getByRole('button', { name: 'Copy :local' }));
    expect(writeText).toHaveBeenLastCalledWith(`[127 0 0 1 ${port}]`);
    fireEvent.click(screen.getByRole('button', { name: 'Copy contact, nil form' }));
    expect(writeText).toHaveBeenLastCalledWith(`("127.0.0.1" ${port})`);

    writeText.mockRejectedValueOnce(new DOMException('Document is not focused.', 'NotAllowedError'));
    const copyStatus = screen.getByRole('button', { name: 'Copy status' });
    fireEvent.click(copyStatus);
    await waitFor(() => copyStatus.parentElement!.textContent === 'Copy refused: select the text');
    // The value itself stays on the page as text.
    expect(screen.getByLabelText('Status', { selector: 'dd' }).textContent).toContain('listen');
  });

  it('turns per-peer rows on for a UDP server; a peer inspects as a UDP peer at its own address', async () => {
    const { api, store, harness } = await workbench();
    const udp = (await harness.np.makeNetworkProcess({
      name: 'u',
      type: 'datagram',
      server: true,
      host: '127.0.0.1',
      service: true,
      noquery: true,
    }))!;
    const view = await show(api, store, udp.id);
    const status = screen.getByRole('region', { name: 'Status' });
    const split = within(status).getByRole('checkbox', { name: 'A row per peer' }) as HTMLInputElement;
    expect(split.checked).toBe(false);
    fireEvent.click(split);
    await waitFor(() => udp.splitPeers);
    await waitFor(() => (within(status).getByRole('checkbox', { name: 'A row per peer' }) as HTMLInputElement).checked);

    const sender = dgram.createSocket('udp4');
    onCleanup(() => sender.close());
    await new Promise<void>((r) => sender.send('hi', harness.np.processContact(udp, 'service') as number, '127.0.0.1', () => r()));
    const peer = await waitFor(() => harness.np.processList().find((p) => p.server === udp));
    view.unmount();
    await show(api, store, peer.id);
    const header = screen.getByRole('region', { name: 'Inspector' }).querySelector('header')!;
    expect(header.textContent).toContain('UDP peer of a server');
    expect(within(screen.getByRole('region', { name: 'Status' })).queryByRole('checkbox', { name: 'A row per peer' })).toBeNull();
    expect(screen.getByRole('region', { name: 'Addresses' }).textContent).toContain(`127.0.0.1:${sender.address().port}`);
  });

  it('sets socket options through the engine, and shows Emacs’s error beside the option a UDP socket refuses', async () => {
    const { api, store, harness } = await workbench();
    const udp = (await harness.np.makeNetworkProcess({
      name: 'u',
      type: 'datagram',
      server: true,
      host: '127.0.0.1',
      service: true,
      noquery: true,
    }))!;
    await show(api, store, udp.id);
    fireEvent.click(screen.getByRole('button', { name: 'Socket options' }));
    const options = screen.getByRole('region', { name: 'Socket options' });
    const nodelay = within(options).getByRole('checkbox', { name: ':nodelay' });
    fireEvent.click(nodelay);
    const alert = await within(options).findByRole('alert');
    expect(alert.textContent).toBe('Cannot set network option: Protocol not available');
    expect(within(options).getByLabelText('Lisp signal for :nodelay').textContent).toBe(
      '(file-error "Cannot set network option" "Protocol not available" :nodelay t)',
    );
    expect(nodelay.getAttribute('aria-invalid')).toBe('true');
    expect((nodelay as HTMLInputElement).checked).toBe(false);
    expect(harness.np.processContact(udp, 'nodelay')).toBeNull();

    // A datagram server has :reuseaddr on by default; :keepalive goes through and the contact shows it.
    expect((within(options).getByRole('checkbox', { name: ':reuseaddr' }) as HTMLInputElement).checked).toBe(true);
    fireEvent.click(within(options).getByRole('checkbox', { name: ':keepalive' }));
    await waitFor(() => harness.np.processContact(udp, 'keepalive') === true);
    await waitFor(() => (within(options).getByRole('checkbox', { name: ':keepalive' }) as HTMLInputElement).checked);
    const linger = () => within(options).getByRole('combobox', { name: ':linger' }) as HTMLSelectElement;
    fireEvent.change(linger(), { target: { value: 't' } });
    await waitFor(() => harness.np.processContact(udp, 'linger') === true);
    // Each control waits while a change is on its way.
    await waitFor(() => !linger().disabled && linger().value === 't');
    fireEvent.change(linger(), { target: { value: 'seconds' } });
    fireEvent.change(within(options).getByRole('textbox', { name: 'Linger seconds' }), { target: { value: '30' } });
    fireEvent.click(within(options).getByRole('button', { name: 'Set :linger' }));
    await waitFor(() => harness.np.processContact(udp, 'linger') === 30);
    // The refusal of :nodelay stays beside :nodelay only.
    expect(within(options).getAllByRole('alert')).toHaveLength(1);
  });

  it.runIf(process.platform === 'linux')(
    'reads the kernel queues only while the section is open: a stopped UDP socket’s receive queue fills',
    async () => {
      const { harness, store } = await workbench();
      const inner = await harness.client();
      let reads = 0;
      const api: NetprocApi = {
        ...inner,
        processKernelQueues: (params) => {
          reads++;
          return inner.processKernelQueues(params);
        },
      };
      const udp = (await harness.np.makeNetworkProcess({
        name: 'q',
        type: 'datagram',
        server: true,
        host: '127.0.0.1',
        service: true,
        noquery: true,
      }))!;
      await harness.np.stopProcess(udp);
      const sender = dgram.createSocket('udp4');
      onCleanup(() => sender.close());
      const port = (harness.np.processContact(udp, 'local') as number[])[4]!;
      // More than the stopped socket's buffer holds: the kernel queues what fits and drops the rest (bounded: 600 datagrams).
      for (let i = 0; i < 600; i++) await new Promise<void>((done) => sender.send(Buffer.alloc(1400), port, '127.0.0.1', () => done()));
      await show(api, store, udp.id);
      expect(reads).toBe(0);
      fireEvent.click(screen.getByRole('button', { name: 'Kernel queues' }));
      const queues = screen.getByRole('region', { name: 'Kernel queues' });
      const meter = await within(queues).findByRole('meter', { name: 'Receive queue fill' }, { timeout: 5000 });
      expect(Number(meter.getAttribute('value'))).toBeGreaterThan(0);
      expect(queues.textContent).toMatch(/Receive queue \d+(\.\d)? KiB of \d+(\.\d)? (KiB|MiB)/);
      expect(queues.textContent).toContain('UDP has no flow control');
      expect(Number(within(queues).getByLabelText('Datagrams dropped').firstElementChild?.textContent)).toBeGreaterThan(0);
      await waitFor(() => reads >= 2, 5000, 'a second read');
      fireEvent.click(screen.getByRole('button', { name: 'Kernel queues' }));
      // A read in flight may still land; after that, none.
      await sleep(300);
      const closedAt = reads;
      await sleep(700);
      expect(reads).toBe(closedAt);
    },
  );
});
