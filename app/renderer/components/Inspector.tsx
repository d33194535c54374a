/** process-contact three ways, plus everything else Emacs knows about the process. */
import { useEffect, useState } from 'react';
import { useStore } from 'zustand';
import type { JsonValue, NetprocApi } from '../../shared/api.js';
import { formatBytes, keyword, lispText, plistText } from '../lisp.js';
import type { WorkbenchStore } from '../store.js';

export function Inspector({ api, store }: { api: NetprocApi; store: WorkbenchStore }) {
  const process = useStore(store, (s) => (s.selectedId !== null ? s.processes[s.selectedId] : undefined));
  const [contact, setContact] = useState<{ short: JsonValue; full: Record<string, JsonValue> | null } | null>(null);
  const id = process?.id;
  const status = process?.status;
  useEffect(() => {
    let live = true;
    if (id === undefined) return setContact(null);
    void Promise.all([api.processContact({ id, key: null }), api.processContact({ id, key: true })])
      .then(([short, full]) => live && setContact({ short: short as JsonValue, full: full as Record<string, JsonValue> | null }))
      .catch(() => live && setContact(null));
    return () => {
      live = false;
    };
  }, [api, id, status]);
  if (!process)
    return (
      <section className="inspector" aria-label="Inspector">
        Select a process to inspect it.
      </section>
    );
  return (
    <section className="inspector" aria-label="Inspector">
      <h2>{process.name}</h2>
      <dl>
        <dt>Status</dt>
        <dd>{process.status}</dd>
        <dt>Exit status</dt>
        <dd>{String(process.exitStatus)}</dd>
        <dt>process-command</dt>
        <dd>{process.stopped ? 't (stopped)' : 'nil'}</dd>
        <dt>Query on exit</dt>
        <dd>{process.queryOnExit ? 't' : 'nil'}</dd>
        <dt>Filter / sentinel</dt>
        <dd>
          {process.filter} / {process.sentinel}
        </dd>
        <dt>Coding</dt>
        <dd>{`(${process.coding[0]} . ${process.coding[1]})`}</dd>
        <dt>Local</dt>
        <dd>
          {lispText(process.local)} {process.localText ? `= ${process.localText}` : ''}
        </dd>
        <dt>Remote</dt>
        <dd>
          {lispText(process.remote)} {process.remoteText ? `= ${process.remoteText}` : ''}
        </dd>
        <dt>Bytes in / out</dt>
        <dd>
          {formatBytes(process.counters.bytesIn)} / {formatBytes(process.counters.bytesOut)}
        </dd>
      </dl>
      <h3>(process-contact p)</h3>
      <pre aria-label="Contact, nil form">{contact ? lispText(contact.short).replace(/^\[(.*)\]$/, '($1)') : ''}</pre>
      <h3>(process-contact p t)</h3>
      <pre aria-label="Contact, t form">{contact?.full ? plistText(contact.full) : 'nil'}</pre>
      <table aria-label="Contact keys">
        <tbody>
          {Object.entries(contact?.full ?? {}).map(([k, v]) => (
            <tr key={k}>
              <th scope="row">{keyword(k)}</th>
              <td>{lispText(v)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}
