/**
 * Reconnect: a client that closes or fails is made again, after a delay that
 * grows with each failed attempt. In Emacs's terms each attempt is a new
 * process: the old one is deleted (it has already exited, so silently, as
 * delete-process on an exited process is), and make-network-process runs
 * again with the arguments the client was first made with: the same name
 * (free again once the old one is gone), the same buffer, filter, sentinel,
 * coding and plist. So the buffer reads as one conversation across attempts,
 * with the sentinel's lines ("connection broken by remote peer", "open")
 * between them, and a new process id for each attempt.
 *
 * Between attempts the ended process stays in the list (as with
 * delete-exited-processes nil), so its row shows the waiting; it leaves
 * when the next attempt starts. A stream client's attempts connect in the
 * background (:nowait), so a refused attempt is a failed process with its
 * sentinel line in the buffer, then the next attempt.
 *
 * What stops it: the user deleting the client (delete-process, status
 * "deleted"), cancelling the reconnect, the attempts running out, or the
 * engine closing. The state lives here, by name, because between attempts
 * there may be no process at all (a refused connect without :nowait makes
 * none).
 */
import { getSystemErrorMap } from 'node:util';
import { DisposableStore, disposableTimeout, type Disposable } from '../../shared/lifecycle.js';
import type { MakeNetworkProcessOptions } from './arguments.js';
import { RECONNECT_DEFAULTS, type ReconnectPolicy, type ReconnectState } from '../../shared/wire.js';
import { resolveProcess, type ProcessDesignator } from './designator.js';
import type { EngineInternals } from './engine-internals.js';
import { invalidArgument } from './errors.js';
import type { NetworkProcess } from './process.js';
import type { TapRecord } from './taps.js';
import type { Traffic } from './traffic.js';

// The policy's and the state's shapes cross the wire, so they are defined once there.
export { RECONNECT_DEFAULTS, type ReconnectPolicy, type ReconnectState };
const MAX_DELAY_MS = 24 * 60 * 60 * 1000;
/** The least longest delay a policy with no limit on attempts may have. */
export const UNLIMITED_MIN_DELAY_MS = 100;

/** Checks a policy as a user gives it (missing fields take the defaults); errors name the field. */
export function checkReconnectPolicy(value: unknown): ReconnectPolicy {
  if (value === true) return { ...RECONNECT_DEFAULTS };
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    throw invalidArgument('reconnect', 'Reconnect is true (the defaults) or {initialMs, maxMs, multiplier, jitter, maxAttempts}');
  const given = value as Partial<Record<keyof ReconnectPolicy, unknown>>;
  const policy = { ...RECONNECT_DEFAULTS, ...given } as Record<keyof ReconnectPolicy, unknown>;
  const wholeMs = (key: 'initialMs' | 'maxMs', min: number): number => {
    const v = policy[key];
    if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > MAX_DELAY_MS)
      throw invalidArgument(`reconnect.${key}`, `Must be a whole number of milliseconds from ${min} to ${MAX_DELAY_MS}`);
    return v;
  };
  const initialMs = wholeMs('initialMs', 0);
  const maxMs = wholeMs('maxMs', 0);
  if (maxMs < initialMs) throw invalidArgument('reconnect.maxMs', 'The longest delay cannot be shorter than the first');
  const { multiplier, jitter, maxAttempts } = policy;
  if (typeof multiplier !== 'number' || !(multiplier >= 1 && multiplier <= 10))
    throw invalidArgument('reconnect.multiplier', 'Must be a number from 1 to 10');
  if (typeof jitter !== 'number' || !(jitter >= 0 && jitter <= 1))
    throw invalidArgument('reconnect.jitter', 'Must be a fraction from 0 to 1');
  if (
    maxAttempts !== null &&
    (typeof maxAttempts !== 'number' || !Number.isInteger(maxAttempts) || maxAttempts < 1 || maxAttempts > 1_000_000)
  )
    throw invalidArgument('reconnect.maxAttempts', 'Must be a whole number from 1 to 1000000, or null for no limit');
  // Without a limit, a dead peer would otherwise be retried in a tight loop: a new process, log lines and events each time.
  if (maxAttempts === null && maxMs < UNLIMITED_MIN_DELAY_MS)
    throw invalidArgument(
      'reconnect.maxMs',
      `With no limit on attempts the longest delay must be at least ${UNLIMITED_MIN_DELAY_MS} ms, so a dead peer is not retried in a tight loop`,
    );
  return { initialMs, maxMs, multiplier, jitter, maxAttempts };
}

/**
 * Beyond Emacs, make-network-process's `reconnect` makes the client
 * reconnecting from the start, so that no close can come between its making
 * and its policy. It is checked before anything is made, and is no keyword
 * (the contact never shows it). Answers the policy (null: none), the
 * arguments each attempt is made with, and those of the first attempt.
 */
export function takeReconnectOption(options: MakeNetworkProcessOptions): {
  policy: ReconnectPolicy | null;
  makeOptions: MakeNetworkProcessOptions;
  firstAttempt: MakeNetworkProcessOptions;
} {
  const { reconnect, ...makeOptions } = options;
  const policy = reconnect === undefined || reconnect === null || reconnect === false ? null : checkReconnectPolicy(reconnect);
  if (policy && makeOptions.server)
    throw invalidArgument('reconnect', 'Only a client reconnects: a server stays listening until it is deleted');
  // Its first connect is in the background as every attempt's is, so that a refused one is retried too.
  const background = policy !== null && !makeOptions.type;
  return { policy, makeOptions, firstAttempt: background ? { ...makeOptions, nowait: true } : makeOptions };
}

/** The delay before attempt N (1-based), RANDOM giving a number in [0, 1). */
export function reconnectDelay(policy: ReconnectPolicy, attempt: number, random: () => number = Math.random): number {
  const base = Math.min(policy.maxMs, policy.initialMs * policy.multiplier ** Math.max(0, attempt - 1));
  const varied = base * (1 + policy.jitter * (random() * 2 - 1));
  return Math.round(Math.min(policy.maxMs, Math.max(0, varied)));
}

/** What the reconnector needs of the engine. */
interface ReconnectHooks {
  /** make-network-process with the client's first arguments. */
  make(options: MakeNetworkProcessOptions): Promise<NetworkProcess | null>;
  /** Takes an exited process out of the list, as delete-process on it does. */
  forget(process: NetworkProcess): void;
  /** Subscribes to a process's status changes. */
  watch(process: NetworkProcess, listener: (record: TapRecord) => void): Disposable;
  report(text: string): void;
  /** Something to show changed: the state of NAME (null once it no longer reconnects). */
  changed(name: string, state: ReconnectState | null): void;
  random?: () => number;
}

interface Entry {
  state: ReconnectState;
  options: MakeNetworkProcessOptions;
  process: NetworkProcess | null;
  /** The watch on the current process and the waiting timer. */
  readonly resources: DisposableStore;
}

export class Reconnector implements Disposable {
  private readonly entries = new Map<string, Entry>();
  private closed = false;

  private readonly hooks: ReconnectHooks;

  /** MAKE: make-network-process. */
  constructor(
    private readonly engine: EngineInternals,
    traffic: Traffic,
    make: (options: MakeNetworkProcessOptions) => Promise<NetworkProcess | null>,
  ) {
    this.hooks = {
      make,
      forget: (process) => engine.removeFromTable(process),
      watch: (process, listener) => traffic.subscribe(process, listener),
      report: (text) => engine.report(text),
      changed: (name, state) => engine.emit('reconnect', name, state),
    };
  }

  /**
   * Makes a client made by make-network-process reconnect when it closes or
   * fails (POLICY true for the defaults, or {initialMs, maxMs, multiplier,
   * jitter, maxAttempts}); null stops it. Answers the state, or null.
   */
  set(designator: ProcessDesignator, policy: unknown): ReconnectState | null {
    const process = resolveProcess(this.engine, designator);
    if (policy === null || policy === false) {
      this.cancel(process.name);
      return null;
    }
    if (!process.madeWith)
      throw invalidArgument('process', `${process.name} is not a client made by make-network-process, so it cannot be made again`);
    return this.enable(process, process.madeWith, checkReconnectPolicy(policy));
  }

  /** From now on, PROCESS (made with OPTIONS) is made again when it closes or fails. Replaces any policy under its name. */
  enable(process: NetworkProcess, options: MakeNetworkProcessOptions, policy: ReconnectPolicy): ReconnectState {
    // A new policy for a client that is waiting keeps its row: only the old wait and watch end.
    this.cancel(process.name, false, process);
    const entry: Entry = {
      state: { name: process.name, policy, attempt: 0, nextAttemptAt: null, lastError: null, replaces: null },
      options,
      process: null,
      resources: new DisposableStore(),
    };
    this.entries.set(process.name, entry);
    this.follow(entry, process);
    // A client already closed or failed when the policy is set starts its attempts at once.
    if (ended(process)) this.schedule(entry, describeEnd(process));
    this.hooks.changed(entry.state.name, { ...entry.state });
    return { ...entry.state };
  }

  /** Stops reconnecting NAME, between attempts too; true if it was. KEEP, an ended client whose row stays (a new policy follows). */
  cancel(name: string, say = true, keep?: NetworkProcess): boolean {
    const entry = this.entries.get(name);
    if (!entry) return false;
    entry.resources.dispose();
    this.entries.delete(name);
    // An ended client was kept in the list for its row while it waited (Netproc.changeStatus); now it leaves as any other.
    if (entry.process && entry.process !== keep && ended(entry.process)) this.hooks.forget(entry.process);
    if (say) this.hooks.report(`${name}: reconnect cancelled`);
    this.hooks.changed(name, null);
    return true;
  }

  /** A reconnecting client's state by its name (it outlives each attempt's process), or null. */
  state(name: string): ReconnectState | null {
    const entry = this.entries.get(name);
    return entry ? { ...entry.state } : null;
  }

  /** The process a reconnecting name stands for now (it changes with each attempt). */
  owns(process: NetworkProcess): boolean {
    return this.entries.get(process.name)?.process === process;
  }

  dispose(): void {
    this.closed = true;
    for (const entry of this.entries.values()) entry.resources.dispose();
    this.entries.clear();
  }

  private follow(entry: Entry, process: NetworkProcess): void {
    entry.process = process;
    const watch = entry.resources.add(
      this.hooks.watch(process, (record) => {
        if (record.kind !== 'status' || this.closed || entry.process !== process) return;
        if (record.status === 'run' && entry.state.attempt > 0) {
          this.hooks.report(`${entry.state.name}: reconnected after ${entry.state.attempt} attempt${entry.state.attempt === 1 ? '' : 's'}`);
          entry.state = { ...entry.state, attempt: 0, lastError: null };
          this.hooks.changed(entry.state.name, { ...entry.state });
        }
        if (record.status !== 'exit' && record.status !== 'failed') return;
        entry.resources.delete(watch);
        // The user's delete-process ends the reconnecting; the peer's close or a failure starts it.
        if (process.deleting) this.cancel(entry.state.name);
        else this.schedule(entry, failureText(process) ?? (record.event ?? record.status).trim());
      }),
    );
  }

  private schedule(entry: Entry, why: string): void {
    const { policy } = entry.state;
    const attempt = entry.state.attempt + 1;
    if (policy.maxAttempts !== null && attempt > policy.maxAttempts) {
      this.hooks.report(`${entry.state.name}: gave up reconnecting after ${policy.maxAttempts} attempts (${why})`);
      this.cancel(entry.state.name, false);
      return;
    }
    const delay = reconnectDelay(policy, attempt, this.hooks.random);
    entry.state = { ...entry.state, attempt, nextAttemptAt: Date.now() + delay, lastError: why };
    const of = policy.maxAttempts === null ? '' : ` of ${policy.maxAttempts}`;
    this.hooks.report(
      `${entry.state.name}: ${why}; reconnecting in ${delay < 1000 ? `${delay} ms` : `${(delay / 1000).toFixed(1)} s`} (attempt ${attempt}${of})`,
    );
    this.hooks.changed(entry.state.name, { ...entry.state });
    const timer = entry.resources.add(
      disposableTimeout(() => {
        entry.resources.release(timer);
        void this.attempt(entry);
      }, delay),
    );
  }

  private async attempt(entry: Entry): Promise<void> {
    if (this.closed || this.entries.get(entry.state.name) !== entry) return;
    // After an attempt that made no process, the next one still takes the place of the last process there was.
    const replaces = entry.process?.id ?? entry.state.replaces;
    if (entry.process) this.hooks.forget(entry.process);
    entry.process = null;
    entry.state = { ...entry.state, nextAttemptAt: null, replaces };
    this.hooks.changed(entry.state.name, { ...entry.state });
    let made: NetworkProcess | null = null;
    try {
      // A stream client's attempts connect in the background (:nowait), so a refused attempt is a failed process
      // whose row and sentinel line show it, rather than no process at all.
      const background = !entry.options.server && !entry.options.type;
      made = await this.hooks.make({ ...entry.options, name: entry.state.name, ...(background ? { nowait: true } : {}) });
    } catch (err) {
      if (this.entries.get(entry.state.name) === entry) this.schedule(entry, (err as Error).message);
      return;
    }
    if (this.entries.get(entry.state.name) !== entry || !made) return;
    if (made.name !== entry.state.name) {
      // Someone took the name meanwhile: the new process is theirs to keep, and reconnecting under this name stops.
      this.hooks.report(`${entry.state.name}: the name is taken, so reconnecting stopped (the new client is ${made.name})`);
      this.cancel(entry.state.name, false);
      return;
    }
    this.follow(entry, made);
    if (ended(made)) this.schedule(entry, describeEnd(made));
    else if (made.status.kind === 'run') {
      this.hooks.report(`${entry.state.name}: reconnected after ${entry.state.attempt} attempt${entry.state.attempt === 1 ? '' : 's'}`);
      entry.state = { ...entry.state, attempt: 0, lastError: null };
      this.hooks.changed(entry.state.name, { ...entry.state });
    }
  }
}

function ended(process: NetworkProcess): boolean {
  return process.status.kind === 'exit' || process.status.kind === 'failed';
}

function describeEnd(process: NetworkProcess): string {
  return failureText(process) ?? (process.status.kind === 'failed' ? 'failed' : 'closed');
}

/** "failed with code 111 (connection refused)": Emacs's sentinel text, with what the errno means. */
function failureText(process: NetworkProcess): string | null {
  if (process.status.kind !== 'failed') return null;
  const code = process.status.exitCode;
  const meaning = typeof code === 'number' ? getSystemErrorMap().get(-code)?.[1] : undefined;
  return `failed with code ${code}${meaning ? ` (${meaning})` : ''}`;
}
