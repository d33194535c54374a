import { describe, expect, it } from 'vitest';
import { keyword, lispText, plistText } from '../lisp.js';
import { outgoing } from './BufferView.js';
import {
  EMPTY_FORM,
  errorField,
  formParams,
  PRESETS,
  refusedFingerprint,
  shownFields,
  starttlsParams,
  validate,
  withKind,
  type Kind,
} from './new-process.js';

describe('the new-process form', () => {
  it('turns presets into make-network-process parameters', () => {
    expect(formParams({ ...EMPTY_FORM, ...PRESETS['TCP server on a free port'] })).toEqual({
      name: 'server',
      buffer: '*server*',
      service: true,
      server: true,
    });
    expect(formParams({ ...EMPTY_FORM, ...PRESETS['UDP socket'] })).toEqual({
      name: 'udp',
      buffer: '*udp*',
      service: true,
      host: '127.0.0.1',
      type: 'datagram',
      server: true,
    });
    expect(formParams({ ...EMPTY_FORM, ...PRESETS['Unix socket server'] })).toMatchObject({
      family: 'local',
      service: '/tmp/netproc.sock',
      server: true,
    });
    expect(formParams({ ...EMPTY_FORM, service: '8080', nowait: true, tls: true, verify: false })).toMatchObject({
      service: 8080,
      nowait: true,
      tlsParameters: { verify: false, caFile: null },
    });
  });

  it('has a TLS block: SNI, ALPN and a pin for clients; self-signed or files, and ALPN, for servers', () => {
    expect(
      formParams({ ...EMPTY_FORM, service: '443', tls: true, servername: 'example.test', alpn: 'h2, http/1.1', fingerprint: 'AB:CD' }),
    ).toMatchObject({
      tlsParameters: { verify: true, caFile: null, servername: 'example.test', alpn: ['h2', 'http/1.1'], fingerprint: 'AB:CD' },
    });
    const server = { ...EMPTY_FORM, ...PRESETS['TCP server on a free port'] };
    expect(formParams({ ...server, tlsServer: 'self-signed' })).toMatchObject({ server: true, tlsServer: { selfSigned: true } });
    expect(formParams({ ...server, tlsServer: 'self-signed', saveTo: '/tmp/p.pem', serverAlpn: 'h2' }).tlsServer).toEqual({
      selfSigned: true,
      saveTo: '/tmp/p.pem',
      alpn: ['h2'],
    });
    expect(formParams({ ...server, tlsServer: 'files', certFile: '/c.pem', keyFile: '/k.pem' }).tlsServer).toEqual({
      cert: '/c.pem',
      key: '/k.pem',
    });
    // Client fields on a server, or server fields on a client, are not sent.
    expect(formParams({ ...server, tls: true }).tlsParameters).toBeUndefined();
    expect(formParams({ ...EMPTY_FORM, service: '1', tlsServer: 'self-signed' }).tlsServer).toBeUndefined();
    // A missing file is named at its own field, the filled one left alone.
    expect(validate({ ...server, tlsServer: 'files', certFile: '/c.pem' })).toEqual({
      keyFile: "give the certificate's private key file (PEM), or ask for a generated self-signed pair",
    });
    expect(validate({ ...server, tlsServer: 'files', keyFile: '/k.pem' })).toEqual({
      certFile: 'give the certificate file (PEM) and its key file, or ask for a generated self-signed pair',
    });
    expect(Object.keys(validate({ ...server, tlsServer: 'files' })).sort()).toEqual(['certFile', 'keyFile']);
    // A union's own issue, not its summary: 200 protocols offered are too many, under the ALPN field.
    expect(validate({ ...server, tlsServer: 'files', certFile: '/c', keyFile: '/k', serverAlpn: Array(200).fill('h2').join(',') })).toEqual(
      {
        serverAlpn: 'must list at most 16 ALPN protocols',
      },
    );
    expect(validate({ ...server, tlsServer: 'self-signed', serverAlpn: Array(17).fill('h2').join(',') })).toEqual({
      serverAlpn: 'must list at most 16 ALPN protocols',
    });
    expect(validate({ ...EMPTY_FORM, service: '1', tls: true, fingerprint: 'AB' }).fingerprint).toMatch(/SHA-256/);
  });

  it('shows only the keywords that apply to each kind', () => {
    const shown = (kind: Kind) => [...shownFields(kind)].sort();
    expect(shown('tcp-client')).toEqual(
      [
        'alpn',
        'buffer',
        'caFile',
        'coding',
        'family',
        'filter',
        'fingerprint',
        'host',
        'keepalive',
        'kind',
        'name',
        'nodelay',
        'noquery',
        'nowait',
        'reconnect',
        'sentinel',
        'service',
        'servername',
        'stop',
        'tls',
        'verify',
      ].sort(),
    );
    // No :nowait on a server, no TCP options on UDP, no host or family for a Unix socket, TLS for TCP only.
    expect(shownFields('tcp-server').has('nowait')).toBe(false);
    expect(shownFields('tcp-server').has('tlsServer')).toBe(true);
    for (const kind of ['udp-client', 'udp-server'] as const) {
      expect(shownFields(kind).has('keepalive')).toBe(false);
      expect(shownFields(kind).has('nodelay')).toBe(false);
      expect(shownFields(kind).has('tls')).toBe(false);
    }
    expect(shownFields('udp-client').has('nowait')).toBe(false);
    for (const kind of ['unix-client', 'unix-server'] as const) {
      expect(shownFields(kind).has('host')).toBe(false);
      expect(shownFields(kind).has('family')).toBe(false);
      expect(shownFields(kind).has('tls')).toBe(false);
      expect(shownFields(kind).has('tlsServer')).toBe(false);
    }
    expect(shownFields('unix-client').has('nowait')).toBe(true);
    // open-network-stream :type starttls takes neither a filter nor :stop; its TLS is always on.
    expect(shownFields('starttls-client').has('filter')).toBe(false);
    expect(shownFields('starttls-client').has('offeredWhen')).toBe(true);
  });

  it('sends only what applies: a hidden keyword checked for another kind stays out', () => {
    const tcp = { ...EMPTY_FORM, service: '80', keepalive: true, nodelay: true, nowait: true, tls: true };
    expect(formParams(tcp)).toMatchObject({ keepalive: true, nodelay: true, nowait: true, tlsParameters: { verify: true } });
    const udp = formParams(withKind(tcp, 'udp-client', true));
    expect(udp).not.toHaveProperty('keepalive');
    expect(udp).not.toHaveProperty('nodelay');
    expect(udp).not.toHaveProperty('nowait');
    expect(udp).not.toHaveProperty('tlsParameters');
    expect(udp).toMatchObject({ type: 'datagram', service: 80 });
    // A Unix server with TLS chosen while it was TCP is a plain Unix server.
    const tlsServer = { ...EMPTY_FORM, ...PRESETS['TCP server on a free port'], tlsServer: 'self-signed' as const };
    expect(formParams(tlsServer).tlsServer).toEqual({ selfSigned: true });
    expect(formParams({ ...withKind(tlsServer, 'unix-server', true), service: '/tmp/s.sock' }).tlsServer).toBeUndefined();
  });

  it('offers a row per peer for a UDP server only, as splitPeers', () => {
    const udpServer = { ...EMPTY_FORM, ...PRESETS['UDP socket'], splitPeers: true };
    expect(shownFields('udp-server').has('splitPeers')).toBe(true);
    for (const kind of ['udp-client', 'tcp-server', 'tcp-client', 'unix-server'] as const)
      expect(shownFields(kind).has('splitPeers')).toBe(false);
    expect(formParams(udpServer)).toMatchObject({ type: 'datagram', server: true, splitPeers: true });
    expect(validate(udpServer)).toEqual({});
    expect(formParams(withKind(udpServer, 'tcp-server', true))).not.toHaveProperty('splitPeers');
    expect(formParams(withKind(udpServer, 'udp-client', true))).not.toHaveProperty('splitPeers');
    expect(errorField('splitPeers', 'udp-server')).toBe('splitPeers');
  });

  it('the name follows the kind until the user types one; a port never becomes a socket path', () => {
    let form = withKind(EMPTY_FORM, 'tcp-server', false);
    expect(form.name).toBe('server');
    expect(withKind(form, 'udp-server', false).name).toBe('udp');
    expect(withKind(form, 'tcp-client', false).name).toBe('tcp-client');
    form = { ...form, name: 'mine' };
    expect(withKind(form, 'udp-server', true).name).toBe('mine');
    expect(withKind({ ...form, service: '8080' }, 'unix-server', true).service).toBe('');
    expect(withKind({ ...form, service: '8080' }, 'udp-server', true).service).toBe('8080');
    expect(validate({ ...withKind(form, 'unix-server', true) }).service).toBe('Give the socket path');
  });

  it('puts an error next to the field it names, or under the form when no shown field holds it', () => {
    expect(errorField('service', 'tcp-client')).toBe('service');
    expect(errorField('tlsParameters', 'tcp-client')).toBe('tls');
    expect(errorField('tlsParameters.fingerprint', 'tcp-client')).toBe('fingerprint');
    expect(errorField('tlsServer.cert', 'tcp-server')).toBe('certFile');
    expect(errorField('tlsServer', 'tcp-server')).toBe('tlsServer');
    // Deeper than any known field: the longest known prefix holds it.
    expect(errorField('tlsParameters.alpn.0', 'tcp-client')).toBe('alpn');
    expect(errorField('tlsServer.alpn.3', 'tcp-server')).toBe('serverAlpn');
    expect(errorField('alpn.0', 'starttls-client')).toBe('alpn');
    // :client-certificate is (KEY-FILE CERT-FILE).
    expect(errorField('clientCertificate.0', 'starttls-client')).toBe('clientKey');
    expect(errorField('clientCertificate.1', 'starttls-client')).toBe('clientCert');
    expect(errorField('clientCertificate', 'starttls-client')).toBe('clientKey');
    expect(errorField('constructor.x', 'tcp-client')).toBe('form');
    expect(errorField('caFile', 'starttls-client')).toBe('caFile');
    expect(errorField('starttlsFunction.match', 'starttls-client')).toBe('offeredWhen');
    expect(errorField('type', 'udp-client')).toBe('kind');
    expect(errorField('host', 'unix-client')).toBe('form');
    expect(errorField('keepalive', 'udp-server')).toBe('form');
    expect(errorField(null, 'tcp-client')).toBe('form');
  });

  it('finds the presented fingerprint in a refused TLS certificate, as the engine words the refusal', () => {
    const fp = Array.from({ length: 32 }, (_, i) => (i * 7).toString(16).padStart(2, '0').toUpperCase()).join(':');
    const other = fp.replace(/^../, 'FF');
    const unverified = `TLS negotiation with 127.0.0.1 failed: DEPTH_ZERO_SELF_SIGNED_CERT: the certificate (SHA-256 fingerprint ${fp}) is not trusted; pin its fingerprint to trust it`;
    expect(refusedFingerprint({ code: 'TLS_HANDSHAKE', message: unverified })).toBe(fp);
    const mismatch = `TLS negotiation with h failed: the certificate's SHA-256 fingerprint ${fp} does not match the one pinned for h:1 (${other})`;
    expect(refusedFingerprint({ code: 'TLS_HANDSHAKE', message: mismatch })).toBe(fp);
    expect(refusedFingerprint({ code: 'ECONNREFUSED', message: unverified })).toBeNull();
    expect(refusedFingerprint({ code: 'TLS_HANDSHAKE', message: 'TLS negotiation with h failed: socket hang up' })).toBeNull();
  });

  it('validates with the contract before sending, per field', () => {
    expect(validate({ ...EMPTY_FORM, service: '8080' })).toEqual({});
    expect(validate({ ...EMPTY_FORM, service: '70000' }).service).toMatch(/65535/);
    expect(validate({ ...EMPTY_FORM, service: '9'.repeat(200) }).service).toBe('must be a port from 0 to 65535');
    expect(validate({ ...EMPTY_FORM, service: '1', tls: true, servername: 'a'.repeat(300) }).servername).toBe(
      'must be at most 253 characters',
    );
    expect(validate({ ...EMPTY_FORM, service: '' }).service).toBe('Give a port or service name');
    expect(validate({ ...EMPTY_FORM, name: '', service: '1' }).name).toBeTruthy();
    expect(validate({ ...EMPTY_FORM, kind: 'unix-client', service: '' }).service).toBe('Give the socket path');
  });
});

describe('the STARTTLS client in the form', () => {
  const smtp = { ...EMPTY_FORM, ...PRESETS['SMTP with STARTTLS'] };

  it('becomes open-network-stream :type starttls with smtpmail’s parameters, the fields read as Lisp strings', () => {
    expect(starttlsParams({ ...smtp, caFile: '/ca.pem' })).toEqual({
      name: 'smtp',
      buffer: '*smtp*',
      createBuffer: true,
      host: '127.0.0.1',
      service: 25,
      type: 'starttls',
      capabilityCommand: 'EHLO netproc\r\n',
      endOfCommand: '^[0-9]+ .*\r\n',
      success: '^2.*\n',
      starttlsFunction: { match: '[ -]STARTTLS', command: 'STARTTLS\r\n' },
      verify: true,
      caFile: '/ca.pem',
    });
    const withCert = {
      ...smtp,
      starttls: { ...smtp.starttls, clientKey: '/k.pem', clientCert: '/c.pem', endOfCommand: '^\\\\(2\\\\|5\\\\)' },
    };
    expect(starttlsParams(withCert)).toMatchObject({ clientCertificate: ['/k.pem', '/c.pem'], endOfCommand: '^\\(2\\|5\\)' });
  });

  it('validates its fields with the contract, each error on its own field', () => {
    expect(validate(smtp)).toEqual({});
    expect(validate({ ...smtp, starttls: { ...smtp.starttls, success: '' } }).success).toBe('must not be empty');
    expect(validate({ ...smtp, starttls: { ...smtp.starttls, offeredWhen: '' } }).offeredWhen).toBeTruthy();
    // Only the key given: the empty certificate field is at fault, not the key.
    expect(validate({ ...smtp, starttls: { ...smtp.starttls, clientKey: '/k.pem' } })).toEqual({ clientCert: 'must not be empty' });
    expect(validate({ ...smtp, starttls: { ...smtp.starttls, clientCert: '/c.pem' } })).toEqual({ clientKey: 'must not be empty' });
    expect(validate({ ...smtp, alpn: 'h2, ' + 'x'.repeat(300) })).toEqual({ alpn: 'must be at most 255 bytes as UTF-8' });
  });
});

describe('the input line', () => {
  it('adds the chosen line end, or sends hex as bytes', () => {
    expect(outgoing('GET /', 'text', 'crlf')).toEqual({ text: 'GET /\r\n' });
    expect(outgoing('x', 'text', 'none')).toEqual({ text: 'x' });
    expect(outgoing('de ad', 'hex', 'lf')).toEqual({ hex: 'de ad' });
  });
});

describe('Lisp forms for the inspector', () => {
  it('prints contact values as Emacs does', () => {
    expect(keyword('tlsParameters')).toBe(':tls-parameters');
    expect(lispText([127, 0, 0, 1, 80])).toBe('[127 0 0 1 80]');
    expect(lispText({ family: 0, data: [0, 0] })).toBe('(0 . [0 0])');
    expect(lispText(null)).toBe('nil');
    expect(plistText({ name: 'srv', server: true, host: null, service: 8080 })).toBe('(:name "srv" :server t :host nil :service 8080)');
  });

  it('prints symbols bare and strings quoted: :type datagram, :host local vs :host "local" [spec §7.3]', () => {
    expect(
      plistText({
        name: 'dsrv',
        type: { symbol: 'datagram' },
        host: { symbol: 'local' },
        family: { symbol: 'ipv4' },
        filter: { symbol: 'ignore' },
      }),
    ).toBe('(:name "dsrv" :type datagram :host local :family ipv4 :filter ignore)');
    expect(lispText('local')).toBe('"local"');
    expect(lispText([{ symbol: 'local' }, 38891])).toBe('[local 38891]');
    expect(lispText({ symbol: 'odd name(1)' })).toBe('odd\\ name\\(1\\)');
    // An object with more than the one field is a plist, not a symbol.
    expect(lispText({ symbol: 'x', other: 1 })).toBe('(:symbol "x" :other 1)');
  });
});

describe('the throughput sparkline', async () => {
  const { sparklinePoints } = await import('./Inspector.js');
  it('scales bytes-in rates into the box, newest at the right', () => {
    expect(sparklinePoints([], 100, 10)).toBe('');
    expect(
      sparklinePoints(
        [
          { time: 0, bytesIn: 0, bytesOut: 0 },
          { time: 1000, bytesIn: 100, bytesOut: 0 },
          { time: 2000, bytesIn: 150, bytesOut: 0 },
        ],
        100,
        10,
      ),
    ).toBe('0.0,0.0 100.0,5.0');
  });
});
