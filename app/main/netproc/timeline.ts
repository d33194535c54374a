/**
 * A process's traffic timeline: every chunk read and written and every status
 * change, as its taps report them, kept in a ring of the last N records
 * (default 100,000) with the number dropped counted. Each data record keeps
 * its bytes while the process's share of the payload budget allows, so a
 * conversation can be exported (pcapng) with what really crossed the socket;
 * past the budget the oldest records keep their size and time but lose their
 * bytes. Built on taps, so the filter and the buffer see exactly what they
 * would without it.
 *
 * Compact, so that it can be on for every process: records are numbers,
 * five each, in one array (no object per record), grown by doubling from two
 * records up to the ring's size (in place once it is long). Received bytes
 * that the default filter put into the buffer as they are stay there: the
 * record names where, and reads them back while the buffer still holds them
 * unmoved (no copy, no object). Other payloads are copied into an arena of
 * append-only blocks (small ones: no Buffer per datagram) or kept as the
 * chunk itself (large ones). A datagram peer is packed into a number (IPv4)
 * or an index into a small table. An idle connection costs its Timeline
 * object and a two-record ring.
 */
import type { LispAddress } from './address.js';
import type { NetprocBuffer } from './buffers.js';
import type { NetworkProcess } from './process.js';
import type { TapRecord, TapSink } from './taps.js';

export const DEFAULT_TIMELINE_CAPACITY = 100_000;
/** Bytes of payload one process's timeline keeps (its buffer's default cap). */
export const DEFAULT_TIMELINE_PAYLOAD_CAP = 64 * 1024 * 1024;
/** Bytes of payload all timelines together keep, so that many flooding peers cannot exhaust memory. */
export const DEFAULT_TIMELINE_BUDGET = 256 * 1024 * 1024;
/**
 * Records all timelines together hold (40 bytes each) before the timelines of
 * departed processes are let go, oldest first. Past it with none departed
 * left, live rings stop growing and each drops its own oldest instead, so
 * many busy connections (a server's, a splitting UDP server's peers) are
 * bounded together, not only each by its ring.
 */
export const DEFAULT_TIMELINE_RECORD_BUDGET = 4_000_000;

/** Payloads this large are kept as the chunk itself rather than copied (the buffer keeps such chunks whole too). */
const SHARED_CHUNK = 2048;
/** A new timeline's ring: a plain array this long (cheaper than a typed array while small), then a Float64Array. */
const FIRST_RING = 2;
/**
 * A ring this many records long or more grows in place: its Float64Array is
 * a view of a resizable ArrayBuffer reserving the whole ring (address space
 * only; pages are committed as the ring grows). Copying it at each doubling
 * wrote every record up to twice more and touched twice the memory, which a
 * datagram blast, one record per datagram, paid for in page faults.
 */
const GROW_IN_PLACE_FROM = 1024;
const FIRST_BLOCK = 64;
const LARGEST_BLOCK = 64 * 1024;

// The numbers of one record.
const STRIDE = 5;
const TIME = 0;
/** size × 4 + type. */
const SIZE_TYPE = 1;
/**
 * Data: the payload's arena position (≥ 0), HELD_CHUNK, NO_BYTES, or
 * IN_BUFFER - n: in the buffer at BUFFER_AT, as of reference generation n.
 * Status: the status's serial number.
 */
const PAYLOAD = 2;
/** Where received bytes went into the buffer, or -1. */
const BUFFER_AT = 3;
/** 0: none; > 0: an IPv4 address and port packed, plus one; < 0: -(serial in the peer table + 1). */
const PEER = 4;

const TYPE_IN = 0;
const TYPE_OUT = 1;
const TYPE_STATUS = 2;
const NO_BYTES = -1;
const HELD_CHUNK = -2;
const IN_BUFFER = -3;

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
  /** The bytes, while the payload budget keeps them; null once dropped. A view: never change it. */
  bytes: Buffer | null;
  /** Output: the library message or auto-reply rule that sent it; null for a plain send and for input. */
  label: string | null;
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

type StatusInfo = Pick<TimelineStatus, 'status' | 'exitCode' | 'event'>;

export interface TimelineOptions {
  capacity?: number;
  payloadCap?: number;
  /** All timelines of the engine together (DEFAULT_TIMELINE_BUDGET). */
  budget?: number;
  /** Records of all timelines together before departed ones are let go (DEFAULT_TIMELINE_RECORD_BUDGET). */
  recordBudget?: number;
}

/**
 * What all of an engine's timelines share: their settings, the payload they
 * hold together, and the records they hold together. A timeline that adds
 * bytes past the payload budget lets go of its own oldest payloads (the
 * process receiving is the one flooding); records past the record budget let
 * the oldest departed timeline go (onRecordsOver).
 */
export class TimelinePayloadPool {
  readonly capacity: number;
  readonly payloadCap: number;
  readonly limit: number;
  readonly recordBudget: number;
  /** Payload bytes held by every timeline. */
  held = 0;
  /** Records held by every timeline. */
  records = 0;
  /** Called (after the record is written) when records pass the record budget; the engine lets departed timelines go. */
  onRecordsOver: (spare?: Timeline) => void = () => undefined;
  /** read-process-output-max: a longer datagram goes into the buffer cut, so its bytes are kept by the timeline. */
  datagramMax = 4096;

  /** Whether all timelines together are under the record budget, once departed timelines were let go to get there. */
  roomForRecords(asking: Timeline): boolean {
    // The timeline asking is in the middle of adding a record: it may be let go only once that is written.
    if (this.records >= this.recordBudget) this.onRecordsOver(asking);
    return this.records < this.recordBudget;
  }

  constructor(options: TimelineOptions = {}) {
    this.capacity = Math.max(1, Math.floor(options.capacity ?? DEFAULT_TIMELINE_CAPACITY));
    this.payloadCap = Math.max(0, options.payloadCap ?? DEFAULT_TIMELINE_PAYLOAD_CAP);
    this.limit = Math.max(0, options.budget ?? DEFAULT_TIMELINE_BUDGET);
    this.recordBudget = Math.max(1, options.recordBudget ?? DEFAULT_TIMELINE_RECORD_BUDGET);
  }
}

/** Append-only blocks of small payloads; a position names a byte for ever, and a block goes once nothing before `start` is wanted. */
class PayloadArena {
  private readonly blocks: Buffer[] = [];
  private readonly starts: number[] = [];
  private used = 0;
  /** Positions below this are no longer wanted. */
  start = 0;

  get end(): number {
    const last = this.starts.length - 1;
    return last < 0 ? 0 : this.starts[last]! + this.used;
  }

  /** Copies BYTES in (they fit one block); returns their position. */
  append(bytes: Uint8Array): number {
    const last = this.blocks.length - 1;
    let block = this.blocks[last];
    if (!block || block.length - this.used < bytes.length) {
      const at = this.end;
      let size = block ? Math.min(block.length * 2, LARGEST_BLOCK) : FIRST_BLOCK;
      while (size < bytes.length) size *= 2;
      // Never reused or written over: views handed out (an export in progress) keep reading the same bytes.
      block = Buffer.allocUnsafe(size);
      this.blocks.push(block);
      this.starts.push(at);
      this.used = 0;
    }
    const position = this.starts[this.starts.length - 1]! + this.used;
    block.set(bytes, this.used);
    this.used += bytes.length;
    return position;
  }

  view(position: number, size: number): Buffer {
    let low = 0;
    let high = this.starts.length - 1;
    while (low < high) {
      const middle = (low + high + 1) >>> 1;
      if (this.starts[middle]! <= position) low = middle;
      else high = middle - 1;
    }
    const offset = position - this.starts[low]!;
    return this.blocks[low]!.subarray(offset, offset + size);
  }

  /** Nothing below POSITION is wanted any more: whole blocks before it go. */
  releaseBefore(position: number): void {
    if (position <= this.start) return;
    this.start = position;
    let drop = 0;
    while (drop < this.blocks.length - 1 && this.starts[drop + 1]! <= position) drop++;
    if (drop > 0) {
      this.blocks.splice(0, drop);
      this.starts.splice(0, drop);
    }
  }
}

/** Statuses most processes record, shared rather than made per timeline. */
const COMMON_STATUSES = new Map<string, StatusInfo>(
  ['run', 'listen', 'connect'].map((status) => [status, Object.freeze({ status, exitCode: null, event: null })]),
);
/**
 * The status list of a timeline whose only status is a common one, shared
 * (frozen) until a second is added or the first leaves: an idle connection's
 * timeline otherwise keeps an array of its own for its one `run`.
 */
const ONLY_STATUS = new Map<StatusInfo, readonly StatusInfo[]>([...COMMON_STATUSES.values()].map((info) => [info, Object.freeze([info])]));

/** An IPv4 address vector [a, b, c, d, port] as one number (48 bits), plus one; 0 when it is anything else. */
function packIpv4(peer: LispAddress): number {
  if (!Array.isArray(peer) || peer.length !== 5) return 0;
  const [a, b, c, d, port] = peer as [number, number, number, number, number];
  return (((a * 256 + b) * 256 + c) * 256 + d) * 65536 + port + 1;
}

function unpackIpv4(code: number): number[] {
  let n = code - 1;
  const port = n % 65536;
  n = (n - port) / 65536;
  const d = n % 256;
  n = (n - d) / 256;
  const c = n % 256;
  n = (n - c) / 256;
  const b = n % 256;
  return [(n - b) / 256, b, c, d, port];
}

/** What only some timelines need (payloads copied or kept, datagram peers): one field on the rest. */
class TimelineSide {
  arena: PayloadArena | null = null;
  /** Large payloads by ring slot (HELD_CHUNK). */
  chunks: Array<Buffer | undefined> | null = null;
  /** Peers that do not pack into a number (IPv6), by serial number; `peerBase` is the first's. */
  peers: LispAddress[] | null = null;
  peerSerials: Map<string, number> | null = null;
  peerBase = 0;
  lastPeer: LispAddress | null = null;
  lastPeerCode = 0;
  /** What sent a labelled record (a library message, an auto-reply rule), by record index: few records have one. */
  labels: Map<number, string> | null = null;
}

/** Records' numbers: a plain array while small, a Float64Array once grown. */
type Ring = number[] | Float64Array;

/** ES2024's resizable ArrayBuffer, which the ES2023 lib this project compiles against does not describe. */
interface ResizableArrayBuffer extends ArrayBuffer {
  readonly resizable: boolean;
  resize(byteLength: number): void;
}

/** BYTES long, growable in place up to MAXBYTES; null where the runtime has no resizable ArrayBuffer. */
function resizableArrayBuffer(bytes: number, maxBytes: number): ResizableArrayBuffer | null {
  const Resizable = ArrayBuffer as unknown as new (byteLength: number, options: { maxByteLength: number }) => ResizableArrayBuffer;
  try {
    const buffer = new Resizable(bytes, { maxByteLength: maxBytes });
    return buffer.resizable ? buffer : null;
  } catch {
    return null;
  }
}

export class Timeline implements TapSink {
  /** FIRST_RING records, doubled as they come, up to the pool's capacity; then `start` walks round it. */
  private ring: Ring | null = null;
  /** What a ring that grows in place is a view of (GROW_IN_PLACE_FROM); its view's length follows it. */
  private ringBuffer: ResizableArrayBuffer | null = null;
  private held = 0;
  private start = 0;
  private nextIndex = 0;
  /** Records pushed out of the ring. */
  dropped = 0;
  /** Bytes of payload held (copied or kept, not those read back from the buffer), and payload bytes let go to stay under the cap. */
  payloadBytes = 0;
  payloadDropped = 0;
  /** The oldest record that may still hold bytes (by index): where trimming resumes. */
  private trimFrom = 0;
  /** Status records' details, oldest first; `statusBase` is the serial number of the first. */
  private statuses: StatusInfo[] | null = null;
  private statusBase = 0;
  /**
   * The buffer received bytes are read back from, and its shifts when this
   * reference generation began: bytes recorded in an older generation, or
   * after the buffer shifted, are no longer read back.
   */
  private refBuffer: NetprocBuffer | null = null;
  private refShifts = 0;
  private refGeneration = 0;
  private side: TimelineSide | null = null;
  /** Time of the first record ever, for times relative to the start. */
  startUs: number | null = null;
  /** Set once the engine let it go: it records nothing more and holds nothing. */
  released = false;

  readonly pool: TimelinePayloadPool;

  constructor(
    readonly process: NetworkProcess,
    options: TimelineOptions | TimelinePayloadPool = {},
  ) {
    this.pool = options instanceof TimelinePayloadPool ? options : new TimelinePayloadPool(options);
  }

  get capacity(): number {
    return this.pool.capacity;
  }

  get payloadCap(): number {
    return this.pool.payloadCap;
  }

  get length(): number {
    return this.held;
  }

  /** The index the next record gets; records [firstIndex, endIndex) are held. */
  get endIndex(): number {
    return this.nextIndex;
  }

  get firstIndex(): number {
    return this.nextIndex - this.held;
  }

  /** Records one tap record (the timeline is its process's tap sink). */
  record(tap: TapRecord): void {
    if (tap.kind === 'data') this.recordData(tap.direction, tap.timeUs, tap.bytes, tap.peer, tap.label ?? null);
    else this.addStatus(tap.timeUs, tap.status, tap.exitCode, tap.event);
  }

  recordData(direction: 'in' | 'out', timeUs: number, bytes: Buffer, peer: LispAddress | null, label: string | null = null): void {
    if (this.released) return;
    if (label !== null) {
      this.addData(direction, timeUs, bytes, peer);
      // Labels name what sent output, so a labelled record never goes through the buffer read-back above.
      if (!this.released) ((this.side ??= new TimelineSide()).labels ??= new Map()).set(this.nextIndex - 1, label);
      return;
    }
    const process = this.process;
    const buffer = process.buffer;
    if (direction === 'in' && process.filter === null && buffer?.live) {
      // Where the default filter will insert it: at the mark, or the end when the mark is in another buffer.
      const at = (process.markBuffer === buffer ? process.mark?.position : null) ?? buffer.end;
      const whole = process.decoder.keepsBytes && (!process.isDatagram || bytes.length <= this.pool.datagramMax);
      this.addData('in', timeUs, bytes, peer, at, whole ? buffer : null);
    } else this.addData(direction, timeUs, bytes, peer);
  }

  /**
   * A data record. BYTES are read back from IN_BUFFER when they go into it as
   * they are at BUFFERAT; otherwise kept: copied, or if large and received
   * the chunk itself (a socket never reuses a chunk it read).
   */
  addData(
    direction: 'in' | 'out',
    timeUs: number,
    bytes: Uint8Array,
    peer: LispAddress | null,
    bufferAt = -1,
    inBuffer: NetprocBuffer | null = null,
  ): void {
    if (this.released) return;
    const slot = this.push(timeUs, direction === 'in' ? TYPE_IN : TYPE_OUT, bytes.length);
    const ring = this.ring!;
    ring[slot + BUFFER_AT] = bufferAt;
    ring[slot + PEER] = peer === null ? 0 : this.peerCode(peer);
    const pool = this.pool;
    const size = bytes.length;
    if (inBuffer !== null && size > 0) {
      if (inBuffer !== this.refBuffer || inBuffer.shifts !== this.refShifts) {
        this.refBuffer = inBuffer;
        this.refShifts = inBuffer.shifts;
        this.refGeneration++;
      }
      ring[slot + PAYLOAD] = IN_BUFFER - this.refGeneration;
      if (pool.records > pool.recordBudget) pool.onRecordsOver();
      return;
    }
    if (pool.payloadCap === 0 || size === 0) {
      ring[slot + PAYLOAD] = NO_BYTES;
      this.payloadDropped += size;
      if (pool.records > pool.recordBudget) pool.onRecordsOver();
      return;
    }
    const side = (this.side ??= new TimelineSide());
    if (size < SHARED_CHUNK) ring[slot + PAYLOAD] = (side.arena ??= new PayloadArena()).append(bytes);
    else {
      const chunk = direction === 'in' && Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes);
      (side.chunks ??= [])[slot / STRIDE] = chunk;
      ring[slot + PAYLOAD] = HELD_CHUNK;
    }
    this.payloadBytes += size;
    pool.held += size;
    const excess = Math.max(this.payloadBytes - pool.payloadCap, pool.held - pool.limit);
    if (excess > 0) this.trimPayload(excess);
    if (pool.records > pool.recordBudget) pool.onRecordsOver();
  }

  addStatus(timeUs: number, status: string, exitCode: number | string | null, event: string | null): void {
    if (this.released) return;
    const info = (exitCode === null && event === null ? COMMON_STATUSES.get(status) : undefined) ?? { status, exitCode, event };
    // An array of exactly one for the first (a push onto [] would reserve seventeen), or a shared one.
    if (this.statuses === null) this.statuses = (ONLY_STATUS.get(info) as StatusInfo[] | undefined) ?? [info];
    else if (Object.isFrozen(this.statuses)) this.statuses = this.statuses.concat(info);
    else this.statuses.push(info);
    const statuses = this.statuses;
    const slot = this.push(timeUs, TYPE_STATUS, 0);
    const ring = this.ring!;
    ring[slot + PAYLOAD] = this.statusBase + statuses.length - 1;
    ring[slot + BUFFER_AT] = -1;
    ring[slot + PEER] = 0;
    if (this.pool.records > this.pool.recordBudget) this.pool.onRecordsOver();
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
    return this.slice(this.firstIndex, this.held);
  }

  /** The record at INDEX (which must be held), as an object. */
  at(index: number): TimelineRecord {
    const slot = this.slotOf(index);
    const ring = this.ring!;
    const timeUs = ring[slot + TIME]!;
    const type = ring[slot + SIZE_TYPE]! % 4;
    if (type === TYPE_STATUS) return { kind: 'status', index, timeUs, ...this.statusOf(slot) };
    const bufferAt = ring[slot + BUFFER_AT]!;
    return {
      kind: 'data',
      index,
      timeUs,
      direction: type === TYPE_IN ? 'in' : 'out',
      size: Math.floor(ring[slot + SIZE_TYPE]! / 4),
      peer: this.peerOf(ring[slot + PEER]!),
      bufferAt: bufferAt < 0 ? null : bufferAt,
      bytes: this.bytesOf(slot),
      label: this.side?.labels?.get(index) ?? null,
    };
  }

  // Field by field, for scanning many records without making an object for each.

  timeAt(index: number): number {
    return this.ring![this.slotOf(index) + TIME]!;
  }

  /** 'in', 'out' or 'status'. */
  typeAt(index: number): 'in' | 'out' | 'status' {
    const type = this.ring![this.slotOf(index) + SIZE_TYPE]! % 4;
    return type === TYPE_IN ? 'in' : type === TYPE_OUT ? 'out' : 'status';
  }

  bytesAt(index: number): Buffer | null {
    const slot = this.slotOf(index);
    return this.ring![slot + SIZE_TYPE]! % 4 === TYPE_STATUS ? null : this.bytesOf(slot);
  }

  /** A status record's details, null for a data record. */
  statusAt(index: number): StatusInfo | null {
    const slot = this.slotOf(index);
    return this.ring![slot + SIZE_TYPE]! % 4 === TYPE_STATUS ? this.statusOf(slot) : null;
  }

  /** Lets go of everything: the engine no longer keeps this timeline. */
  release(): void {
    if (this.released) return;
    this.released = true;
    this.pool.held -= this.payloadBytes;
    this.pool.records -= this.held;
    this.payloadDropped += this.payloadBytes;
    this.payloadBytes = 0;
    this.dropped += this.held;
    this.held = 0;
    this.start = 0;
    this.ring = null;
    this.ringBuffer = null;
    this.statuses = null;
    this.side = null;
    this.refBuffer = null;
  }

  private slotOf(index: number): number {
    const offset = index - this.firstIndex;
    if (offset < 0 || offset >= this.held) throw new RangeError(`record ${index} is not held`);
    const records = this.ring!.length / STRIDE;
    return ((this.start + offset) % records) * STRIDE;
  }

  private statusOf(slot: number): StatusInfo {
    return this.statuses![this.ring![slot + PAYLOAD]! - this.statusBase]!;
  }

  private bytesOf(slot: number): Buffer | null {
    const ring = this.ring!;
    const payload = ring[slot + PAYLOAD]!;
    const size = Math.floor(ring[slot + SIZE_TYPE]! / 4);
    if (payload <= IN_BUFFER) {
      // Still where it went, unmoved: the same buffer, alive, not shifted since, and not trimmed or cleared past it.
      const buffer = this.refBuffer;
      const at = ring[slot + BUFFER_AT]!;
      const same = IN_BUFFER - payload === this.refGeneration && buffer !== null && buffer.live && buffer.shifts === this.refShifts;
      return same && at >= buffer.origin && at + size <= buffer.end ? buffer.read(at, at + size) : null;
    }
    if (payload === HELD_CHUNK) return this.side?.chunks?.[slot / STRIDE] ?? null;
    const arena = this.side?.arena;
    if (payload < 0 || !arena || payload < arena.start) return null;
    return arena.view(payload, size);
  }

  private peerCode(peer: LispAddress): number {
    const side = (this.side ??= new TimelineSide());
    // The engine hands the same array again for the same sender, so a run of datagrams from one peer is coded once.
    if (peer === side.lastPeer) return side.lastPeerCode;
    let code = packIpv4(peer);
    if (code === 0) {
      if (side.peers && side.peers.length >= 2 * this.pool.capacity + 16) this.compactPeers(side);
      const peers = (side.peers ??= []);
      const serials = (side.peerSerials ??= new Map());
      const key = JSON.stringify(peer);
      let serial = serials.get(key);
      if (serial === undefined) {
        serial = side.peerBase + peers.push(Array.isArray(peer) ? peer.slice() : peer) - 1;
        serials.set(key, serial);
      }
      code = -(serial + 1);
    }
    side.lastPeer = peer;
    side.lastPeerCode = code;
    return code;
  }

  private peerOf(code: number): LispAddress | null {
    if (code === 0) return null;
    if (code > 0) return unpackIpv4(code);
    const side = this.side;
    const peer = side?.peers?.[-code - 1 - side.peerBase];
    return peer === undefined ? null : Array.isArray(peer) ? peer.slice() : peer;
  }

  /** Keeps only the peers held records name, renumbered after the old ones (so no code means two peers). */
  private compactPeers(side: TimelineSide): void {
    const ring = this.ring!;
    const old = side.peers!;
    const base = side.peerBase + old.length;
    const kept: LispAddress[] = [];
    const serials = new Map<string, number>();
    const renumbered = new Map<number, number>();
    for (let index = this.firstIndex; index < this.nextIndex; index++) {
      const slot = this.slotOf(index) + PEER;
      const code = ring[slot]!;
      if (code >= 0) continue;
      let next = renumbered.get(code);
      if (next === undefined) {
        const peer = old[-code - 1 - side.peerBase]!;
        const serial = base + kept.push(peer) - 1;
        serials.set(JSON.stringify(peer), serial);
        next = -(serial + 1);
        renumbered.set(code, next);
      }
      ring[slot] = next;
    }
    side.peers = kept;
    side.peerSerials = serials;
    side.peerBase = base;
    side.lastPeer = null;
  }

  /** Makes room for one record and fills its time and size; returns its slot. */
  private push(timeUs: number, type: number, size: number): number {
    this.startUs ??= timeUs;
    this.nextIndex++;
    const capacity = this.pool.capacity;
    let ring = this.ring;
    let records = ring ? ring.length / STRIDE : 0;
    // A ring that wrapped (start moved) under the budget keeps its size: only a linear one grows in place.
    const mayGrow = this.start === 0 && (this.held === 0 || this.pool.roomForRecords(this));
    if (this.held === records && records < capacity && mayGrow) {
      // Still linear (start is 0 until the ring is full): a bigger array keeps every slot where it was.
      const size = Math.min(Math.max(FIRST_RING, records * 2), capacity) * STRIDE;
      if (this.ringBuffer) this.ringBuffer.resize(size * Float64Array.BYTES_PER_ELEMENT);
      else this.ring = ring = this.grownRing(ring, size);
      records = size / STRIDE;
    }
    let slot: number;
    if (this.held < records) {
      slot = ((this.start + this.held) % records) * STRIDE;
      this.held++;
      this.pool.records++;
    } else {
      slot = this.start * STRIDE;
      // The ring is full, so the record leaving is `records` before the one being added.
      this.side?.labels?.delete(this.nextIndex - 1 - records);
      this.dropOldest(slot);
      this.start = (this.start + 1) % records;
      this.dropped++;
    }
    ring![slot + TIME] = timeUs;
    ring![slot + SIZE_TYPE] = size * 4 + type;
    return slot;
  }

  /** A longer ring of SIZE numbers holding RING's: one that grows in place from here on, once it is long enough. */
  private grownRing(ring: Ring | null, size: number): Ring {
    if (!ring) return new Array<number>(size).fill(0);
    const full = this.pool.capacity * STRIDE;
    const bytes = Float64Array.BYTES_PER_ELEMENT;
    this.ringBuffer = size >= GROW_IN_PLACE_FROM * STRIDE && size < full ? resizableArrayBuffer(size * bytes, full * bytes) : null;
    const grown = this.ringBuffer ? new Float64Array(this.ringBuffer) : new Float64Array(size);
    grown.set(ring);
    return grown;
  }

  /** The record in SLOT (the oldest) leaves the ring: its bytes and status with it. */
  private dropOldest(slot: number): void {
    const ring = this.ring!;
    const type = ring[slot + SIZE_TYPE]! % 4;
    if (type === TYPE_STATUS) {
      const statuses = this.statuses!;
      if (Object.isFrozen(statuses)) this.statuses = statuses.slice(1);
      else statuses.shift();
      this.statusBase++;
      return;
    }
    this.letBytesGo(slot, false);
    if (this.trimFrom <= this.firstIndex) this.trimFrom = this.firstIndex + 1;
  }

  /** The record in SLOT loses its bytes (if it still has them); counted as dropped payload when TRIMMED. */
  private letBytesGo(slot: number, trimmed: boolean): number {
    const ring = this.ring!;
    const payload = ring[slot + PAYLOAD]!;
    const size = Math.floor(ring[slot + SIZE_TYPE]! / 4);
    const side = this.side;
    if (payload === HELD_CHUNK) side!.chunks![slot / STRIDE] = undefined;
    // Bytes read back from the buffer are the buffer's: nothing to let go.
    else if (payload < 0 || !side?.arena || payload < side.arena.start) return 0;
    else side.arena.releaseBefore(payload + size);
    ring[slot + PAYLOAD] = NO_BYTES;
    this.payloadBytes -= size;
    this.pool.held -= size;
    if (trimmed) this.payloadDropped += size;
    return size;
  }

  /** Lets go of the oldest payloads until EXCESS bytes are freed. */
  private trimPayload(excess: number): void {
    let freed = 0;
    for (let index = Math.max(this.trimFrom, this.firstIndex); index < this.nextIndex && freed < excess; index++) {
      this.trimFrom = index;
      const slot = this.slotOf(index);
      if (this.ring![slot + SIZE_TYPE]! % 4 === TYPE_STATUS) continue;
      freed += this.letBytesGo(slot, true);
    }
  }
}
