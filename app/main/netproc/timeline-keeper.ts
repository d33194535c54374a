/**
 * Which traffic timelines the engine keeps: every listed process's, and a
 * departed process's while its buffer lives (a short-lived connection's
 * traffic stays readable as long as what it received does, as its buffer
 * outlives it in Emacs). Departed timelines go when their buffer is killed,
 * and, oldest departure first, when all timelines together pass the record
 * budget.
 */
import type { NetprocBuffer } from './buffers.js';
import type { NetworkProcess } from './process.js';
import { statusTap, type Taps } from './taps.js';
import { Timeline, TimelinePayloadPool, type TimelineOptions } from './timeline.js';

export class TimelineKeeper {
  readonly pool: TimelinePayloadPool;
  /** Departed processes' timelines by process id, oldest departure first. */
  private readonly departed = new Map<number, Timeline>();
  /** The departed timelines each buffer keeps. */
  private readonly byBuffer = new Map<NetprocBuffer, Timeline[]>();

  /** DATAGRAMMAX: read-process-output-max, the most of a datagram the buffer gets. */
  constructor(options: TimelineOptions, datagramMax: number) {
    this.pool = new TimelinePayloadPool(options);
    this.pool.datagramMax = datagramMax;
    this.pool.onRecordsOver = (spare) => this.letOldestGo(spare);
  }

  /** Records PROCESS's traffic from now on, beginning with the status it was made with. */
  start(process: NetworkProcess, taps: Taps): Timeline {
    const timeline = new Timeline(process, this.pool);
    process.timeline = timeline;
    timeline.record(statusTap(process.status, null));
    taps.addSink(timeline);
    return timeline;
  }

  /** A timeline for PROCESS that starts empty: its records are written by whoever made it (an imported conversation's, at their own times). */
  adopt(process: NetworkProcess): Timeline {
    const timeline = new Timeline(process, this.pool);
    process.timeline = timeline;
    return timeline;
  }

  /** PROCESS left the table: its timeline stays while its buffer lives. */
  depart(process: NetworkProcess): void {
    const timeline = process.timeline;
    if (!timeline || timeline.released) return;
    const buffer = process.buffer;
    if (!buffer?.live) {
      this.letGo(timeline);
      return;
    }
    this.departed.set(process.id, timeline);
    const list = this.byBuffer.get(buffer);
    if (list) list.push(timeline);
    else this.byBuffer.set(buffer, [timeline]);
  }

  /** BUFFER was killed: the departed timelines it kept go with it. */
  bufferKilled(buffer: NetprocBuffer): void {
    const list = this.byBuffer.get(buffer);
    if (!list) return;
    this.byBuffer.delete(buffer);
    for (const timeline of list) {
      this.departed.delete(timeline.process.id);
      this.letGo(timeline);
    }
  }

  /** A departed process's timeline, if it is still kept. */
  departedTimeline(id: number): Timeline | null {
    return this.departed.get(id) ?? null;
  }

  /** The kept timelines of departed connections SERVER accepted. */
  departedConnections(server: NetworkProcess): Timeline[] {
    const out: Timeline[] = [];
    for (const timeline of this.departed.values()) if (timeline.process.server === server) out.push(timeline);
    return out;
  }

  private letGo(timeline: Timeline): void {
    timeline.release();
    if (timeline.process.timeline === timeline) timeline.process.timeline = null;
  }

  /** At or past the record budget: departed timelines go, oldest departure first, until there is room under it. */
  private letOldestGo(spare?: Timeline): void {
    for (const [id, timeline] of this.departed) {
      if (this.pool.records < this.pool.recordBudget) return;
      if (timeline === spare) continue;
      this.departed.delete(id);
      const buffer = timeline.process.buffer;
      const list = buffer ? this.byBuffer.get(buffer) : undefined;
      if (list && buffer) {
        const rest = list.filter((t) => t !== timeline);
        if (rest.length) this.byBuffer.set(buffer, rest);
        else this.byBuffer.delete(buffer);
      }
      this.letGo(timeline);
    }
  }
}
