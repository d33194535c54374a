/**
 * The engine: a process table of Emacs network processes on real sockets
 * (spec: shared/spec/emacs-network-semantics.md). Its public face mirrors
 * Emacs's functions in camelCase; events report every change to whoever
 * shows it, without ever pushing text per chunk.
 */
import { EventEmitter } from 'node:events';
import { promises as dns } from 'node:dns';
import { isIP } from 'node:net';
import type net from 'node:net';
import type dgram from 'node:dgram';
import { domainToASCII } from 'node:url';
import {
  formatNetworkAddress,
  lispAddressFromHostPort,
  socketAddressFromLisp,
  unspecifiedAddress,
  type LispAddress,
  type SocketAddress,
} from './address.js';
import { BufferRegistry, DEFAULT_BUFFER_BUDGET, DEFAULT_BUFFER_CAP, NetprocBuffer, type BufferChange } from './buffers.js';
import { DEFAULT_CODING, Decoder, encodeForSending, parseCodingSystem, rawTextVariant, withExplicitEol } from './coding.js';
import { formatBytes } from '../../shared/byte-counts.js';
import { ContactPlist } from './contact.js';
import { DescriptorWatch } from './descriptor-watch.js';
import { checkPlist, plistGet, plistPut } from './plist.js';
import { tapTime, Taps, type Disposable, type TapListener } from './taps.js';
import {
  bindDatagram,
  connectDatagram,
  kernelDrops,
  MAX_DATAGRAM,
  reconnectDatagram,
  sendDatagram,
  updateDatagramReading,
} from './datagram-process.js';
import type { EngineInternals, StatusChange } from './engine-internals.js';
import { errnoNumber, fromSystemError, invalidArgument, NetprocError, strerror, wrongType } from './errors.js';
import { HandleParking } from './handle-parking.js';
import { listProcessesRows, type ListProcessesRow } from './list-processes.js';
import { NetworkProcess, type AddressFamily, type Filter, type LogFunction, type ProcessKind, type Sentinel } from './process.js';
import { ProcessTable } from './process-table.js';
import { acceptedPeer, closeServer, listenStream, parkServer, unparkServer } from './server-process.js';
import { loadServices, lookupService, type ServiceTable } from './services.js';
import {
  applyStreamOptions,
  checkOptionValue,
  isSupportedOption,
  unsupportedOption,
  UNSUPPORTED_OPTIONS,
  type SocketOptions,
} from './socket-options.js';
import {
  closeStreamSocket,
  connectStream,
  isConnectError,
  updateStreamReading,
  wireStreamSocket,
  type TlsRequest,
} from './stream-process.js';
import {
  defaultSentinelText,
  exitStatus,
  isActiveForQuery,
  liveTail,
  LogMessage,
  mappedStatus,
  SentinelEvent,
  type InternalStatus,
  type ProcessStatus,
} from './status.js';

export type LookupResult = Array<{ address: string; family: 4 | 6 }>;
/** getaddrinfo: a host name to its addresses, in the resolver's order. */
export type LookupFunction = (host: string, family: 0 | 4 | 6) => Promise<LookupResult>;

export interface NetprocOptions {
  /** Cap of each buffer in bytes; the head is trimmed past it (default 64 MiB). */
  bufferCap?: number;
  /**
   * All buffers together hold at most this many bytes (default 1 GiB). Past
   * it, the stalest buffers of departed processes are killed first, then the
   * stalest live buffers lose their oldest bytes; each step is reported.
   */
  bufferBudget?: number;
  /** read-process-output-max: the largest filter chunk and datagram delivered (default 4096). */
  readProcessOutputMax?: number;
  /** delete-exited-processes: closed processes leave the list at once (default true). */
  deleteExitedProcesses?: boolean;
  lookup?: LookupFunction;
  servicesFile?: string;
}

export interface TlsParameters {
  /** Verify the peer's certificate chain and name (default true). */
  verify?: boolean;
  /** A PEM file of extra CAs to trust. */
  caFile?: string | null;
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
  reuseaddr?: boolean | null;
  keepalive?: boolean | null;
  broadcast?: boolean | null;
  linger?: boolean | number | null;
  nodelay?: boolean | null;
  [keyword: string]: unknown;
}

export interface OpenNetworkStreamParameters {
  type?: 'plain' | 'network' | 'tls' | 'ssl' | 'starttls' | 'shell' | null;
  nowait?: boolean;
  coding?: string | [string, string] | null;
  /** TLS: verify the certificate (default true). */
  verify?: boolean;
  caFile?: string | null;
}

export interface BufferChangeEvent {
  name: string;
  origin: number;
  end: number;
  length: number;
  revision: number;
  trimmedBytes: number;
  inserted: number;
  live: boolean;
}

export interface SentinelCall {
  process: NetworkProcess;
  event: string;
}

export interface LogCall {
  server: NetworkProcess;
  client: NetworkProcess | null;
  message: string;
}

export interface NetprocEvents {
  'process-added': [NetworkProcess];
  'process-changed': [NetworkProcess];
  'process-removed': [NetworkProcess];
  'buffer-changed': [BufferChangeEvent];
  sentinel: [SentinelCall];
  log: [LogCall];
  message: [string];
}

/** A process, a process name, a buffer or a buffer name: what Emacs's process arguments accept. */
export type ProcessDesignator = NetworkProcess | NetprocBuffer | string;

interface CheckedArguments {
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
}

/**
 * Unsent output a process may queue before its input stops being read. Emacs
 * blocks inside process-send-string once the kernel takes no more; Node would
 * queue without bound instead (an echo to a peer that never reads grew to
 * hundreds of MiB), so past this mark the process stops reading until the
 * queue drains.
 */
export const OUTPUT_HIGH_WATER = 1024 * 1024;

const FAMILY_NUMBERS: Record<number, AddressFamily> = { 1: 'local', 2: 'ipv4', 10: 'ipv6' };

async function defaultLookup(host: string, family: 0 | 4 | 6): Promise<LookupResult> {
  const found = await dns.lookup(host, { all: true, family, verbatim: true });
  return found.map((a) => ({ address: a.address, family: a.family as 4 | 6 }));
}

function describeFunction(fn: unknown): unknown {
  if (typeof fn === 'function') return fn.name || 'lambda';
  return fn ?? null;
}

export class Netproc extends EventEmitter<NetprocEvents> implements EngineInternals {
  readonly readProcessOutputMax: number;
  readonly parking = new HandleParking();
  readonly descriptors = new DescriptorWatch();
  /** Per server: connections refused for want of descriptors since the last event-log line. */
  private readonly refusedSinceReport = new Map<NetworkProcess, number>();
  private readonly bufferBudget: number;
  private lastBudgetTrimReport = 0;
  private readonly table = new ProcessTable();
  private readonly buffers: BufferRegistry;
  private readonly lookup: LookupFunction;
  private readonly services: ServiceTable;
  private deleteExited: boolean;
  /**
   * Emacs's connect_counter: every connection accepted by any server, TCP or
   * Unix, counts; accepted Unix-socket connections are named by it.
   */
  private acceptCount = 0;
  private closed = false;

  constructor(options: NetprocOptions = {}) {
    super();
    const max = options.readProcessOutputMax ?? 4096;
    if (!Number.isInteger(max) || max < 1)
      throw invalidArgument('readProcessOutputMax', 'read-process-output-max must be a positive integer');
    this.readProcessOutputMax = max;
    this.buffers = new BufferRegistry(options.bufferCap ?? DEFAULT_BUFFER_CAP, (change) => this.bufferChanged(change));
    const budget = options.bufferBudget ?? DEFAULT_BUFFER_BUDGET;
    if (!Number.isInteger(budget) || budget < 1)
      throw invalidArgument('bufferBudget', 'The buffer budget must be a positive number of bytes');
    this.bufferBudget = budget;
    this.lookup = options.lookup ?? defaultLookup;
    this.services = loadServices(options.servicesFile);
    this.deleteExited = options.deleteExitedProcesses ?? true;
  }

  // ───────────────────────────── creating processes ─────────────────────────────

  /** `make-network-process`. Resolves to the new process, or null when given no arguments. */
  async makeNetworkProcess(options?: MakeNetworkProcessOptions): Promise<NetworkProcess | null> {
    if (this.closed) throw new NetprocError({ code: 'NOT_RUNNING', message: 'Netproc has been closed' });
    if (!options || Object.keys(options).length === 0) return null;
    const args = this.checkArguments(options);
    const contact = this.initialContact(options, args);
    const kind: ProcessKind =
      args.socketType === 'datagram'
        ? args.server
          ? 'datagram-server'
          : 'datagram-client'
        : args.server
          ? 'stream-server'
          : 'stream-client';
    const asyncClient = kind === 'stream-client' && args.nowait;

    // Step 2: resolve (a :nowait client resolves later, and reports failure as a status).
    const targets = asyncClient ? null : await this.resolveTargets(args, kind);

    // Step 3: the buffer survives any later failure [O-09 A].
    const buffer = args.bufferName === null ? null : this.buffers.getOrCreate(args.bufferName);

    // Step 4: the process object, with its unique name.
    const family = targets?.[0]?.family ?? args.familyOption ?? 'ipv4';
    const process = new NetworkProcess(kind, family, contact);
    this.table.add(process, args.name);
    this.attachBuffer(process, buffer);
    process.filter = args.filter;
    process.sentinel = args.sentinel;
    process.log = kind === 'stream-server' || kind === 'datagram-server' ? args.log : null;
    process.plist = args.plist.slice();
    process.queryOnExit = !args.noquery;
    process.stopped = args.stop;
    process.decoder = new Decoder(parseCodingSystem(args.decode));
    process.encoder = parseCodingSystem(args.encode);
    process.backlog = args.backlog;

    // Step 5: the socket.
    if (asyncClient) {
      this.show(process);
      process.leftConnect = this.connectInBackground(process, args);
      return process;
    }
    try {
      if (args.socketType === 'seqpacket') {
        // socket(2) refuses SOCK_SEQPACKET on inet (and Node has none at all); Emacs's data ends with the contact [O-09 J].
        const context = `make ${args.server ? 'server' : 'client'} process failed`;
        throw new NetprocError({
          code: 'ESOCKTNOSUPPORT',
          message: `${context}: ${strerror('ESOCKTNOSUPPORT')}`,
          field: 'type',
          condition: 'file-error',
          data: [context, strerror('ESOCKTNOSUPPORT'), ...this.contactData(process)],
        });
      }
      const addresses = targets ?? [];
      if (kind === 'stream-client') await this.connectClient(process, addresses, args);
      else if (kind === 'stream-server') await this.startServer(process, addresses[0] as SocketAddress, args);
      else if (kind === 'datagram-server') await this.startDatagramServer(process, addresses[0] as SocketAddress, args);
      else await this.startDatagramClient(process, addresses[0] as SocketAddress);
    } catch (err) {
      this.table.remove(process);
      if (process.markBuffer && process.mark) process.markBuffer.releaseMarker(process.mark);
      throw err;
    }
    this.show(process);
    return process;
  }

  /** `open-network-stream NAME BUFFER HOST SERVICE &rest PARAMS`: plain or TLS. */
  async openNetworkStream(
    name: string,
    buffer: string | NetprocBuffer | null,
    host: string,
    service: number | string,
    params: OpenNetworkStreamParameters = {},
  ): Promise<NetworkProcess> {
    const type = params.type ?? null;
    const asciiHost = typeof host === 'string' ? domainToASCII(host) || host : host;
    let tlsParameters: TlsParameters | null = null;
    if (type === 'tls' || type === 'ssl') {
      if (typeof buffer === 'string' && !this.buffers.get(buffer)?.live) {
        throw invalidArgument('buffer', `No buffer named ${buffer}`);
      }
      tlsParameters = { verify: params.verify ?? true, caFile: params.caFile ?? null };
    } else if (type === 'starttls' || type === 'shell') {
      throw new NetprocError({ code: 'UNSUPPORTED', message: `Connection type ${type} is not supported by Netproc`, field: 'type' });
    } else if (type !== null && type !== 'plain' && type !== 'network') {
      throw invalidArgument('type', `Invalid connection type ${String(type)}`);
    }
    const process = await this.makeNetworkProcess({
      name,
      buffer,
      host: asciiHost,
      service,
      nowait: params.nowait ?? null,
      tlsParameters,
      coding: params.coding ?? null,
    });
    return process as NetworkProcess;
  }

  private checkArguments(o: MakeNetworkProcessOptions): CheckedArguments {
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

    let tls: TlsRequest | null = null;
    const tlsParameters = o.tlsParameters ?? null;
    if (tlsParameters !== null) {
      if (typeof tlsParameters !== 'object') throw invalidArgument('tlsParameters', 'The :tls-parameters value must be an object');
      if (server || type !== null) throw invalidArgument('tlsParameters', 'TLS is available for stream clients only');
      const caFile = tlsParameters.caFile ?? null;
      if (caFile !== null && typeof caFile !== 'string') throw invalidArgument('tlsParameters', 'caFile must be a file path');
      tls = { verify: tlsParameters.verify ?? true, caFile, servername: host };
    }

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
    };
  }

  /** The contact plist starts as the arguments in the order given, functions and buffers by name. */
  private initialContact(o: MakeNetworkProcessOptions, args: CheckedArguments): ContactPlist {
    const entries: Array<[string, unknown]> = [];
    for (const [key, value] of Object.entries(o)) {
      if (key === 'buffer') entries.push([key, value instanceof NetprocBuffer ? value.name : (value ?? null)]);
      else if (key === 'filter' || key === 'sentinel' || key === 'log') entries.push([key, describeFunction(value)]);
      else if (key === 'plist' || key === 'local' || key === 'remote')
        entries.push([key, Array.isArray(value) ? value.slice() : (value ?? null)]);
      else if (key === 'tlsParameters' && value) entries.push([key, { ...(value as object) }]);
      else if (isSupportedOption(key)) entries.push([key, args.options[key] ?? null]);
      else entries.push([key, value ?? null]);
    }
    const contact = new ContactPlist(entries);
    // Emacs's own words, and it clears :host only when one was given [O-09 I].
    if (args.familyOption === 'local' && contact.get('host') !== null) {
      this.report(':family local ignores the :host property');
      contact.put('host', null);
    }
    return contact;
  }

  // ───────────────────────────── addresses ─────────────────────────────

  private resolveService(service: unknown, protocol: 'tcp' | 'udp', hostText: string): number {
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

  private async resolveTargets(args: CheckedArguments, kind: ProcessKind): Promise<SocketAddress[]> {
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

  // ───────────────────────────── sockets per kind ─────────────────────────────

  private async connectClient(process: NetworkProcess, addresses: SocketAddress[], args: CheckedArguments): Promise<void> {
    let lastError: unknown = null;
    for (const address of addresses) {
      try {
        const socket = await connectStream(address, args.tls);
        this.connected(process, socket, address, args);
        return;
      } catch (err) {
        lastError = err;
        if (args.tls && !isConnectError(err)) break;
      }
    }
    throw this.connectError(lastError, process, args);
  }

  private connectError(err: unknown, process: NetworkProcess, args: CheckedArguments): NetprocError {
    // Already ours and complete (a CA file that cannot be read): neither a handshake nor a connect failure.
    if (err instanceof NetprocError) return err;
    if (args.tls && !isConnectError(err)) {
      // Quirk 12 (D): Emacs leaves the half-made process open; ours is gone and the socket closed.
      const reason = (err as Error).message;
      return new NetprocError({
        code: 'TLS_HANDSHAKE',
        message: `TLS negotiation with ${args.host ?? '127.0.0.1'} failed: ${reason}`,
        field: 'tlsParameters',
        condition: 'gnutls-error',
        data: [process.name, reason],
        cause: err,
      });
    }
    const field = (err as NodeJS.ErrnoException).code === 'ECONNREFUSED' ? 'service' : 'host';
    return fromSystemError(err, 'make client process failed', field, this.contactData(process));
  }

  /** A stream client's socket is up: record the addresses and start reading. */
  private connected(process: NetworkProcess, socket: net.Socket, address: SocketAddress, args: CheckedArguments): void {
    this.descriptors.opened();
    process.family = address.family;
    process.boundAddress = address;
    const { resetOnDelete } = applyStreamOptions(socket, args.options);
    process.resetOnDelete = resetOnDelete;
    // The local end of an inet socket needs one getsockname; a Unix client's has no name.
    this.recordEnds(process, address, address.family === 'local' ? null : (socket.address() as Partial<net.AddressInfo>));
    if (args.tls) {
      const tlsSocket = socket as import('node:tls').TLSSocket;
      const peer = tlsSocket.getPeerCertificate?.();
      process.tls = {
        verify: args.tls.verify,
        caFile: args.tls.caFile,
        authorized: tlsSocket.authorized,
        authorizationError: tlsSocket.authorizationError ? String(tlsSocket.authorizationError) : null,
        protocol: tlsSocket.getProtocol?.() ?? null,
        cipher: tlsSocket.getCipher?.()?.name ?? null,
        peerSubject: peer && typeof peer.subject === 'object' ? ([peer.subject.CN].flat()[0] ?? null) : null,
      };
    }
    this.changeStatus(process, { kind: 'run' }, { quiet: true });
    wireStreamSocket(this, process, socket);
    updateStreamReading(process);
  }

  /** A :nowait client: resolve and connect after returning; report the outcome as Emacs does. */
  private async connectInBackground(process: NetworkProcess, args: CheckedArguments): Promise<void> {
    this.changeStatus(process, { kind: 'connect' }, { quiet: true });
    let targets: SocketAddress[];
    try {
      targets = await this.resolveTargets(args, 'stream-client');
    } catch (err) {
      if (process.deleting) return;
      if (err instanceof NetprocError && (err.code === 'ENOTFOUND' || err.code === 'EAFNOSUPPORT')) {
        // Quirk 6 (R): a failed asynchronous lookup sets the status and calls no sentinel.
        this.changeStatus(process, { kind: 'failed', exitCode: `Name lookup of ${args.host ?? '127.0.0.1'} failed` });
      } else {
        this.changeStatus(process, { kind: 'failed', exitCode: err instanceof Error ? err.message : String(err) });
      }
      return;
    }
    let lastError: unknown = null;
    const abort = new AbortController();
    process.connectAbort = abort;
    try {
      for (const address of targets) {
        if (process.deleting) return;
        try {
          const socket = await connectStream(address, args.tls, abort.signal, (local) => this.connecting(process, address, local));
          if (process.deleting) {
            socket.destroy();
            return;
          }
          this.connected(process, socket, address, args);
          // Announced only now that the socket is wired: the sentinel may already send.
          this.changeStatus(process, { kind: 'run' }, { sentinel: SentinelEvent.open });
          return;
        } catch (err) {
          lastError = err;
          if (args.tls && !isConnectError(err)) break;
        }
      }
    } finally {
      process.connectAbort = null;
    }
    if (process.deleting) return;
    const code = args.tls && !isConnectError(lastError) ? 'TLS negotiation failed' : errnoNumber(lastError);
    this.changeStatus(process, { kind: 'failed', exitCode: code }, { sentinel: SentinelEvent.failedWithCode(code) });
  }

  /**
   * Emacs records :remote and :local as soon as its non-blocking connect(2)
   * returns, so even a :nowait client whose connect then fails has them [spec §7.2].
   */
  private connecting(process: NetworkProcess, address: SocketAddress, local: net.AddressInfo | null): void {
    if (!process.deleting) this.recordEnds(process, address, local);
  }

  /** A client's :remote and :local in its contact; the peer is the address connected to (no getpeername needed). */
  private recordEnds(process: NetworkProcess, address: SocketAddress, local: Partial<net.AddressInfo> | null): void {
    if (address.family === 'local') {
      process.contact.put('remote', address.path);
      process.contact.put('local', '');
      return;
    }
    process.contact.put('remote', lispAddressFromHostPort(address.host, address.port));
    if (local) process.contact.put('local', lispAddressFromHostPort(local.address ?? '0.0.0.0', local.port ?? 0));
  }

  private async startServer(process: NetworkProcess, address: SocketAddress, args: CheckedArguments): Promise<void> {
    let listener: net.Server;
    try {
      listener = await listenStream(this, process, address, args.backlog);
    } catch (err) {
      throw fromSystemError(err, 'Cannot bind server socket', 'service');
    }
    process.listener = listener;
    process.family = address.family;
    process.boundAddress = address;
    process.inheritedOptions = args.options;
    const bound = listener.address();
    if (address.family === 'local') {
      process.contact.put('local', address.path);
    } else if (bound && typeof bound === 'object') {
      process.contact.put('service', bound.port);
      process.contact.put('local', lispAddressFromHostPort(bound.address, bound.port));
      process.boundAddress = { family: address.family, host: bound.address, port: bound.port };
    }
    this.changeStatus(process, { kind: 'listen' }, { quiet: true });
    if (process.stopped) {
      process.transition = parkServer(this, process);
      await process.transition;
    }
  }

  private async startDatagramServer(process: NetworkProcess, address: SocketAddress, args: CheckedArguments): Promise<void> {
    if (address.family === 'local') throw invalidArgument('family', 'Unix-domain datagram sockets are not available in Node');
    let socket: dgram.Socket;
    try {
      socket = await bindDatagram(this, process, address, args.options);
    } catch (err) {
      throw fromSystemError(err, 'Cannot bind server socket', 'service');
    }
    const bound = socket.address();
    process.family = address.family;
    process.boundAddress = { family: address.family, host: bound.address, port: bound.port };
    process.contact.put('service', bound.port);
    process.contact.put('local', lispAddressFromHostPort(bound.address, bound.port));
    const initialPeer = args.remote !== null ? (args.remote as LispAddress) : null;
    process.datagramAddress = Array.isArray(initialPeer) ? initialPeer.slice() : unspecifiedAddress();
    process.contact.put('remote', process.datagramAddress);
    this.changeStatus(process, { kind: 'run' }, { quiet: true });
    this.updateReading(process);
  }

  private async startDatagramClient(process: NetworkProcess, address: SocketAddress): Promise<void> {
    if (address.family === 'local') throw invalidArgument('family', 'Unix-domain datagram sockets are not available in Node');
    try {
      await connectDatagram(this, process, address);
    } catch (err) {
      throw fromSystemError(err, 'make client process failed', 'host', this.contactData(process));
    }
    process.family = address.family;
    process.boundAddress = address;
    const remote = lispAddressFromHostPort(address.host, address.port);
    process.datagramAddress = remote;
    process.contact.put('remote', remote.slice());
    // Emacs records the client's :local before the kernel binds it [O-13 G, spec §7.2].
    process.contact.put('local', new Array<number>(remote.length).fill(0));
    this.changeStatus(process, { kind: 'run' }, { quiet: true });
    this.updateReading(process);
  }

  // ───────────────────────────── engine internals ─────────────────────────────

  /** @internal */
  acceptConnection(server: NetworkProcess, socket: net.Socket): void {
    if (server.deleting || !this.table.has(server)) {
      socket.destroy();
      return;
    }
    if (server.stopped) {
      // libuv accepted in the instant before the handle left; hold it as the kernel would have.
      server.heldAccepts.push(socket);
      socket.on('error', () => socket.destroy());
      return;
    }
    this.descriptors.opened();
    this.acceptCount++;
    const { clientId, hostText, contact } = acceptedPeer(server, socket, this.acceptCount);
    const process = new NetworkProcess('accepted', server.family, contact);
    const requestedName = `${server.name} <${clientId}>`;
    this.table.add(process, requestedName);
    process.server = server;
    process.filter = server.filter;
    process.sentinel = server.sentinel;
    process.decoder = new Decoder(server.decoder.coding);
    process.encoder = server.encoder;
    process.plist = server.plist.slice();
    process.queryOnExit = true;
    this.changeStatus(process, { kind: 'run' }, { quiet: true });
    process.boundAddress = server.boundAddress;
    if (typeof server.filter !== 'function') {
      const base = server.buffer?.name ?? server.name;
      this.attachBuffer(process, this.buffers.getOrCreate(base === server.name ? requestedName : `${base} <${clientId}>`));
    }
    process.resetOnDelete = applyStreamOptions(socket, server.inheritedOptions).resetOnDelete;
    wireStreamSocket(this, process, socket);
    server.counters.accepted++;
    this.show(process);
    this.emit('process-changed', server);

    this.serverLog(server, process, LogMessage.acceptFrom(hostText));
    this.runSentinel(process, SentinelEvent.openFrom(hostText));
    updateStreamReading(process);
  }

  /** A server's :log line: to the event log, and to its :log function, whose errors are reported, never thrown. */
  private serverLog(server: NetworkProcess, client: NetworkProcess | null, message: string): void {
    this.emit('log', { server, client, message });
    if (!server.log) return;
    try {
      server.log(server, client, message);
    } catch (err) {
      this.report(`error in process log function: ${(err as Error).message}`);
    }
  }

  /** @internal */
  acceptRefused(server: NetworkProcess, from: string | undefined): void {
    this.serverLog(server, null, LogMessage.acceptFailed(errnoNumber({ code: 'EMFILE' })));
    // One event-log line at the first refusal, then at most one a second with the count, so a flood cannot bury the log.
    const pending = this.refusedSinceReport.get(server);
    if (pending !== undefined) {
      this.refusedSinceReport.set(server, pending + 1);
      return;
    }
    this.report(
      `server ${server.name}: too many open files (EMFILE); refused a connection${from ? ` from ${from}` : ''} until descriptors are free`,
    );
    this.refusedSinceReport.set(server, 0);
    setTimeout(() => {
      const more = this.refusedSinceReport.get(server) ?? 0;
      this.refusedSinceReport.delete(server);
      if (more > 0 && !this.closed)
        this.report(`server ${server.name}: too many open files (EMFILE); refused ${more} more connection${more === 1 ? '' : 's'}`);
    }, 1000).unref();
  }

  /** @internal */
  deliverInput(process: NetworkProcess, chunk: Buffer): void {
    process.counters.bytesIn += chunk.length;
    process.taps?.emit({ kind: 'data', direction: 'in', timeUs: tapTime(), bytes: chunk, peer: null });
    const max = this.readProcessOutputMax;
    for (let offset = 0; offset < chunk.length && !process.deleting; offset += max) {
      const piece = offset === 0 && chunk.length <= max ? chunk : chunk.subarray(offset, offset + max);
      const filter = process.filter;
      if (filter === null) {
        // The default filter's result does not depend on chunk boundaries: insert the rest at once.
        this.insertOutput(process, process.decoder.toBufferBytes(offset === 0 ? chunk : chunk.subarray(offset)));
        return;
      }
      if (filter === true) return;
      const text = process.decoder.toText(piece);
      if (text) this.callFilter(process, filter, text);
    }
  }

  /** @internal */
  datagramReceived(process: NetworkProcess, message: Buffer, from: dgram.RemoteInfo): void {
    process.datagramAddress = lispAddressFromHostPort(from.address, from.port);
    process.taps?.emit({ kind: 'data', direction: 'in', timeUs: tapTime(), bytes: message, peer: process.datagramAddress.slice() });
    process.counters.datagramsIn++;
    process.counters.bytesIn += message.length;
    // Each datagram is one read, truncated to read-process-output-max [O-06 D].
    const kept = message.length > this.readProcessOutputMax ? message.subarray(0, this.readProcessOutputMax) : message;
    const filter = process.filter;
    if (filter === null) this.insertOutput(process, process.decoder.toBufferBytes(kept));
    else if (filter !== true) this.callFilter(process, filter, process.decoder.toText(kept));
  }

  /** @internal */
  connectionBroken(process: NetworkProcess, foundByWrite = false): void {
    if (process.status.kind !== 'run' || process.isDatagram || process.deleting) return;
    if (process.stopped && !foundByWrite) {
      // A stopped process does not see a close until it reads again [O-05 B].
      process.closeSeenWhileStopped = true;
      return;
    }
    process.socket?.destroy();
    // With delete-exited-processes, the process leaves the list just before its sentinel runs.
    this.changeStatus(
      process,
      { kind: 'exit', exitCode: 256 },
      { sentinel: SentinelEvent.brokenByPeer, leaveList: this.deleteExited ? 'before-sentinel' : undefined },
    );
  }

  /**
   * The one place a status changes, as Emacs's pset_status then
   * status_notify: the status (and with it the exit status) is set; then,
   * unless `quiet` (a process still being made, or Emacs's silent cases), the
   * process leaves the list where `leaveList` says, the change is emitted and
   * the sentinel runs, in that order. Nothing else assigns a status.
   * @internal
   */
  changeStatus(process: NetworkProcess, status: InternalStatus, how: StatusChange = {}): void {
    process.status = status;
    process.taps?.emit({
      kind: 'status',
      timeUs: tapTime(),
      status: status.kind,
      exitCode: 'exitCode' in status ? status.exitCode : null,
      event: how.quiet ? null : (how.sentinel ?? null),
    });
    if (how.quiet) return;
    if (how.leaveList === 'before-sentinel') this.removeFromTable(process);
    this.emit('process-changed', process);
    if (how.sentinel !== undefined) this.runSentinel(process, how.sentinel);
    if (how.leaveList === 'after-sentinel') this.removeFromTable(process);
  }

  /** @internal */
  report(text: string): void {
    this.emit('message', text);
  }

  private callFilter(process: NetworkProcess, filter: (p: NetworkProcess, text: string) => void, text: string): void {
    try {
      filter(process, text);
    } catch (err) {
      this.report(`error in process filter: ${err instanceof Error ? err.message : String(err)}`);
    }
  }

  /**
   * `internal-default-process-filter`, callable by other filters: inserts
   * TEXT at the process mark (unibyte text as its bytes).
   */
  internalDefaultProcessFilter(process: NetworkProcess, text: string): void {
    this.insertOutput(process, Buffer.from(text, process.decoder.coding.unibyte ? 'latin1' : 'utf8'));
  }

  /** The default filter: insert at the process mark, before markers (spec §6.5). */
  private insertOutput(process: NetworkProcess, bytes: Buffer): void {
    const buffer = process.buffer;
    if (!buffer?.live || bytes.length === 0) return;
    const mark = process.markBuffer === buffer ? process.mark : null;
    const at = mark?.position ?? buffer.end;
    buffer.insert(at, bytes, true);
    if (mark && mark.position === null) mark.position = buffer.end;
  }

  private runSentinel(process: NetworkProcess, event: string): void {
    if (this.listenerCount('sentinel') > 0) this.emit('sentinel', { process, event });
    const sentinel = process.sentinel;
    if (sentinel) {
      try {
        sentinel(process, event);
      } catch (err) {
        this.report(`error in process sentinel: ${err instanceof Error ? err.message : String(err)}`);
      }
      return;
    }
    const buffer = process.buffer;
    if (!buffer?.live || process.status.kind === 'run') return;
    const bytes = Buffer.from(defaultSentinelText(process.name, event), 'utf8');
    const mark = process.markBuffer === buffer ? process.mark : null;
    const at = Math.max(mark?.position ?? buffer.end, buffer.origin);
    const landed = buffer.insert(at, bytes, false);
    if (landed !== null) buffer.markSentinel(landed, landed + bytes.length);
    if (mark) mark.position = Math.min(Math.max(at + bytes.length, buffer.origin), buffer.end);
  }

  private bufferChanged({ buffer, inserted }: BufferChange): void {
    this.emit('buffer-changed', {
      name: buffer.name,
      origin: buffer.origin,
      end: buffer.end,
      length: buffer.length,
      revision: buffer.revision,
      trimmedBytes: buffer.trimmedBytes,
      inserted,
      live: buffer.live,
    });
    if (inserted > 0 && this.buffers.totalBytes > this.bufferBudget) this.keepBuffersWithinBudget();
  }

  /**
   * Emacs keeps every buffer until it is killed; thousands of closed
   * connections, each with a flood's worth, would exhaust memory. Brings the
   * total back to 90% of the budget (so the next insert does not start over):
   * first killing the buffers no process owns, stalest first, then trimming
   * the oldest bytes of the stalest live ones.
   */
  private keepBuffersWithinBudget(): void {
    const target = Math.floor(this.bufferBudget * 0.9);
    const owned = new Set(this.table.list().map((p) => p.buffer));
    const stalestFirst = this.buffers.all().sort((a, b) => a.changedAt - b.changedAt);
    for (const buffer of stalestFirst) {
      if (this.buffers.totalBytes <= target) return;
      if (owned.has(buffer)) continue;
      const size = buffer.length;
      this.killBuffer(buffer);
      this.report(
        `Killed buffer ${buffer.name} (${formatBytes(size)}, no process): all buffers together passed the ${formatBytes(this.bufferBudget)} budget`,
      );
    }
    let trimmed = 0;
    for (const buffer of stalestFirst) {
      const excess = this.buffers.totalBytes - target;
      if (excess <= 0) break;
      if (!buffer.live || buffer.length === 0) continue;
      const before = buffer.length;
      buffer.trimHead(before - excess);
      trimmed += before - buffer.length;
    }
    // Trimming recurs while a flood goes on; one line every few seconds says so without burying the log.
    const now = Date.now();
    if (trimmed > 0 && now - this.lastBudgetTrimReport > 5000) {
      this.lastBudgetTrimReport = now;
      this.report(
        `Trimmed the oldest ${formatBytes(trimmed)} of live buffers: all buffers together passed the ${formatBytes(this.bufferBudget)} budget`,
      );
    }
  }

  private show(process: NetworkProcess): void {
    process.hidden = false;
    this.emit('process-added', process);
  }

  private removeFromTable(process: NetworkProcess): void {
    if (this.table.remove(process)) this.emit('process-removed', process);
  }

  private attachBuffer(process: NetworkProcess, buffer: NetprocBuffer | null): void {
    process.buffer = buffer;
    if (!buffer) return;
    if (process.markBuffer && process.mark) process.markBuffer.releaseMarker(process.mark);
    process.mark = buffer.createMarker(buffer.end);
    process.markBuffer = buffer;
  }

  private contactData(process: NetworkProcess): unknown[] {
    return Object.entries(process.contact.toObject()).flatMap(([k, v]) => [`:${k}`, v]);
  }

  private closeSockets(process: NetworkProcess): void {
    process.connectAbort?.abort(new Error(`Process ${process.name} deleted while connecting`));
    if (process.socket) closeStreamSocket(process.socket, process.resetOnDelete);
    if (process.datagram) {
      const socket = process.datagram;
      process.datagram = null;
      try {
        socket.close();
      } catch {
        // already closed
      }
    }
    for (const held of process.heldAccepts.splice(0)) held.destroy();
    if (process.kind === 'stream-server') {
      process.transition = process.transition
        .catch(() => undefined)
        .then(() => closeServer(this, process))
        .catch((err: Error) => this.report(`closing server ${process.name}: ${err.message}`));
    }
  }

  // ───────────────────────────── the process table ─────────────────────────────

  /** `process-list`: every process not yet deleted, newest first. */
  processList(): NetworkProcess[] {
    return this.table.list();
  }

  /** `get-process`. */
  getProcess(name: string): NetworkProcess | null {
    return this.table.getByName(name) ?? null;
  }

  /** A process by the id the bridge uses. */
  getProcessById(id: number): NetworkProcess | null {
    return this.table.getById(id) ?? null;
  }

  /** `get-buffer-process`: the newest process whose buffer this is. */
  getBufferProcess(buffer: string | NetprocBuffer): NetworkProcess | null {
    const target = typeof buffer === 'string' ? this.buffers.get(buffer) : buffer;
    if (!target) return null;
    return this.table.list().find((p) => p.buffer === target) ?? null;
  }

  private resolveProcess(designator: ProcessDesignator, field = 'process'): NetworkProcess {
    if (designator instanceof NetworkProcess) return designator;
    if (typeof designator === 'string') {
      const byName = this.table.getByName(designator);
      if (byName) return byName;
      const buffer = this.buffers.get(designator);
      if (!buffer) throw new NetprocError({ code: 'NO_SUCH_PROCESS', message: `Process ${designator} does not exist`, field });
      designator = buffer;
    }
    if (designator instanceof NetprocBuffer) {
      const owner = this.getBufferProcess(designator);
      if (!owner) throw new NetprocError({ code: 'NO_SUCH_PROCESS', message: `Buffer ${designator.name} has no process`, field });
      return owner;
    }
    throw wrongType(field, 'processp', designator);
  }

  /** stop-process and continue-process take only a process object for network processes [O-04 C]. */
  private requireProcessObject(designator: ProcessDesignator): NetworkProcess {
    if (designator instanceof NetworkProcess) return designator;
    const name = designator instanceof NetprocBuffer ? (this.getBufferProcess(designator)?.name ?? designator.name) : designator;
    throw new NetprocError({ code: 'NOT_SUBPROCESS', message: `Process ${String(name)} is not a subprocess`, field: 'process' });
  }

  // ───────────────────────────── status ─────────────────────────────

  /** `process-status`: a string is looked up only as a process name; unknown names give null. */
  processStatus(designator: ProcessDesignator): ProcessStatus | null {
    let process: NetworkProcess | undefined;
    if (designator instanceof NetworkProcess) process = designator;
    else if (typeof designator === 'string') process = this.table.getByName(designator);
    else process = this.resolveProcess(designator);
    return process ? mappedStatus(process.status, process.stopped) : null;
  }

  processExitStatus(designator: ProcessDesignator): number | string {
    return exitStatus(this.resolveProcess(designator).status);
  }

  processLiveP(designator: ProcessDesignator): string[] | null {
    const p = this.resolveProcess(designator);
    return liveTail(mappedStatus(p.status, p.stopped));
  }

  /** `process-command`: true while stopped (and after deleting a stopped process). */
  processCommand(designator: ProcessDesignator): boolean {
    return this.resolveProcess(designator).stopped;
  }

  processType(designator: ProcessDesignator): 'network' {
    this.resolveProcess(designator);
    return 'network';
  }

  processId(designator: ProcessDesignator): null {
    this.resolveProcess(designator);
    return null;
  }

  processBuffer(designator: ProcessDesignator): NetprocBuffer | null {
    return this.resolveProcess(designator).buffer;
  }

  /** `process-mark` as an absolute byte offset in the process's buffer, or null. */
  processMark(designator: ProcessDesignator): number | null {
    return this.resolveProcess(designator).mark?.position ?? null;
  }

  processFilter(designator: ProcessDesignator): Filter {
    return this.resolveProcess(designator).filter;
  }

  processSentinel(designator: ProcessDesignator): Sentinel {
    return this.resolveProcess(designator).sentinel;
  }

  // ───────────────────────────── stop, continue, delete ─────────────────────────────

  /** `stop-process`: stop reading (streams, datagrams) or accepting (servers). No sentinel. */
  async stopProcess(designator: ProcessDesignator): Promise<NetworkProcess> {
    const process = this.requireProcessObject(designator);
    if (!process.stopped) {
      process.stopped = true;
      this.emit('process-changed', process);
      if (process.status.kind !== 'exit') {
        if (process.kind === 'stream-server') {
          process.transition = process.transition.then(() => parkServer(this, process));
        } else this.updateReading(process);
      }
    }
    await process.transition;
    return process;
  }

  /** `continue-process`: resume; a server accepts what queued meanwhile. No sentinel. */
  async continueProcess(designator: ProcessDesignator): Promise<NetworkProcess> {
    const process = this.requireProcessObject(designator);
    if (process.stopped) {
      process.stopped = false;
      this.emit('process-changed', process);
      if (process.status.kind !== 'exit') {
        if (process.kind === 'stream-server') {
          process.transition = process.transition
            .then(() => unparkServer(this, process))
            .then(() => {
              for (const socket of process.heldAccepts.splice(0)) {
                socket.removeAllListeners('error');
                this.acceptConnection(process, socket);
              }
            });
        } else {
          this.updateReading(process);
          if (process.closeSeenWhileStopped) this.closeAfterBufferedInput(process);
        }
      }
    }
    await process.transition;
    return process;
  }

  /** A close seen while stopped is reported once what was read before it has gone to the filter. */
  private closeAfterBufferedInput(process: NetworkProcess): void {
    const socket = process.socket;
    if (socket && socket.readableLength > 0) {
      socket.once('end', () => this.connectionBroken(process));
      setImmediate(() => this.closeAfterBufferedInput(process));
      return;
    }
    this.connectionBroken(process);
  }

  /** `delete-process`: runs the sentinel with "deleted\n" before returning, then closes the socket. */
  deleteProcess(designator: ProcessDesignator): null {
    const process = this.resolveProcess(designator);
    if (!this.table.has(process)) {
      // Emacs still sets (exit 0) on a process already gone from the list, but silently: no sentinel, no event [spec §9].
      this.changeStatus(process, { kind: 'exit', exitCode: 0 }, { quiet: true });
      return null;
    }
    process.deleting = true;
    this.changeStatus(process, { kind: 'exit', exitCode: 0 }, { sentinel: SentinelEvent.deleted, leaveList: 'after-sentinel' });
    this.closeSockets(process);
    return null;
  }

  /**
   * Subscribes to a process's taps: every chunk read and written (direction,
   * a microsecond timestamp, the bytes, a datagram's peer) and every status
   * change, beside its filter and sentinel, never instead of them. Returns a
   * Disposable; a throwing listener is reported as a message.
   */
  tapProcess(designator: ProcessDesignator, listener: TapListener): Disposable {
    const process = this.resolveProcess(designator);
    if (typeof listener !== 'function') throw wrongType('listener', 'functionp', listener);
    const taps = (process.taps ??= new Taps((text) => this.report(text)));
    return taps.add(listener, () => {
      if (process.taps === taps) process.taps = null;
    });
  }

  /** Waits until a process's pending stop/continue/close work is done (tests and the bridge use it). */
  async settled(process: NetworkProcess): Promise<void> {
    await process.transition.catch(() => undefined);
  }

  // ───────────────────────────── sending ─────────────────────────────

  private notRunning(process: NetworkProcess): NetprocError {
    return new NetprocError({ code: 'NOT_RUNNING', message: `Process ${process.name} not running`, field: 'process' });
  }

  /** `process-send-string`: text is encoded with the process's coding; byte arrays go as they are. */
  async processSendString(designator: ProcessDesignator, data: string | Uint8Array): Promise<null> {
    if (typeof data !== 'string' && !(data instanceof Uint8Array)) throw wrongType('data', 'stringp', data);
    const process = this.resolveProcess(designator);
    if (process.status.kind === 'connect') await process.leftConnect;
    if (process.status.kind !== 'run') throw this.notRunning(process);
    const bytes = encodeForSending(data, process.encoder);
    if (process.isDatagram) return this.sendOneDatagram(process, bytes);
    // Quirk 15 (R): after process-send-eof, output goes nowhere.
    if (process.eofSent || bytes.length === 0) return null;
    const socket = process.socket as net.Socket;
    try {
      await new Promise<void>((resolve, reject) => {
        if (socket.destroyed) reject(Object.assign(new Error('socket closed'), { code: 'EPIPE' }));
        else {
          process.taps?.emit({ kind: 'data', direction: 'out', timeUs: tapTime(), bytes, peer: null });
          socket.write(bytes, (err) => (err ? reject(err) : resolve()));
          if (socket.writableLength > OUTPUT_HIGH_WATER) this.holdInputUntilDrained(process, socket);
        }
      });
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code === 'EPIPE' || code === 'ECONNRESET' || code === 'ERR_STREAM_DESTROYED') {
        this.connectionBroken(process, true);
        throw new NetprocError({
          code: 'EPIPE',
          message: `process ${process.name} no longer connected to pipe; closed it`,
          field: 'process',
          cause: err,
        });
      }
      throw fromSystemError(err, 'Writing to process', 'data', [process.name]);
    }
    process.counters.bytesOut += bytes.length;
    return null;
  }

  private async sendOneDatagram(process: NetworkProcess, bytes: Buffer): Promise<null> {
    if (bytes.length > MAX_DATAGRAM) {
      throw new NetprocError({
        code: 'EMSGSIZE',
        message: `Sending datagram: ${strerror('EMSGSIZE')}`,
        field: 'data',
        condition: 'file-error',
        data: ['Sending datagram', strerror('EMSGSIZE'), process.name],
      });
    }
    await process.datagramReady;
    const socket = process.datagram as dgram.Socket;
    let to: SocketAddress | null = null;
    if (process.kind === 'datagram-server') {
      if (!Array.isArray(process.datagramAddress)) {
        throw new NetprocError({
          code: 'EDESTADDRREQ',
          message: `Sending datagram: ${strerror('EDESTADDRREQ')}`,
          field: 'process',
          condition: 'file-error',
          data: ['Sending datagram', strerror('EDESTADDRREQ'), process.name],
        });
      }
      to = socketAddressFromLisp(process.datagramAddress, 'datagramAddress');
    }
    process.datagramBytesQueued += bytes.length;
    if (process.datagramBytesQueued > OUTPUT_HIGH_WATER && !process.outputBlocked) {
      process.outputBlocked = true;
      this.updateReading(process);
    }
    try {
      await sendDatagram(socket, bytes, to && to.family !== 'local' ? to : null);
    } catch (err) {
      throw fromSystemError(err, 'Sending datagram', 'data', [process.name]);
    } finally {
      process.datagramBytesQueued -= bytes.length;
      if (process.outputBlocked && process.datagramBytesQueued <= OUTPUT_HIGH_WATER / 2) {
        process.outputBlocked = false;
        this.updateReading(process);
      }
    }
    if (process.taps) {
      const peer = Array.isArray(process.datagramAddress) ? process.datagramAddress.slice() : null;
      process.taps.emit({ kind: 'data', direction: 'out', timeUs: tapTime(), bytes, peer });
    }
    process.counters.datagramsOut++;
    process.counters.bytesOut += bytes.length;
    return null;
  }

  /** Stops reading the process's input until its queued output has gone to the kernel. */
  private holdInputUntilDrained(process: NetworkProcess, socket: net.Socket): void {
    if (process.outputBlocked) return;
    process.outputBlocked = true;
    this.updateReading(process);
    socket.once('drain', () => {
      process.outputBlocked = false;
      if (process.socket === socket) this.updateReading(process);
    });
  }

  /** Reading on or off as the process's state says (see updateStreamReading). */
  private updateReading(process: NetworkProcess): void {
    if (process.datagram) updateDatagramReading(process);
    else updateStreamReading(process);
  }

  /** `process-send-eof`: half-close; reading goes on until the peer closes. A no-op for datagrams. */
  async processSendEof(designator: ProcessDesignator): Promise<NetworkProcess> {
    const process = this.resolveProcess(designator);
    if (process.status.kind === 'connect') await process.leftConnect;
    if (process.isDatagram) return process;
    if (process.status.kind !== 'run') throw this.notRunning(process);
    if (!process.eofSent) {
      process.eofSent = true;
      process.socket?.end();
      this.emit('process-changed', process);
    }
    return process;
  }

  // ───────────────────────────── contact and addresses ─────────────────────────────

  /** `process-contact`: no key → [host, service]; true → the whole plist; a key → its value. */
  processContact(designator: ProcessDesignator): [unknown, unknown];
  processContact(designator: ProcessDesignator, key: true, noBlock?: boolean): Record<string, unknown> | null;
  processContact(designator: ProcessDesignator, key: string | true | null | undefined, noBlock?: boolean): unknown;
  processContact(designator: ProcessDesignator, key?: string | true | null, noBlock = false): unknown {
    const process = this.resolveProcess(designator);
    const kind = process.status.kind;
    // Emacs would wait for a connecting process; we answer at once from what is known.
    if (noBlock && kind !== 'run' && kind !== 'listen') return null;
    const contact = process.contact;
    if (process.isDatagram && (key === true || key === 'remote') && process.datagramAddress) {
      contact.put('remote', Array.isArray(process.datagramAddress) ? process.datagramAddress.slice() : { ...process.datagramAddress });
    }
    if (key === undefined || key === null) return [contact.get('host'), contact.get('service')];
    if (key === true) return contact.toObject();
    const value = contact.get(key);
    return Array.isArray(value) ? value.slice() : value;
  }

  formatNetworkAddress(address: unknown, omitPort = false): string | null {
    return formatNetworkAddress(address, omitPort);
  }

  /** `network-lookup-address-info`: address vectors with port 0, or null (and a message) on failure. */
  async networkLookupAddressInfo(name: string, family: 'ipv4' | 'ipv6' | null = null): Promise<number[][] | null> {
    const familyNumber = family === 'ipv4' ? 4 : family === 'ipv6' ? 6 : 0;
    const literal = isIP(name);
    if (literal) {
      if (familyNumber && literal !== familyNumber) {
        this.report(`${name}/0 Address family for hostname not supported`);
        return null;
      }
      return [lispAddressFromHostPort(name, 0)];
    }
    try {
      const found = await this.lookup(name, familyNumber);
      return found.length ? found.map((a) => lispAddressFromHostPort(a.address, 0)) : null;
    } catch {
      this.report(`${name}/0 Name or service not known`);
      return null;
    }
  }

  /** Datagrams the kernel dropped for this process's socket (queue full, e.g. while stopped); null if unknown. */
  processDatagramDrops(designator: ProcessDesignator): number | null {
    const process = this.resolveProcess(designator);
    return process.datagram ? kernelDrops(process.datagram) : null;
  }

  processDatagramAddress(designator: ProcessDesignator): LispAddress | null {
    const process = this.resolveProcess(designator);
    if (!process.isDatagram || !process.datagramAddress) return null;
    const address = process.datagramAddress;
    return Array.isArray(address) ? address.slice() : { family: address.family, data: address.data.slice() };
  }

  /** `set-process-datagram-address`: null when not a datagram process or ADDRESS does not fit its socket. */
  setProcessDatagramAddress(designator: ProcessDesignator, address: unknown): LispAddress | null {
    const process = this.resolveProcess(designator);
    if (!process.isDatagram || !Array.isArray(address)) return null;
    let target: SocketAddress;
    try {
      target = socketAddressFromLisp(address, 'address');
    } catch {
      return null;
    }
    if (target.family !== process.family || target.family === 'local') return null;
    process.datagramAddress = (address as number[]).slice();
    const socket = process.datagram;
    if (process.kind === 'datagram-client' && socket) {
      const inet = target;
      process.datagramReady = process.datagramReady
        .then(() => reconnectDatagram(socket, inet))
        .catch((err: Error) => this.report(`datagram ${process.name}: ${err.message}`));
    }
    this.emit('process-changed', process);
    return address as number[];
  }

  /** `set-network-process-option`: true on success; false (nil) for an unknown option with noError. */
  async setNetworkProcessOption(designator: ProcessDesignator, option: string, value: unknown, noError = false): Promise<boolean> {
    const process = this.resolveProcess(designator);
    if (process.status.kind === 'connect') await process.leftConnect;
    if (process.status.kind === 'exit' || process.status.kind === 'failed') {
      throw new NetprocError({ code: 'NOT_RUNNING', message: 'Process is not running', field: 'process' });
    }
    if (!isSupportedOption(option)) {
      if (noError) return false;
      throw unsupportedOption(option, 'option');
    }
    const normalised = checkOptionValue(option, value);
    const one: SocketOptions = { [option]: normalised };
    if (process.socket)
      process.resetOnDelete =
        applyStreamOptions(process.socket, { ...one }).resetOnDelete || (option !== 'linger' && process.resetOnDelete);
    if (process.datagram && option === 'broadcast') process.datagram.setBroadcast(Boolean(normalised));
    if (process.kind === 'stream-server') process.inheritedOptions = { ...process.inheritedOptions, ...one };
    process.contact.put(option, normalised);
    this.emit('process-changed', process);
    return true;
  }

  // ───────────────────────────── filters, sentinels, buffers ─────────────────────────────

  /** `set-process-filter`: null restores the default; `true` stops reading without changing the status. */
  setProcessFilter(designator: ProcessDesignator, filter: Filter): Filter {
    const process = this.resolveProcess(designator);
    if (filter !== null && filter !== true && typeof filter !== 'function') throw wrongType('filter', 'functionp', filter);
    process.filter = filter;
    process.contact.put('filter', filter === null ? 'internal-default-process-filter' : describeFunction(filter));
    this.updateReading(process);
    this.emit('process-changed', process);
    return filter;
  }

  setProcessSentinel(designator: ProcessDesignator, sentinel: Sentinel): Sentinel {
    const process = this.resolveProcess(designator);
    if (sentinel !== null && typeof sentinel !== 'function') throw wrongType('sentinel', 'functionp', sentinel);
    process.sentinel = sentinel;
    process.contact.put('sentinel', sentinel === null ? 'internal-default-process-sentinel' : describeFunction(sentinel));
    this.emit('process-changed', process);
    return sentinel;
  }

  /** `set-process-buffer`: takes a buffer object or null; a name is a wrong-type error [O-16 C]. */
  setProcessBuffer(designator: ProcessDesignator, buffer: NetprocBuffer | null): NetprocBuffer | null {
    const process = this.resolveProcess(designator);
    if (buffer !== null && !(buffer instanceof NetprocBuffer)) throw wrongType('buffer', 'bufferp', buffer);
    if (buffer) this.attachBuffer(process, buffer);
    else process.buffer = null;
    process.contact.put('buffer', buffer?.name ?? null);
    this.emit('process-changed', process);
    return buffer;
  }

  getBuffer(name: string): NetprocBuffer | null {
    return this.buffers.get(name) ?? null;
  }

  getBufferCreate(name: string): NetprocBuffer {
    if (typeof name !== 'string' || name === '') throw wrongType('buffer', 'stringp', name);
    return this.buffers.getOrCreate(name);
  }

  bufferList(): NetprocBuffer[] {
    return this.buffers.all();
  }

  /** The whole text of a buffer, or null if there is no such buffer. */
  bufferString(name: string): string | null {
    return this.buffers.get(name)?.text() ?? null;
  }

  /** `kill-buffer`: deletes every process whose buffer it is ("deleted\n"), then kills it. */
  killBuffer(buffer: string | NetprocBuffer): boolean {
    const target = typeof buffer === 'string' ? this.buffers.get(buffer) : buffer;
    if (!target?.live) return false;
    for (const p of this.table.list()) if (p.buffer === target) this.deleteProcess(p);
    target.kill();
    this.buffers.remove(target);
    return true;
  }

  setBufferCap(cap: number, bufferName?: string): void {
    if (bufferName === undefined) {
      this.buffers.setDefaultCap(cap);
      for (const b of this.buffers.all()) b.setCap(cap);
    } else this.getBufferCreate(bufferName).setCap(cap);
  }

  // ───────────────────────────── plists, query flag, coding ─────────────────────────────

  processPlist(designator: ProcessDesignator): unknown[] {
    return this.resolveProcess(designator).plist.slice();
  }

  setProcessPlist(designator: ProcessDesignator, plist: unknown): unknown[] {
    const process = this.resolveProcess(designator);
    if (!Array.isArray(plist)) throw wrongType('plist', 'listp', plist);
    checkPlist(plist);
    process.plist = plist.slice();
    this.emit('process-changed', process);
    return plist;
  }

  /** `process-get`: properties compare with `eq` (===). */
  processGet(designator: ProcessDesignator, property: unknown): unknown {
    return plistGet(this.resolveProcess(designator).plist, property);
  }

  /** `process-put`: returns the new plist. Refused, changing nothing, past the plist's bounds (plist.ts). */
  processPut(designator: ProcessDesignator, property: unknown, value: unknown): unknown[] {
    const process = this.resolveProcess(designator);
    process.plist = plistPut(process.plist, property, value);
    this.emit('process-changed', process);
    return process.plist.slice();
  }

  processQueryOnExitFlag(designator: ProcessDesignator): boolean {
    return this.resolveProcess(designator).queryOnExit;
  }

  setProcessQueryOnExitFlag<T>(designator: ProcessDesignator, flag: T): T {
    const process = this.resolveProcess(designator);
    process.queryOnExit = flag !== null && flag !== undefined && flag !== false;
    this.emit('process-changed', process);
    return flag;
  }

  /** `process-coding-system`: [DECODE, ENCODE]. */
  processCodingSystem(designator: ProcessDesignator): [string, string] {
    const process = this.resolveProcess(designator);
    return [process.decoder.coding.name, process.encoder.name];
  }

  setProcessCodingSystem(designator: ProcessDesignator, decoding: string, encoding: string): null {
    const process = this.resolveProcess(designator);
    const decode = parseCodingSystem(decoding, 'decoding');
    const encode = withExplicitEol(parseCodingSystem(encoding, 'encoding'));
    process.decoder = new Decoder(decode);
    process.encoder = encode;
    this.emit('process-changed', process);
    return null;
  }

  processFilterMultibyteP(designator: ProcessDesignator): boolean {
    return !this.resolveProcess(designator).decoder.coding.unibyte;
  }

  setProcessFilterMultibyte(designator: ProcessDesignator, multibyte: boolean): boolean {
    const process = this.resolveProcess(designator);
    if (!multibyte && !process.decoder.coding.unibyte) process.decoder = new Decoder(rawTextVariant(process.decoder.coding));
    this.emit('process-changed', process);
    return multibyte;
  }

  // ───────────────────────────── list-processes and quitting ─────────────────────────────

  /** `list-processes` rows. Like Emacs, building the list deletes closed processes first. */
  listProcessesRows(queryOnly = false): ListProcessesRow[] {
    for (const p of this.table.list()) if (p.status.kind === 'exit') this.deleteProcess(p);
    const shown = this.table.list().filter((p) => !queryOnly || p.queryOnExit);
    return listProcessesRows(shown, (p) => ({
      status: mappedStatus(p.status, p.stopped),
      contact: this.processContact(p, true, true),
    }));
  }

  /** Processes that make quitting ask "Active processes exist; kill them and exit anyway?" (spec §13). */
  processesNeedingQuery(): NetworkProcess[] {
    return this.table.list().filter((p) => p.queryOnExit && isActiveForQuery(mappedStatus(p.status, p.stopped)));
  }

  /** Closes every socket without running sentinels, as Emacs does on exit. */
  async close(): Promise<void> {
    this.closed = true;
    const all = this.table.list();
    for (const p of all) {
      p.deleting = true;
      this.closeSockets(p);
      this.removeFromTable(p);
    }
    await Promise.all(all.map((p) => p.transition.catch(() => undefined)));
    this.parking.close();
    this.descriptors.close();
  }
}
