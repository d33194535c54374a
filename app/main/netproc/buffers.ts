/**
 * Process buffers. A buffer is a named, bounded store of UTF-8 bytes with
 * Emacs-style markers (each process's mark). Positions are absolute byte
 * offsets that never go back: trimming the head (the cap) or clearing moves
 * `origin` forward, so a reader holding an offset can tell what it missed.
 */
import { decodeUtf8ShowingRawBytes } from '../../shared/raw-bytes.js';
import { invalidArgument } from './errors.js';
import type { NetworkProcess } from './process.js';
import { searchBuffer, type ByteRange, type SearchOptions, type SearchPattern } from './search.js';

export { decodeUtf8ShowingRawBytes };

export const DEFAULT_BUFFER_CAP = 64 * 1024 * 1024;
export const DEFAULT_BUFFER_BUDGET = 1024 * 1024 * 1024;
/** How many buffers without a process are kept (a connect-and-close flood leaves one per connection, however empty). */
export const DEFAULT_PROCESSLESS_BUFFER_LIMIT = 10_000;

/** Appends smaller than this are copied into a shared tail block instead of kept as their own chunk. */
const SMALL_APPEND = 2048;
/**
 * Tail blocks start small, so thousands of quiet buffers stay cheap (a held
 * connection that said one line keeps just that line: see append), and
 * double up to this size.
 */
const FIRST_TAIL_BLOCK = 64;
const LARGEST_TAIL_BLOCK = 64 * 1024;
/** Sentinel spans kept per buffer; older ones lose their highlight, never their text. */
const MOST_SENTINEL_SPANS = 4096;

export interface Marker {
  /** Absolute byte offset; null when the marker points nowhere. */
  position: number | null;
  /** Emacs's marker insertion type: true = advances when text is inserted at it. */
  insertionType: boolean;
}

export interface BufferChange {
  buffer: NetprocBuffer;
  /** Bytes added by this change (0 for clear). */
  inserted: number;
  /** How the number of bytes held changed (inserts less what the cap trimmed; negative for clear, trim, kill). */
  delta: number;
}

/** The sentinel spans of every buffer that has none: frozen, so that only markSentinel, which replaces it first, adds one. */
const NO_SPANS = Object.freeze([]) as unknown as Array<[number, number]>;

/** Orders buffers by their last insert strictly (the clock's milliseconds tie under a flood). */
let insertStamps = 0;

/** The users of every buffer that has none: frozen, so that only the engine's attach, which replaces it first, adds one. */
const NO_USERS = Object.freeze([]) as unknown as NetworkProcess[];

export class NetprocBuffer {
  private chunks: Buffer[] = [];
  private chunkStarts: number[] = [];
  private head = 0;
  private tailBlock: Buffer | null = null;
  private tailUsed = 0;
  /**
   * The last chunk's view ends short of tailUsed: a small append only copies
   * into the tail block, and the view is made again when the chunks are read
   * (syncTail). Making it per append showed in profiles of a datagram blast.
   */
  private tailStale = false;
  /** Usually one (the process mark); an array costs a fraction of a Set's table. */
  private markers: Marker[] = [];
  /** Where the default sentinel inserted its `Process NAME EVENT` lines: [start, end) pairs in order (NO_SPANS until the first). */
  private sentinelSpans: Array<[number, number]> = NO_SPANS;
  private _origin = 0;
  private _end = 0;
  private _trimmedBytes = 0;
  private _revision = 0;
  private _shifts = 0;
  private _live = true;
  private _changedAt = 0;
  private _changedTime = 0;
  /**
   * @internal The processes given this buffer, kept by the engine (attachBuffer) so
   * that "whose buffer is this" needs no walk of the process table. A
   * candidate list: the engine checks each is still listed and still uses it.
   */
  users: NetworkProcess[] = NO_USERS;
  /**
   * @internal Once no process uses the buffer, the one that last did, as it
   * left the process table: the buffer outlives it, as in Emacs, and still
   * says whose it was (its server and peer, its final status). Null while a
   * process uses it, and after a kill.
   */
  lastProcess: NetworkProcess | null = null;
  /** Bytes held as last reported through onChange, so each report carries the difference. */
  private reportedLength = 0;
  /** Made when a search first asks for it: most buffers are never searched. */
  private killed: AbortController | null = null;

  constructor(
    readonly name: string,
    private cap: number,
    private readonly onChange: (change: BufferChange) => void,
  ) {}

  /** Absolute offset of the first byte still held. */
  get origin(): number {
    return this._origin;
  }
  /** Absolute offset just past the last byte. */
  get end(): number {
    return this._end;
  }
  get length(): number {
    return this._end - this._origin;
  }
  /** Bytes dropped from the head because the buffer exceeded its cap. */
  get trimmedBytes(): number {
    return this._trimmedBytes;
  }
  get revision(): number {
    return this._revision;
  }
  /** Inserts made before the end: each moves the bytes after it, so offsets taken before it may no longer name the same bytes. */
  get shifts(): number {
    return this._shifts;
  }
  get live(): boolean {
    return this._live;
  }
  get byteCap(): number {
    return this.cap;
  }
  /** Increases with every insert into any buffer: the buffer budget gives up the stalest (smallest) first. */
  get changedAt(): number {
    return this._changedAt;
  }
  /** When the text last changed (an insert, a trim, a clear), in milliseconds since the epoch; 0 if never. */
  get changedTime(): number {
    return this._changedTime;
  }

  setCap(cap: number): void {
    if (!Number.isInteger(cap) || cap < 1) throw invalidArgument('bufferCap', 'Buffer cap must be a positive integer');
    this.cap = cap;
    if (this.length > cap) {
      this.trimTo(cap);
      this.changed(0);
    }
  }

  /** Drops the oldest bytes so that at most `keep` remain, as the cap does; the cap itself stays. */
  trimHead(keep: number): void {
    if (this.length <= keep) return;
    this.trimTo(Math.max(0, keep));
    this.changed(0);
  }

  createMarker(position: number | null = this._end, insertionType = false): Marker {
    const marker: Marker = { position, insertionType };
    if (this.markers.length === 0) this.markers = [marker];
    else this.markers.push(marker);
    return marker;
  }

  releaseMarker(marker: Marker): void {
    const i = this.markers.indexOf(marker);
    if (i >= 0) this.markers.splice(i, 1);
  }

  /**
   * Inserts bytes at an absolute position (clamped into the buffer). With
   * `beforeMarkers`, markers at that position advance too, as Emacs's
   * insert-before-markers does for process output. Returns where the bytes
   * landed, or null when nothing was inserted.
   */
  insert(position: number, bytes: Buffer, beforeMarkers: boolean): number | null {
    if (!this._live || bytes.length === 0) return null;
    const at = Math.min(Math.max(position, this._origin), this._end);
    const n = bytes.length;
    if (at === this._end) this.append(bytes);
    else {
      this.insertInside(at, bytes);
      for (const span of this.sentinelSpans) {
        if (span[0] >= at) span[0] += n;
        if (span[1] > at) span[1] += n;
      }
    }
    for (const marker of this.markers) {
      const p = marker.position;
      if (p === null) continue;
      if (p > at || (p === at && (beforeMarkers || marker.insertionType))) marker.position = p + n;
    }
    this._end += n;
    if (this.length > this.cap) this.trimTo(this.cap);
    this.changed(n);
    return at;
  }

  /** Records [start, end) as sentinel text, so a view can set `Process NAME EVENT` lines apart from the peer's bytes. */
  markSentinel(start: number, end: number): void {
    const from = Math.max(start, this._origin);
    const to = Math.min(end, this._end);
    if (to <= from) return;
    if (this.sentinelSpans === NO_SPANS) this.sentinelSpans = [];
    let i = this.sentinelSpans.length;
    while (i > 0 && (this.sentinelSpans[i - 1] as [number, number])[0] > from) i--;
    this.sentinelSpans.splice(i, 0, [from, to]);
    if (this.sentinelSpans.length > MOST_SENTINEL_SPANS) this.sentinelSpans.shift();
  }

  /** Sentinel spans that overlap [start, end), clipped to it. */
  sentinelSpansIn(start: number, end: number): Array<[number, number]> {
    const out: Array<[number, number]> = [];
    for (const [from, to] of this.sentinelSpans) {
      if (from >= end) break;
      if (to > start) out.push([Math.max(from, start), Math.min(to, end)]);
    }
    return out;
  }

  /** Bytes in [start, end), absolute offsets, clamped to what is held. */
  read(start = this._origin, end = this._end): Buffer {
    const from = Math.max(start, this._origin);
    const to = Math.min(end, this._end);
    if (to <= from) return Buffer.alloc(0);
    const parts = this.views(from, to);
    return parts.length === 1 ? (parts[0] as Buffer) : Buffer.concat(parts, to - from);
  }

  /**
   * The bytes of [start, end) (absolute, clamped) as views of the storage,
   * without copying. Stored bytes are never written over (appends go past the
   * end of a tail block, inserts and trims make new views), so a view taken
   * now still reads the same bytes later.
   */
  views(start = this._origin, end = this._end): Buffer[] {
    const from = Math.max(start, this._origin);
    const to = Math.min(end, this._end);
    const parts: Buffer[] = [];
    if (to <= from) return parts;
    this.syncTail();
    for (let i = this.chunkIndexAt(from); i < this.chunks.length; i++) {
      const chunkStart = this.chunkStarts[i] as number;
      const chunk = this.chunks[i] as Buffer;
      if (chunkStart >= to) break;
      parts.push(chunk.subarray(Math.max(0, from - chunkStart), Math.min(chunk.length, to - chunkStart)));
    }
    return parts;
  }

  /** Text in [start, end): UTF-8, with bytes that are not UTF-8 shown as Emacs shows raw bytes (`\351`). */
  text(start?: number, end?: number): string {
    return decodeUtf8ShowingRawBytes(this.read(start, end));
  }

  /**
   * Finds `pattern` from absolute offset `from`: forward, the first match
   * starting at or after it; backward, as Emacs's re-search-backward, the
   * match starting latest among those ending by it. Runs off the main thread
   * with a deadline (see search.ts); answers absolute byte offsets, or null.
   */
  search(pattern: SearchPattern, from: number, backward = false, options?: SearchOptions): Promise<ByteRange | null> {
    return searchBuffer(this, pattern, from, backward, options);
  }

  /** Aborted when the buffer is killed, so a search of it stops at once. */
  get killedSignal(): AbortSignal {
    if (!this.killed) {
      this.killed = new AbortController();
      if (!this._live) this.killed.abort();
    }
    return this.killed.signal;
  }

  /** Erases the text (erase-buffer); offsets keep growing, markers move to the new start. */
  clear(): void {
    const removed = this.length;
    this.resetStorage();
    this._origin = this._end;
    for (const marker of this.markers) if (marker.position !== null) marker.position = this._end;
    if (removed > 0) this.changed(0);
  }

  /** kill-buffer: the buffer stops taking text; its name becomes free. */
  kill(): void {
    this._live = false;
    this.users = NO_USERS;
    this.lastProcess = null;
    this.killed?.abort();
    this.resetStorage();
    this._origin = this._end;
    this.changed(0);
  }

  private resetStorage(): void {
    this.sentinelSpans = NO_SPANS;
    this.chunks = [];
    this.chunkStarts = [];
    this.head = 0;
    this.tailBlock = null;
    this.tailUsed = 0;
    this.tailStale = false;
  }

  private changed(inserted: number): void {
    this._revision++;
    // About 35 ns a change, measured against a 4 KiB insert's whole path; the buffer list shows it.
    this._changedTime = Date.now();
    if (inserted > 0) this._changedAt = ++insertStamps;
    const delta = this.length - this.reportedLength;
    this.reportedLength = this.length;
    this.onChange({ buffer: this, inserted, delta });
  }

  private append(bytes: Buffer): void {
    if (bytes.length < SMALL_APPEND) {
      const block = this.tailBlock;
      if (block && this.tailUsed + bytes.length <= block.length) {
        // TypedArray set: Buffer#copy makes a view of the source on every call, which showed in profiles of small datagrams.
        block.set(bytes, this.tailUsed);
        this.tailUsed += bytes.length;
        this.tailStale = true;
        return;
      }
      this.syncTail();
      // A buffer's first text gets a block of its own size, which is its chunk too: a held connection that said
      // one line keeps one Buffer object (about 100 bytes), not a block and a view of it. Later blocks leave room.
      const size = block ? Math.min(LARGEST_TAIL_BLOCK, Math.max(FIRST_TAIL_BLOCK, block.length * 2, bytes.length)) : bytes.length;
      const fresh = Buffer.allocUnsafe(size);
      fresh.set(bytes, 0);
      this.tailBlock = fresh;
      this.tailUsed = bytes.length;
      this.pushChunk(size === bytes.length ? fresh : fresh.subarray(0, bytes.length));
      return;
    }
    this.syncTail();
    this.tailBlock = null;
    this.pushChunk(bytes);
  }

  private pushChunk(chunk: Buffer): void {
    if (this.chunks.length === 0) {
      // The first chunk gets arrays of exactly one: a push would reserve seventeen, twice per quiet buffer.
      this.chunks = [chunk];
      this.chunkStarts = [this._end];
      return;
    }
    this.chunks.push(chunk);
    this.chunkStarts.push(this._end);
  }

  /** Makes the last chunk's view cover what small appends have copied into the tail block since it was made. */
  private syncTail(): void {
    if (!this.tailStale) return;
    this.tailStale = false;
    const block = this.tailBlock as Buffer;
    const last = this.chunks.length - 1;
    // It begins where it began in the block (further in only if its head was trimmed), and ends at tailUsed.
    this.chunks[last] = block.subarray((this.chunks[last] as Buffer).byteOffset - block.byteOffset, this.tailUsed);
  }

  private insertInside(at: number, bytes: Buffer): void {
    this._shifts++;
    this.syncTail();
    this.tailBlock = null;
    const i = this.chunkIndexAt(at);
    const chunk = this.chunks[i] as Buffer;
    const chunkStart = this.chunkStarts[i] as number;
    const offset = at - chunkStart;
    const pieces = offset === 0 ? [bytes, chunk] : [chunk.subarray(0, offset), bytes, chunk.subarray(offset)];
    const starts = offset === 0 ? [at, at + bytes.length] : [chunkStart, at, at + bytes.length];
    this.chunks.splice(i, 1, ...pieces);
    this.chunkStarts.splice(i, 1, ...starts);
    for (let j = i + pieces.length; j < this.chunkStarts.length; j++) this.chunkStarts[j] = (this.chunkStarts[j] as number) + bytes.length;
  }

  private trimTo(cap: number): void {
    const newOrigin = this._end - cap;
    while (this.head < this.chunks.length) {
      if (this.head === this.chunks.length - 1) this.syncTail();
      const chunk = this.chunks[this.head] as Buffer;
      const start = this.chunkStarts[this.head] as number;
      if (start + chunk.length <= newOrigin) {
        this.head++;
        continue;
      }
      if (start < newOrigin) {
        this.chunks[this.head] = chunk.subarray(newOrigin - start);
        this.chunkStarts[this.head] = newOrigin;
      }
      break;
    }
    if (this.head >= this.chunks.length) this.tailBlock = null;
    if (this.head > 256 && this.head * 2 > this.chunks.length) {
      this.chunks.splice(0, this.head);
      this.chunkStarts.splice(0, this.head);
      this.head = 0;
    }
    this._trimmedBytes += newOrigin - this._origin;
    this._origin = newOrigin;
    while (this.sentinelSpans.length > 0 && (this.sentinelSpans[0] as [number, number])[1] <= newOrigin) this.sentinelSpans.shift();
    const first = this.sentinelSpans[0];
    if (first && first[0] < newOrigin) first[0] = newOrigin;
    for (const marker of this.markers) if (marker.position !== null && marker.position < newOrigin) marker.position = newOrigin;
  }

  /** Index of the chunk holding absolute offset `position` (binary search over live chunks). */
  private chunkIndexAt(position: number): number {
    let lo = this.head;
    let hi = this.chunks.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if ((this.chunkStarts[mid] as number) <= position) lo = mid;
      else hi = mid - 1;
    }
    return lo;
  }
}

/** The set of live buffers, by name (get-buffer-create / kill-buffer), and the bytes they hold together. */
export class BufferRegistry {
  private readonly byName = new Map<string, NetprocBuffer>();
  private total = 0;
  private readonly onChange: (change: BufferChange) => void;

  constructor(
    private readonly defaultCap: number,
    onChange: (change: BufferChange) => void,
    private readonly onCreate: (buffer: NetprocBuffer) => void = () => undefined,
  ) {
    // Every change in length passes through a buffer's change report, so the total is kept there, in O(1).
    this.onChange = (change) => {
      this.total += change.delta;
      onChange(change);
    };
  }

  /** Bytes held by all live buffers together. */
  get totalBytes(): number {
    return this.total;
  }

  get(name: string): NetprocBuffer | undefined {
    return this.byName.get(name);
  }

  getOrCreate(name: string): NetprocBuffer {
    let buffer = this.byName.get(name);
    if (!buffer) {
      buffer = new NetprocBuffer(name, this.defaultCap, this.onChange);
      this.byName.set(name, buffer);
      // Announced though empty: a view lists every live buffer, not only those that have text.
      this.onChange({ buffer, inserted: 0, delta: 0 });
      this.onCreate(buffer);
    }
    return buffer;
  }

  get size(): number {
    return this.byName.size;
  }

  remove(buffer: NetprocBuffer): void {
    if (this.byName.get(buffer.name) === buffer) this.byName.delete(buffer.name);
  }

  all(): NetprocBuffer[] {
    return [...this.byName.values()];
  }
}
