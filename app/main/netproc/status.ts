/**
 * The one place that decides what a process's status reads as (spec §6.1),
 * what process-exit-status and process-live-p return, and which statuses
 * count as active for queries on exit.
 */
import type { ProcessStatus, Same } from '../../shared/wire.js';

export type { ProcessStatus };

/** The engine's own status: Emacs's `run` and `exit`, with the exit code; the wire sees it through mappedStatus. */
export type InternalStatus =
  | { kind: 'run' }
  | { kind: 'listen' }
  | { kind: 'connect' }
  | { kind: 'failed'; exitCode: number | string }
  | { kind: 'exit'; exitCode: 0 | 256 };

/**
 * Statuses without an exit code, shared by every process that has them: a
 * status is replaced, never changed in place, and a held connection would
 * otherwise keep an object of its own for `run`.
 */
export const RUN_STATUS: InternalStatus = Object.freeze({ kind: 'run' });
export const CONNECT_STATUS: InternalStatus = Object.freeze({ kind: 'connect' });

/** What each internal status reads as on the wire while not stopped. */
const WIRE_STATUS = {
  run: 'open',
  listen: 'listen',
  connect: 'connect',
  failed: 'failed',
  exit: 'closed',
} as const satisfies Record<InternalStatus['kind'], ProcessStatus>;

/**
 * A timeline status record's status as process-status says it: the engine
 * records its own `run` and `exit`, which Emacs shows as `open` and `closed`.
 */
export function statusWord(kind: string): ProcessStatus | string {
  return Object.hasOwn(WIRE_STATUS, kind) ? WIRE_STATUS[kind as InternalStatus['kind']] : kind;
}

/** Compiles only while the mapping (plus `stop`) reaches every wire status and nothing else. */
export type MappingCoversTheWire = Assert<Same<(typeof WIRE_STATUS)[InternalStatus['kind']] | 'stop', ProcessStatus>>;
type Assert<T extends true> = T;

const LIVE_ORDER: readonly ProcessStatus[] = ['open', 'listen', 'connect', 'stop'];

export function mappedStatus(status: InternalStatus, stopped: boolean): ProcessStatus {
  if (status.kind === 'exit') return 'closed';
  if (stopped) return 'stop';
  return WIRE_STATUS[status.kind];
}

/**
 * `process-live-p`: the tail of (run open listen connect stop) from the
 * current status, or null. Network processes never read `run`, so the list
 * starts at `open`.
 */
export function liveTail(status: ProcessStatus): string[] | null {
  const i = LIVE_ORDER.indexOf(status);
  return i < 0 ? null : ['run', ...LIVE_ORDER].slice(i + 1);
}

/** Quirk 8 (D): Emacs crashes when asked during `connect`; we answer 0. */
export function exitStatus(status: InternalStatus): number | string {
  return status.kind === 'failed' || status.kind === 'exit' ? status.exitCode : 0;
}

/** Statuses that make quitting ask first (spec §13). */
export function isActiveForQuery(status: ProcessStatus): boolean {
  return status === 'open' || status === 'listen' || status === 'stop';
}

/** Exact sentinel event strings (spec §6.2). */
export const SentinelEvent = {
  open: 'open\n',
  openFrom: (host: string) => `open from ${host}\n`,
  deleted: 'deleted\n',
  brokenByPeer: 'connection broken by remote peer\n',
  failedWithCode: (code: number | string) => `failed with code ${code}\n`,
} as const;

/** The text the default sentinel inserts (spec §6.5). */
export function defaultSentinelText(processName: string, event: string): string {
  return `\nProcess ${processName} ${event}`;
}

/** :log message texts (spec §2.1). Quirk 10 (R): no space before the code. */
export const LogMessage = {
  acceptFrom: (host: string) => `accept from ${host}\n`,
  acceptFailed: (code: number | string) => `accept failed with code${code}\n`,
} as const;
