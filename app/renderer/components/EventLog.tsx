/** Sentinel events and server-log lines, newest last, filterable. */
import { useState } from 'react';
import { useStore } from 'zustand';
import type { WorkbenchStore } from '../store.js';
import { EmptyState, PaneHeader } from './ui/Pane.js';

export function EventLog({ store }: { store: WorkbenchStore }) {
  const log = useStore(store, (s) => s.log);
  const [filter, setFilter] = useState('');
  const shown = (filter ? log.filter((l) => `${l.processName ?? ''} ${l.text}`.toLowerCase().includes(filter.toLowerCase())) : log).slice(
    -300,
  );
  return (
    <section className="pane pane-events event-log" aria-labelledby="events-title">
      <PaneHeader title="Events" id="events-title">
        <input
          type="search"
          aria-label="Filter events"
          placeholder="Filter events"
          value={filter}
          onChange={(e) => setFilter(e.target.value)}
        />
      </PaneHeader>
      <div className="pane-body">
        <ol aria-label="Event log">
          {shown.map((line, i) => (
            <li key={`${line.time}-${i}`} className={`line-${line.kind}`}>
              <time dateTime={new Date(line.time).toISOString()}>{new Date(line.time).toLocaleTimeString()}</time>
              {line.processName ?? ''} {line.text.trimEnd()}
            </li>
          ))}
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
    </section>
  );
}
