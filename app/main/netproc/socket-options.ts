/**
 * Network options (spec §2.2) that Node can really apply. The rest of Emacs's
 * options (dontroute, oobinline, priority, bindtodevice) have no Node API, so
 * they are refused with a clear error instead of being recorded and ignored.
 */
import type dgram from 'node:dgram';
import type net from 'node:net';
import { NetprocError, strerror, type NetprocErrorCode } from './errors.js';
import type { NetworkProcess } from './process.js';

export const SUPPORTED_OPTIONS = ['reuseaddr', 'keepalive', 'broadcast', 'linger', 'nodelay'] as const;
export type SocketOptionName = (typeof SUPPORTED_OPTIONS)[number];
export const UNSUPPORTED_OPTIONS = ['dontroute', 'oobinline', 'priority', 'bindtodevice'] as const;

const UNSUPPORTED_OPTION_MESSAGE = 'Unknown or unsupported option';

export type SocketOptions = Partial<Record<SocketOptionName, boolean | number | null>>;

export function isSupportedOption(name: string): name is SocketOptionName {
  return (SUPPORTED_OPTIONS as readonly string[]).includes(name);
}

/**
 * Checks an option's value; returns it normalised (false/null → off). As
 * Emacs tests a boolean option with NILP, any other value turns it on
 * (`:keepalive 1`), and so does a non-number for :linger (on, 0 seconds). A
 * :linger number must be a whole number of seconds, not negative (Emacs
 * would hand the kernel whatever it got).
 */
export function checkOptionValue(name: SocketOptionName, value: unknown): boolean | number | null {
  if (value === undefined || value === null || value === false) return name === 'linger' ? null : false;
  if (name !== 'linger' || typeof value !== 'number') return true;
  if (Number.isInteger(value) && value >= 0) return value;
  throw new NetprocError({ code: 'INVALID_ARGUMENT', message: `Bad option value for :${name}`, field: name });
}

/** What the contact records for an option: the value as given, as Emacs's plist does, with nil for off. */
export function contactOptionValue(given: unknown, normalised: boolean | number | null): unknown {
  return normalised === false || normalised === null ? normalised : given;
}

/**
 * Emacs signals exactly `(error "Unknown or unsupported option")`; which
 * option, and for those Emacs knows why Node cannot set it, follow in the
 * data so the message stays Emacs's.
 */
export function unsupportedOption(name: string, field: string = name): NetprocError {
  const known = (UNSUPPORTED_OPTIONS as readonly string[]).includes(name);
  return new NetprocError({
    code: known ? 'UNSUPPORTED' : 'INVALID_ARGUMENT',
    message: UNSUPPORTED_OPTION_MESSAGE,
    field,
    data: [
      UNSUPPORTED_OPTION_MESSAGE,
      `:${name}`,
      known ? "Node's socket API cannot set it" : `supported: ${SUPPORTED_OPTIONS.map((o) => `:${o}`).join(' ')}`,
    ],
  });
}

/** Applies what a stream socket can take; `linger` only decides how delete-process closes. */
export function applyStreamOptions(socket: net.Socket, options: SocketOptions): { resetOnDelete: boolean } {
  if (options.keepalive) socket.setKeepAlive(true);
  else if (options.keepalive === false) socket.setKeepAlive(false);
  if (options.nodelay !== undefined) socket.setNoDelay(Boolean(options.nodelay));
  return { resetOnDelete: options.linger === true || options.linger === 0 };
}

export function applyDatagramOptions(socket: dgram.Socket, options: SocketOptions): void {
  if (options.broadcast !== undefined) socket.setBroadcast(Boolean(options.broadcast));
}

/**
 * The errno the kernel answers when OPTION cannot be set on this kind of
 * socket, or null. TCP_NODELAY is a TCP option: setsockopt on a UDP socket
 * fails with ENOPROTOOPT and on a Unix-domain socket with EOPNOTSUPP (Linux;
 * libuv names it ENOTSUP). Node's setNoDelay ignores both silently, so the
 * rule is stated here. The socket-level options (keepalive, linger,
 * reuseaddr, broadcast) succeed on every socket.
 */
export function kernelRefusal(process: Pick<NetworkProcess, 'isDatagram' | 'family'>, option: SocketOptionName): NetprocErrorCode | null {
  if (option !== 'nodelay') return null;
  if (process.isDatagram) return 'ENOPROTOOPT';
  return process.family === 'local' ? 'ENOTSUP' : null;
}

const CANNOT_SET_OPTION = 'Cannot set network option';

/** Emacs's `(file-error "Cannot set network option" ERRNO-TEXT OPTION VALUE)` for a setsockopt that failed. */
function cannotSetOption(code: NetprocErrorCode, option: SocketOptionName, value: unknown): NetprocError {
  const text = strerror(code);
  return new NetprocError({
    code,
    message: `${CANNOT_SET_OPTION}: ${text}`,
    field: 'option',
    condition: 'file-error',
    data: [CANNOT_SET_OPTION, text, `:${option}`, value ?? null],
  });
}

/**
 * `set-network-process-option` on a process that has left `connect`: sets
 * the option on its socket (a server's passes to the connections it accepts,
 * as the kernel passes it on) and in its contact. False (nil) for an unknown
 * option with NO-ERROR.
 */
export function setSocketOption(process: NetworkProcess, option: string, value: unknown, noError: boolean): boolean {
  if (process.status.kind === 'exit' || process.status.kind === 'failed') {
    throw new NetprocError({ code: 'NOT_RUNNING', message: 'Process is not running', field: 'process' });
  }
  if (process.kind === 'datagram-peer') {
    throw new NetprocError({
      code: 'INVALID_ARGUMENT',
      message: `${process.name} shares its server's socket: set the option on the server`,
      field: 'process',
    });
  }
  if (!isSupportedOption(option)) {
    if (noError) return false;
    throw unsupportedOption(option, 'option');
  }
  const normalised = checkOptionValue(option, value);
  const refused = kernelRefusal(process, option);
  if (refused) throw cannotSetOption(refused, option, value);
  const one: SocketOptions = { [option]: normalised };
  if (process.socket)
    process.resetOnDelete = applyStreamOptions(process.socket, { ...one }).resetOnDelete || (option !== 'linger' && process.resetOnDelete);
  if (process.datagram && option === 'broadcast') process.datagram.setBroadcast(Boolean(normalised));
  if (process.kind === 'stream-server') process.inheritedOptions = { ...process.inheritedOptions, ...one };
  process.contact.put(option, contactOptionValue(value, normalised));
  return true;
}
