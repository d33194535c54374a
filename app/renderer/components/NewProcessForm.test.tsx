// @vitest-environment jsdom
import { cleanup, fireEvent, render, screen, waitFor, within } from '@testing-library/react';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { NetprocApi } from '../../shared/api.js';
import { ipcHarness } from '../../main/bridge/test-clients.js';
import { plainServer } from '../../main/netproc/test-support.js';
import { NewProcessDialog } from './NewProcessForm.js';

afterEach(cleanup);

function dialog(api: NetprocApi) {
  const onCreated = vi.fn();
  render(<NewProcessDialog api={api} open onOpenChange={() => undefined} onCreated={onCreated} returnFocus={() => undefined} />);
  return { onCreated, form: within(screen.getByRole('dialog', { name: 'New process' })) };
}

/** A TLS server whose certificate the fixtures' own CA signed, which nothing trusts: a verifying client refuses it. */
async function untrustedServer(api: NetprocApi): Promise<{ port: number; fingerprint: string }> {
  const fixture = (name: string): string => join(dirname(fileURLToPath(import.meta.url)), '../../main/netproc/fixtures', name);
  const server = await api.makeNetworkProcess({
    name: 'tls',
    server: true,
    service: true,
    host: '127.0.0.1',
    tlsServer: { cert: fixture('server.pem'), key: fixture('server.key') },
    noquery: true,
  });
  return { port: (server!.local as number[]).at(-1)!, fingerprint: server!.tls!.localCertificate!.fingerprint256 };
}

describe('New process dialog', () => {
  it('offers to trust a refused certificate by its fingerprint: the field is filled, focus goes to it, and Create connects', async () => {
    const { client } = await ipcHarness();
    const api = await client();
    const { port, fingerprint } = await untrustedServer(api);
    const { form, onCreated } = dialog(api);
    fireEvent.change(form.getByLabelText('Name', { exact: true }), { target: { value: 'c' } });
    fireEvent.change(form.getByLabelText('Service (port or name)'), { target: { value: String(port) } });
    fireEvent.click(form.getByLabelText('Use TLS'));
    expect(form.queryByRole('button', { name: 'Trust this fingerprint' })).toBeNull();
    fireEvent.click(form.getByRole('button', { name: 'Create' }));

    const trust = await form.findByRole('button', { name: 'Trust this fingerprint' }, { timeout: 10_000 });
    expect(form.getAllByRole('alert')[0]!.textContent).toContain(fingerprint);
    expect(onCreated).not.toHaveBeenCalled();
    fireEvent.click(trust);
    const field = form.getByLabelText('Trusted fingerprint (SHA-256 pin)') as HTMLInputElement;
    expect(field.value).toBe(fingerprint);
    expect(document.activeElement).toBe(field);
    expect(form.getAllByRole('status').map((status) => status.textContent)).toContain(
      'Trusted fingerprint filled in: press Create again to connect. Once it matches, it is remembered as the pin for this host and port.',
    );
    expect(form.queryByRole('button', { name: 'Trust this fingerprint' })).toBeNull();

    fireEvent.click(form.getByRole('button', { name: 'Create' }));
    await waitFor(() => expect(onCreated).toHaveBeenCalledOnce(), { timeout: 10_000 });
    expect(onCreated.mock.calls[0]![0]).toMatchObject({ name: 'c', status: 'open', tls: { pinned: true } });
    expect(await api.listCertificatePins({})).toMatchObject([{ host: '127.0.0.1', port, fingerprint }]);
  });

  it('offers no trust for an error that is not a refused certificate', async () => {
    const { client } = await ipcHarness();
    const api = await client();
    const { port } = await untrustedServer(api);
    const { form } = dialog(api);
    fireEvent.change(form.getByLabelText('Service (port or name)'), { target: { value: String(port) } });
    fireEvent.click(form.getByLabelText('Use TLS'));
    fireEvent.change(form.getByLabelText('CA file'), { target: { value: '/nonexistent/ca.pem' } });
    fireEvent.click(form.getByRole('button', { name: 'Create' }));
    await waitFor(() => expect(form.getAllByRole('alert').length).toBeGreaterThan(0), { timeout: 10_000 });
    expect(form.queryByRole('button', { name: 'Trust this fingerprint' })).toBeNull();
  });

  it('says what Create waits for while a TLS handshake is pending, and nothing once it ends', async () => {
    const { client } = await ipcHarness();
    const api = await client();
    const silent = await plainServer();
    const { form } = dialog(api);
    const status = form.getByRole('status');
    expect(status.textContent).toBe('');
    fireEvent.change(form.getByLabelText('Service (port or name)'), { target: { value: String(silent.port) } });
    fireEvent.click(form.getByLabelText('Use TLS'));
    fireEvent.click(form.getByRole('button', { name: 'Create' }));
    await waitFor(() => expect(status.textContent).toBe('Connecting… the TLS handshake waits up to 30 s'));
    expect(form.getByRole('button', { name: 'Create' }).getAttribute('aria-busy')).toBe('true');
    await waitFor(() => expect(silent.sockets.length).toBe(1));
    silent.sockets[0]!.destroy();
    await waitFor(() => expect(form.getAllByRole('alert').length).toBeGreaterThan(0), { timeout: 10_000 });
    expect(status.textContent).toBe('');
  });
});
