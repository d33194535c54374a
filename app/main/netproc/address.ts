/**
 * Emacs's address forms (spec §7.4): IPv4 `[a b c d port]`, IPv6 eight groups
 * plus port, a Unix path string, or `(FAMILY . [bytes])` for anything else.
 */
import { isIPv4, isIPv6 } from 'node:net';
import { NetprocError } from './errors.js';
import type { FamilyAddress, LispAddress } from '../../shared/wire.js';

export type { FamilyAddress, LispAddress };

/** What a socket API needs to reach or bind an address. */
export type SocketAddress = { family: 'ipv4' | 'ipv6'; host: string; port: number } | { family: 'local'; path: string };

/** The datagram server's "no peer yet" value: AF_UNSPEC with a zeroed sockaddr. */
export function unspecifiedAddress(): FamilyAddress {
  return { family: 0, data: new Array<number>(14).fill(0) };
}

/** Emacs's unspecified address (family 0, all zeros): a datagram server's :remote before any peer. */
export function isUnspecifiedAddress(value: unknown): boolean {
  return isFamilyAddress(value) && value.family === 0 && value.data.every((byte) => byte === 0);
}

export function isFamilyAddress(value: unknown): value is FamilyAddress {
  return (
    typeof value === 'object' &&
    value !== null &&
    !Array.isArray(value) &&
    typeof (value as FamilyAddress).family === 'number' &&
    Array.isArray((value as FamilyAddress).data)
  );
}

function isUint(value: unknown, max: number): value is number {
  return typeof value === 'number' && Number.isInteger(value) && value >= 0 && value <= max;
}

/** `format-network-address`: nil (null) for anything that is not a well-formed address. */
export function formatNetworkAddress(address: unknown, omitPort = false): string | null {
  if (typeof address === 'string') return address;
  if (isFamilyAddress(address)) return `<Family ${address.family}>`;
  if (!Array.isArray(address)) return null;
  const n = address.length;
  if (n === 4 || n === 5) {
    const octets = address.slice(0, 4);
    if (!octets.every((o) => isUint(o, 255))) return null;
    const host = octets.join('.');
    if (n === 4 || omitPort) return host;
    return isUint(address[4], 65535) ? `${host}:${address[4]}` : null;
  }
  if (n === 8 || n === 9) {
    const groups = address.slice(0, 8);
    if (!groups.every((g) => isUint(g, 65535))) return null;
    const host = groups.map((g: number) => g.toString(16)).join(':');
    if (n === 8 || omitPort) return host;
    return isUint(address[8], 65535) ? `[${host}]:${address[8]}` : null;
  }
  return null;
}

function malformed(field: string): NetprocError {
  return new NetprocError({ code: 'INVALID_ARGUMENT', message: 'Malformed :address', field });
}

/** Validates a `:local`/`:remote` value and turns it into something a socket can use. */
export function socketAddressFromLisp(address: unknown, field: string): SocketAddress {
  if (typeof address === 'string') return { family: 'local', path: address };
  if (!Array.isArray(address)) throw malformed(field);
  if (address.length === 5 && address.every((v, i) => isUint(v, i < 4 ? 255 : 65535))) {
    return { family: 'ipv4', host: address.slice(0, 4).join('.'), port: address[4] as number };
  }
  if (address.length === 9 && address.every((v) => isUint(v, 65535))) {
    const host = address
      .slice(0, 8)
      .map((g: number) => g.toString(16))
      .join(':');
    return { family: 'ipv6', host, port: address[8] as number };
  }
  throw malformed(field);
}

/** A numeric host string plus port in Emacs's vector form. */
export function lispAddressFromHostPort(host: string, port: number): number[] {
  if (isIPv4(host)) return [...host.split('.').map(Number), port];
  if (isIPv6(host)) return [...ipv6Groups(host), port];
  throw new Error(`not a numeric address: ${host}`);
}

/** The eight 16-bit groups of an IPv6 address, expanding `::` and embedded IPv4. */
export function ipv6Groups(host: string): number[] {
  let text = host.split('%')[0] ?? host;
  const v4 = /(\d+\.\d+\.\d+\.\d+)$/.exec(text);
  if (v4?.[1]) {
    const o = v4[1].split('.').map(Number);
    text =
      text.slice(0, -v4[1].length) +
      `${(((o[0] ?? 0) << 8) | (o[1] ?? 0)).toString(16)}:${(((o[2] ?? 0) << 8) | (o[3] ?? 0)).toString(16)}`;
  }
  const [head = '', tail] = text.split('::');
  const parse = (part: string): number[] => (part === '' ? [] : part.split(':').map((g) => parseInt(g, 16)));
  const front = parse(head);
  if (tail === undefined) return front;
  const back = parse(tail);
  return [...front, ...new Array<number>(8 - front.length - back.length).fill(0), ...back];
}

/**
 * The client id Emacs puts in an accepted connection's name, its `:host` and
 * its "open from"/"accept from" texts. Quirk 2 (R): on little-endian machines
 * Emacs 28.2 prints each IPv6 group with its two bytes swapped, so ::1 reads
 * 0:0:0:0:0:0:0:100. Our engine reproduces that on every machine, since
 * programs match on these names.
 */
export function emacsClientHost(address: number[]): string {
  if (address.length === 5) return address.slice(0, 4).join('.');
  return address
    .slice(0, 8)
    .map((g) => (((g & 0xff) << 8) | (g >> 8)).toString(16))
    .join(':');
}

export function emacsClientId(address: number[]): string {
  const host = emacsClientHost(address);
  const port = address[address.length - 1];
  return address.length === 5 ? `${host}:${port}` : `[${host}]:${port}`;
}

/** Node's `socket.address()` (or remote fields) in Emacs's form. */
export function lispAddressFromNode(info: { address?: string | undefined; port?: number | undefined }): number[] | null {
  if (!info.address || info.port === undefined) return null;
  return lispAddressFromHostPort(info.address, info.port);
}
