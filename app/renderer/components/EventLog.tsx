/**
 * Sentinel events and server-log lines, newest last, filterable. Each line
 * leads to its process (live or departed) or, once that is gone, to its
 * buffer. The log follows new lines unless the user has scrolled up to read:
 * then it holds still and offers a way back to the latest.
 */
import { ArrowDownToLine } from 'lucide-react';
import { useLayoutEffect, useMemo, useRef, useState, type KeyboardEvent } from 'react';
import { useStore } from 'zustand';
import { useShallow } from 'zustand/react/shallow';
import type { LogLine } from '../../shared/api.js';
import { processById, type WorkbenchState, type WorkbenchStore } from '../store.js';
import { Button } from './ui/Button.js';
import { EmptyState, PaneHeader } from './ui/Pane.js';

/** Lines rendered at most: the store keeps more, the filter reaches them all. */
const SHOWN_LINES = 300;
/** Within this many pixels of the bottom counts as at the bottom (sub-pixel scroll positions never reach it exactly). */
const BOTTOM_SLACK_PX = 8;

/** Where a line leads: its process if the store still has it, else its buffer while that lives. */
export function lineTarget(state: WorkbenchState, line: LogLine): { process: number } | { buffer: string } | null {
  if (line.processId !== null && processById(state, line.processId)) return { process: line.processId };
  if (line.buffer !== null && state.buffers[line.buffer]) return { buffer: line.buffer };
  return null;
}

function matching(log: LogLine[], filter: string): LogLine[] {
  const needle = filter.toLowerCase();
  return (needle ? log.filter((l) => `${l.processName ?? ''} ${l.text}`.toLowerCase().includes(needle)) : log).slice(-SHOWN_LINES);
}

export function EventLog({ store }: { store: WorkbenchStore }) {
  const log = useStore(store, (s) => s.log);
  const [filter, setFilter] = useState('');
  /** The lines as they were when the user scrolled up; null while following. */
  const [held, setHeld] = useState<LogLine[] | null>(null);
  const [focused, setFocused] = useState<number | null>(null);
  const scroller = useRef<HTMLDivElement>(null);
  // Memoised: the follow effect below scrolls when the lines change, not whenever the log redraws.
  const latest = useMemo(() => matching(log, filter), [log, filter]);
  const shown = held ?? latest;
  // Recomputed on every store change but compared element by element, so the log redraws only when a line gains or loses its target.
  const linked = useStore(
    store,
    useShallow((s) => shown.map((line) => lineTarget(s, line) !== null)),
  );
  // Lines that arrived since the user scrolled up (unknown once the one held last has left the shown window).
  const heldLast = held ? latest.lastIndexOf(held[held.length - 1] as LogLine) : -1;
  const newer = heldLast >= 0 ? latest.length - 1 - heldLast : 0;

  useLayoutEffect(() => {
    const el = scroller.current;
    if (el && held === null) el.scrollTop = el.scrollHeight;
  }, [latest, held]);

  const onScroll = (): void => {
    const el = scroller.current;
    if (!el) return;
    const atBottom = el.scrollHeight - el.scrollTop - el.clientHeight <= BOTTOM_SLACK_PX;
    if (!atBottom && held === null) setHeld(latest);
    else if (atBottom && held !== null) setHeld(null);
  };

  const jumpToLatest = (): void => {
    setHeld(null);
    const el = scroller.current;
    if (el) el.scrollTop = el.scrollHeight;
  };

  const go = (line: LogLine): void => {
    const state = store.getState();
    const target = lineTarget(state, line);
    if (!target) return;
    if ('process' in target) state.select(target.process);
    else state.openBuffer(target.buffer);
  };

  /** Up and Down move between lines, Home and End to the first and last: one tab stop for the whole log. */
  const onKeyDown = (event: KeyboardEvent<HTMLOListElement>): void => {
    const links = [...event.currentTarget.querySelectorAll<HTMLAnchorElement>('a.event-line')];
    const here = links.indexOf(document.activeElement as HTMLAnchorElement);
    const last = links.length - 1;
    const next = { ArrowDown: here + 1, ArrowUp: here - 1, Home: 0, End: last }[event.key];
    if (next === undefined || last < 0) return;
    event.preventDefault();
    links[Math.max(0, Math.min(next, last))]?.focus();
  };

  // The line that takes Tab: the one last focused if still shown, else the newest linked line.
  const lastLinked = linked.lastIndexOf(true);
  const tabStop = focused !== null && focused < shown.length && linked[focused] ? focused : lastLinked;

  return (
    <section className="pane pane-events event-log" aria-labelledby="events-title">
      <PaneHeader title="Events" id="events-title">
        <input
          type="search"
          aria-label="Filter events"
          placeholder="Filter events"
          value={filter}
          onChange={(e) => {
            setFilter(e.target.value);
            setHeld(null);
          }}
        />
      </PaneHeader>
      <div className="pane-body event-log-body">
        {/* Focusable, so the keyboard can scroll it even when no line leads anywhere. */}
        <div role="log" aria-label="Event log" className="event-log-lines" ref={scroller} onScroll={onScroll} tabIndex={0}>
          <ol onKeyDown={onKeyDown}>
            {shown.map((line, i) => {
              const content = (
                <>
                  <time dateTime={new Date(line.time).toISOString()}>{new Date(line.time).toLocaleTimeString()}</time>{' '}
                  {line.processName ?? ''} {line.text.trimEnd()}
                </>
              );
              return (
                <li key={`${line.time}-${i}`} className={`line-${line.kind}`}>
                  {linked[i] ? (
                    <a
                      href={line.processId !== null ? `#process-${line.processId}` : `#buffer-${encodeURIComponent(line.buffer ?? '')}`}
                      className="event-line"
                      tabIndex={i === tabStop ? 0 : -1}
                      title={line.processName ? `Show ${line.processName}` : `Show buffer ${line.buffer ?? ''}`}
                      onFocus={() => setFocused(i)}
                      onClick={(event) => {
                        event.preventDefault();
                        go(line);
                      }}
                    >
                      {content}
                    </a>
                  ) : (
                    content
                  )}
                </li>
              );
            })}
          </ol>
          {log.length === 0 ? (
            <EmptyState title="No events yet">
              <p>Each process&apos;s sentinel events (open, stop, deleted…) and server log lines appear here, newest last.</p>
            </EmptyState>
          ) : shown.length === 0 ? (
            <EmptyState title="No matching events">
              <p>No event mentions “{filter}”. Clear the filter to see them all.</p>
            </EmptyState>
          ) : null}
        </div>
        {held ? (
          <Button className="jump-to-latest" icon={<ArrowDownToLine size={14} aria-hidden />} onClick={jumpToLatest}>
            Jump to latest{newer > 0 ? ` (${newer} new)` : ''}
          </Button>
        ) : null}
      </div>
    </section>
  );
}
