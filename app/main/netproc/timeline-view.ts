/**
 * A traffic view: one or more timelines (a process's, or a server's with
 * its connections') merged in time order and filtered by direction and by
 * bytes contained, read a window at a time by position. A view is kept
 * between reads and brought up to date incrementally: records arrive in time
 * order (one clock, one thread), so what arrived since the last read is merged
 * and appended, never inserted.
 *
 * Positions are stable, so a reader's pages stay true while records come and
 * go: records that leave a ring leave the front of the view (`first` moves
 * on); one that leaves from the middle (a busy connection's, behind a quiet
 * one's older records) keeps its place as a `dropped` entry. Only when such
 * places outnumber the records does the view renumber, and `epoch` changes.
 */
import type { Timeline, TimelineRecord } from './timeline.js';

export interface TimelineFilter {
  /** Data records of one direction only (status records then left out); default both, with status records. */
  direction?: 'in' | 'out' | null;
  /** Records whose bytes contain these (a status record: its status and event text). */
  contains?: Uint8Array | null;
}

export interface TimelineWindow {
  /** Positions [first, end) are in the view; a window is read from them. */
  first: number;
  end: number;
  /** Changes when the view renumbered its positions (what was read before no longer lines up). */
  epoch: number;
  /** Records held in the view's timelines, and pushed out of their rings. */
  held: number;
  dropped: number;
  /** Payload bytes let go to stay within the caps (the records remain, without their bytes). */
  payloadDropped: number;
  /** The time of the first record ever recorded in any of the view's timelines. */
  startUs: number | null;
  /** The window asked for: each position's record with its timeline, or null (with its index and time) for one that has left its ring. */
  records: Array<{ position: number; timeline: Timeline; index: number; timeUs: number; record: TimelineRecord | null }>;
}

interface Track {
  timeline: Timeline;
  /** The next index not yet looked at. */
  scanned: number;
  /** The first index held when last read: when it moves, records before it have left. */
  firstIndex: number;
}

/** Views renumber when the places of dropped records pass this many and outnumber the records. */
const LEAST_COMPACTION = 1000;

export class TimelineView {
  private readonly tracks: Track[] = [];
  /** The matching records from `first` on, in time order: track number and record index, side by side. */
  private trackOf: number[] = [];
  private indexOf: number[] = [];
  private timeOf: number[] = [];
  /** Where trackOf/indexOf start in them (entries before it have left the front). */
  private head = 0;
  private first = 0;
  private epoch = 0;

  constructor(readonly filter: TimelineFilter) {}

  /** Brings the view up to TIMELINES (the target's timelines now) and reads positions [from, from + count). */
  read(timelines: Timeline[], from: number, count: number): TimelineWindow {
    this.update(timelines);
    let held = 0;
    let dropped = 0;
    let payloadDropped = 0;
    let startUs: number | null = null;
    for (const { timeline } of this.tracks) {
      held += timeline.length;
      dropped += timeline.dropped;
      payloadDropped += timeline.payloadDropped;
      if (timeline.startUs !== null && (startUs === null || timeline.startUs < startUs)) startUs = timeline.startUs;
    }
    const end = this.end;
    const records: TimelineWindow['records'] = [];
    for (let position = Math.max(from, this.first); position < Math.min(end, from + count); position++) {
      const at = this.head + position - this.first;
      const timeline = this.tracks[this.trackOf[at]!]!.timeline;
      const index = this.indexOf[at]!;
      const live = !timeline.released && index >= timeline.firstIndex;
      records.push({ position, timeline, index, timeUs: this.timeOf[at]!, record: live ? timeline.at(index) : null });
    }
    return { first: this.first, end, epoch: this.epoch, held, dropped, payloadDropped, startUs, records };
  }

  private get end(): number {
    return this.first + this.indexOf.length - this.head;
  }

  /** Entries held (three numbers each). */
  get size(): number {
    return this.indexOf.length;
  }

  private update(timelines: Timeline[]): void {
    const wanted = new Set(timelines.filter((t) => !t.released));
    let moved = false;
    for (const track of this.tracks) {
      if (!wanted.has(track.timeline) || track.timeline.firstIndex !== track.firstIndex) moved = true;
      track.firstIndex = track.timeline.firstIndex;
      wanted.delete(track.timeline);
    }
    for (const timeline of wanted) this.tracks.push({ timeline, scanned: timeline.firstIndex, firstIndex: timeline.firstIndex });
    this.appendNew();
    if (moved) this.dropLeft(new Set(timelines));
  }

  private isLeft(at: number, current: Set<Timeline>): boolean {
    const timeline = this.tracks[this.trackOf[at]!]!.timeline;
    return timeline.released || !current.has(timeline) || this.indexOf[at]! < timeline.firstIndex;
  }

  /** Records that left: those in front go (first moves on); past LEAST_COMPACTION places in the middle, the view renumbers. */
  private dropLeft(current: Set<Timeline>): void {
    while (this.head < this.indexOf.length && this.isLeft(this.head, current)) {
      this.head++;
      this.first++;
    }
    let left = 0;
    for (let at = this.head; at < this.indexOf.length; at++) if (this.isLeft(at, current)) left++;
    const live = this.indexOf.length - this.head - left;
    if (left > LEAST_COMPACTION && left > live) {
      // Tracks whose timelines left go too, the others renumbered.
      const renumbered = new Map<number, number>();
      const tracks = this.tracks.filter((track, n) => {
        if (track.timeline.released || !current.has(track.timeline)) return false;
        renumbered.set(n, renumbered.size);
        return true;
      });
      const trackOf: number[] = [];
      const indexOf: number[] = [];
      const timeOf: number[] = [];
      for (let at = this.head; at < this.indexOf.length; at++) {
        if (this.isLeft(at, current)) continue;
        trackOf.push(renumbered.get(this.trackOf[at]!)!);
        indexOf.push(this.indexOf[at]!);
        timeOf.push(this.timeOf[at]!);
      }
      this.tracks.splice(0, this.tracks.length, ...tracks);
      this.trackOf = trackOf;
      this.indexOf = indexOf;
      this.timeOf = timeOf;
      this.head = 0;
      this.epoch++;
    } else if (this.head > 4096 && this.head * 2 > this.indexOf.length) {
      // The front that left is given back in one go rather than shifted out one by one.
      this.trackOf = this.trackOf.slice(this.head);
      this.indexOf = this.indexOf.slice(this.head);
      this.timeOf = this.timeOf.slice(this.head);
      this.head = 0;
    }
  }

  /** Records that arrived since the last read, filtered, merged by time (ties: track order), appended. */
  private appendNew(): void {
    const fresh: Array<{ track: number; index: number; time: number }> = [];
    this.tracks.forEach((track, n) => {
      const { timeline } = track;
      if (timeline.released) return;
      for (let index = Math.max(track.scanned, timeline.firstIndex); index < timeline.endIndex; index++) {
        if (this.matches(timeline, index)) fresh.push({ track: n, index, time: timeline.timeAt(index) });
      }
      track.scanned = timeline.endIndex;
    });
    if (this.tracks.length > 1) fresh.sort((a, b) => a.time - b.time || a.track - b.track || a.index - b.index);
    for (const { track, index, time } of fresh) {
      this.trackOf.push(track);
      this.indexOf.push(index);
      this.timeOf.push(time);
    }
  }

  private matches(timeline: Timeline, index: number): boolean {
    const { direction, contains } = this.filter;
    const type = timeline.typeAt(index);
    if (type === 'status') {
      if (direction) return false;
      if (!contains) return true;
      const status = timeline.statusAt(index)!;
      return Buffer.from(`${status.status} ${status.exitCode ?? ''} ${status.event ?? ''}`).indexOf(contains) >= 0;
    }
    if (direction && type !== direction) return false;
    if (!contains) return true;
    const bytes = timeline.bytesAt(index);
    return bytes !== null && bytes.indexOf(contains) >= 0;
  }
}

/** Entries all kept views hold together at most (24 bytes each) before the least recently read go. */
const MOST_ENTRIES = 2_000_000;

/**
 * Views kept between reads, by target and filter: the last few used, so
 * paging and scrolling scan only what is new. Bounded in number and in the
 * entries they hold (a server's view can gather millions of records).
 */
export class TimelineViews {
  private readonly views = new Map<string, TimelineView>();

  constructor(
    private readonly most = 16,
    private readonly mostEntries = MOST_ENTRIES,
  ) {}

  /** Reads [from, from + count) of TARGET's view through FILTER, brought up to TIMELINES. */
  read(target: number, filter: TimelineFilter, timelines: Timeline[], from: number, count: number): TimelineWindow {
    const key = `${target}|${filter.direction ?? ''}|${filter.contains ? Buffer.from(filter.contains).toString('hex') : ''}`;
    let view = this.views.get(key);
    if (view) this.views.delete(key);
    else view = new TimelineView(filter);
    this.views.set(key, view);
    const window = view.read(timelines, from, count);
    let entries = 0;
    for (const kept of this.views.values()) entries += kept.size;
    // The least recently read go first; the one just read stays.
    for (const [oldKey, old] of this.views) {
      if (this.views.size <= this.most && entries <= this.mostEntries) break;
      if (old === view) continue;
      this.views.delete(oldKey);
      entries -= old.size;
    }
    return window;
  }
}
