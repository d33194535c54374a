import { X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type net from 'node:net';
import tls from 'node:tls';
import { describe, expect, it } from 'vitest';
import type { Netproc } from './netproc.js';
import type { OpenNetworkStreamParameters } from './open-network-stream.js';
import { fixture, SMTP_PARAMETERS, smtpServer, type SmtpPeer } from './smtp-test-server.js';
import { engine, onCleanup, waitFor } from './test-support.js';

const SMTP: Omit<OpenNetworkStreamParameters, 'returnList'> = SMTP_PARAMETERS;
const SERVER_FINGERPRINT = new X509Certificate(readFileSync(fixture('server.pem'))).fingerprint256;

function closed(socket: net.Socket): Promise<void> {
  return socket.closed || socket.destroyed ? Promise.resolve() : new Promise((resolve) => socket.once('close', () => resolve()));
}

async function noConnectionLeft(np: Netproc, peer: SmtpPeer): Promise<void> {
  expect(np.processList()).toEqual([]);
  await Promise.all(peer.connections.map(closed));
}

describe('open-network-stream :type starttls', () => {
  it('upgrades the same connection: the process keeps its name, buffer and id, and its contact says TLS', async () => {
    const np = engine();
    const peer = await smtpServer('starttls', onCleanup);
    np.getBufferCreate('*smtp*');
    const p = await np.openNetworkStream('smtp', '*smtp*', 'localhost', peer.port, { type: 'starttls', ...SMTP });
    expect(p.name).toBe('smtp');
    expect(np.processStatus(p)).toBe('open');
    expect(np.processBuffer(p)?.name).toBe('*smtp*');
    expect(p.tls).toMatchObject({ verify: true, authorized: true, role: 'client' });
    expect(p.tls?.peerCertificate?.subject).toContain('localhost');
    expect(np.processContact(p, 'tlsParameters')).toEqual({ verify: true, caFile: fixture('ca.pem') });
    expect(peer.connections).toHaveLength(1);
    expect(peer.lines).toEqual(['plain:EHLO netproc', 'plain:STARTTLS', 'tls:EHLO netproc']);
    // As in Emacs, the exchange went through the default filter into the buffer.
    const text = np.bufferString('*smtp*') ?? '';
    expect(text).toContain('220 test.example ESMTP ready\r\n');
    expect(text).toContain('250 STARTTLS\r\n');
    expect(text).toContain('220 Ready to start TLS\r\n');
    expect(text).toContain('250 AUTH PLAIN\r\n');
  });

  it('data then flows both ways encrypted: the server reads it from a TLS socket', async () => {
    const np = engine();
    const peer = await smtpServer('starttls', onCleanup);
    np.getBufferCreate('*enc*');
    const p = await np.openNetworkStream('enc', '*enc*', '127.0.0.1', peer.port, { type: 'starttls', ...SMTP, verify: false });
    const before = np.bufferString('*enc*')?.length ?? 0;
    await np.processSendString(p, 'NOOP secret\r\n');
    await waitFor(() => np.bufferString('*enc*')?.slice(before) === '250 got NOOP secret\r\n');
    const secured = peer.secured[0] as tls.TLSSocket;
    expect(secured).toBeInstanceOf(tls.TLSSocket);
    expect(secured.encrypted).toBe(true);
    expect(secured.getProtocol()).toMatch(/^TLSv1\.[23]$/);
    expect(peer.lines.at(-1)).toBe('tls:NOOP secret');
  });

  it(':return-list answers (PROC :greeting G :capabilities C :type tls :error nil), the capabilities asked again over TLS', async () => {
    const np = engine();
    const peer = await smtpServer('starttls', onCleanup);
    np.getBufferCreate('*rl*');
    const list = await np.openNetworkStream('rl', '*rl*', 'localhost', peer.port, { type: 'starttls', ...SMTP, returnList: true });
    expect(list).toMatchObject({
      greeting: '220 test.example ESMTP ready\r\n',
      capabilities: '250-test.example over TLS\r\n250 AUTH PLAIN\r\n',
      type: 'tls',
      error: null,
    });
    expect(list.process && np.processStatus(list.process)).toBe('open');
  });

  it('a server without STARTTLS: a clear error, no process, the connection closed', async () => {
    const np = engine();
    const peer = await smtpServer('no-starttls', onCleanup);
    np.getBufferCreate('*no*');
    await expect(np.openNetworkStream('no', '*no*', 'localhost', peer.port, { type: 'starttls', ...SMTP })).rejects.toMatchObject({
      code: 'STARTTLS_UNAVAILABLE',
      field: 'type',
      message: expect.stringMatching(/^Server does not support TLS: localhost\/\d+: its capabilities do not offer STARTTLS$/),
    });
    await noConnectionLeft(np, peer);
  });

  it('with :return-list, the same failure is (nil … :error "Server does not support TLS…"), as Emacs means it to be', async () => {
    const np = engine();
    const peer = await smtpServer('refuses-starttls', onCleanup);
    np.getBufferCreate('*no*');
    const list = await np.openNetworkStream('no', '*no*', 'localhost', peer.port, { type: 'starttls', ...SMTP, returnList: true });
    expect(list).toMatchObject({ process: null, type: 'plain', greeting: '220 test.example ESMTP ready\r\n' });
    expect(list.error).toMatch(/Server does not support TLS: .* answered STARTTLS with "454 TLS not available"/);
    await noConnectionLeft(np, peer);
  });

  it('an untrusted certificate fails as gnutls-error showing its fingerprint, and leaves nothing behind', async () => {
    const np = engine();
    const peer = await smtpServer('starttls', onCleanup);
    np.getBufferCreate('*bad*');
    await expect(
      np.openNetworkStream('bad', '*bad*', 'localhost', peer.port, { type: 'starttls', ...SMTP, caFile: null }),
    ).rejects.toMatchObject({
      code: 'TLS_HANDSHAKE',
      condition: 'gnutls-error',
      field: 'tlsParameters',
      message: expect.stringContaining(SERVER_FINGERPRINT),
    });
    await noConnectionLeft(np, peer);
  });

  it('a broken handshake leaves nothing behind', async () => {
    const np = engine();
    const peer = await smtpServer('starttls', onCleanup);
    peer.handshakeGarbage = 'HTTP/1.1 400 Bad Request\r\n\r\n';
    np.getBufferCreate('*bad*');
    await expect(np.openNetworkStream('bad', '*bad*', 'localhost', peer.port, { type: 'starttls', ...SMTP })).rejects.toMatchObject({
      code: 'TLS_HANDSHAKE',
      condition: 'gnutls-error',
      message: expect.stringMatching(/^Unable to negotiate a TLS connection with localhost\/\d+: /),
    });
    await noConnectionLeft(np, peer);
  });

  it('plain text sent with the STARTTLS answer is refused as possible injection, whatever the type: no TLS, no fallback', async () => {
    for (const type of ['starttls', null] as const) {
      const np = engine();
      const peer = await smtpServer('starttls', onCleanup);
      peer.injectAfterStarttls = '250 INJECTED\r\n';
      np.getBufferCreate('*inj*');
      await expect(np.openNetworkStream('inj', '*inj*', 'localhost', peer.port, { type, ...SMTP, returnList: true })).rejects.toMatchObject(
        {
          code: 'TLS_HANDSHAKE',
          condition: 'gnutls-error',
          message: expect.stringMatching(/^localhost\/\d+ sent data after its STARTTLS answer \(possible injection\)$/),
        },
      );
      expect(peer.connections).toHaveLength(1);
      expect(peer.secured).toEqual([]);
      await noConnectionLeft(np, peer);
    }
  });

  it('a STARTTLS refusal is quoted clipped, so the error stays short', async () => {
    const np = engine();
    const peer = await smtpServer('refuses-starttls', onCleanup);
    peer.starttlsRefusal = `454 ${'x'.repeat(60_000)}`;
    np.getBufferCreate('*long*');
    const err = await np.openNetworkStream('long', '*long*', 'localhost', peer.port, { type: 'starttls', ...SMTP }).catch((e: Error) => e);
    expect(err).toMatchObject({ code: 'STARTTLS_UNAVAILABLE', message: expect.stringContaining('answered STARTTLS with "454 xxx') });
    expect((err as Error).message.length).toBeLessThan(300);
    await noConnectionLeft(np, peer);
  });

  it('delete-process during the handshake ends it: no new connection, whatever the type', async () => {
    const np = engine();
    const peer = await smtpServer('starttls', onCleanup);
    // The server answers STARTTLS but never shakes hands: the process waits in the handshake.
    peer.stallHandshake = true;
    np.getBufferCreate('*del*');
    const opening = np.openNetworkStream('del', '*del*', 'localhost', peer.port, { ...SMTP, returnList: true });
    await waitFor(() => peer.lines.includes('plain:STARTTLS'));
    await new Promise((r) => setTimeout(r, 50));
    np.deleteProcess('del');
    await expect(opening).rejects.toMatchObject({ code: 'NOT_RUNNING', message: 'Process del was deleted during the TLS handshake' });
    expect(peer.connections).toHaveLength(1);
    await noConnectionLeft(np, peer);
  });

  it('sends the client certificate, which the server sees', async () => {
    const np = engine();
    const peer = await smtpServer('starttls', onCleanup, { requestCert: true, rejectUnauthorized: false });
    np.getBufferCreate('*cert*');
    await np.openNetworkStream('cert', '*cert*', 'localhost', peer.port, {
      type: 'starttls',
      ...SMTP,
      clientCertificate: [fixture('server.key'), fixture('server.pem')],
    });
    const seen = (peer.secured[0] as tls.TLSSocket).getPeerCertificate();
    expect(seen.subject?.CN).toBe('localhost');
    expect(seen.fingerprint256).toBe(new (await import('node:crypto')).X509Certificate(readFileSync(fixture('server.pem'))).fingerprint256);
  });

  it('a client certificate that cannot be read is the caller’s error, found before any connection', async () => {
    const np = engine();
    const peer = await smtpServer('starttls', onCleanup);
    np.getBufferCreate('*cert*');
    await expect(
      np.openNetworkStream('cert', '*cert*', 'localhost', peer.port, {
        type: 'starttls',
        ...SMTP,
        clientCertificate: ['/nonexistent.key', fixture('server.pem')],
      }),
    ).rejects.toMatchObject({ field: 'clientCertificate' });
    expect(peer.connections).toEqual([]);
    expect(np.processList()).toEqual([]);
  });

  it('bad TLS arguments are refused before any connection', async () => {
    const np = engine();
    const peer = await smtpServer('starttls', onCleanup);
    np.getBufferCreate('*arg*');
    const cases: [OpenNetworkStreamParameters, string][] = [
      [{ fingerprint: 'not a fingerprint' }, 'tlsParameters.fingerprint'],
      [{ alpn: [''] }, 'tlsParameters.alpn'],
      [{ servername: 'x'.repeat(300) }, 'tlsParameters.servername'],
      [{ caFile: '/nonexistent/ca.pem' }, 'caFile'],
    ];
    for (const [bad, field] of cases) {
      for (const type of ['starttls', null] as const) {
        await expect(np.openNetworkStream('arg', '*arg*', 'localhost', peer.port, { ...SMTP, type, ...bad })).rejects.toMatchObject({
          field,
        });
      }
    }
    expect(peer.connections).toEqual([]);
    expect(np.processList()).toEqual([]);
  });
});

describe('open-network-stream with STARTTLS parameters, nil/network/plain', () => {
  it('nil upgrades when offered', async () => {
    const np = engine();
    const peer = await smtpServer('starttls', onCleanup);
    np.getBufferCreate('*n*');
    const p = await np.openNetworkStream('n', '*n*', 'localhost', peer.port, SMTP);
    expect(p.tls?.authorized).toBe(true);
  });

  it('nil keeps the plain connection when STARTTLS is not offered; :warn-unless-encrypted says so', async () => {
    const np = engine();
    const peer = await smtpServer('no-starttls', onCleanup);
    const messages: string[] = [];
    np.on('message', (m) => messages.push(m));
    np.getBufferCreate('*n*');
    const list = await np.openNetworkStream('n', '*n*', 'localhost', peer.port, {
      type: 'network',
      ...SMTP,
      warnUnlessEncrypted: true,
      returnList: true,
    });
    expect(list).toMatchObject({
      type: 'plain',
      error: null,
      capabilities: '250-test.example greets you\r\n250-SIZE 1000\r\n250 HELP\r\n',
    });
    expect(list.process?.tls).toBeNull();
    expect(np.processStatus(list.process as never)).toBe('open');
    expect(messages).toEqual([expect.stringMatching(/^Warning: the connection n to localhost\/\d+ is not encrypted$/)]);
  });

  it('nil falls back to a new plain connection when the handshake fails, as Emacs does', async () => {
    const np = engine();
    const peer = await smtpServer('starttls', onCleanup);
    peer.handshakeGarbage = 'HTTP/1.1 400 Bad Request\r\n\r\n';
    np.getBufferCreate('*fb*');
    const list = await np.openNetworkStream('fb', '*fb*', 'localhost', peer.port, { ...SMTP, returnList: true });
    expect(list.type).toBe('plain');
    expect(peer.connections).toHaveLength(2);
    await closed(peer.connections[0] as net.Socket);
    expect(np.processList()).toEqual([list.process]);
    expect(list.process?.name).toBe('fb');
  });

  it('nil does not fall back to plain text when the certificate is not trusted: it fails, showing the fingerprint', async () => {
    const np = engine();
    const peer = await smtpServer('starttls', onCleanup);
    np.getBufferCreate('*fb*');
    await expect(
      np.openNetworkStream('fb', '*fb*', 'localhost', peer.port, { ...SMTP, caFile: null, returnList: true }),
    ).rejects.toMatchObject({
      code: 'TLS_HANDSHAKE',
      condition: 'gnutls-error',
      field: 'tlsParameters',
      message: expect.stringContaining(SERVER_FINGERPRINT),
    });
    expect(peer.connections).toHaveLength(1);
    await noConnectionLeft(np, peer);
  });

  it('servername, alpn and fingerprint are refused on every path that cannot end in TLS, before connecting', async () => {
    const np = engine();
    const peer = await smtpServer('starttls', onCleanup);
    np.getBufferCreate('*no-tls*');
    const { starttlsFunction: _, ...withoutStarttls } = SMTP;
    const paths: OpenNetworkStreamParameters[] = [
      { type: 'plain', ...SMTP },
      { type: 'plain', ...SMTP, returnList: true },
      { type: 'plain', ...SMTP, alwaysQueryCapabilities: true },
      { type: null, ...withoutStarttls, returnList: true },
      { type: 'network', ...withoutStarttls },
      { type: null, capabilityCommand: 'EHLO x\r\n' },
    ];
    const tlsOnly: [keyof OpenNetworkStreamParameters, unknown][] = [
      ['servername', 'mail.example'],
      ['alpn', ['smtp']],
      ['fingerprint', SERVER_FINGERPRINT],
    ];
    for (const path of paths) {
      for (const [field, value] of tlsOnly) {
        await expect(np.openNetworkStream('no-tls', '*no-tls*', 'localhost', peer.port, { ...path, [field]: value })).rejects.toMatchObject(
          {
            code: 'INVALID_ARGUMENT',
            field,
            message: expect.stringContaining('applies to TLS connections only'),
          },
        );
      }
    }
    expect(peer.connections).toEqual([]);
    // An empty ALPN list asks for nothing, so it is no mistake.
    const p = await np.openNetworkStream('empty-alpn', null, 'localhost', peer.port, { type: 'plain', alpn: [] });
    expect(np.processStatus(p)).toBe('open');
  });

  it('without both :success and :capability-command nil is plain make-network-process: nothing is sent', async () => {
    const np = engine();
    const peer = await smtpServer('starttls', onCleanup);
    const p = await np.openNetworkStream('simple', null, 'localhost', peer.port, { capabilityCommand: 'EHLO x\r\n' });
    expect(np.processContact(p, true)).toMatchObject({ nowait: null, tlsParameters: null, coding: null });
    await new Promise((r) => setTimeout(r, 50));
    expect(peer.lines).toEqual([]);
  });

  it(':type plain with :return-list reads the greeting only', async () => {
    const np = engine();
    const peer = await smtpServer('starttls', onCleanup);
    np.getBufferCreate('*pl*');
    const list = await np.openNetworkStream('pl', '*pl*', 'localhost', peer.port, { type: 'plain', ...SMTP, returnList: true });
    expect(list).toMatchObject({ greeting: '220 test.example ESMTP ready\r\n', capabilities: null, type: 'plain' });
    expect(peer.lines).toEqual([]);
  });

  it(':type plain with :always-query-capabilities asks, but never upgrades', async () => {
    const np = engine();
    const peer = await smtpServer('starttls', onCleanup);
    np.getBufferCreate('*pl*');
    const list = await np.openNetworkStream('pl', '*pl*', 'localhost', peer.port, {
      type: 'plain',
      ...SMTP,
      alwaysQueryCapabilities: true,
      returnList: true,
    });
    expect(list).toMatchObject({ type: 'plain', capabilities: expect.stringContaining('250 STARTTLS') });
    expect(peer.lines).toEqual(['plain:EHLO netproc']);
  });

  it(':nogreeting skips the greeting; :end-of-capability ends the capabilities', async () => {
    const np = engine();
    const peer = await smtpServer('no-starttls', onCleanup);
    np.getBufferCreate('*ng*');
    const list = await np.openNetworkStream('ng', '*ng*', 'localhost', peer.port, {
      ...SMTP,
      nogreeting: true,
      endOfCapability: 'SIZE.*\n',
      returnList: true,
    });
    expect(list.greeting).toBeNull();
    // The answer starts when EHLO is sent, so a greeting that arrives later is part of it, as in Emacs.
    expect(list.capabilities).toMatch(/250-test.example greets you\r\n250-SIZE 1000\r\n$/);
    expect(list.capabilities).not.toContain('HELP');
  });

  it('with no buffer the process ends with none; a named buffer must exist [O-12 B]', async () => {
    const np = engine();
    const peer = await smtpServer('starttls', onCleanup);
    const p = await np.openNetworkStream('nb', null, 'localhost', peer.port, { type: 'starttls', ...SMTP });
    expect(np.processBuffer(p)).toBeNull();
    await expect(np.openNetworkStream('nb', '*absent*', 'localhost', peer.port, { type: 'starttls', ...SMTP })).rejects.toThrow(
      'No buffer named *absent*',
    );
  });
});

describe('open-network-stream :type tls with the exchange', () => {
  it('reads the greeting and capabilities over TLS, and sends the client certificate', async () => {
    const np = engine();
    let seenSubject: string | undefined;
    const server = tls.createServer(
      { key: readFileSync(fixture('server.key')), cert: readFileSync(fixture('server.pem')), requestCert: true, rejectUnauthorized: false },
      (socket) => {
        seenSubject = [socket.getPeerCertificate().subject?.CN].flat()[0];
        socket.on('error', () => undefined);
        socket.write('* OK IMAP ready\r\n');
        socket.on('data', (d) => d.toString().startsWith('1 CAPABILITY') && socket.write('* CAPABILITY IMAP4rev1\r\n1 OK done\r\n'));
        onCleanup(() => socket.destroy());
      },
    );
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    onCleanup(() => new Promise<void>((resolve) => server.close(() => resolve())));
    np.getBufferCreate('*imap*');
    const list = await np.openNetworkStream('imap', '*imap*', 'localhost', (server.address() as net.AddressInfo).port, {
      type: 'tls',
      caFile: fixture('ca.pem'),
      clientCertificate: [fixture('server.key'), fixture('server.pem')],
      capabilityCommand: '1 CAPABILITY\r\n',
      endOfCommand: '\r\n',
      endOfCapability: '^1 OK .*\r\n',
      returnList: true,
    });
    expect(list).toMatchObject({ greeting: '* OK IMAP ready\r\n', capabilities: '* CAPABILITY IMAP4rev1\r\n1 OK done\r\n', type: 'tls' });
    expect(seenSubject).toBe('localhost');
    expect(np.processContact(list.process as never, 'tlsParameters')).toEqual({
      verify: true,
      caFile: fixture('ca.pem'),
      clientCertificate: [fixture('server.key'), fixture('server.pem')],
    });
  });
});

describe('open-network-stream bounds every read', () => {
  it('a silent server: a clear timeout, and nothing left', async () => {
    const np = engine();
    const peer = await smtpServer('silent', onCleanup);
    np.getBufferCreate('*s*');
    await expect(
      np.openNetworkStream('s', '*s*', 'localhost', peer.port, { type: 'starttls', ...SMTP, exchangeTimeoutMs: 200 }),
    ).rejects.toMatchObject({
      code: 'EXCHANGE_TIMEOUT',
      message: expect.stringMatching(/^localhost\/\d+ sent no answer matching "\^\[0-9\]\+ \.\*\\r\\n" for the greeting within 0.2 s$/),
    });
    await noConnectionLeft(np, peer);
  });

  it('a flooding server: stopped at the cap, and nothing left', async () => {
    const np = engine();
    const peer = await smtpServer('flood', onCleanup);
    np.getBufferCreate('*f*');
    await expect(
      np.openNetworkStream('f', '*f*', 'localhost', peer.port, { type: 'starttls', ...SMTP, exchangeMaxBytes: 100_000 }),
    ).rejects.toMatchObject({ code: 'EXCHANGE_TOO_LARGE', message: expect.stringContaining('more than 100000 bytes for the greeting') });
    await noConnectionLeft(np, peer);
    expect(np.bufferString('*f*')?.length).toBeLessThan(16 * 1024 * 1024);
  });
});

describe('open-network-stream refusals', () => {
  it(':type shell is refused with the reason and what to use instead', async () => {
    const np = engine();
    await expect(np.openNetworkStream('sh', null, 'localhost', 1, { type: 'shell', shellCommand: 'cat' })).rejects.toMatchObject({
      code: 'UNSUPPORTED',
      field: 'type',
      message: expect.stringContaining('Netproc runs no local programs'),
    });
  });

  it('an unsupported regexp is refused before any connection', async () => {
    const np = engine();
    const peer = await smtpServer('starttls', onCleanup);
    await expect(
      np.openNetworkStream('re', null, 'localhost', peer.port, { type: 'starttls', ...SMTP, endOfCommand: '^\\(.\\)\\1' }),
    ).rejects.toMatchObject({ code: 'INVALID_ARGUMENT', field: 'endOfCommand', message: expect.stringContaining('backreferences') });
    expect(peer.connections).toEqual([]);
  });

  it('an unknown type is "Invalid connection type"', async () => {
    const np = engine();
    await expect(np.openNetworkStream('x', null, 'localhost', 1, { type: 'bogus' as never })).rejects.toThrow(
      'Invalid connection type bogus',
    );
  });
});
