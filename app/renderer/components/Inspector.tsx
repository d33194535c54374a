/** process-contact three ways, plus everything else Emacs knows about the process. */
import { useEffect, useState, type FormEvent } from 'react';
import { useStore } from 'zustand';
import type { JsonValue, NetprocApi } from '../../shared/api.js';
import { formatBytes, keyword, lispText, plistText } from '../lisp.js';
import { isDeparted, processById, type RateSample, type WorkbenchStore } from '../store.js';
import { TlsSection } from './TlsSection.js';

/** A small line of bytes-in per second over the last samples. */
export function sparklinePoints(samples: RateSample[], width = 120, height = 24): string {
  if (samples.length < 2) return '';
  const rates = samples.slice(1).map((s, i) => {
    const prev = samples[i] as RateSample;
    return Math.max(0, (s.bytesIn - prev.bytesIn) / Math.max((s.time - prev.time) / 1000, 0.001));
  });
  const max = Math.max(...rates, 1);
  return rates
    .map((r, i) => `${((i / Math.max(rates.length - 1, 1)) * width).toFixed(1)},${(height - (r / max) * height).toFixed(1)}`)
    .join(' ');
}

function PlistEditor({ api, id, plist }: { api: NetprocApi; id: number; plist: JsonValue[] }) {
  const [key, setKey] = useState('');
  const [value, setValue] = useState('');
  const [error, setError] = useState<string | null>(null);
  const entries: Array<[string, JsonValue]> = [];
  for (let i = 0; i + 1 < plist.length; i += 2) entries.push([String(plist[i]), plist[i + 1] as JsonValue]);
  const put = async (k: string, text: string): Promise<void> => {
    let parsed: JsonValue = text;
    try {
      parsed = JSON.parse(text) as JsonValue;
    } catch {
      // Not JSON: keep it as a string.
    }
    try {
      await api.processPut({ id, key: k, value: parsed });
      setError(null);
    } catch (err) {
      setError((err as Error).message);
    }
  };
  const submit = (event: FormEvent): void => {
    event.preventDefault();
    if (!key.trim()) return setError('Give the property a name');
    void put(key.trim(), value).then(() => {
      setKey('');
      setValue('');
    });
  };
  return (
    <section aria-label="Process plist">
      <h3>(process-plist p)</h3>
      <table aria-label="Plist entries">
        <tbody>
          {entries.map(([k, v]) => (
            <tr key={k}>
              <th scope="row">{k}</th>
              <td>{lispText(v)}</td>
              <td>
                <button type="button" aria-label={`Set ${k} to nil`} onClick={() => void put(k, 'null')}>
                  Clear
                </button>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      <form onSubmit={submit} aria-label="Put a property">
        <input aria-label="Property" value={key} onChange={(e) => setKey(e.target.value)} placeholder="property" />
        <input aria-label="Value" value={value} onChange={(e) => setValue(e.target.value)} placeholder="value (JSON or text)" />
        <button type="submit">Put</button>
      </form>
      {error ? <p role="alert">{error}</p> : null}
    </section>
  );
}

export function Inspector({ api, store }: { api: NetprocApi; store: WorkbenchStore }) {
  const process = useStore(store, (s) => processById(s, s.selectedId));
  const departed = useStore(store, (s) => isDeparted(s, s.selectedId));
  const samples = useStore(store, (s) => (s.selectedId !== null ? s.rates[s.selectedId] : undefined));
  const [contact, setContact] = useState<{ short: JsonValue; full: Record<string, JsonValue> | null } | null>(null);
  const id = process?.id;
  const status = process?.status;
  useEffect(() => {
    let live = true;
    if (id === undefined || departed) return setContact(null);
    void Promise.all([api.processContact({ id, key: null }), api.processContact({ id, key: true })])
      .then(([short, full]) => live && setContact({ short: short as JsonValue, full: full as Record<string, JsonValue> | null }))
      .catch(() => live && setContact(null));
    return () => {
      live = false;
    };
  }, [api, id, status, departed]);
  if (!process)
    return (
      <section className="inspector" aria-label="Inspector">
        Select a process to inspect it.
      </section>
    );
  return (
    <section className="inspector" aria-label="Inspector">
      <h2>{process.name}</h2>
      {departed ? (
        <p role="note">
          No longer in the process list (deleted, or exited under delete-exited-processes); its buffer remains. Shown as it was when it
          left.
        </p>
      ) : null}
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
          <svg width="120" height="24" role="img" aria-label="Bytes in per second, recent">
            <polyline points={sparklinePoints(samples ?? [])} fill="none" stroke="currentColor" />
          </svg>
        </dd>
      </dl>
      {process.tls ? <TlsSection api={api} tls={process.tls} /> : null}
      {departed ? null : <PlistEditor api={api} id={process.id} plist={process.plist} />}
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
