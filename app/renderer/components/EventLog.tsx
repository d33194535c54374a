/** Sentinel events and server-log lines, newest last, filterable. */
import { useState } from 'react';
import { useStore } from 'zustand';
import type { WorkbenchStore } from '../store.js';

export function EventLog({ store }: { store: WorkbenchStore }) {
  const log = useStore(store, (s) => s.log);
  const [filter, setFilter] = useState('');
  const shown = (filter ? log.filter((l) => `${l.processName ?? ''} ${l.text}`.toLowerCase().includes(filter.toLowerCase())) : log).slice(
    -300,
  );
  return (
    <section className="event-log" aria-label="Events">
      <input
        type="search"
        aria-label="Filter events"
        placeholder="Filter events"
        value={filter}
        onChange={(e) => setFilter(e.target.value)}
      />
      <ol aria-label="Event log">
        {shown.map((line, i) => (
          <li key={`${line.time}-${i}`} className={`line-${line.kind}`}>
            <time dateTime={new Date(line.time).toISOString()}>{new Date(line.time).toLocaleTimeString()}</time> {line.processName ?? ''}{' '}
            {line.text.trimEnd()}
          </li>
        ))}
      </ol>
    </section>
  );
}
