import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import tls from 'node:tls';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { PinStore } from './pin-store.js';
import type { NetworkProcess } from './process.js';
import { engine, onCleanup, plainClient, waitFor } from './test-support.js';
import { normaliseFingerprint } from './tls.js';

type Np = ReturnType<typeof engine>;

const fixture = (name: string): string => fileURLToPath(new URL(`./fixtures/${name}`, import.meta.url));
const FIXTURE_FINGERPRINT = new (await import('node:crypto')).X509Certificate(readFileSync(fixture('server.pem'))).fingerprint256;

function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'netproc-tls-'));
  onCleanup(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

async function tlsServer(np: Np, tlsServerSpec: unknown, extra: Record<string, unknown> = {}) {
  const logs: string[] = [];
  const srv = (await np.makeNetworkProcess({
    name: 'tsrv',
    server: true,
    host: '127.0.0.1',
    service: true,
    buffer: '*tsrv*',
    tlsServer: tlsServerSpec as never,
    log: (_s: NetworkProcess, _c: NetworkProcess | null, m: string) => logs.push(m),
    ...extra,
  })) as NetworkProcess;
  return { srv, port: np.processContact(srv, 'service') as number, logs };
}

/** A Node TLS client, destroyed when the test ends; resolves once the handshake finished. */
function nodeTlsClient(port: number, options: tls.ConnectionOptions = {}): Promise<tls.TLSSocket> {
  return new Promise((resolve, reject) => {
    const socket = tls.connect({ host: '127.0.0.1', port, servername: 'localhost', ...options }, () => resolve(socket));
    socket.on('error', reject);
    onCleanup(() => socket.destroy());
  });
}

const accepted = (np: Np, srv: NetworkProcess): NetworkProcess[] => np.processList().filter((p) => p.server === srv);

describe('TLS servers (:tls-server, beyond Emacs)', () => {
  it('serves TLS from PEM files: a verifying client sees the certificate, data flows both ways, the contact shows the session', async () => {
    const np = engine();
    const { srv, port, logs } = await tlsServer(np, { cert: fixture('server.pem'), key: fixture('server.key'), alpn: ['h2', 'http/1.1'] });
    expect(np.processContact(srv, 'tls')).toMatchObject({ source: 'files', fingerprint: FIXTURE_FINGERPRINT, subject: 'CN=localhost' });
    const client = await nodeTlsClient(port, { ca: readFileSync(fixture('ca.pem')), ALPNProtocols: ['http/1.1'] });
    expect(client.authorized).toBe(true);
    expect(client.getPeerX509Certificate()?.fingerprint256).toBe(FIXTURE_FINGERPRINT);
    expect(client.alpnProtocol).toBe('http/1.1');
    const [conn] = await waitFor(() => (accepted(np, srv).length === 1 ? accepted(np, srv) : null));
    const contact = np.processContact(conn!, 'tls') as Record<string, unknown>;
    expect(contact).toMatchObject({
      protocol: client.getProtocol(),
      cipher: client.getCipher().name,
      alpn: 'http/1.1',
      servername: 'localhost',
    });
    expect(conn!.tls).toMatchObject({ role: 'accepted', localCertificate: { fingerprint256: FIXTURE_FINGERPRINT } });
    client.write('hello over tls');
    await waitFor(
      () => np.bufferString('*tsrv* <127.0.0.1>')?.startsWith('hello over tls') || np.bufferString(conn!.buffer!.name) === 'hello over tls',
    );
    let echoed = '';
    client.on('data', (d: Buffer) => (echoed += d.toString()));
    await np.processSendString(conn!, 'and back');
    await waitFor(() => echoed === 'and back');
    expect(conn!.counters.bytesIn).toBe('hello over tls'.length);
    expect(srv.counters.accepted).toBe(1);
    expect(logs[0]).toMatch(/^accept from 127\.0\.0\.1/);
  });

  it('a client that fails the handshake is one :log line; the server goes on serving', async () => {
    const np = engine();
    const { srv, port, logs } = await tlsServer(np, 'self-signed');
    const plain = await plainClient(port);
    plain.write('GET / HTTP/1.1\r\n\r\n');
    const failed = await waitFor(() => logs.find((l) => l.startsWith('TLS handshake from 127.0.0.1 failed')));
    // OpenSSL's reason alone, not its error code and the source file it came from.
    expect(failed).not.toMatch(/error:[0-9A-F]{8}|\.c:\d+/);
    // A client that refuses the certificate (it verifies and has no pin) fails on its side only.
    await expect(nodeTlsClient(port)).rejects.toThrow(/self.signed/i);
    expect(np.processStatus(srv)).toBe('listen');
    const good = await nodeTlsClient(port, { rejectUnauthorized: false });
    expect(good.getPeerX509Certificate()?.fingerprint256).toBe(srv.tls?.localCertificate?.fingerprint256);
    await waitFor(() => accepted(np, srv).length === 1);
    expect(srv.counters.accepted).toBe(1);
  });

  it('deleting a TLS server closes the connections still shaking hands', async () => {
    const np = engine();
    const { srv, port, logs } = await tlsServer(np, 'self-signed');
    const silent = await plainClient(port);
    await waitFor(() => srv.handshaking?.size === 1);
    const closed = new Promise((resolve) => silent.once('close', resolve));
    np.deleteProcess(srv);
    await closed;
    expect(srv.handshaking?.size ?? 0).toBe(0);
    expect(logs).toEqual([]);
  });

  it('a stopped TLS server parks its socket; on continue the queued client is accepted and shakes hands', async () => {
    const np = engine();
    const { srv, port } = await tlsServer(np, 'self-signed');
    await np.stopProcess(srv);
    const raw = net.connect(port, '127.0.0.1');
    onCleanup(() => raw.destroy());
    await new Promise((resolve) => raw.once('connect', resolve));
    let secured = false;
    const client = tls.connect({ socket: raw, rejectUnauthorized: false }, () => (secured = true));
    onCleanup(() => client.destroy());
    client.on('error', () => undefined);
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(secured).toBe(false);
    expect(accepted(np, srv)).toHaveLength(0);
    await np.continueProcess(srv);
    await waitFor(() => secured && accepted(np, srv).length === 1);
    expect(accepted(np, srv)[0]?.tls?.protocol).toMatch(/^TLSv1\.[23]$/);
  });

  it('generates a self-signed pair, saves it where asked (mode 600), and serves the same certificate from the saved file', async () => {
    const np = engine();
    const dir = tempDir();
    const saveTo = join(dir, 'pair.pem');
    const { srv } = await tlsServer(np, { selfSigned: true, saveTo });
    expect(statSync(saveTo).mode & 0o777).toBe(0o600);
    const fingerprint = srv.tls?.localCertificate?.fingerprint256 as string;
    expect(normaliseFingerprint(fingerprint)).toBe(fingerprint);
    expect(np.processContact(srv, 'tls')).toMatchObject({ source: 'self-signed', fingerprint });
    expect(srv.tls?.savedTo).toBe(saveTo);
    const again = await tlsServer(np, { cert: saveTo, key: saveTo });
    expect(again.srv.tls?.localCertificate?.fingerprint256).toBe(fingerprint);
    // Never overwrites.
    await expect(tlsServer(np, { selfSigned: true, saveTo })).rejects.toMatchObject({ field: 'tlsServer.saveTo' });
  });

  it('refuses bad :tls-server values by field, before anything listens', async () => {
    const np = engine();
    const dir = tempDir();
    const junk = join(dir, 'junk.pem');
    writeFileSync(junk, 'not a certificate');
    const cases: Array<[unknown, Record<string, unknown>, string]> = [
      [{ cert: fixture('server.pem') }, {}, 'tlsServer'],
      [{ cert: 'relative.pem', key: fixture('server.key') }, {}, 'tlsServer.cert'],
      [{ cert: join(dir, 'missing.pem'), key: fixture('server.key') }, {}, 'tlsServer.cert'],
      [{ cert: junk, key: fixture('server.key') }, {}, 'tlsServer.cert'],
      [{ cert: fixture('server.pem'), key: fixture('ca.pem') }, {}, 'tlsServer.key'],
      [{ cert: fixture('ca.pem'), key: fixture('server.key') }, {}, 'tlsServer'],
      [{ selfSigned: true, alpn: [''] }, {}, 'tlsServer.alpn'],
      [{ selfSigned: true, colour: 'red' }, {}, 'tlsServer.colour'],
      ['self-signed', { server: false }, 'tlsServer'],
      ['self-signed', { type: 'datagram' }, 'tlsServer'],
    ];
    for (const [spec, extra, field] of cases) {
      await expect(tlsServer(np, spec, extra), JSON.stringify(spec)).rejects.toMatchObject({ field });
    }
    expect(np.processList()).toEqual([]);
    // Swapped files: the one that is wrong is named, in OpenSSL's reason without its codes and source paths.
    const swapped = await tlsServer(np, { cert: fixture('server.key'), key: fixture('server.pem') }).catch((err: Error) => err);
    expect(swapped).toMatchObject({ field: 'tlsServer.cert' });
    expect((swapped as Error).message).toMatch(
      new RegExp(`^tlsServer\\.cert: certificate ${fixture('server.key')} is not a PEM certificate: `),
    );
    expect((swapped as Error).message).not.toMatch(/error:[0-9A-F]{8}|\.c:\d+/);
  });
});

describe('TLS clients: SNI, ALPN, the contact, and pins', () => {
  it('sends the SNI name and ALPN list it is given; the contact shows protocol, cipher, ALPN and the peer certificate', async () => {
    const np = engine();
    const { srv, port } = await tlsServer(np, { cert: fixture('server.pem'), key: fixture('server.key'), alpn: ['h2', 'http/1.1'] });
    const c = (await np.makeNetworkProcess({
      name: 'c',
      host: '127.0.0.1',
      service: port,
      tlsParameters: { caFile: fixture('ca.pem'), servername: 'localhost', alpn: ['h2'] },
    })) as NetworkProcess;
    const [conn] = await waitFor(() => (accepted(np, srv).length === 1 ? accepted(np, srv) : null));
    expect(conn!.tls?.servername).toBe('localhost');
    expect(np.processContact(c, 'tls')).toEqual({
      protocol: c.tls?.protocol,
      cipher: c.tls?.cipher,
      alpn: 'h2',
      servername: 'localhost',
      verified: true,
      pinned: false,
      subject: 'CN=localhost',
      issuer: 'CN=Netproc Test CA',
      notBefore: '2026-11-25T14:57:44.000Z',
      notAfter: '2126-11-01T14:57:44.000Z',
      fingerprint: FIXTURE_FINGERPRINT,
    });
    expect(c.tls?.cipher).toBeTruthy();
  });

  it('an unverified self-signed server fails with its fingerprint; pinned, it is accepted as pinned; a mismatch and a forgotten pin fail again', async () => {
    const np = engine();
    const { srv, port } = await tlsServer(np, 'self-signed');
    const fingerprint = srv.tls?.localCertificate?.fingerprint256 as string;
    const connect = (name: string, tlsParameters: Record<string, unknown> = {}) =>
      np.makeNetworkProcess({ name, host: 'localhost', service: port, family: 'ipv4', tlsParameters });

    const refused = connect('c1');
    await expect(refused).rejects.toMatchObject({ code: 'TLS_HANDSHAKE', field: 'tlsParameters' });
    await expect(refused).rejects.toThrow(`SHA-256 fingerprint ${fingerprint}) is not trusted; pin its fingerprint`);

    np.pins.pin('localhost', port, fingerprint.replace(/:/g, '').toLowerCase());
    expect(np.pins.list()).toMatchObject([{ host: 'localhost', port, fingerprint }]);
    const pinned = (await connect('c2')) as NetworkProcess;
    expect(pinned.tls).toMatchObject({ authorized: false, pinned: true, pinnedFingerprint: fingerprint });
    expect(np.processContact(pinned, 'tls')).toMatchObject({ verified: false, pinned: true, fingerprint });

    const other = 'AB:'.repeat(31) + 'AB';
    np.pins.pin('localhost', port, other);
    expect(pinned.tls?.pinnedFingerprint).toBe(other);
    await expect(connect('c3')).rejects.toThrow(
      `fingerprint ${fingerprint} does not match the one pinned for localhost:${port} (${other})`,
    );

    expect(np.pins.forget('localhost', port)).toBe(true);
    expect(np.pins.forget('localhost', port)).toBe(false);
    await expect(connect('c4')).rejects.toThrow('is not trusted');
    // A pin is per host:port: another name for the same server is not pinned.
    np.pins.pin('localhost', port, fingerprint);
    await expect(np.makeNetworkProcess({ name: 'c5', host: '127.0.0.1', service: port, tlsParameters: {} })).rejects.toThrow('not trusted');
  });

  it('a fingerprint given with the connection trusts it and is remembered; a :nowait client that fails keeps the certificate to pin', async () => {
    const np = engine();
    const { srv, port } = await tlsServer(np, 'self-signed');
    const fingerprint = srv.tls?.localCertificate?.fingerprint256 as string;
    const messages: string[] = [];
    np.on('message', (m) => messages.push(m));
    const failed = (await np.makeNetworkProcess({
      name: 'nw',
      host: '127.0.0.1',
      service: port,
      nowait: true,
      tlsParameters: {},
    })) as NetworkProcess;
    await waitFor(() => np.processStatus(failed) === 'failed');
    expect(failed.tls).toMatchObject({ authorized: false, pinned: false, pinTarget: { host: '127.0.0.1', port } });
    // The sentinel says "failed with code TLS negotiation failed" as Emacs does; the log says why.
    expect(messages).toContainEqual(expect.stringMatching(new RegExp(`^nw: TLS negotiation failed: .*SHA-256 fingerprint ${fingerprint}`)));
    expect(failed.tls?.peerCertificate?.fingerprint256).toBe(fingerprint);
    expect(np.processContact(failed, 'tls')).toMatchObject({ fingerprint, verified: false });

    const c = (await np.makeNetworkProcess({
      name: 'fp',
      host: '127.0.0.1',
      service: port,
      tlsParameters: { fingerprint },
    })) as NetworkProcess;
    expect(c.tls?.pinned).toBe(true);
    expect(np.pins.list()).toMatchObject([{ host: '127.0.0.1', port, fingerprint }]);
    // The pin it made is its own pin too (the inspector offers to forget it, not to make it).
    expect(c.tls?.pinnedFingerprint).toBe(fingerprint);
    np.pins.forget('127.0.0.1', port);
    expect(c.tls?.pinnedFingerprint).toBeNull();
    expect(failed.tls?.pinnedFingerprint).toBeNull(); // recorded when it failed; the inspector asks again after pinning
  });

  it('refuses bad client TLS values by field', async () => {
    const np = engine();
    const cases: Array<[Record<string, unknown>, string]> = [
      [{ fingerprint: 'abc' }, 'tlsParameters.fingerprint'],
      [{ alpn: new Array(17).fill('h2') }, 'tlsParameters.alpn'],
      [{ alpn: ['x'.repeat(256)] }, 'tlsParameters.alpn'],
      [{ servername: '' }, 'tlsParameters.servername'],
    ];
    for (const [tlsParameters, field] of cases) {
      await expect(np.makeNetworkProcess({ name: 'bad', host: '127.0.0.1', service: 1, tlsParameters })).rejects.toMatchObject({ field });
    }
    await expect(np.openNetworkStream('plain', null, '127.0.0.1', 1, { alpn: ['h2'] })).rejects.toMatchObject({ field: 'alpn' });
    expect(() => np.pins.pin('localhost', 443, 'zz')).toThrow(expect.objectContaining({ field: 'fingerprint' }));
    expect(() => np.pins.pin('localhost', 70000, 'AB'.repeat(32))).toThrow(expect.objectContaining({ field: 'port' }));
  });
});

describe('the pin store', () => {
  it('remembers pins in its file across engines, and survives a corrupt file by reporting it', async () => {
    const dir = tempDir();
    const file = join(dir, 'nested', 'pins.json');
    const fingerprint = 'CD:'.repeat(31) + 'CD';
    const first = engine({ pinStoreFile: file });
    first.pins.pin('Example.test', 8443, fingerprint);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    const second = engine({ pinStoreFile: file });
    expect(second.pins.list()).toMatchObject([{ host: 'Example.test', port: 8443, fingerprint }]);
    expect(new PinStore(file).get('example.TEST', 8443)).toBe(fingerprint);
    second.pins.forget('example.test', 8443);
    expect(new PinStore(file).list()).toEqual([]);

    writeFileSync(file, '{ not json');
    const reports: string[] = [];
    const store = new PinStore(file, (text) => reports.push(text));
    expect(store.list()).toEqual([]);
    // Said once the host listens (the store is made with the engine), and the file is set aside, never written over.
    expect(reports).toEqual([]);
    await waitFor(() => reports.length === 1);
    expect(reports[0]).toMatch(
      /^Certificate pins not read from .*pins\.json: .*\. The file was kept as .*pins\.json\.unreadable-\d+; new pins go to a new file$/,
    );
    const aside = readdirSync(join(dir, 'nested')).filter((name) => name.startsWith('pins.json.unreadable-'));
    expect(aside).toHaveLength(1);
    expect(readFileSync(join(dir, 'nested', aside[0]!), 'utf8')).toBe('{ not json');
    store.pin('c', 2, fingerprint);
    expect(new PinStore(file).list()).toMatchObject([{ host: 'c', port: 2 }]);

    // Entries that are not pins: the good ones are used, and the whole file is set aside so none is lost by a save.
    writeFileSync(file, JSON.stringify({ pins: [{ host: 'a', port: 1, fingerprint, pinnedAt: 1 }, { host: 'b', port: -1 }, 'x'] }));
    const partial: string[] = [];
    expect(new PinStore(file, (text) => partial.push(text)).list()).toEqual([{ host: 'a', port: 1, fingerprint, pinnedAt: 1 }]);
    await waitFor(() => partial.length === 1);
    expect(partial[0]).toMatch(/2 of its pins are not valid/);
  });

  it("the engine's log says why its pin file was set aside, after the host began listening", async () => {
    const dir = tempDir();
    const file = join(dir, 'pins.json');
    writeFileSync(file, '[]');
    const np = engine({ pinStoreFile: file });
    const messages: string[] = [];
    np.on('message', (m) => messages.push(m));
    await waitFor(() => messages.length === 1);
    expect(messages[0]).toMatch(/it holds no list of pins/);
  });
});

/** A TCP server that accepts and never says a word (a TLS peer that never answers the hello); it records which sockets closed. */
async function silentServer(): Promise<{ port: number; held: net.Socket[]; closed: boolean[] }> {
  const held: net.Socket[] = [];
  const closed: boolean[] = [];
  const silent = net.createServer((s) => {
    const i = held.push(s) - 1;
    closed[i] = false;
    s.resume();
    s.on('close', () => (closed[i] = true));
    s.on('error', () => undefined);
  });
  await new Promise<void>((r) => silent.listen(0, '127.0.0.1', r));
  onCleanup(() => {
    for (const s of held) s.destroy();
    return new Promise<void>((r) => silent.close(() => r()));
  });
  return { port: (silent.address() as net.AddressInfo).port, held, closed };
}

describe('a TLS client never hangs or crashes the engine', () => {
  it('gives up a handshake the peer never answers, within the timeout, closing the socket', async () => {
    const np = engine({ tlsHandshakeTimeoutMs: 300 });
    const { port, closed } = await silentServer();
    const started = Date.now();
    await expect(np.makeNetworkProcess({ name: 'hung', host: '127.0.0.1', service: port, tlsParameters: {} })).rejects.toMatchObject({
      code: 'TLS_HANDSHAKE',
      message: expect.stringContaining('no TLS handshake within 0.3 s'),
    });
    expect(Date.now() - started).toBeLessThan(5000);
    await waitFor(() => closed[0], 2000, 'the peer sees the close');
    expect(np.processList()).toEqual([]);
  });

  it('closing the engine ends a blocking connect still shaking hands', async () => {
    const np = engine();
    const { port, held, closed } = await silentServer();
    const connecting = np.makeNetworkProcess({ name: 'pending', host: '127.0.0.1', service: port, tlsParameters: {} });
    const outcome = connecting.then(
      () => 'connected',
      (err: Error) => err.message,
    );
    await waitFor(() => held.length === 1);
    await np.close();
    expect(await outcome).toMatch(/closed/);
    await waitFor(() => closed[0], 2000, 'the peer sees the close');
  });

  it('a matching fingerprint still connects when the pin store is full; the pin is not remembered', async () => {
    const np = engine();
    const { srv, port } = await tlsServer(np, 'self-signed');
    const fingerprint = srv.tls?.localCertificate?.fingerprint256 as string;
    for (let i = 0; np.pins.list().length < 1000 && i < 1000; i++) np.pins.pin(`h${i}.test`, 443, fingerprint);
    expect(np.pins.list()).toHaveLength(1000);
    const c = (await np.makeNetworkProcess({
      name: 'c',
      host: 'localhost',
      service: port,
      family: 'ipv4',
      tlsParameters: { fingerprint },
    }))!;
    expect(c.tls).toMatchObject({ pinned: true });
    expect(np.pins.list()).toHaveLength(1000);
  });
});
