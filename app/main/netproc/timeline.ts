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

  constructor(
    private readonly process: NetworkProcess,
    options: TimelineOptions = {},
  ) {
    this.capacity = Math.max(1, options.capacity ?? DEFAULT_TIMELINE_CAPACITY);
    this.payloadCap = Math.max(0, options.payloadCap ?? DEFAULT_TIMELINE_PAYLOAD_CAP);
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

  /** A tap listener that records into this timeline. */
  readonly record = (tap: TapRecord): void => {
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
        this.payloadBytes += tap.bytes.length;
        if (this.payloadBytes > this.payloadCap) this.trimPayload(this.payloadBytes - this.payloadCap);
      } else this.payloadDropped += tap.bytes.length;
    } else {
      this.push({ kind: 'status', index: 0, timeUs: tap.timeUs, status: tap.status, exitCode: tap.exitCode, event: tap.event });
    }
  };

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
    if (old.kind === 'data' && old.bytes) this.payloadBytes -= old.bytes.length;
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
      this.payloadBytes -= record.bytes.length;
      this.payloadDropped += record.bytes.length;
      record.bytes = null;
    }
  }
}
