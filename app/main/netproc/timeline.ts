/**
 * A process's traffic timeline: every chunk read and written and every status
 * change, as its taps report them, kept in a ring of the last N records
 * (default 100,000) with the number dropped counted. Each data record keeps
 * its bytes while the process's share of the payload budget allows, so a
 * conversation can be exported (pcapng) with what really crossed the socket;
 * past the budget the oldest records keep their size and time but lose their
 * bytes. Built on taps, so the filter and the buffer see exactly what they
 * would without it.
 */
import type { LispAddress } from './address.js';
import type { NetworkProcess } from './process.js';
import type { TapRecord } from './taps.js';

export const DEFAULT_TIMELINE_CAPACITY = 100_000;
/** Bytes of payload one process's timeline keeps (its buffer's default cap). */
export const DEFAULT_TIMELINE_PAYLOAD_CAP = 64 * 1024 * 1024;
/** Bytes of payload all timelines together keep, so that many flooding peers cannot exhaust memory. */
export const DEFAULT_TIMELINE_BUDGET = 256 * 1024 * 1024;

/**
 * The payload all of an engine's timelines hold together. A timeline that
 * adds bytes past the budget lets go of its own oldest payloads (the process
 * receiving is the one flooding); a timeline that is garbage-collected gives
 * its share back.
 */
export class TimelinePayloadPool {
  held = 0;
  private readonly shares = new FinalizationRegistry<{ bytes: number }>((share) => {
    this.held -= share.bytes;
  });

  constructor(readonly limit: number = DEFAULT_TIMELINE_BUDGET) {}

  /** A new timeline's share, given back when TIMELINE is collected. */
  share(timeline: object): { bytes: number } {
    const share = { bytes: 0 };
    this.shares.register(timeline, share);
    return share;
  }
}

export interface TimelineData {
  kind: 'data';
  /** Position in this timeline since it started: stable across drops, for paging. */
  index: number;
  timeUs: number;
  direction: 'in' | 'out';
  size: number;
  /** The datagram's sender (in) or destination (out). */
  peer: LispAddress | null;
  /** Where received bytes went into the buffer (the process mark then), if the process has one. */
  bufferAt: number | null;
  /** The bytes, while the payload budget keeps them; null once dropped. */
  bytes: Buffer | null;
}

export interface TimelineStatus {
  kind: 'status';
  index: number;
  timeUs: number;
  status: string;
  exitCode: number | string | null;
  /** The sentinel's event text when the change ran the sentinel. */
  event: string | null;
}

export type TimelineRecord = TimelineData | TimelineStatus;

export interface TimelineOptions {
  capacity?: number;
  payloadCap?: number;
  /** All timelines of the engine together (DEFAULT_TIMELINE_BUDGET). */
  budget?: number;
}

export class Timeline {
  readonly capacity: number;
  readonly payloadCap: number;
  /** The ring; grows up to `capacity`, then `start` walks round it. */
  private records: TimelineRecord[] = [];
  private start = 0;
  private nextIndex = 0;
  /** Records pushed out of the ring. */
  dropped = 0;
  /** Bytes of payload held, and payload bytes let go to stay under the cap. */
  payloadBytes = 0;
  payloadDropped = 0;
  /** The oldest record that may still hold bytes (ring order): where trimming resumes. */
  private trimFrom = 0;

  private readonly pool: TimelinePayloadPool;
  /** This timeline's part of the pool, registered when it first holds bytes (an idle connection never does). */
  private share: { bytes: number } | null = null;

  constructor(
    private readonly process: NetworkProcess,
    options: TimelineOptions = {},
    pool: TimelinePayloadPool = new TimelinePayloadPool(options.budget),
  ) {
    this.capacity = Math.max(1, options.capacity ?? DEFAULT_TIMELINE_CAPACITY);
    this.payloadCap = Math.max(0, options.payloadCap ?? DEFAULT_TIMELINE_PAYLOAD_CAP);
    this.pool = pool;
  }

  /** Bytes of payload held; every change goes through here so the pool's count stays true. */
  private holdPayload(delta: number): void {
    this.payloadBytes += delta;
    (this.share ??= this.pool.share(this)).bytes += delta;
    this.pool.held += delta;
  }

  get length(): number {
    return this.records.length;
  }

  /** The index the next record gets; records [firstIndex, nextIndex) are held. */
  get endIndex(): number {
    return this.nextIndex;
  }

  get firstIndex(): number {
    return this.nextIndex - this.records.length;
  }

  /** Records one tap record (the timeline is its process's tap sink). */
  record(tap: TapRecord): void {
    if (tap.kind === 'data') {
      const keep = this.payloadCap > 0;
      // The default filter inserts at the mark; a filter function may put it anywhere, so there is no position then.
      const process = this.process;
      const bufferAt = tap.direction === 'in' && process.filter === null && process.mark ? process.mark.position : null;
      this.push({
        kind: 'data',
        index: 0,
        timeUs: tap.timeUs,
        direction: tap.direction,
        size: tap.bytes.length,
        peer: tap.peer,
        bufferAt,
        bytes: keep ? tap.bytes : null,
      });
      if (keep) {
        this.holdPayload(tap.bytes.length);
        const excess = Math.max(this.payloadBytes - this.payloadCap, this.pool.held - this.pool.limit);
        if (excess > 0) this.trimPayload(excess);
      } else this.payloadDropped += tap.bytes.length;
    } else {
      this.push({ kind: 'status', index: 0, timeUs: tap.timeUs, status: tap.status, exitCode: tap.exitCode, event: tap.event });
    }
  }

  /** Records with index in [from, from + count), oldest first; indexes before firstIndex were dropped. */
  slice(from: number, count: number): TimelineRecord[] {
    const first = Math.max(from, this.firstIndex);
    const last = Math.min(from + Math.max(0, count), this.nextIndex);
    const out: TimelineRecord[] = [];
    for (let index = first; index < last; index++) out.push(this.at(index));
    return out;
  }

  /** Every record held, oldest first. */
  all(): TimelineRecord[] {
    return this.slice(this.firstIndex, this.records.length);
  }

  private at(index: number): TimelineRecord {
    const offset = index - this.firstIndex;
    return this.records[(this.start + offset) % this.records.length]!;
  }

  private push(record: TimelineRecord): void {
    record.index = this.nextIndex++;
    if (this.records.length < this.capacity) {
      this.records.push(record);
      return;
    }
    const old = this.records[this.start]!;
    if (old.kind === 'data' && old.bytes) this.holdPayload(-old.bytes.length);
    this.records[this.start] = record;
    this.start = (this.start + 1) % this.capacity;
    this.dropped++;
    if (this.trimFrom < this.firstIndex) this.trimFrom = this.firstIndex;
  }

  /** Lets go of the oldest payloads until EXCESS bytes are freed. */
  private trimPayload(excess: number): void {
    let freed = 0;
    for (let index = Math.max(this.trimFrom, this.firstIndex); index < this.nextIndex && freed < excess; index++) {
      const record = this.at(index);
      this.trimFrom = index;
      if (record.kind !== 'data' || !record.bytes) continue;
      freed += record.bytes.length;
      this.holdPayload(-record.bytes.length);
      this.payloadDropped += record.bytes.length;
      record.bytes = null;
    }
  }
}
