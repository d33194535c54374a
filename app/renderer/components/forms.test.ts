import { describe, expect, it } from 'vitest';
import { keyword, lispText, plistText } from '../lisp.js';
import { outgoing } from './BufferView.js';
import { EMPTY_FORM, formParams, PRESETS, starttlsParams, validate } from './NewProcessForm.js';

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

  it('validates with the contract before sending, per field', () => {
    expect(validate({ ...EMPTY_FORM, service: '8080' })).toEqual({});
    expect(validate({ ...EMPTY_FORM, service: '70000' }).service).toMatch(/65535/);
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
    expect(validate({ ...smtp, starttls: { ...smtp.starttls, clientKey: '/k.pem' } }).clientKey).toBeTruthy();
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
