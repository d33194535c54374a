/**
 * Errors the engine throws. Each carries a machine-readable `code` (a Node
 * errno name such as ECONNREFUSED, or one of ours), the message Emacs 28.2
 * would print, the option field at fault, and the Lisp condition plus data
 * so a caller can show `(file-error "make client process failed" ...)`.
 */
import { constants as osConstants } from 'node:os';
import type { LispCondition } from '../../shared/wire.js';

export type { LispCondition };

export type NetprocErrorCode =
  | 'ECONNREFUSED'
  | 'ENOTFOUND'
  | 'EADDRINUSE'
  | 'EADDRNOTAVAIL'
  | 'EACCES'
  | 'ENOENT'
  | 'EPIPE'
  | 'EMSGSIZE'
  | 'EAFNOSUPPORT'
  | 'ESOCKTNOSUPPORT'
  | 'EDESTADDRREQ'
  | 'ETIMEDOUT'
  | 'EMFILE'
  | 'ENFILE'
  | 'ENOBUFS'
  | 'ENOMEM'
  | 'EPERM'
  | 'ECONNRESET'
  | 'ECONNABORTED'
  | 'EHOSTUNREACH'
  | 'ENETUNREACH'
  | 'EINVAL'
  | 'ENOTSUP'
  | 'ENOPROTOOPT'
  | 'EEXIST'
  | 'EISDIR'
  | 'ENOTDIR'
  | 'ENOSPC'
  | 'EROFS'
  | 'TLS_HANDSHAKE'
  | 'STARTTLS_UNAVAILABLE'
  | 'EXCHANGE_TIMEOUT'
  | 'EXCHANGE_TOO_LARGE'
  | 'INVALID_ARGUMENT'
  | 'WRONG_TYPE'
  | 'NO_SUCH_PROCESS'
  | 'NOT_RUNNING'
  | 'NOT_SUBPROCESS'
  | 'UNSUPPORTED'
  | 'SYSTEM';

export interface NetprocErrorInit {
  code: NetprocErrorCode;
  message: string;
  field?: string | undefined;
  condition?: LispCondition;
  data?: readonly unknown[];
  cause?: unknown;
}

export class NetprocError extends Error {
  readonly code: NetprocErrorCode;
  readonly field: string | undefined;
  readonly condition: LispCondition;
  /** The signal's data list after the condition, e.g. ["make client process failed", "Connection refused"]. */
  readonly data: readonly unknown[];
  /** When a Node system error is the cause: its errno, the call that failed, and the address and port it was about. */
  readonly errno: number | undefined;
  readonly syscall: string | undefined;
  readonly address: string | undefined;
  readonly port: number | undefined;

  constructor(init: NetprocErrorInit) {
    super(init.message, init.cause === undefined ? undefined : { cause: init.cause });
    this.name = 'NetprocError';
    this.code = init.code;
    this.field = init.field;
    this.condition = init.condition ?? 'error';
    this.data = init.data ?? [init.message];
    const system = systemErrorFields(init.cause);
    this.errno = system.errno;
    this.syscall = system.syscall;
    this.address = system.address;
    this.port = system.port;
  }

  toJSON(): { code: string; message: string; field: string | undefined; condition: string } {
    return { code: this.code, message: this.message, field: this.field, condition: this.condition };
  }
}

/** What a Node system error (`connect ECONNREFUSED 127.0.0.1:9`) says beyond its code; nothing for anything else. */
function systemErrorFields(cause: unknown): Partial<Pick<NetprocError, 'errno' | 'syscall' | 'address' | 'port'>> {
  if (!(cause instanceof Error)) return {};
  const { errno, syscall, address, port } = cause as NodeJS.ErrnoException & { address?: unknown; port?: unknown };
  return {
    errno: typeof errno === 'number' ? errno : undefined,
    syscall: typeof syscall === 'string' ? syscall : undefined,
    address: typeof address === 'string' ? address : undefined,
    port: typeof port === 'number' ? port : undefined,
  };
}

export function invalidArgument(field: string, message: string): NetprocError {
  return new NetprocError({ code: 'INVALID_ARGUMENT', message, field });
}

/** `(wrong-type-argument PREDICATE VALUE)`, printed as Emacs prints it. */
export function wrongType(field: string, predicate: string, value: unknown): NetprocError {
  return new NetprocError({
    code: 'WRONG_TYPE',
    message: `Wrong type argument: ${predicate}, ${lispPrint(value)}`,
    field,
    condition: 'wrong-type-argument',
    data: [predicate, value],
  });
}

/** How Emacs prints a value inside an error message; enough for the values our checks reject. */
export function lispPrint(value: unknown): string {
  if (value === null || value === undefined || value === false) return 'nil';
  if (value === true) return 't';
  if (typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'number') return String(value);
  if (Array.isArray(value)) return `[${value.map(lispPrint).join(' ')}]`;
  if (typeof value === 'function') return '#<function>';
  return String(value);
}

/** Error texts as strerror() gives them on Linux, which is what Emacs puts in file-error data. */
const STRERROR: Record<string, string> = {
  ECONNREFUSED: 'Connection refused',
  EADDRINUSE: 'Address already in use',
  EADDRNOTAVAIL: 'Cannot assign requested address',
  EACCES: 'Permission denied',
  ENOENT: 'No such file or directory',
  EPIPE: 'Broken pipe',
  ECONNRESET: 'Connection reset by peer',
  EMSGSIZE: 'Message too long',
  EAFNOSUPPORT: 'Address family not supported by protocol',
  ESOCKTNOSUPPORT: 'Socket type not supported',
  ETIMEDOUT: 'Connection timed out',
  EHOSTUNREACH: 'No route to host',
  ENETUNREACH: 'Network is unreachable',
  EINVAL: 'Invalid argument',
  ENOTSUP: 'Operation not supported',
  ENOPROTOOPT: 'Protocol not available',
  EDESTADDRREQ: 'Destination address required',
  EMFILE: 'Too many open files',
  ENFILE: 'Too many open files in system',
  ENOBUFS: 'No buffer space available',
  ENOMEM: 'Cannot allocate memory',
  EPERM: 'Operation not permitted',
  ECONNABORTED: 'Software caused connection abort',
  EEXIST: 'File exists',
  EISDIR: 'Is a directory',
  ENOTDIR: 'Not a directory',
  ENOSPC: 'No space left on device',
  EROFS: 'Read-only file system',
};

/** The errno number Emacs prints in "failed with code N" and "accept failed with code N"; the code itself where unknown. */
export function errnoNumber(err: unknown): number | string {
  const code = (err as NodeJS.ErrnoException | undefined)?.code ?? '';
  return (osConstants.errno as Record<string, number>)[code] ?? code;
}

export function strerror(code: string | undefined): string {
  return (code && STRERROR[code]) ?? code ?? 'Unknown error';
}

/** Turns a Node system error into a NetprocError with Emacs's `(file-error CONTEXT STRERROR ...)` shape. */
export function fromSystemError(err: unknown, context: string, field: string | undefined, extra: readonly unknown[] = []): NetprocError {
  const sysCode = (err as NodeJS.ErrnoException | undefined)?.code ?? 'SYSTEM';
  const text = strerror(sysCode);
  const known = sysCode in STRERROR || sysCode === 'ENOTFOUND';
  return new NetprocError({
    code: (known ? sysCode : 'SYSTEM') as NetprocErrorCode,
    message: `${context}: ${text}`,
    field,
    condition: sysCode === 'ENOENT' ? 'file-missing' : 'file-error',
    data: [context, text, ...extra],
    cause: err,
  });
}
