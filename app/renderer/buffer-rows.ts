/**
 * The buffer view's rows, computed from a slice of bytes the view holds. A row
 * is a line of the buffer (up to and including its newline), or a piece of a
 * long line, or sixteen bytes in the hex view. Rows are found from byte
 * offsets alone, so any place in a 64 MiB buffer can be shown from a slice of
 * a few dozen KiB around it, without counting the lines before it.
 */
import { decodeUtf8ShowingRawBytes, isUtf8Continuation, showUnibyte } from '../shared/raw-bytes.js';
import { hexDump } from './hex.js';

/** Longest text row; a longer line continues on the next row (Emacs would wrap it). */
export const TEXT_ROW_BYTES = 256;
export const HEX_ROW_BYTES = 16;
export type RowLayout = 'text' | 'hex';

/** Bytes the view holds, from absolute offset `start`, and the buffer's bounds when they were read. */
export interface Slice {
  start: number;
  bytes: Uint8Array;
  /** The buffer's first held byte (it moves forward when the cap trims or the buffer is cleared). */
  origin: number;
  /** The buffer's end. */
  end: number;
  /** Byte ranges the default sentinel wrote, within the slice. */
  sentinels: Array<[number, number]>;
}

export interface Row {
  start: number;
  end: number;
}

const NEWLINE = 10;

export function sliceEnd(slice: Slice): number {
  return slice.start + slice.bytes.length;
}

function byteAt(slice: Slice, offset: number): number {
  return slice.bytes[offset - slice.start] as number;
}

/** The start of the row after the one starting at `row`, or null when the slice ends before that row does. */
export function nextRowStart(slice: Slice, layout: RowLayout, row: number): number | null {
  const limit = sliceEnd(slice);
  const reachesEnd = limit >= slice.end;
  if (layout === 'hex') {
    const next = Math.min(row - (row % HEX_ROW_BYTES) + HEX_ROW_BYTES, slice.end);
    return next <= limit ? next : null;
  }
  const stop = Math.min(row + TEXT_ROW_BYTES, limit);
  for (let at = row; at < stop; at++) if (byteAt(slice, at) === NEWLINE) return at + 1;
  if (row + TEXT_ROW_BYTES < limit) {
    // Never cut a character in two: back off onto the byte that starts it.
    let cut = row + TEXT_ROW_BYTES;
    while (cut > row + 1 && isUtf8Continuation(byteAt(slice, cut))) cut--;
    return cut;
  }
  return reachesEnd ? limit : null;
}

/** The start of the row before the one starting at `row`, or null at the buffer's first row or when the slice holds nothing before it. */
export function previousRowStart(slice: Slice, layout: RowLayout, row: number): number | null {
  if (row <= slice.origin || row <= slice.start) return null;
  if (layout === 'hex') {
    const previous = Math.max(row - HEX_ROW_BYTES, slice.origin);
    return previous >= slice.start ? previous : null;
  }
  const lineStart = lineStartBefore(slice, row - 1);
  if (lineStart === null) {
    // The line began before the slice: a row of full width that ends where `row` begins.
    let previous = Math.max(slice.start, row - TEXT_ROW_BYTES);
    while (previous < row - 1 && isUtf8Continuation(byteAt(slice, previous))) previous++;
    return previous;
  }
  return rowStartWalking(slice, lineStart, row - 1);
}

/** The start of the row that holds byte `offset` (clamped into the buffer). */
export function rowStartContaining(slice: Slice, layout: RowLayout, offset: number): number {
  const at = Math.max(slice.origin, Math.min(offset, slice.end - 1));
  if (at <= slice.origin) return slice.origin;
  if (layout === 'hex') return Math.max(slice.origin, at - (at % HEX_ROW_BYTES));
  if (at < slice.start || at >= sliceEnd(slice)) return at;
  const lineStart = lineStartBefore(slice, at);
  if (lineStart !== null) return rowStartWalking(slice, lineStart, at);
  let row = at;
  while (row > slice.start && isUtf8Continuation(byteAt(slice, row))) row--;
  return row;
}

/** Where the line holding byte `at` starts, or null when that is before the slice. */
function lineStartBefore(slice: Slice, at: number): number | null {
  let scan = at - 1;
  while (scan >= slice.start && byteAt(slice, scan) !== NEWLINE) scan--;
  if (scan >= slice.start) return scan + 1;
  return slice.start <= slice.origin ? slice.start : null;
}

function rowStartWalking(slice: Slice, lineStart: number, at: number): number {
  let row = lineStart;
  for (;;) {
    const next = nextRowStart(slice, 'text', row);
    if (next === null || next > at) return row;
    row = next;
  }
}

/** Up to `count` rows from `top`; `atEnd` says the last one reaches the buffer's end (no more rows exist). */
export function rowsFrom(slice: Slice, layout: RowLayout, top: number, count: number): { rows: Row[]; atEnd: boolean } {
  const rows: Row[] = [];
  let row = top;
  while (rows.length < count) {
    if (row >= slice.end) return { rows, atEnd: true };
    if (row < slice.start) return { rows, atEnd: false };
    const next = nextRowStart(slice, layout, row);
    if (next === null) return { rows, atEnd: false };
    rows.push({ start: row, end: next });
    row = next;
  }
  return { rows, atEnd: row >= slice.end };
}

export type SegmentKind = 'text' | 'control' | 'sentinel' | 'match';
export interface Segment {
  text: string;
  kind: SegmentKind;
}

/** Control characters as Emacs shows them (`^M`, `^@`, `^?`); tabs stay tabs. */
function withControls(text: string, kind: SegmentKind, out: Segment[]): void {
  let plain = '';
  for (const char of text) {
    const code = char.charCodeAt(0);
    if ((code < 0x20 && char !== '\t') || code === 0x7f) {
      if (plain) out.push({ text: plain, kind });
      plain = '';
      out.push({ text: '^' + String.fromCharCode(code ^ 0x40), kind: kind === 'text' ? 'control' : kind });
    } else plain += char;
  }
  if (plain) out.push({ text: plain, kind });
}

/** Text as the buffer view draws it, control characters apart (`^M`): also the traffic view's previews. */
export function controlSegments(text: string): Segment[] {
  const out: Segment[] = [];
  withControls(text, 'text', out);
  return out;
}

/**
 * A text row as segments to draw: the peer's text, control characters,
 * sentinel lines and the current search match each apart. The row's own
 * newline is not drawn.
 */
export function rowSegments(slice: Slice, row: Row, match: Row | null, unibyte = false): Segment[] {
  const show = unibyte ? showUnibyte : decodeUtf8ShowingRawBytes;
  let end = row.end;
  if (end > row.start && byteAt(slice, end - 1) === NEWLINE) end--;
  const cuts = new Set<number>([row.start, end]);
  const marked: Array<[number, number, SegmentKind]> = slice.sentinels.map(([s, e]) => [s, e, 'sentinel']);
  if (match) marked.push([match.start, match.end, 'match']);
  for (const [s, e] of marked) {
    if (s > row.start && s < end) cuts.add(s);
    if (e > row.start && e < end) cuts.add(e);
  }
  const points = [...cuts].sort((a, b) => a - b);
  const out: Segment[] = [];
  for (let i = 0; i + 1 < points.length; i++) {
    const from = points[i] as number;
    const to = points[i + 1] as number;
    // A match outranks the sentinel it may fall in.
    let kind: SegmentKind = 'text';
    for (const [s, e, k] of marked) if (s <= from && e >= to && (kind === 'text' || k === 'match')) kind = k;
    const text = show(slice.bytes.subarray(from - slice.start, to - slice.start));
    withControls(text, kind, out);
  }
  return out;
}

/** A hex row: offset, sixteen bytes and their ASCII, lined up on the buffer's own offsets. */
export function hexRowText(slice: Slice, row: Row): string {
  return hexDump(slice.bytes.subarray(row.start - slice.start, row.end - slice.start), row.start)[0] ?? '';
}

/** Plain text of rows, for copying what the view shows. */
export function rowsText(slice: Slice, layout: RowLayout, rows: Row[], unibyte = false): string {
  const first = rows[0];
  const last = rows[rows.length - 1];
  if (!first || !last) return '';
  if (layout === 'hex') return rows.map((row) => hexRowText(slice, row)).join('\n');
  return (unibyte ? showUnibyte : decodeUtf8ShowingRawBytes)(slice.bytes.subarray(first.start - slice.start, last.end - slice.start));
}
