import { describe, expect, it } from 'vitest';
import {
  emacsClientHost,
  emacsClientId,
  formatNetworkAddress,
  ipv6Groups,
  lispAddressFromHostPort,
  socketAddressFromLisp,
} from './address.js';
import { NetprocError } from './errors.js';

describe('format-network-address (spec §7.4) [O-03 I]', () => {
  it.each<[unknown, string | null, string | null]>([
    [[127, 0, 0, 1, 80], '127.0.0.1:80', '127.0.0.1'],
    [[127, 0, 0, 1], '127.0.0.1', '127.0.0.1'],
    [[0, 0, 0, 0, 0, 0, 0, 1, 80], '[0:0:0:0:0:0:0:1]:80', '0:0:0:0:0:0:0:1'],
    [[0, 0, 0, 0, 0, 0, 0, 1], '0:0:0:0:0:0:0:1', '0:0:0:0:0:0:0:1'],
    [[65152, 0, 0, 0, 0, 0, 0, 1, 8080], '[fe80:0:0:0:0:0:0:1]:8080', 'fe80:0:0:0:0:0:0:1'],
    ['/tmp/sock', '/tmp/sock', '/tmp/sock'],
    [{ family: 0, data: [0, 0, 0, 0] }, '<Family 0>', '<Family 0>'],
    [[256, 0, 0, 1, 80], null, null],
    [[1, 2, 3], null, null],
    [null, null, null],
    [Symbol('x'), null, null],
    [[127, 0, 0, 1, 70000], null, '127.0.0.1'],
  ])('%j formats as %j, and %j without the port', (address, full, omitted) => {
    expect(formatNetworkAddress(address)).toBe(full);
    expect(formatNetworkAddress(address, true)).toBe(omitted);
  });
});

describe('address vectors', () => {
  it('expands IPv6 text, including :: and embedded IPv4', () => {
    expect(ipv6Groups('::1')).toEqual([0, 0, 0, 0, 0, 0, 0, 1]);
    expect(ipv6Groups('fe80::1:2')).toEqual([0xfe80, 0, 0, 0, 0, 0, 1, 2]);
    expect(ipv6Groups('::ffff:127.0.0.1')).toEqual([0, 0, 0, 0, 0, 0xffff, 0x7f00, 1]);
    expect(lispAddressFromHostPort('::1', 43854)).toEqual([0, 0, 0, 0, 0, 0, 0, 1, 43854]);
    expect(lispAddressFromHostPort('127.0.0.1', 80)).toEqual([127, 0, 0, 1, 80]);
  });

  it('accepts 5- and 9-vectors and paths, and calls anything else a malformed address', () => {
    expect(socketAddressFromLisp([127, 0, 0, 1, 9], 'remote')).toEqual({ family: 'ipv4', host: '127.0.0.1', port: 9 });
    expect(socketAddressFromLisp([0, 0, 0, 0, 0, 0, 0, 1, 9], 'remote')).toEqual({ family: 'ipv6', host: '0:0:0:0:0:0:0:1', port: 9 });
    expect(socketAddressFromLisp('/tmp/x', 'local')).toEqual({ family: 'local', path: '/tmp/x' });
    for (const bad of [[1, 2, 3], [300, 0, 0, 1, 80], 42, { family: 2 }]) {
      expect(() => socketAddressFromLisp(bad, 'remote')).toThrow(NetprocError);
      expect(() => socketAddressFromLisp(bad, 'remote')).toThrow('Malformed :address');
    }
  });

  it('names IPv6 clients with byte-swapped groups, as Emacs 28.2 does on little-endian machines (quirk 2) [O-02 E]', () => {
    expect(emacsClientHost([0, 0, 0, 0, 0, 0, 0, 1, 43854])).toBe('0:0:0:0:0:0:0:100');
    expect(emacsClientId([0, 0, 0, 0, 0, 0, 0, 1, 43854])).toBe('[0:0:0:0:0:0:0:100]:43854');
    expect(emacsClientId([127, 0, 0, 1, 59744])).toBe('127.0.0.1:59744');
  });
});
