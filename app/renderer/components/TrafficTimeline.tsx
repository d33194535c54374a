/**
 * A process's traffic timeline (a server's: with its connections'): every
 * chunk in and out with its time, direction, size, peer and first bytes,
 * status changes inline, filtered by direction and by bytes contained.
 * Virtualised (TanStack Virtual), so 100,000 rows scroll as ten; rows are
 * read from the contract a page at a time as they come into view
 * (timeline-feed.ts). Arrow keys, PageUp/PageDown, Home/End move through the
 * rows; Enter or a click on a received chunk shows its bytes in the buffer.
 */
import { useVirtualizer } from '@tanstack/react-virtual';
import {
  memo,
  useCallback,
  useEffect,
  useLayoutEffect,
  useMemo,
  useRef,
  useState,
  useSyncExternalStore,
  type KeyboardEvent,
  type MouseEvent,
} from 'react';
import type { NetprocApi, TimelineEntry } from '../../shared/api.js';
import { controlSegments } from '../buffer-rows.js';
import {
  clockTime,
  connectionNameParts,
  relativeTime,
  statusText,
  TimelineFeed,
  type TimelineFilterChoice,
  type TimelineState,
} from '../timeline-feed.js';
import { Segmented } from './ui/Segmented.js';

/** Every row is exactly this tall (the virtualiser's estimate is then exact). */
export const TIMELINE_ROW_PX = 20;
/** How long typing in the filter pauses before the filter is applied. */
const FILTER_PAUSE_MS = 250;

const DIRECTIONS = [
  { value: 'all' as const, label: 'All' },
  { value: 'in' as const, label: 'In' },
  { value: 'out' as const, label: 'Out' },
];

interface Props {
  api: NetprocApi;
  processId: number;
  processName: string;
  /** Shows a received chunk's bytes in the buffer view. */
  onJump(entry: TimelineEntry): void;
}

const numberFormat = new Intl.NumberFormat('en');

/** A chunk's first bytes as the buffer view draws them: control characters as `^M`, set apart. */
function Preview({ text }: { text: string }) {
  return (
    <>
      {controlSegments(text).map((segment, i) =>
        segment.kind === 'control' ? (
          <span key={i} className="control">
            {segment.text}
          </span>
        ) : (
          segment.text
        ),
      )}
    </>
  );
}

/**
 * Who a row is with: a datagram's peer, or in a server's view the connection.
 * A connection's address (its port tells it from its siblings) always shows;
 * the server's name before it gives way first.
 */
function Peer({ entry, showProcess }: { entry: TimelineEntry; showProcess: boolean }) {
  const name = entry.peer ?? (showProcess ? entry.processName : '');
  const parts = entry.peer === null ? connectionNameParts(name) : null;
  if (!parts)
    return (
      <div role="gridcell" className="tl-peer" title={name || undefined}>
        {name}
      </div>
    );
  return (
    <div role="gridcell" className="tl-peer tl-conn" title={name}>
      <span className="tl-conn-server">{parts.server} </span>
      <span className="tl-conn-address">{parts.address}</span>
    </div>
  );
}

interface RowProps {
  entry: TimelineEntry | undefined;
  position: number;
  /** 1-based, counting the header row, as aria-rowindex wants. */
  rowIndex: number;
  top: number;
  startUs: number | null;
  active: boolean;
  showProcess: boolean;
}

/**
 * One row. Memoised, and with no handler of its own (clicks are taken by the
 * rows' container, which reads data-position): scrolling mounts the rows
 * that come into view and leaves the others alone.
 */
const Row = memo(function Row({ entry, position, rowIndex, top, startUs, active, showProcess }: RowProps) {
  const common = {
    role: 'row',
    id: `timeline-row-${position}`,
    'data-position': position,
    'aria-rowindex': rowIndex,
    'aria-selected': active,
    style: { transform: `translateY(${top}px)` },
  } as const;
  if (!entry)
    return (
      <div {...common} className="tl-row">
        <div role="gridcell" className="tl-loading">
          …
        </div>
      </div>
    );
  const time = (
    <>
      <div role="gridcell" className="tl-time">
        {clockTime(entry.timeUs)}
      </div>
      <div role="gridcell" className="tl-rel">
        {relativeTime(entry.timeUs, startUs)}
      </div>
    </>
  );
  if (entry.kind !== 'data')
    return (
      <div {...common} className="tl-row tl-status">
        {time}
        <div role="gridcell" className="tl-event">
          <span aria-hidden>●</span>
          {showProcess ? `${entry.processName}: ` : ''}
          {statusText(entry)}
        </div>
      </div>
    );
  const incoming = entry.direction === 'in';
  return (
    <div
      {...common}
      className={`tl-row ${incoming ? 'tl-in' : 'tl-out'}`}
      title={incoming && entry.bufferAt !== null ? 'Show these bytes in the buffer' : undefined}
    >
      {time}
      <div role="gridcell" className="tl-dir" aria-label={incoming ? 'received' : 'sent'}>
        {incoming ? '↓in' : '↑out'}
      </div>
      <div role="gridcell" className="tl-size">
        {numberFormat.format(entry.size)}
      </div>
      <Peer entry={entry} showProcess={showProcess} />
      <div role="gridcell" className="tl-data">
        {entry.label !== null ? (
          <span className="tl-label" title={`Sent by ${entry.label}`}>
            {entry.label}
          </span>
        ) : null}
        {entry.bytesKept ? <Preview text={entry.preview} /> : <span className="tl-gone">(bytes no longer held)</span>}
      </div>
    </div>
  );
});

interface GridProps {
  feed: TimelineFeed;
  state: TimelineState;
  processId: number;
  processName: string;
  follow: boolean;
  setFollow(follow: boolean): void;
  /** A row was chosen (click, or Enter on the active row). */
  onPick(position: number): void;
}

/**
 * The rows, in a component of their own: scrolling re-renders only this
 * (the virtualiser's range changes), never the filter bar above it.
 */
const TimelineGrid = memo(function TimelineGrid({ feed, state, processId, processName, follow, setFollow, onPick }: GridProps) {
  const [active, setActive] = useState<number | null>(null);
  const scrollRef = useRef<HTMLDivElement>(null);
  const count = Math.max(0, state.end - state.first);
  useEffect(() => setActive(null), [feed]);

  const virtualizer = useVirtualizer({
    count,
    getScrollElement: () => scrollRef.current,
    estimateSize: () => TIMELINE_ROW_PX,
    overscan: 8,
  });
  const items = virtualizer.getVirtualItems();
  const slots = Math.max(64, items.length);
  const firstShown = items[0]?.index ?? 0;
  const lastShown = items[items.length - 1]?.index ?? 0;
  useEffect(() => {
    if (count > 0) feed.show(state.first + firstShown, state.first + lastShown);
  }, [feed, state.first, firstShown, lastShown, count]);

  // Records leaving the front move every row up: the rows in view stay put unless following the end.
  const shownFirst = useRef(state.first);
  useLayoutEffect(() => {
    const moved = state.first - shownFirst.current;
    shownFirst.current = state.first;
    const el = scrollRef.current;
    if (moved > 0 && el && !follow) el.scrollTop = Math.max(0, el.scrollTop - moved * TIMELINE_ROW_PX);
  }, [state.first, follow]);
  useEffect(() => {
    if (follow && count > 0) virtualizer.scrollToIndex(count - 1, { align: 'end' });
  }, [follow, count, virtualizer]);

  const pick = (position: number): void => {
    setActive(position);
    onPick(position);
  };

  const moveTo = (position: number): void => {
    const clamped = Math.min(Math.max(position, state.first), state.end - 1);
    if (clamped < state.first) return;
    setActive(clamped);
    setFollow(clamped === state.end - 1);
    virtualizer.scrollToIndex(clamped - state.first, { align: 'auto' });
  };

  const keys = (event: KeyboardEvent<HTMLDivElement>): void => {
    const here = active ?? (follow ? state.end - 1 : state.first + firstShown);
    const pageRows = Math.max(1, lastShown - firstShown - 1);
    const moves: Record<string, () => void> = {
      ArrowDown: () => moveTo(active === null ? here : here + 1),
      ArrowUp: () => moveTo(active === null ? here : here - 1),
      PageDown: () => moveTo(here + pageRows),
      PageUp: () => moveTo(here - pageRows),
      Home: () => moveTo(state.first),
      End: () => moveTo(state.end - 1),
      Enter: () => active !== null && pick(active),
    };
    const move = moves[event.key];
    if (!move || count === 0) return;
    event.preventDefault();
    move();
  };

  const activeRendered = active !== null && items.some((item) => item.index === active - state.first);
  // A server's view names the connection of each row; a process's own view does not need to.
  const aggregated = items.some((item) => {
    const entry = feed.entry(state.first + item.index);
    return entry !== undefined && entry.processId !== processId;
  });
  // The Peer column is wide only when a row has something to put there (a connection, a datagram's peer).
  const peers = aggregated || items.some((item) => feed.entry(state.first + item.index)?.peer != null);
  const filtered = feed.filter.direction !== null || feed.filter.query !== '';

  return (
    <div
      role="grid"
      aria-label={`Traffic timeline of ${processName}`}
      aria-rowcount={count + 1}
      aria-keyshortcuts="ArrowUp ArrowDown PageUp PageDown Home End Enter"
      aria-activedescendant={activeRendered ? `timeline-row-${active}` : undefined}
      tabIndex={0}
      className={peers ? 'tl-grid tl-grid-peers' : 'tl-grid'}
      onKeyDown={keys}
    >
      <div role="rowgroup" className="tl-head">
        <div role="row" className="tl-row" aria-rowindex={1}>
          <div role="columnheader" className="tl-time">
            Time
          </div>
          <div role="columnheader" className="tl-rel">
            Since start (s)
          </div>
          <div role="columnheader" className="tl-dir">
            Dir
          </div>
          <div role="columnheader" className="tl-size">
            Bytes
          </div>
          <div role="columnheader" className="tl-peer">
            {aggregated ? 'Peer / connection' : 'Peer'}
          </div>
          <div role="columnheader" className="tl-data">
            Data
          </div>
        </div>
      </div>
      <div
        ref={scrollRef}
        role="rowgroup"
        className="tl-body"
        onScroll={(e) => {
          const el = e.currentTarget;
          const atEnd = el.scrollTop + el.clientHeight >= el.scrollHeight - TIMELINE_ROW_PX;
          if (!atEnd && follow) setFollow(false);
        }}
        onWheel={() => follow && setFollow(false)}
        onClick={(event: MouseEvent<HTMLDivElement>) => {
          const row = (event.target as HTMLElement).closest<HTMLElement>('[data-position]');
          if (row) pick(Number(row.dataset.position));
        }}
      >
        {count === 0 && state.loaded ? (
          <div className="tl-empty" role="row">
            <div role="gridcell">{filtered ? 'No record matches the filter.' : 'No traffic yet.'}</div>
          </div>
        ) : null}
        <div style={{ height: virtualizer.getTotalSize(), position: 'relative' }}>
          {items.map((item) => {
            const position = state.first + item.index;
            return (
              <Row
                // Keyed by slot, not by record: a row scrolled out is reused for the one scrolled in (its text
                // changes, no element is made or removed), so a fast scroll costs updates, not mounts.
                key={item.index % slots}
                entry={feed.entry(position)}
                position={position}
                rowIndex={item.index + 2}
                top={item.start}
                startUs={state.startUs}
                active={active === position}
                showProcess={aggregated}
              />
            );
          })}
        </div>
      </div>
    </div>
  );
});

export function TrafficTimeline({ api, processId, processName, onJump }: Props) {
  const [direction, setDirection] = useState<'all' | 'in' | 'out'>('all');
  const [query, setQuery] = useState('');
  const [mode, setMode] = useState<'text' | 'hex'>('text');
  const [applied, setApplied] = useState<TimelineFilterChoice>({ direction: null, query: '', mode: 'text' });
  const [follow, setFollow] = useState(true);
  const [note, setNote] = useState<string | null>(null);

  // The text filter waits for a pause in typing; direction and mode apply at once.
  useEffect(() => {
    const next = { direction: direction === 'all' ? null : direction, query, mode };
    const timer = setTimeout(() => setApplied(next), query === applied.query ? 0 : FILTER_PAUSE_MS);
    return () => clearTimeout(timer);
    // Not on `applied`: it is what this effect sets.
  }, [direction, query, mode]);

  const feed = useMemo(() => new TimelineFeed(api, processId, applied), [api, processId, applied]);
  useEffect(() => {
    feed.start();
    setNote(null);
    return () => feed.dispose();
  }, [feed]);
  const state = useSyncExternalStore(feed.subscribe, feed.getState);
  const count = Math.max(0, state.end - state.first);

  const jump = useRef(onJump);
  jump.current = onJump;
  const pick = useCallback(
    (position: number): void => {
      const entry = feed.entry(position);
      if (!entry || entry.kind !== 'data') return setNote(null);
      if (entry.direction === 'in' && entry.bufferAt !== null && entry.buffer !== null) {
        setNote(null);
        jump.current(entry);
      } else if (entry.direction === 'in') setNote(`${entry.processName} has no buffer holding these bytes (a filter took them)`);
      else setNote('Sent bytes go to the peer, not into the buffer (as in Emacs): the preview shows them here');
    },
    [feed],
  );

  return (
    <section className="traffic-timeline" aria-label={`Traffic of ${processName}`}>
      <div className="buffer-tools toolbar" role="toolbar" aria-label="Traffic filter">
        <Segmented label="Direction" value={direction} options={DIRECTIONS} onChange={(next) => setDirection(next)} />
        <input
          type="search"
          aria-label="Filter traffic"
          placeholder={mode === 'hex' ? 'Contains bytes: 0d 0a' : 'Contains text'}
          value={query}
          aria-invalid={state.error ? true : undefined}
          aria-errormessage={state.error ? `timeline-error-${processId}` : undefined}
          onChange={(e) => setQuery(e.target.value)}
        />
        <select aria-label="Filter mode" value={mode} onChange={(e) => setMode(e.target.value as 'text' | 'hex')}>
          <option value="text">Text</option>
          <option value="hex">Hex bytes</option>
        </select>
        <label className="check">
          <input type="checkbox" checked={follow} onChange={(e) => setFollow(e.target.checked)} /> Follow
        </label>
      </div>
      <div className="tl-summary">
        <span role="status">
          {numberFormat.format(count)} {applied.direction || applied.query ? 'matching ' : ''}record{count === 1 ? '' : 's'}
          {state.dropped > 0
            ? ` · ${numberFormat.format(state.dropped)} dropped (each process keeps its last ${numberFormat.format(state.capacity)})`
            : ''}
          {state.payloadDropped > 0 ? ` · ${numberFormat.format(state.payloadDropped)} bytes let go (payload cap)` : ''}
        </span>
        <span id={`timeline-error-${processId}`} role="alert" className="inline-error" title={state.error ?? undefined}>
          {state.error}
        </span>
      </div>
      <TimelineGrid
        feed={feed}
        state={state}
        processId={processId}
        processName={processName}
        follow={follow}
        setFollow={setFollow}
        onPick={pick}
      />
      <div className="input-feedback">
        {note ? (
          <span role="status" className="note" title={note}>
            {note}
          </span>
        ) : null}
      </div>
    </section>
  );
}
