/**
 * Traffic beyond Emacs: subscribers to a process's taps (taps.ts), each
 * process's timeline from the moment it is listed until it is let go
 * (timeline-keeper.ts), and traffic views read by stable position
 * (timeline-view.ts). A process's traffic view is its own timeline and, for a
 * server, those of the connections it accepted, listed and departed.
 */
import type { NetprocBuffer } from './buffers.js';
import { resolveProcess, type ProcessDesignator } from './designator.js';
import type { EngineInternals } from './engine-internals.js';
import { NetprocError, wrongType } from './errors.js';
import type { NetworkProcess } from './process.js';
import { Taps, type Disposable, type TapListener, type TapSink } from './taps.js';
import type { Timeline, TimelineOptions } from './timeline.js';
import { TimelineKeeper } from './timeline-keeper.js';
import { TimelineViews, type TimelineFilter, type TimelineWindow } from './timeline-view.js';

export class Traffic {
  /** The traffic timelines kept (live processes' and departed ones'); null when timelines are off. @internal */
  readonly keeper: TimelineKeeper | null;
  /** Traffic views read lately, kept so that paging through one scans only what is new. */
  private readonly views = new TimelineViews();
  /** One function for every process's taps to report a throwing subscriber with. */
  private readonly reportTapError: (text: string) => void;

  /** OPTIONS: on by default; false turns timelines off, an object sets their ring size, payload caps and record budget. */
  constructor(
    private readonly engine: EngineInternals,
    options: TimelineOptions | boolean | undefined,
  ) {
    this.keeper = options === false ? null : new TimelineKeeper(options === true ? {} : (options ?? {}), engine.readProcessOutputMax);
    this.reportTapError = (text) => engine.report(text);
  }

  /**
   * Subscribes to a process's taps: every chunk read and written (direction,
   * a microsecond timestamp, the bytes, a datagram's peer) and every status
   * change, beside its filter and sentinel, never instead of them. Returns a
   * Disposable; a throwing listener is reported as a message.
   */
  tap(designator: ProcessDesignator, listener: TapListener): Disposable {
    const process = resolveProcess(this.engine, designator);
    if (typeof listener !== 'function') throw wrongType('listener', 'functionp', listener);
    return this.subscribe(process, listener);
  }

  /** @internal The engine's own features subscribe here (auto-reply, reconnect). */
  subscribe(process: NetworkProcess, subscriber: TapListener | TapSink): Disposable {
    const taps = (process.taps ??= new Taps(this.reportTapError));
    return taps.add(subscriber, () => {
      if (process.taps === taps) process.taps = null;
    });
  }

  /** @internal PROCESS is listed: its timeline starts, with the status it was made with. */
  listed(process: NetworkProcess): void {
    if (!process.timeline) this.keeper?.start(process, (process.taps ??= new Taps(this.reportTapError)));
  }

  /** @internal PROCESS left the list: its timeline stays while its buffer lives. */
  departed(process: NetworkProcess): void {
    this.keeper?.depart(process);
  }

  /** @internal BUFFER was killed: the departed timelines it kept go with it. */
  bufferKilled(buffer: NetprocBuffer): void {
    this.keeper?.bufferKilled(buffer);
  }

  /**
   * The traffic timeline of the process with id ID: a listed process's, or a
   * departed one's while its buffer lives. Null when there is none (timelines
   * off, or let go).
   */
  timelineOf(id: number): Timeline | null {
    const listed = this.engine.table.getById(id);
    if (listed) return listed.timeline;
    return this.keeper?.departedTimeline(id) ?? null;
  }

  /** The timelines of PROCESS's traffic view: its own, and for a server those of the connections it accepted. */
  viewTimelines(process: NetworkProcess): Timeline[] {
    const own = process.timeline ? [process.timeline] : [];
    if (process.kind !== 'stream-server') return own;
    const listed = this.engine.table.list().filter((p) => p.server === process && p.timeline);
    return [...own, ...listed.map((p) => p.timeline!), ...(this.keeper?.departedConnections(process) ?? [])];
  }

  /** The timelines of the traffic view of the process with id ID; refused, naming `id`, when there are none. */
  viewTimelinesOf(id: number): Timeline[] {
    const own = this.timelineOf(id);
    if (!own) {
      const listed = this.engine.table.getById(id);
      if (listed && !this.keeper)
        throw new NetprocError({ code: 'UNSUPPORTED', message: 'Traffic timelines are off in this engine', field: 'id' });
      throw new NetprocError({
        code: 'NO_SUCH_PROCESS',
        message: listed ? `Process ${listed.name} has no timeline` : `No process with id ${id} (or its timeline has been let go)`,
        field: 'id',
      });
    }
    return this.viewTimelines(own.process);
  }

  /**
   * Positions [from, from + count) of the traffic view of the process with id
   * ID (listed, or departed while its buffer lives), filtered by FILTER.
   * Views are kept between reads, so positions are stable while records come
   * and go (timeline-view.ts).
   */
  readTimeline(id: number, from: number, count: number, filter: TimelineFilter = {}): TimelineWindow {
    return this.views.read(id, filter, this.viewTimelinesOf(id), from, count);
  }

  /** Records each process's timeline keeps at most (its ring); 0 when timelines are off. */
  get timelineCapacity(): number {
    return this.keeper?.pool.capacity ?? 0;
  }
}
