/**
 * `make-network-process`'s arguments: checking each keyword (with Emacs's
 * errors, naming the field), the contact plist they start, and resolving
 * host and service to the addresses to try.
 */
import { promises as dns } from 'node:dns';
import { isIP } from 'node:net';
import { lispAddressFromHostPort, socketAddressFromLisp, type LispAddress, type SocketAddress } from './address.js';
import { NetprocBuffer } from './buffers.js';
import { DEFAULT_CODING, parseCodingSystem } from './coding.js';
import { ContactPlist } from './contact.js';
import { invalidArgument, NetprocError, wrongType } from './errors.js';
import { checkPlist } from './plist.js';
import type { AddressFamily, Filter, LogFunction, ProcessKind, Sentinel } from './process.js';
import { lookupService, type ServiceTable } from './services.js';
import {
  checkOptionValue,
  contactOptionValue,
  isSupportedOption,
  unsupportedOption,
  UNSUPPORTED_OPTIONS,
  type SocketOptions,
} from './socket-options.js';
import type { PinStore } from './pin-store.js';
import { checkTlsArguments, type CheckedTlsServer, type TlsRequest, type TlsServerSpec } from './tls.js';

export type LookupResult = Array<{ address: string; family: 4 | 6 }>;
/** getaddrinfo: a host name to its addresses, in the resolver's order. */
export type LookupFunction = (host: string, family: 0 | 4 | 6) => Promise<LookupResult>;

export interface TlsParameters {
  /** Verify the peer's certificate chain and name (default true). */
  verify?: boolean;
  /** A PEM file of extra CAs to trust. */
  caFile?: string | null;
  /** `:client-certificate`: a PEM key file and a PEM certificate file. */
  clientCertificate?: readonly [string, string] | null;
  /** SNI: the server name sent (default: the host, unless it is an address). */
  servername?: string | null;
  /** ALPN protocols to offer, in preference order. */
  alpn?: string[] | null;
  /** Trust a certificate with this SHA-256 fingerprint even if it does not verify; remembered as the pin for host:port. */
  fingerprint?: string | null;
}

/** `make-network-process` keywords, without the colon, camelCased. Unknown keys are kept in the contact. */
export interface MakeNetworkProcessOptions {
  name?: string;
  buffer?: string | NetprocBuffer | null;
  host?: string | null;
  service?: number | string | true | null;
  type?: 'datagram' | 'seqpacket' | null;
  family?: 'ipv4' | 'ipv6' | 'local' | number | null;
  server?: boolean | number | null;
  nowait?: boolean | null;
  stop?: boolean | null;
  noquery?: boolean | null;
  coding?: string | [string, string] | null;
  filter?: Filter;
  sentinel?: Sentinel;
  log?: LogFunction | null;
  plist?: unknown[] | null;
  local?: LispAddress | null;
  remote?: LispAddress | null;
  tlsParameters?: TlsParameters | null;
  /** Beyond Emacs: a TLS server (tls.ts): `'self-signed'`, or `{ cert, key }` PEM files, or `{ selfSigned: true, saveTo }`. */
  tlsServer?: TlsServerSpec | null;
  /**
   * Beyond Emacs: a datagram server lists each source address as a
   * `datagram-peer` process of its own (datagram-process.ts); its own buffer
   * still gets every datagram.
   */
  splitPeers?: boolean | null;
  /** Socket options: nil (null, false) is off and, as Emacs tests them with NILP, any other value on; :linger may be seconds. */
  reuseaddr?: unknown;
  keepalive?: unknown;
  broadcast?: unknown;
  linger?: unknown;
  nodelay?: unknown;
  /** Beyond Emacs: reconnect the client when it closes or fails (reconnect.ts): true for the defaults, or a policy. */
  reconnect?: unknown;
  [keyword: string]: unknown;
}

export interface CheckedArguments {
  socketType: 'stream' | 'datagram' | 'seqpacket';
  name: string;
  bufferName: string | null;
  host: string | null;
  hostGiven: unknown;
  service: unknown;
  familyOption: AddressFamily | null;
  server: boolean;
  backlog: number;
  nowait: boolean;
  stop: boolean;
  noquery: boolean;
  decode: string;
  encode: string;
  filter: Filter;
  sentinel: Sentinel;
  log: LogFunction | null;
  plist: unknown[];
  local: unknown;
  remote: unknown;
  options: SocketOptions;
  tls: TlsRequest | null;
  tlsServer: CheckedTlsServer | null;
  splitPeers: boolean;
}

const FAMILY_NUMBERS: Record<number, AddressFamily> = { 1: 'local', 2: 'ipv4', 10: 'ipv6' };

export async function defaultLookup(host: string, family: 0 | 4 | 6): Promise<LookupResult> {
  const found = await dns.lookup(host, { all: true, family, verbatim: true });
  return found.map((a) => ({ address: a.address, family: a.family as 4 | 6 }));
}

/** How a function argument reads in the contact: its name, or `lambda`. */
export function describeFunction(fn: unknown): unknown {
  if (typeof fn === 'function') return fn.name || 'lambda';
  return fn ?? null;
}

export function processKindOf(args: CheckedArguments): ProcessKind {
  if (args.socketType === 'datagram') return args.server ? 'datagram-server' : 'datagram-client';
  return args.server ? 'stream-server' : 'stream-client';
}

/** PINS: the certificate pins a TLS client consults. */
export function checkArguments(o: MakeNetworkProcessOptions, pins: PinStore): CheckedArguments {
  const type = o.type ?? null;
  if (type !== null && type !== 'datagram' && type !== 'seqpacket') throw invalidArgument('type', 'Unsupported connection type');
  if (typeof o.name !== 'string') throw wrongType('name', 'stringp', o.name ?? null);
  const buffer = o.buffer ?? null;
  let bufferName: string | null = null;
  if (buffer instanceof NetprocBuffer) bufferName = buffer.name;
  else if (typeof buffer === 'string') bufferName = buffer;
  else if (buffer !== null) throw wrongType('buffer', 'stringp', buffer);
  const filter = o.filter ?? null;
  if (filter !== null && filter !== true && typeof filter !== 'function') throw wrongType('filter', 'functionp', filter);
  const sentinel = o.sentinel ?? null;
  if (sentinel !== null && typeof sentinel !== 'function') throw wrongType('sentinel', 'functionp', sentinel);
  const serverValue = o.server ?? null;
  let server = false;
  let backlog = 5;
  if (typeof serverValue === 'number') {
    if (!Number.isInteger(serverValue) || serverValue < 0)
      throw invalidArgument('server', 'The :server backlog must be a non-negative integer');
    server = true;
    backlog = serverValue;
  } else server = Boolean(serverValue);
  const nowaitGiven = Boolean(o.nowait);
  if (server && nowaitGiven) throw invalidArgument('nowait', '‘:server’ is incompatible with ‘:nowait’');
  // Quirk 7 (D): :nowait on a datagram client would hang every send in Emacs; it is a no-op here.
  const nowait = nowaitGiven && type === null;

  const familyValue = o.family ?? null;
  let familyOption: AddressFamily | null = null;
  if (familyValue === 'ipv4' || familyValue === 'ipv6' || familyValue === 'local') familyOption = familyValue;
  else if (typeof familyValue === 'number' && FAMILY_NUMBERS[familyValue]) familyOption = FAMILY_NUMBERS[familyValue] ?? null;
  else if (familyValue !== null) throw invalidArgument('family', 'Unknown address family');

  const hostGiven = o.host ?? null;
  let host: string | null = null;
  if (hostGiven !== null && hostGiven !== 'local') {
    if (typeof hostGiven !== 'string') throw wrongType('host', 'stringp', hostGiven);
    // eslint-disable-next-line no-control-regex
    if (/[^\x00-\x7f]/.test(hostGiven))
      throw invalidArgument('host', `Non-ASCII hostname ${hostGiven} detected, please use puny-encode-domain`);
    host = hostGiven;
  }

  const coding = o.coding ?? null;
  let decode = DEFAULT_CODING;
  let encode = DEFAULT_CODING;
  if (typeof coding === 'string') decode = encode = coding;
  else if (Array.isArray(coding) && coding.length === 2) [decode, encode] = coding as [string, string];
  else if (coding !== null) throw invalidArgument('coding', 'The :coding value must be a coding system or a (DECODE . ENCODE) pair');
  parseCodingSystem(decode);
  parseCodingSystem(encode);

  const log = o.log ?? null;
  if (log !== null && typeof log !== 'function') throw wrongType('log', 'functionp', log);
  const plist = o.plist ?? [];
  if (!Array.isArray(plist)) throw wrongType('plist', 'listp', plist);
  checkPlist(plist);

  const options: SocketOptions = {};
  for (const key of Object.keys(o)) {
    if ((UNSUPPORTED_OPTIONS as readonly string[]).includes(key)) throw unsupportedOption(key);
    if (isSupportedOption(key)) options[key] = checkOptionValue(key, o[key]);
  }

  const { tls, tlsServer } = checkTlsArguments(o, { server, datagram: type !== null, host, pins });

  const splitPeers = o.splitPeers ?? null;
  if (splitPeers !== null && typeof splitPeers !== 'boolean') throw wrongType('splitPeers', 'booleanp', splitPeers);
  if (splitPeers && !(server && type === 'datagram'))
    throw invalidArgument('splitPeers', 'Splitting by peer is for a datagram server only (:type datagram :server t)');

  return {
    socketType: type === null ? 'stream' : type,
    name: o.name,
    bufferName,
    host,
    hostGiven,
    service: o.service,
    familyOption,
    server,
    backlog,
    nowait,
    stop: Boolean(o.stop),
    noquery: Boolean(o.noquery),
    decode,
    encode,
    filter,
    sentinel,
    log,
    plist,
    local: o.local ?? null,
    remote: o.remote ?? null,
    options,
    tls,
    tlsServer,
    splitPeers: Boolean(splitPeers),
  };
}

/** The contact plist starts as the arguments in the order given, functions and buffers by name. */
export function initialContact(o: MakeNetworkProcessOptions, args: CheckedArguments, report: (text: string) => void): ContactPlist {
  const entries: Array<[string, unknown]> = [];
  for (const [key, value] of Object.entries(o)) {
    if (key === 'buffer') entries.push([key, value instanceof NetprocBuffer ? value.name : (value ?? null)]);
    else if (key === 'filter' || key === 'sentinel' || key === 'log') entries.push([key, describeFunction(value)]);
    else if (key === 'plist' || key === 'local' || key === 'remote')
      entries.push([key, Array.isArray(value) ? value.slice() : (value ?? null)]);
    else if (key === 'tlsParameters' && value) entries.push([key, { ...(value as object) }]);
    else if (isSupportedOption(key)) entries.push([key, contactOptionValue(value, args.options[key] ?? null)]);
    else entries.push([key, value ?? null]);
  }
  const contact = new ContactPlist(entries);
  // Emacs's own words, and it clears :host only when one was given [O-09 I].
  if (args.familyOption === 'local' && contact.get('host') !== null) {
    report(':family local ignores the :host property');
    contact.put('host', null);
  }
  return contact;
}

/** Host and service to socket addresses: the services file, getaddrinfo, Emacs's errors. */
export class AddressResolver {
  constructor(
    private readonly lookup: LookupFunction,
    private readonly services: ServiceTable,
  ) {}

  resolveService(service: unknown, protocol: 'tcp' | 'udp', hostText: string): number {
    if (service === true) return 0;
    if (typeof service === 'number') {
      if (!Number.isInteger(service)) throw wrongType('service', 'stringp', service);
      // getaddrinfo refuses a negative port as it refuses an unknown name [spec §14].
      if (service < 0) throw invalidArgument('service', `${hostText}/${service} Servname not supported for ai_socktype`);
      // Emacs wraps ports past 65535 (quirk 17); a silent wrap connects somewhere unexpected, so we refuse.
      if (service > 65535) throw invalidArgument('service', `Port ${service} is outside 0–65535`);
      return service;
    }
    if (typeof service !== 'string') throw wrongType('service', 'stringp', service ?? null);
    if (/^\d+$/.test(service)) {
      const port = Number(service);
      if (port > 65535) throw invalidArgument('service', `Port ${service} is outside 0–65535`);
      return port;
    }
    const port = lookupService(this.services, service, protocol);
    if (port === undefined) throw invalidArgument('service', `${hostText}/${service} Servname not supported for ai_socktype`);
    return port;
  }

  async resolveTargets(args: CheckedArguments, kind: ProcessKind): Promise<SocketAddress[]> {
    const isServer = kind === 'stream-server' || kind === 'datagram-server';
    if (isServer && args.local !== null) return [socketAddressFromLisp(args.local, 'local')];
    if (!isServer && args.remote !== null) return [socketAddressFromLisp(args.remote, 'remote')];
    if (args.familyOption === 'local') {
      if (typeof args.service !== 'string') throw wrongType('service', 'stringp', args.service ?? null);
      if (Buffer.byteLength(args.service) >= 108) throw invalidArgument('service', 'Service name too long');
      if (args.socketType === 'datagram') {
        throw new NetprocError({ code: 'UNSUPPORTED', message: 'Unix-domain datagram sockets are not available in Node', field: 'type' });
      }
      return [{ family: 'local', path: args.service }];
    }
    const protocol = args.socketType === 'datagram' ? 'udp' : 'tcp';
    const familyNumber = args.familyOption === 'ipv6' ? 6 : args.familyOption === 'ipv4' ? 4 : 0;
    const host = args.host ?? (familyNumber === 6 ? '::1' : '127.0.0.1');
    const port = this.resolveService(args.service, protocol, host);
    const literal = isIP(host);
    if (literal) {
      if (familyNumber !== 0 && literal !== familyNumber) {
        throw new NetprocError({
          code: 'EAFNOSUPPORT',
          message: `${host}/${String(args.service)} Address family for hostname not supported`,
          field: 'family',
        });
      }
      return [{ family: literal === 6 ? 'ipv6' : 'ipv4', host, port }];
    }
    let found: LookupResult;
    try {
      found = await this.lookup(host, familyNumber);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      const familyProblem = code === 'EAI_ADDRFAMILY' || code === 'ENODATA';
      throw new NetprocError({
        code: familyProblem ? 'EAFNOSUPPORT' : 'ENOTFOUND',
        message: `${host}/${String(args.service)} ${familyProblem ? 'Address family for hostname not supported' : 'Name or service not known'}`,
        field: 'host',
        cause: err,
      });
    }
    if (found.length === 0) {
      throw new NetprocError({ code: 'ENOTFOUND', message: `${host}/${String(args.service)} Name or service not known`, field: 'host' });
    }
    return found.map((a) => ({ family: a.family === 6 ? 'ipv6' : 'ipv4', host: a.address, port }));
  }

  /** `network-lookup-address-info`: address vectors with port 0, or null (and a message) on failure. */
  async lookupAddressInfo(name: string, family: 'ipv4' | 'ipv6' | null, report: (text: string) => void): Promise<number[][] | null> {
    const familyNumber = family === 'ipv4' ? 4 : family === 'ipv6' ? 6 : 0;
    const literal = isIP(name);
    if (literal) {
      if (familyNumber && literal !== familyNumber) {
        report(`${name}/0 Address family for hostname not supported`);
        return null;
      }
      return [lispAddressFromHostPort(name, 0)];
    }
    try {
      const found = await this.lookup(name, familyNumber);
      return found.length ? found.map((a) => lispAddressFromHostPort(a.address, 0)) : null;
    } catch {
      report(`${name}/0 Name or service not known`);
      return null;
    }
  }
}
