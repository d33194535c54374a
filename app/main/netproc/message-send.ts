/**
 * Sending a library message: a template rendered at each send (so {{seq}}
 * and {{time}} change), once or repeated at an interval, to one process or to
 * every connection of a server. Each send is a process-send-string, labelled
 * with the message's name in the taps, so the timeline shows which message
 * went out.
 *
 * A repeat keeps its rate by counting from its start rather than from the
 * last send: a timer that fires late sends what is due (at most a burst), so
 * a 1 ms interval averages 1,000 sends a second though Node's timers do not
 * fire that often. While a target's unsent output passes the high-water
 * mark, a repeat waits instead of queueing more (Emacs's process-send-string
 * would block there), and starts counting again from when it resumes.
 */
import { disposableTimeout, DisposableStore, type Disposable } from '../../shared/lifecycle.js';
import { compileTemplate, TemplateError, type Template } from '../../shared/templates.js';
import { LIMITS, type RepeatState } from '../../shared/wire.js';
import { encodeForSending } from './coding.js';
import { resolveProcess, type ProcessDesignator } from './designator.js';
import type { EngineInternals } from './engine-internals.js';
import { invalidArgument } from './errors.js';
import type { NetworkProcess } from './process.js';
import { OUTPUT_HIGH_WATER, sendString, type SendOptions } from './sending.js';

export interface MessageSpec {
  /** The template (app/shared/templates.ts). */
  template: string;
  /** The message's name, shown in the timeline and the event log. */
  name?: string;
  /** Repeat at this interval, COUNT times in all (null: until stopped). Absent: send once. */
  repeat?: { intervalMs: number; count: number | null };
  /** For a server: send to each of its open connections instead (it has no peer of its own). */
  everyConnection?: boolean;
}

/** The wire's shape: the bridge relays it as it is. */
export type { RepeatState };

export const REPEAT_LIMITS = { maxIntervalMs: LIMITS.repeatIntervalMs, maxCount: LIMITS.repeatCount, burst: 1000 } as const;

/** What a message needs of the engine. */
interface MessageHooks {
  send(process: NetworkProcess, bytes: Uint8Array, options: SendOptions): Promise<unknown>;
  /** The server's connections that are open now. */
  connectionsOf(server: NetworkProcess): NetworkProcess[];
  report(text: string): void;
  /** A repeat started, progressed (at most every 250 ms) or ended. */
  changed(state: RepeatState): void;
}

const PROGRESS_MS = 250;

export function compileMessage(template: string): Template {
  try {
    const compiled = compileTemplate(template);
    if (compiled.usesCaptures)
      throw new TemplateError('{{0}}…{{9}} have a value only in an auto-reply rule', template.search(/\{\{\s*\d\s*\}\}/));
    return compiled;
  } catch (err) {
    if (err instanceof TemplateError) throw invalidArgument('template', `Invalid message: ${err.message}`);
    throw err;
  }
}

function checkRepeat(repeat: unknown): { intervalMs: number; count: number | null } {
  if (typeof repeat !== 'object' || repeat === null) throw invalidArgument('repeat', 'Repeat is {intervalMs, count}');
  const { intervalMs, count } = repeat as { intervalMs?: unknown; count?: unknown };
  if (typeof intervalMs !== 'number' || !Number.isInteger(intervalMs) || intervalMs < 1 || intervalMs > REPEAT_LIMITS.maxIntervalMs)
    throw invalidArgument('repeat.intervalMs', `The interval is a whole number of milliseconds from 1 to ${REPEAT_LIMITS.maxIntervalMs}`);
  if (count !== null && (typeof count !== 'number' || !Number.isInteger(count) || count < 1 || count > REPEAT_LIMITS.maxCount))
    throw invalidArgument(
      'repeat.count',
      `The count is a whole number from 1 to ${REPEAT_LIMITS.maxCount}, or null to repeat until stopped`,
    );
  return { intervalMs, count: count ?? null };
}

/** The engine's sends of library messages, and the repeats running. */
export class MessageSender implements Disposable {
  private readonly runs = new Map<number, RepeatRun>();
  private nextId = 1;

  private readonly hooks: MessageHooks;

  constructor(private readonly engine: EngineInternals) {
    this.hooks = {
      send: (process, bytes, options) => sendString(engine, process, bytes, options),
      connectionsOf: (server) => engine.table.list().filter((p) => p.server === server && p.status.kind === 'run'),
      report: (text) => engine.report(text),
      changed: (state) => engine.emit('repeat', state),
    };
  }

  /**
   * Sends SPEC (a template, rendered at each send) to a process, or to every
   * open connection of a server: once (awaited, errors thrown, answering
   * null when it went), or starts a repeat and answers its state at once.
   */
  send(designator: ProcessDesignator, spec: MessageSpec): Promise<RepeatState | null> {
    // Resolved before the send starts, so that an unknown process throws at the call rather than rejecting later.
    return this.sendToProcess(resolveProcess(this.engine, designator), spec);
  }

  private async sendToProcess(process: NetworkProcess, spec: MessageSpec): Promise<RepeatState | null> {
    if (typeof spec !== 'object' || spec === null)
      throw invalidArgument('message', 'A message is {template, name?, repeat?, everyConnection?}');
    if (typeof spec.template !== 'string') throw invalidArgument('template', 'The template is text');
    const template = compileMessage(spec.template);
    const name = typeof spec.name === 'string' && spec.name.trim() ? spec.name.trim() : 'message';
    const everyConnection = spec.everyConnection === true;
    if (everyConnection && process.kind !== 'stream-server')
      throw invalidArgument('everyConnection', `${process.name} is not a server: send to it directly`);
    const targets = (): NetworkProcess[] => (everyConnection ? this.hooks.connectionsOf(process) : [process]);
    if (spec.repeat === undefined || spec.repeat === null) {
      await this.sendTo(targets(), template, 1, name, !everyConnection);
      return null;
    }
    const { intervalMs, count } = checkRepeat(spec.repeat);
    const run = new RepeatRun(this.nextId++, process, name, intervalMs, count, template, targets, everyConnection, this, this.hooks);
    this.runs.set(run.id, run);
    run.start();
    return run.state();
  }

  /** Renders and sends one message to each target. A single target's failure is thrown; with many, each is reported once. */
  async sendTo(targets: NetworkProcess[], template: Template, seq: number, label: string, throwFailure: boolean): Promise<void> {
    const now = Date.now();
    await Promise.all(
      targets.map(async (target) => {
        const bytes = template.render({ seq, now }, (text) => encodeForSending(text, target.encoder));
        try {
          await this.hooks.send(target, bytes, { label });
        } catch (err) {
          if (throwFailure) throw err;
        }
      }),
    );
  }

  /** Stops a repeating message; true if it was running. */
  stop(id: number): boolean {
    const run = this.runs.get(id);
    if (!run) return false;
    run.finish(null, true);
    return true;
  }

  /** The repeating messages running now. */
  list(): RepeatState[] {
    return [...this.runs.values()].map((r) => r.state());
  }

  /** @internal a run that ended leaves the list. */
  ended(run: RepeatRun): void {
    this.runs.delete(run.id);
  }

  dispose(): void {
    for (const run of [...this.runs.values()]) run.finish(null, false);
  }
}

class RepeatRun {
  private sent = 0;
  private running = false;
  private error: string | null = null;
  /** performance.now() from which the sends due are counted, and how many were sent before it. */
  private epoch = 0;
  private sentAtEpoch = 0;
  private lastProgress = 0;
  private readonly resources = new DisposableStore();
  private inFlight = 0;

  constructor(
    readonly id: number,
    readonly process: NetworkProcess,
    readonly name: string,
    readonly intervalMs: number,
    readonly count: number | null,
    private readonly template: Template,
    private readonly targets: () => NetworkProcess[],
    private readonly everyConnection: boolean,
    private readonly owner: MessageSender,
    private readonly hooks: MessageHooks,
  ) {}

  state(): RepeatState {
    const { id, name, intervalMs, count, sent, running, error } = this;
    return { id, name, processName: this.process.name, intervalMs, count, sent, running, error };
  }

  start(): void {
    this.running = true;
    this.epoch = performance.now();
    this.hooks.changed(this.state());
    this.tick();
  }

  private tick(): void {
    if (!this.running) return;
    const now = performance.now();
    const targets = this.targets();
    if (targets.some((t) => (t.socket?.writableLength ?? 0) > OUTPUT_HIGH_WATER || t.datagramBytesQueued > OUTPUT_HIGH_WATER)) {
      // The peer is not keeping up: wait, and count the rate again from when it does.
      this.epoch = now + this.intervalMs;
      this.sentAtEpoch = this.sent;
      this.schedule(this.intervalMs);
      return;
    }
    const due = this.sentAtEpoch + Math.floor((now - this.epoch) / this.intervalMs) + 1;
    let burst = Math.min(due - this.sent, REPEAT_LIMITS.burst);
    if (this.count !== null) burst = Math.min(burst, this.count - this.sent);
    for (let i = 0; i < burst && this.running; i++) this.sendOne(targets);
    if (this.count !== null && this.sent >= this.count) {
      this.finish(null, false);
      return;
    }
    if (now - this.lastProgress >= PROGRESS_MS) {
      this.lastProgress = now;
      this.hooks.changed(this.state());
    }
    const next = this.epoch + (this.sent - this.sentAtEpoch) * this.intervalMs;
    this.schedule(Math.max(0, next - performance.now()));
  }

  private schedule(ms: number): void {
    const timer = this.resources.add(
      disposableTimeout(() => {
        this.resources.release(timer);
        this.tick();
      }, ms),
    );
  }

  private sendOne(targets: NetworkProcess[]): void {
    this.sent++;
    this.inFlight++;
    this.owner.sendTo(targets, this.template, this.sent, this.name, !this.everyConnection).then(
      () => this.inFlight--,
      (err: Error) => {
        this.inFlight--;
        if (this.running) this.finish(err.message, false);
      },
    );
  }

  finish(error: string | null, byUser: boolean): void {
    if (!this.running && this.resources.isDisposed) return;
    this.running = false;
    this.error = error;
    this.resources.dispose();
    this.owner.ended(this);
    const counted = this.count === null ? `${this.sent}` : `${this.sent} of ${this.count}`;
    if (error) this.hooks.report(`${this.process.name}: message "${this.name}" stopped after ${counted} sends: ${error}`);
    else if (byUser) this.hooks.report(`${this.process.name}: message "${this.name}" stopped after ${counted} sends`);
    this.hooks.changed(this.state());
  }
}
