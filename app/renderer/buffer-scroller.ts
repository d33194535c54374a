/**
 * Scrolling through a buffer of any size while holding only a slice of it.
 * The position is a byte offset (the first row shown) plus a pixel shift
 * within that row, so the wheel moves smoothly row by row and the scroll bar
 * reaches any byte; the bytes around the position are read on demand, at most
 * one read at a time. Plain TypeScript with a subscribe/snapshot pair, so the
 * component stays thin and this logic is tested without a DOM.
 */
import { LIMITS, type BufferRange, type NetprocApi } from '../shared/api.js';
import {
  HEX_ROW_BYTES,
  TEXT_ROW_BYTES,
  previousRowStart,
  rowStartContaining,
  rowsFrom,
  rowsText,
  sliceEnd,
  type Row,
  type RowLayout,
  type Slice,
} from './buffer-rows.js';
import { base64Bytes } from './hex.js';

/** Every row is this tall (the stylesheet says the same), which is what makes pixels and rows convertible. */
export const ROW_HEIGHT_PX = 18;
/** Following reads the tail at most ten times a second: a flood redrawn sixty times a second would take the CPU the engine needs. */
const FOLLOW_INTERVAL_MS = 100;
/** When more than a screenful arrived since the last read, the text scrolls by faster than it can be read: five times a second is enough. */
const FLOOD_FOLLOW_INTERVAL_MS = 200;
/** Away from the tail, new bytes elsewhere in the buffer are picked up at most four times a second. */
const REFRESH_INTERVAL_MS = 250;
/** A read covers this much before and after the first row shown, so a few screens of scrolling need no read. */
const READ_BEHIND = 32 * 1024;
const READ_AHEAD = 64 * 1024;
/** Read again when the slice holds less than this before the first row. */
const KEEP_BEHIND = 8 * 1024;

export interface BufferBounds {
  origin: number;
  end: number;
  revision: number;
}

export interface ScrollerView {
  slice: Slice | null;
  /** Rows to draw from the top of the view (one more than fits, for the partly shown last row). */
  rows: Row[];
  /** Pixels of the first row scrolled out of view. */
  shift: number;
  follow: boolean;
  /** The first byte shown and the buffer's bounds, for the scroll bar. */
  top: number;
  origin: number;
  end: number;
}

type Read = { kind: 'tail' } | { kind: 'around'; offset: number };

export class BufferScroller {
  private slice: Slice | null = null;
  private top = 0;
  private shift = 0;
  private follow = true;
  private rowsFit = 1;
  private bounds: BufferBounds | null = null;
  private shownRevision = -1;
  private reading = false;
  private lastReadAt = 0;
  private timer: ReturnType<typeof setTimeout> | null = null;
  /** Scrolling that ran past the slice, applied when the next read lands. */
  private pendingPixels = 0;
  /** A jump waiting for its bytes: the offset to show and how many rows to show above it. */
  private target: { offset: number; contextRows: number } | null = null;
  private failedRevision: number | null = null;
  private disposed = false;
  private view: ScrollerView;
  private readonly listeners = new Set<() => void>();

  constructor(
    private readonly api: Pick<NetprocApi, 'readBuffer'>,
    readonly name: string,
    readonly layout: RowLayout,
    private readonly onError: (message: string) => void,
  ) {
    this.view = this.makeView();
  }

  readonly subscribe = (listener: () => void): (() => void) => {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  };
  readonly getView = (): ScrollerView => this.view;

  dispose(): void {
    this.disposed = true;
    if (this.timer) clearTimeout(this.timer);
    this.listeners.clear();
  }

  /** The buffer's newest bounds, from the store. */
  setBounds(bounds: BufferBounds): void {
    this.bounds = bounds;
    this.pump();
  }

  setViewportHeight(pixels: number): void {
    const fit = Math.max(1, Math.floor(pixels / ROW_HEIGHT_PX));
    if (fit === this.rowsFit) return;
    this.rowsFit = fit;
    if (this.follow && this.slice) this.placeAtTail();
    this.changed();
  }

  setFollow(follow: boolean): void {
    if (follow === this.follow) return;
    if (follow) this.startFollowing();
    else {
      this.follow = false;
      this.target = null;
      this.pendingPixels = 0;
    }
    this.changed();
  }

  /** Follows the tail from the next read on, dropping any jump or scroll still waiting for bytes. */
  private startFollowing(): void {
    this.follow = true;
    this.target = null;
    this.pendingPixels = 0;
    this.shownRevision = -1;
  }

  /** Scrolls by pixels (the wheel); negative is up. Scrolling up leaves follow mode; scrolling down at the end resumes it. */
  scrollBy(pixels: number): void {
    if (!this.slice || pixels === 0) return;
    if (this.follow) {
      if (pixels > 0) return;
      this.follow = false;
    }
    this.move(this.shift + pixels);
    this.changed();
  }

  scrollRows(rows: number): void {
    this.scrollBy(rows * ROW_HEIGHT_PX);
  }

  /** PageUp / PageDown: a screen less one row, so the row at the edge stays in view. */
  page(direction: 1 | -1): void {
    this.scrollBy(direction * Math.max(1, this.rowsFit - 1) * ROW_HEIGHT_PX);
  }

  /** Shows byte `offset` near the top, with `contextRows` rows above it, and stops following. */
  jumpTo(offset: number, contextRows = 0): void {
    this.follow = false;
    this.pendingPixels = 0;
    this.target = { offset, contextRows };
    if (this.slice && this.covers(this.slice, offset)) this.applyTarget(this.slice);
    this.changed();
  }

  /** The scroll bar: `fraction` 0 is the buffer's first byte, 1 its last. */
  jumpToFraction(fraction: number): void {
    const { origin, end } = this.view;
    this.jumpTo(origin + Math.round(Math.min(1, Math.max(0, fraction)) * Math.max(0, end - origin - 1)));
  }

  /**
   * Where a search starts: past the last match (before it, going backward)
   * while that match is still on screen; otherwise from what the view shows,
   * its first byte going forward and its last going backward, so a search
   * after Home or a scroll looks from there and not from a match the user has
   * left. Undefined while following the tail with no match shown: the whole
   * buffer, as the engine searches by default.
   */
  searchFrom(direction: 'forward' | 'backward', match: Row | null): number | undefined {
    const shown = this.view.rows.slice(0, this.rowsFit);
    const first = shown[0];
    const last = shown[shown.length - 1];
    if (!first || !last) return undefined;
    const onScreen = match !== null && match.start >= first.start && match.start < Math.max(last.end, first.start + 1);
    if (onScreen) return direction === 'forward' ? match.end : match.start;
    if (this.view.follow) return undefined;
    return direction === 'forward' ? first.start : last.end;
  }

  /** The text of the rows in view, as copied; `unibyte` as rowsText takes it. */
  visibleText(unibyte = false): string {
    return this.slice ? rowsText(this.slice, this.layout, this.view.rows.slice(0, this.rowsFit), unibyte) : '';
  }

  /** Moves the top by whole rows and keeps the rest as the shift; `mayWait` keeps what the slice cannot serve for the next read. */
  private move(pixels: number, mayWait = true): void {
    const slice = this.slice as Slice;
    let total = pixels;
    while (total >= ROW_HEIGHT_PX) {
      const { rows, atEnd } = rowsFrom(slice, this.layout, this.top, this.rowsFit + 1);
      if (rows.length > this.rowsFit) {
        this.top = (rows[1] as Row).start;
        total -= ROW_HEIGHT_PX;
      } else if (atEnd) {
        // The last row is at the bottom of the view: going on down means following the tail again.
        total = 0;
        this.startFollowing();
      } else {
        if (mayWait) this.pendingPixels = total;
        total = 0;
      }
    }
    while (total < 0) {
      const previous = previousRowStart(slice, this.layout, this.top);
      if (previous !== null) {
        this.top = previous;
        total += ROW_HEIGHT_PX;
      } else {
        if (mayWait && this.top > slice.origin) this.pendingPixels = total;
        total = 0;
      }
    }
    this.shift = total;
  }

  private covers(slice: Slice, offset: number): boolean {
    const behindOk = slice.start <= Math.max(slice.origin, offset - KEEP_BEHIND);
    const aheadOk = sliceEnd(slice) >= Math.min(slice.end, offset + (this.rowsFit + 2) * this.rowBytes());
    return behindOk && aheadOk && offset >= slice.origin;
  }

  private rowBytes(): number {
    return this.layout === 'hex' ? HEX_ROW_BYTES : TEXT_ROW_BYTES;
  }

  private nextRead(): { read: Read; interval: number } | null {
    const bounds = this.bounds as BufferBounds;
    if (this.target) return { read: { kind: 'around', offset: this.target.offset }, interval: 0 };
    if (this.follow) {
      if (bounds.revision === this.shownRevision) return null;
      const flooding = this.slice !== null && bounds.end - this.slice.end > this.rowsFit * this.rowBytes();
      return { read: { kind: 'tail' }, interval: flooding ? FLOOD_FOLLOW_INTERVAL_MS : FOLLOW_INTERVAL_MS };
    }
    if (!this.slice || !this.covers(this.slice, this.top) || this.pendingPixels !== 0)
      return { read: { kind: 'around', offset: this.top }, interval: 0 };
    if (bounds.revision !== this.shownRevision) return { read: { kind: 'around', offset: this.top }, interval: REFRESH_INTERVAL_MS };
    return null;
  }

  private pump(): void {
    if (this.disposed || this.reading || !this.bounds || this.timer) return;
    if (this.failedRevision === this.bounds.revision) return;
    const next = this.nextRead();
    if (!next) {
      // No read will redraw, but the scroll bar still has to learn the buffer's new size.
      if (this.view.origin !== this.bounds.origin || this.view.end !== this.bounds.end) this.changed();
      return;
    }
    const wait = this.lastReadAt + next.interval - Date.now();
    if (wait > 0) {
      this.timer = setTimeout(() => {
        this.timer = null;
        this.pump();
      }, wait);
      return;
    }
    this.reading = true;
    this.lastReadAt = Date.now();
    const { read } = next;
    const request =
      read.kind === 'tail'
        ? this.api.readBuffer({
            name: this.name,
            tail: Math.min(LIMITS.readBytes, (this.rowsFit + 2) * this.rowBytes() + 1024),
            encoding: 'base64',
          })
        : this.api.readBuffer({
            name: this.name,
            start: Math.max(0, read.offset - READ_BEHIND),
            end: read.offset + READ_AHEAD,
            encoding: 'base64',
          });
    request
      .then((range) => {
        if (this.disposed) return;
        this.failedRevision = null;
        this.land(sliceOf(range), range.revision, read);
      })
      .catch((err: Error) => {
        if (this.disposed) return;
        // One report per state of the buffer, not one per retry.
        this.failedRevision = this.bounds?.revision ?? null;
        this.onError(err.message);
      })
      .finally(() => {
        this.reading = false;
        this.pump();
      });
  }

  private land(slice: Slice, revision: number, read: Read): void {
    this.slice = slice;
    this.shownRevision = revision;
    if (read.kind === 'tail') {
      if (this.follow) this.placeAtTail();
    } else if (this.target) {
      this.applyTarget(slice);
    } else {
      this.top = Math.max(slice.origin, Math.min(this.top, slice.end));
      if (this.top >= slice.end && slice.end > slice.origin) this.top = rowStartContaining(slice, this.layout, slice.end - 1);
      const pending = this.pendingPixels;
      this.pendingPixels = 0;
      if (pending !== 0 && !this.follow) this.move(this.shift + pending, false);
    }
    this.changed();
  }

  private applyTarget(slice: Slice): void {
    const target = this.target as { offset: number; contextRows: number };
    this.target = null;
    this.showFrom(slice, target.offset, target.contextRows);
  }

  /** Puts the buffer's last row at the bottom of the view. */
  private placeAtTail(): void {
    const slice = this.slice as Slice;
    if (slice.end <= slice.origin) {
      this.top = slice.end;
      this.shift = 0;
      return;
    }
    this.showFrom(slice, slice.end - 1, this.rowsFit - 1);
  }

  /** Makes the row holding byte `offset` the first shown, less `rowsAbove` rows (as many as the slice has). */
  private showFrom(slice: Slice, offset: number, rowsAbove: number): void {
    let top = rowStartContaining(slice, this.layout, offset);
    for (let i = 0; i < rowsAbove; i++) {
      const previous = previousRowStart(slice, this.layout, top);
      if (previous === null) break;
      top = previous;
    }
    this.top = top;
    this.shift = 0;
  }

  private makeView(): ScrollerView {
    const slice = this.slice;
    return {
      slice,
      rows: slice ? rowsFrom(slice, this.layout, this.top, this.rowsFit + 1).rows : [],
      shift: this.shift,
      follow: this.follow,
      top: this.top,
      origin: this.bounds?.origin ?? slice?.origin ?? 0,
      end: this.bounds?.end ?? slice?.end ?? 0,
    };
  }

  private changed(): void {
    this.view = this.makeView();
    for (const listener of this.listeners) listener();
    this.pump();
  }
}

function sliceOf(range: BufferRange): Slice {
  return {
    start: range.start,
    bytes: base64Bytes(range.data),
    origin: range.origin,
    end: range.origin + range.length,
    sentinels: range.sentinels,
  };
}
