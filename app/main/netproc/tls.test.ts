import { readFileSync } from 'node:fs';
import tls from 'node:tls';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { engine, freePort, onCleanup, waitFor } from './test-support.js';

const fixture = (name: string): string => fileURLToPath(new URL(`./fixtures/${name}`, import.meta.url));

async function tlsEchoServer(): Promise<number> {
  const sockets: Array<{ destroy: () => void }> = [];
  const server = tls.createServer({ key: readFileSync(fixture('server.key')), cert: readFileSync(fixture('server.pem')) }, (s) => {
    s.on('data', (d) => s.write(`echo:${d}`));
    s.on('error', () => undefined);
  });
  server.on('tlsClientError', () => undefined);
  server.on('connection', (raw) => sockets.push(raw));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  onCleanup(() => {
    for (const s of sockets) s.destroy();
    return new Promise<void>((r) => server.close(() => r()));
  });
  return (server.address() as { port: number }).port;
}

describe('TLS streams (open-network-stream :type tls)', () => {
  it('verifies against a trusted CA file, then exchanges data', async () => {
    const np = engine();
    const port = await tlsEchoServer();
    np.getBufferCreate('*tls*');
    const p = await np.openNetworkStream('tls', '*tls*', 'localhost', port, { type: 'tls', caFile: fixture('ca.pem') });
    expect(np.processStatus(p)).toBe('open');
    expect(p.tls).toMatchObject({ verify: true, authorized: true, authorizationError: null, peerCertificate: { subject: 'CN=localhost' } });
    expect(p.tls?.protocol).toMatch(/^TLSv1\.[23]$/);
    expect(np.processContact(p, 'tlsParameters')).toEqual({ verify: true, caFile: fixture('ca.pem') });
    await np.processSendString(p, 'secret');
    await waitFor(() => np.bufferString('*tls*') === 'echo:secret');
  });

  it('a CA file that holds no PEM certificate is refused by name before connecting, and leaves no process', async () => {
    const np = engine();
    const port = await tlsEchoServer();
    for (const file of [fixture('server.key'), fileURLToPath(import.meta.url)]) {
      await expect(
        np.makeNetworkProcess({ name: 'ca', host: 'localhost', service: port, tlsParameters: { caFile: file } }),
      ).rejects.toMatchObject({ field: 'caFile', message: `caFile: ${file} holds no PEM certificate` });
    }
    expect(np.processList()).toEqual([]);
  });

  it('an untrusted certificate fails the handshake and leaves no process behind (quirk 12, D) [O-12 D]', async () => {
    const np = engine();
    const port = await tlsEchoServer();
    np.getBufferCreate('*bad*');
    await expect(np.openNetworkStream('bad', '*bad*', 'localhost', port, { type: 'tls' })).rejects.toMatchObject({
      code: 'TLS_HANDSHAKE',
      condition: 'gnutls-error',
      field: 'tlsParameters',
    });
    expect(np.processList()).toEqual([]);
  });

  it("a failed TLS client's error data names its keywords as Lisp does (:tls-parameters)", async () => {
    const np = engine();
    const port = await freePort();
    const err = await np
      .makeNetworkProcess({ name: 'kw', host: '127.0.0.1', service: port, tlsParameters: { verify: true } })
      .catch((e: { data?: unknown[] }) => e);
    expect((err as { data?: unknown[] }).data).toContain(':tls-parameters');
    expect((err as { data?: unknown[] }).data).not.toContain(':tlsParameters');
  });

  it('with verification off it connects and records that the peer was not authorized', async () => {
    const np = engine();
    const port = await tlsEchoServer();
    const p = await np.makeNetworkProcess({ name: 'insecure', host: '127.0.0.1', service: port, tlsParameters: { verify: false } });
    expect(p?.tls).toMatchObject({ verify: false, authorized: false });
    expect(p?.tls?.authorizationError).toBeTruthy();
  });

  it('the TLS path needs an existing buffer name [spec §3]', async () => {
    const np = engine();
    await expect(np.openNetworkStream('tls', '*nowhere*', 'localhost', 1, { type: 'tls' })).rejects.toThrow('No buffer named *nowhere*');
  });

  it('with :nowait a failed handshake is "failed with code TLS negotiation failed"', async () => {
    const np = engine();
    const port = await tlsEchoServer();
    const events: string[] = [];
    np.on('sentinel', ({ event }) => events.push(event));
    const p = await np.openNetworkStream('nwtls', null, 'localhost', port, { type: 'tls', nowait: true });
    await waitFor(() => events.length === 1);
    expect(events).toEqual(['failed with code TLS negotiation failed\n']);
    expect(np.processStatus(p)).toBe('failed');
  });
});
