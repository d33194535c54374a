/**
 * `open-network-stream` as Emacs 28.2's network-stream.el has it (spec §3):
 * the plain and TLS paths, the capability exchange, and STARTTLS on the same
 * connection. What differs from Emacs, on purpose:
 * - `:type starttls` against a server that offers no STARTTLS signals a clear
 *   error naming why (Emacs 28.2 signals `wrong-type-argument processp nil`,
 *   quirk 11), and with `:return-list` answers the intended
 *   `(nil … :error "Server does not support TLS…")`. Either way the connection
 *   is closed and the process gone.
 * - Every read of the exchange has a timeout and a size cap, so a silent or
 *   flooding server cannot hang the caller or grow memory.
 * - Patterns are Emacs regexps run by RE2 (emacs-regexp.ts), in linear time.
 * - A server that sends anything after its STARTTLS answer is refused (the
 *   plaintext-injection attack), and a refused certificate is an error: only
 *   a handshake that fails falls back to plain text, as Emacs falls back only
 *   on a gnutls-error.
 * - `:type shell` is refused: Netproc runs no local programs.
 *
 * The exchange reads what the process reads, as Emacs does: the process is
 * made with its default filter, so greeting and capabilities land in its
 * buffer, and the exchange watches the same bytes through a tap (never taking
 * the filter's place) to find the end of each answer.
 */
import type tls from 'node:tls';
import { domainToASCII } from 'node:url';
import { excerpt } from '../../shared/wire.js';
import type { NetprocBuffer } from './buffers.js';
import { Decoder } from './coding.js';
import { EmacsRegexp } from './emacs-regexp.js';
import { invalidArgument, NetprocError, wrongType } from './errors.js';
import type { Netproc } from './netproc.js';
import type { NetworkProcess } from './process.js';
import { tlsNegotiationError } from './stream-client.js';
import { tlsFileOptions, upgradeStreamToTls } from './stream-process.js';
import { CertificateRejected, checkClientCertificate, checkTlsArguments, type TlsRequest } from './tls.js';
import type { Disposable } from './taps.js';

/** `:starttls-function` as data: send `command` when the capabilities match the Emacs regexp `match`. */
export interface StarttlsRule {
  match: string;
  command: string;
}

export type ConnectionType = 'plain' | 'network' | 'tls' | 'ssl' | 'starttls' | 'shell';

export interface OpenNetworkStreamParameters {
  type?: ConnectionType | null;
  nowait?: boolean | null;
  coding?: string | [string, string] | null;
  /** TLS: verify the certificate (default true). */
  verify?: boolean | null;
  caFile?: string | null;
  /** `:client-certificate`: (KEY-FILE CERT-FILE), PEM files. */
  clientCertificate?: readonly [string, string] | null;
  /** TLS beyond Emacs: the SNI name, ALPN protocols, a fingerprint to trust (see TlsParameters). */
  servername?: string | null;
  alpn?: string[] | null;
  fingerprint?: string | null;
  returnList?: boolean | null;
  /** Emacs regexp ending the greeting and every command's answer. */
  endOfCommand?: string | null;
  /** Emacs regexp ending the capability answer (default: endOfCommand). */
  endOfCapability?: string | null;
  /** Emacs regexp the STARTTLS answer must match. */
  success?: string | null;
  /** Sent after the greeting; a function is given the greeting. */
  capabilityCommand?: string | ((greeting: string | null) => string | null) | null;
  /** The STARTTLS command: a string (always), a rule, or a function of the capabilities. */
  starttlsFunction?: string | StarttlsRule | ((capabilities: string) => string | null) | null;
  alwaysQueryCapabilities?: boolean | null;
  nogreeting?: boolean | null;
  useStarttlsIfPossible?: boolean | null;
  warnUnlessEncrypted?: boolean | null;
  shellCommand?: string | null;
  /** Not in Emacs: how long one answer of the exchange (or the handshake) may take, in ms. */
  exchangeTimeoutMs?: number;
  /** Not in Emacs: how many bytes one answer may hold before the server is judged to flood. */
  exchangeMaxBytes?: number;
}

/** `(PROC :greeting G :capabilities C :type TYPE :error E)`. */
export interface OpenNetworkStreamList {
  process: NetworkProcess | null;
  greeting: string | null;
  capabilities: string | null;
  type: 'plain' | 'tls';
  error: string | null;
}

/** Long enough for a slow server across the world, short enough that a silent one is noticed. */
export const DEFAULT_EXCHANGE_TIMEOUT_MS = 30_000;
/** An EHLO or CAPABILITY answer is well under 4 KiB; 64 KiB is generous and still small. */
export const DEFAULT_EXCHANGE_MAX_BYTES = 64 * 1024;
/** Emacs looks at the buffer every 50 ms while it waits; a trickling server is searched at most this often. */
const SEARCH_INTERVAL_MS = 20;

export const SHELL_REFUSED =
  'Connection type shell is not available: Netproc runs no local programs, so that nothing a window or the ' +
  'loopback web page sends can ever execute one. Bridge the command to a port instead, for example ' +
  '`socat TCP-LISTEN:7000,bind=127.0.0.1,reuseaddr EXEC:COMMAND` or `ncat -l 127.0.0.1 7000 -e COMMAND`, and connect to that port';

interface Checked {
  type: ConnectionType | null;
  endOfCommand: EmacsRegexp | null;
  endOfCapability: EmacsRegexp | null;
  success: EmacsRegexp | null;
  starttlsRule: EmacsRegexp | null;
  timeoutMs: number;
  maxBytes: number;
}

const TYPES: readonly ConnectionType[] = ['plain', 'network', 'tls', 'ssl', 'starttls', 'shell'];

function checkParameters(params: OpenNetworkStreamParameters): Checked {
  const type = params.type ?? null;
  if (type !== null && !TYPES.includes(type)) throw invalidArgument('type', `Invalid connection type ${String(type)}`);
  if (type === 'shell') throw new NetprocError({ code: 'UNSUPPORTED', message: SHELL_REFUSED, field: 'type' });
  const regexp = (value: unknown, field: string): EmacsRegexp | null => {
    if (value === null || value === undefined) return null;
    if (typeof value !== 'string') throw wrongType(field, 'stringp', value);
    return new EmacsRegexp(value, field);
  };
  const endOfCommand = regexp(params.endOfCommand, 'endOfCommand');
  const starttls = params.starttlsFunction ?? null;
  let starttlsRule: EmacsRegexp | null = null;
  if (starttls !== null && typeof starttls === 'object') {
    starttlsRule = regexp(starttls.match, 'starttlsFunction.match');
    if (typeof starttls.command !== 'string') throw wrongType('starttlsFunction.command', 'stringp', starttls.command);
  } else if (starttls !== null && typeof starttls !== 'string' && typeof starttls !== 'function') {
    throw wrongType('starttlsFunction', 'functionp', starttls);
  }
  const command = params.capabilityCommand ?? null;
  if (command !== null && typeof command !== 'string' && typeof command !== 'function')
    throw wrongType('capabilityCommand', 'stringp', command);
  if ((params.clientCertificate as unknown) === true)
    throw new NetprocError({
      code: 'UNSUPPORTED',
      message: 'clientCertificate: t (look the pair up in auth-source) is not supported; give (KEY-FILE CERT-FILE)',
      field: 'clientCertificate',
    });
  checkClientCertificate(params.clientCertificate);
  // Beyond Emacs, so nothing to be compatible with: given where TLS can never happen, they are a mistake to say.
  if (!canEndInTls(params, type)) {
    for (const field of ['servername', 'alpn', 'fingerprint'] as const) {
      // An empty ALPN list says nothing, as tlsParametersOf leaves it out.
      const value = params[field];
      if (Array.isArray(value) ? value.length > 0 : value)
        throw invalidArgument(
          field,
          `${field}: applies to TLS connections only (:type tls or starttls, or nil with :success, :capability-command and :starttls-function)`,
        );
    }
  }
  const positive = (value: number | undefined, fallback: number, field: string): number => {
    if (value === undefined) return fallback;
    if (!Number.isInteger(value) || value < 1) throw invalidArgument(field, `${field}: must be a positive integer`);
    return value;
  };
  return {
    type,
    endOfCommand,
    endOfCapability: regexp(params.endOfCapability, 'endOfCapability') ?? endOfCommand,
    success: regexp(params.success, 'success'),
    starttlsRule,
    timeoutMs: positive(params.exchangeTimeoutMs, DEFAULT_EXCHANGE_TIMEOUT_MS, 'exchangeTimeoutMs'),
    maxBytes: positive(params.exchangeMaxBytes, DEFAULT_EXCHANGE_MAX_BYTES, 'exchangeMaxBytes'),
  };
}

/**
 * Emacs's simple path: no `:return-list`, and `:type plain`, or nil/network
 * without both `:success` and `:capability-command` [O-12]. It is exactly
 * `make-network-process`.
 */
function isSimplePath(params: OpenNetworkStreamParameters, type: ConnectionType | null): boolean {
  if (params.returnList) return false;
  if (type === 'plain') return true;
  return (type === null || type === 'network') && !(params.success && params.capabilityCommand);
}

/** Whether this path can end encrypted: TLS from the start, or a STARTTLS exchange that has all it needs to upgrade. */
function canEndInTls(params: OpenNetworkStreamParameters, type: ConnectionType | null): boolean {
  if (type === 'tls' || type === 'ssl' || type === 'starttls') return true;
  if (type === 'plain' || isSimplePath(params, type)) return false;
  return Boolean(params.success && params.capabilityCommand && params.starttlsFunction);
}

/** `open-network-stream NAME BUFFER HOST SERVICE &rest PARAMS`. */
export async function openNetworkStream(
  np: Netproc,
  name: string,
  buffer: string | NetprocBuffer | null,
  host: string,
  service: number | string,
  params: OpenNetworkStreamParameters,
): Promise<NetworkProcess | OpenNetworkStreamList> {
  const checked = checkParameters(params);
  const { type } = checked;
  const asciiHost = typeof host === 'string' ? domainToASCII(host) || host : host;
  // The keywords each path of network-stream.el gives make-network-process, so that the contact shows the same ones.
  const make = async (path: 'plain' | 'tls' | 'starttls'): Promise<NetworkProcess> =>
    (await np.makeNetworkProcess({
      name,
      buffer,
      host: asciiHost,
      service,
      ...(path === 'starttls' ? {} : { nowait: params.nowait ?? null, tlsParameters: path === 'tls' ? tlsParametersOf(params) : null }),
      coding: params.coding ?? null,
    })) as NetworkProcess;

  if (isSimplePath(params, type)) return make('plain');
  // Every other path works in BUFFER, which must exist [O-12 B]; with none, Emacs's scratch buffer is killed after, so the process ends with none.
  if (typeof buffer === 'string' && !np.getBuffer(buffer)?.live) throw invalidArgument('buffer', `No buffer named ${buffer}`);

  // STARTTLS's request is checked and its files read before any connection: a mistake in them is found before
  // anything is sent, and nothing waits between reading the server's STARTTLS answer and the handshake.
  let starttls: PreparedTls | null = null;
  if (type !== 'tls' && type !== 'ssl' && canEndInTls(params, type)) {
    const request = checkTlsArguments(
      { tlsParameters: tlsParametersOf(params) },
      { server: false, datagram: false, host: asciiHost, pins: np.pins.store },
    ).tls!;
    starttls = { request, files: await tlsFileOptions(request) };
  }
  const exchange: ExchangeContext = { np, host: asciiHost, service, params, checked, starttls };
  let result: OpenNetworkStreamList;
  if (type === 'tls' || type === 'ssl') {
    result = await withExchange(exchange, await make('tls'), async (reader) => {
      const greeting = await reader.response(checked.endOfCommand, 'the greeting');
      const capabilities = await reader.command(capabilityCommandFor(params, greeting), checked.endOfCapability, 'the capabilities');
      return { greeting, capabilities };
    }).then(({ process, greeting, capabilities }) => ({ process, greeting, capabilities, type: 'tls' as const, error: null }));
  } else if (type === 'plain' && !params.alwaysQueryCapabilities) {
    result = await withExchange(exchange, await make('plain'), async (reader) => ({
      greeting: await reader.response(checked.endOfCommand, 'the greeting'),
    })).then(({ process, greeting }) => ({ process, greeting, capabilities: null, type: 'plain' as const, error: null }));
    warnUnlessEncrypted(exchange, result);
  } else {
    result = await negotiateStarttls(exchange, () => make('starttls'));
  }
  if (params.returnList) return result;
  if (!result.process)
    throw new NetprocError({ code: 'STARTTLS_UNAVAILABLE', message: result.error ?? 'Server does not support TLS', field: 'type' });
  return result.process;
}

interface ExchangeContext {
  np: Netproc;
  host: string;
  service: number | string;
  params: OpenNetworkStreamParameters;
  checked: Checked;
  /** Only when this path can upgrade. */
  starttls: PreparedTls | null;
}

interface PreparedTls {
  request: TlsRequest;
  files: tls.ConnectionOptions;
}

/** Runs `steps` with a reader on `process`; on any failure the process is deleted (its connection closed) and the error passed on. */
async function withExchange<T>(
  context: ExchangeContext,
  process: NetworkProcess,
  steps: (reader: ExchangeReader) => Promise<T>,
): Promise<T & { process: NetworkProcess }> {
  const reader = new ExchangeReader(context, process);
  try {
    return { ...(await steps(reader)), process };
  } catch (err) {
    deleteIfListed(context.np, process);
    throw err;
  } finally {
    reader.dispose();
  }
}

function deleteIfListed(np: Netproc, process: NetworkProcess): void {
  if (np.processList().includes(process)) np.deleteProcess(process);
}

function capabilityCommandFor(params: OpenNetworkStreamParameters, greeting: string | null): string | null {
  const command = params.capabilityCommand ?? null;
  return typeof command === 'function' ? command(greeting) : command;
}

/** Emacs's `:starttls-function` applied to the capabilities: the command to send, or null when STARTTLS is not offered. */
function starttlsCommandFor(context: ExchangeContext, capabilities: string): string | null {
  const starttls = context.params.starttlsFunction ?? null;
  if (starttls === null) return null;
  if (typeof starttls === 'string') return starttls;
  if (typeof starttls === 'function') return starttls(capabilities);
  return context.checked.starttlsRule?.test(capabilities) ? starttls.command : null;
}

/**
 * network-stream-open-starttls: greeting, capabilities, STARTTLS when the
 * capabilities offer it and the answer matches `:success`, the handshake on
 * the same connection, and the capabilities asked again over TLS. A failed
 * handshake deletes the process; unless TLS is required, a fresh plain
 * connection replaces it, as in Emacs.
 */
async function negotiateStarttls(context: ExchangeContext, connect: () => Promise<NetworkProcess>): Promise<OpenNetworkStreamList> {
  const { np, params, checked, host, service } = context;
  const requireTls = checked.type === 'starttls';
  let process = await connect();
  let why = '';
  const steps = await withExchange(context, process, async (reader) => {
    const greeting = params.nogreeting ? null : await reader.response(checked.endOfCommand, 'the greeting');
    const capabilityCommand = capabilityCommandFor(params, greeting);
    let capabilities = await reader.command(capabilityCommand, checked.endOfCapability, 'the capabilities');
    const starttlsCommand = capabilities !== null && checked.success ? starttlsCommandFor(context, capabilities) : null;
    if (capabilities === null) why = 'no capabilities were read (give :capability-command and :end-of-command)';
    else if (!checked.success || params.starttlsFunction == null) why = 'STARTTLS needs both :success and :starttls-function';
    else if (starttlsCommand === null) why = 'its capabilities do not offer STARTTLS';
    if (starttlsCommand === null || !context.starttls) return { greeting, capabilities, encrypted: false, handshakeError: null };
    const answer = await reader.command(starttlsCommand, checked.endOfCommand, 'the STARTTLS answer');
    if (answer === null || !checked.success?.test(answer)) {
      why = answer === null ? 'it did not answer STARTTLS' : `it answered STARTTLS with ${excerpt(answer.trimEnd())}`;
      return { greeting, capabilities, encrypted: false, handshakeError: null };
    }
    // Bytes after the answer were read as plain text (and are in the buffer): whoever sent them could be a
    // man in the middle injecting commands into the session to come (CVE-2011-0411's kind), so no TLS on top.
    if (reader.readPastAnswer) {
      const reason = `${host}/${service} sent data after its STARTTLS answer (possible injection)`;
      throw new NetprocError({
        code: 'TLS_HANDSHAKE',
        message: reason,
        field: 'type',
        condition: 'gnutls-error',
        data: [process.name, reason],
      });
    }
    // No await from the answer to here: the plain socket is unwired before any later byte can be read as plain text.
    try {
      await upgradeStreamToTls(np, process, context.starttls.request, checked.timeoutMs, context.starttls.files);
    } catch (err) {
      // An untrusted certificate is an answer, not a failure to shake hands: Emacs falls back to plain text only on the latter.
      if (err instanceof CertificateRejected) throw tlsNegotiationError(err, process.name, host);
      return { greeting, capabilities, encrypted: false, handshakeError: err as Error };
    }
    process.contact.put('tlsParameters', tlsParametersOf(params));
    np.emit('process-changed', process);
    // The capabilities may change once the connection is encrypted.
    capabilities = await reader.command(capabilityCommand, checked.endOfCapability, 'the capabilities over TLS');
    return { greeting, capabilities, encrypted: true, handshakeError: null };
  });
  let { capabilities } = steps;
  if (steps.handshakeError) {
    // Deleted by its user during the handshake: that is an answer, not a reason to connect again.
    if (process.deleting)
      throw new NetprocError({
        code: 'NOT_RUNNING',
        message: `Process ${process.name} was deleted during the TLS handshake`,
        field: 'process',
      });
    deleteIfListed(np, process);
    const reason = steps.handshakeError.message;
    if (requireTls) {
      throw new NetprocError({
        code: 'TLS_HANDSHAKE',
        message: `Unable to negotiate a TLS connection with ${host}/${service}: ${reason}`,
        field: 'type',
        condition: 'gnutls-error',
        data: [process.name, reason],
        cause: steps.handshakeError,
      });
    }
    np.report(`STARTTLS with ${host}/${service} failed (${reason}); connecting again without TLS`);
    // Emacs reopens in plain text, reads (and drops) the new greeting, and asks the capabilities again.
    process = await connect();
    ({ capabilities } = await withExchange(context, process, async (reader) => {
      await reader.response(checked.endOfCommand, 'the greeting');
      return {
        capabilities: await reader.command(capabilityCommandFor(params, steps.greeting), checked.endOfCapability, 'the capabilities'),
      };
    }));
  }
  const result: OpenNetworkStreamList = {
    process,
    greeting: steps.greeting,
    capabilities,
    type: steps.encrypted ? 'tls' : 'plain',
    error: null,
  };
  if (requireTls && !steps.encrypted) {
    deleteIfListed(np, process);
    return { ...result, process: null, error: `Server does not support TLS: ${host}/${service}: ${why || 'no STARTTLS'}` };
  }
  warnUnlessEncrypted(context, result);
  return result;
}

/** The TLS keywords as make-network-process's `:tls-parameters` (and the contact) spell them; beyond-Emacs ones only when given. */
function tlsParametersOf(params: OpenNetworkStreamParameters): Record<string, unknown> {
  return {
    verify: params.verify ?? true,
    caFile: params.caFile ?? null,
    ...(params.clientCertificate ? { clientCertificate: params.clientCertificate.slice() } : {}),
    ...(params.servername ? { servername: params.servername } : {}),
    ...(params.alpn?.length ? { alpn: params.alpn.slice() } : {}),
    ...(params.fingerprint ? { fingerprint: params.fingerprint } : {}),
  };
}

/** `:warn-unless-encrypted`: Emacs's NSM asks the user; here the warning goes to the log. */
function warnUnlessEncrypted({ np, params, host, service }: ExchangeContext, result: OpenNetworkStreamList): void {
  if (params.warnUnlessEncrypted && result.process && result.type !== 'tls') {
    np.report(`Warning: the connection ${result.process.name} to ${host}/${service} is not encrypted`);
  }
}

/**
 * Reads the answers of the exchange from the bytes the process reads (a tap,
 * beside the default filter that puts them in the buffer). An answer runs
 * from where it starts (the connection's start for the greeting, the moment a
 * command is sent for the others, as Emacs's `point-max`) to the end of the
 * first match of its end pattern.
 */
class ExchangeReader implements Disposable {
  private text = '';
  private bytes = 0;
  private closed = false;
  private readonly decoder: Decoder;
  private readonly tap: Disposable;
  private pending: { end: EmacsRegexp; what: string; settle: (err: Error | null, answer: string | null) => void } | null = null;
  private lastSearch = 0;
  private searchTimer: NodeJS.Timeout | null = null;
  /** Whether text past the end of the last answer had been read when it was found. */
  readPastAnswer = false;

  constructor(
    private readonly context: ExchangeContext,
    private readonly process: NetworkProcess,
  ) {
    this.decoder = new Decoder(process.decoder.coding);
    // Reading starts on a later turn than the connect that made the process, so no byte has been read yet.
    this.closed = process.status.kind !== 'run' && process.status.kind !== 'connect';
    this.tap = context.np.traffic.tap(process, (record) => {
      if (record.kind === 'data' && record.direction === 'in') this.received(record.bytes);
      else if (record.kind === 'status' && record.status !== 'run' && record.status !== 'connect') {
        this.closed = true;
        this.search();
      }
    });
  }

  dispose(): void {
    this.tap.dispose();
    if (this.searchTimer) clearTimeout(this.searchTimer);
    this.pending?.settle(null, null);
  }

  /** `network-stream-command`: sends COMMAND (if any) and reads its answer. */
  async command(command: string | null, end: EmacsRegexp | null, what: string): Promise<string | null> {
    if (command === null) return null;
    this.text = '';
    this.bytes = 0;
    await this.context.np.processSendString(this.process, command);
    return this.response(end, what);
  }

  /** `network-stream-get-response`: nil without an end pattern, or when the connection closes before it matches. */
  response(end: EmacsRegexp | null, what: string): Promise<string | null> {
    if (end === null || this.process.status.kind === 'connect') return Promise.resolve(null);
    const { timeoutMs } = this.context.checked;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending?.settle(
          new NetprocError({
            code: 'EXCHANGE_TIMEOUT',
            message: `${this.context.host}/${this.context.service} sent no answer matching ${JSON.stringify(end.source)} for ${what} within ${timeoutMs / 1000} s`,
            field: 'endOfCommand',
          }),
          null,
        );
      }, timeoutMs);
      this.pending = {
        end,
        what,
        settle: (err, answer) => {
          clearTimeout(timer);
          this.pending = null;
          if (err) reject(err);
          else resolve(answer);
        },
      };
      this.search();
    });
  }

  private received(chunk: Buffer): void {
    if (this.bytes > this.context.checked.maxBytes) return;
    this.bytes += chunk.length;
    this.text += this.decoder.toText(chunk);
    if (!this.pending || this.searchTimer) return;
    const wait = this.lastSearch + SEARCH_INTERVAL_MS - Date.now();
    if (wait <= 0) this.search();
    else this.searchTimer = setTimeout(() => this.search(), wait);
  }

  private search(): void {
    if (this.searchTimer) clearTimeout(this.searchTimer);
    this.searchTimer = null;
    const pending = this.pending;
    if (!pending) return;
    this.lastSearch = Date.now();
    const end = pending.end.matchEnd(this.text);
    if (end >= 0) {
      this.readPastAnswer = end < this.text.length;
      pending.settle(null, this.text.slice(0, end));
    } else if (this.bytes > this.context.checked.maxBytes) {
      const { host, service, checked } = this.context;
      pending.settle(
        new NetprocError({
          code: 'EXCHANGE_TOO_LARGE',
          message: `${host}/${service} sent more than ${checked.maxBytes} bytes for ${pending.what} without a match for ${JSON.stringify(pending.end.source)}`,
          field: 'endOfCommand',
        }),
        null,
      );
    } else if (this.closed) pending.settle(null, null);
  }
}
