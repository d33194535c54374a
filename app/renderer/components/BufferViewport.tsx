/** The rows of a buffer in view, drawn from the scroller's slice, with a scroll bar that spans the whole buffer. */
import { memo, useEffect, useId, useState, useRef, useSyncExternalStore, type KeyboardEvent, type PointerEvent } from 'react';
import { hexRowText, rowSegments, type Row, type Slice } from '../buffer-rows.js';
import { ROW_HEIGHT_PX, type BufferScroller } from '../buffer-scroller.js';

interface BufferViewportProps {
  scroller: BufferScroller;
  label: string;
  /** The search match to highlight, absolute byte offsets. */
  match: Row | null;
  /** The process decodes binary or raw-text: bytes at or above 0x80 are shown as octal escapes. */
  unibyte: boolean;
}

const MIN_THUMB_PX = 24;

function overlaps(row: Row, range: Row): boolean {
  return range.start < Math.max(row.end, row.start + 1) && range.end > row.start;
}

function TextRow({ slice, row, match, unibyte }: { slice: Slice; row: Row; match: Row | null; unibyte: boolean }) {
  const segments = rowSegments(slice, row, match, unibyte);
  // A row the sentinel wrote from end to end (its `Process NAME EVENT` line) is set apart as a whole.
  const wholeSentinel = slice.sentinels.some(([s, e]) => s <= row.start && e >= row.end);
  return (
    <div className={wholeSentinel ? 'row sentinel-row' : 'row'}>
      {segments.map((segment, i) =>
        segment.kind === 'match' ? (
          <mark key={i}>{segment.text}</mark>
        ) : segment.kind === 'text' ? (
          segment.text
        ) : (
          <span key={i} className={segment.kind}>
            {segment.text}
          </span>
        ),
      )}
      {'\n'}
    </div>
  );
}

function HexRow({ slice, row, match }: { slice: Slice; row: Row; match: Row | null }) {
  const text = hexRowText(slice, row);
  const sentinel = slice.sentinels.some((span) => overlaps(row, { start: span[0], end: span[1] }));
  return (
    <div className={sentinel ? 'row sentinel-row' : 'row'}>
      {match && overlaps(row, match) ? <mark>{text}</mark> : text}
      {'\n'}
    </div>
  );
}

/** Memoised: its parent renders for the toolbar and the input line, and the rows depend on none of that. */
export const BufferViewport = memo(function BufferViewport({ scroller, label, match, unibyte }: BufferViewportProps) {
  const view = useSyncExternalStore(scroller.subscribe, scroller.getView);
  const box = useRef<HTMLDivElement>(null);
  const track = useRef<HTMLDivElement>(null);
  const logId = useId();
  const [height, setHeight] = useState(0);

  useEffect(() => {
    const el = box.current;
    if (!el) return;
    const measure = (): void => {
      const pixels = el.clientHeight || 20 * ROW_HEIGHT_PX;
      scroller.setViewportHeight(pixels);
      setHeight(pixels);
    };
    measure();
    if (typeof ResizeObserver === 'undefined') return;
    const observer = new ResizeObserver(measure);
    observer.observe(el);
    return () => observer.disconnect();
  }, [scroller]);

  const keys = (event: KeyboardEvent<HTMLElement>): void => {
    const moves: Record<string, () => void> = {
      ArrowUp: () => scroller.scrollRows(-1),
      ArrowDown: () => scroller.scrollRows(1),
      PageUp: () => scroller.page(-1),
      PageDown: () => scroller.page(1),
      Home: () => scroller.jumpTo(view.origin),
      End: () => scroller.setFollow(true),
    };
    const move = moves[event.key];
    if (!move || event.altKey || event.metaKey) return;
    event.preventDefault();
    move();
  };

  const span = Math.max(1, view.end - view.origin);
  const shownBytes = view.rows.length > 0 ? (view.rows[view.rows.length - 1] as Row).end - (view.rows[0] as Row).start : span;
  const thumbFraction = Math.min(1, shownBytes / span);
  const position = view.follow ? 1 : Math.min(1, (view.top - view.origin) / span);
  // The scroll bar runs beside the rows, as tall; measured by the observer, never read during render (that forces a layout).
  const trackHeight = height;
  const thumbPx = Math.max(MIN_THUMB_PX, thumbFraction * trackHeight);
  const thumbTop = Math.max(0, position * (trackHeight - thumbPx));

  const dragTo = (event: PointerEvent<HTMLDivElement>): void => {
    const el = track.current;
    if (!el) return;
    const rect = el.getBoundingClientRect();
    const usable = Math.max(1, rect.height - thumbPx);
    scroller.jumpToFraction((event.clientY - rect.top - thumbPx / 2) / usable);
  };

  return (
    <div className="buffer-viewport">
      <div
        ref={box}
        id={logId}
        role="log"
        aria-live="off"
        aria-label={label}
        tabIndex={0}
        className="buffer-lines"
        onKeyDown={keys}
        onWheel={(event) => {
          if (Math.abs(event.deltaY) <= Math.abs(event.deltaX)) return;
          scroller.scrollBy(
            event.deltaMode === 1 ? event.deltaY * ROW_HEIGHT_PX : event.deltaMode === 2 ? event.deltaY * 20 : event.deltaY,
          );
        }}
      >
        <div className="buffer-rows" style={{ transform: `translateY(${-view.shift}px)` }}>
          {view.slice
            ? // Keyed by place on screen, not by offset: as the tail moves, each row's DOM node takes the new text instead of being replaced.
              view.rows.map((row, place) =>
                scroller.layout === 'hex' ? (
                  <HexRow key={place} slice={view.slice as Slice} row={row} match={match} />
                ) : (
                  <TextRow key={place} slice={view.slice as Slice} row={row} match={match} unibyte={unibyte} />
                ),
              )
            : null}
        </div>
      </div>
      <div
        ref={track}
        className="buffer-scrollbar"
        role="scrollbar"
        aria-label="Position in buffer"
        aria-controls={logId}
        aria-orientation="vertical"
        aria-valuemin={view.origin}
        aria-valuemax={view.end}
        aria-valuenow={view.follow ? view.end : view.top}
        aria-valuetext={`byte ${view.follow ? view.end : view.top} of ${view.end}`}
        tabIndex={0}
        onKeyDown={keys}
        onPointerDown={(event) => {
          event.currentTarget.setPointerCapture?.(event.pointerId);
          dragTo(event);
        }}
        onPointerMove={(event) => {
          if (event.buttons === 1) dragTo(event);
        }}
      >
        {thumbFraction < 1 || view.top > view.origin ? <div className="buffer-thumb" style={{ top: thumbTop, height: thumbPx }} /> : null}
      </div>
    </div>
  );
});
