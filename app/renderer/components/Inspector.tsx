/**
 * The contact inspector: everything Emacs knows about the selected process,
 * in sections that open and close (remembered), under a header that stays
 * while they scroll. Every value has a copy control.
 */
import { useEffect, useState, type FormEvent, type ReactNode } from 'react';
import { useStore } from 'zustand';
import type { JsonValue, NetprocApi, ProcessInfo } from '../../shared/api.js';
import { formatBytes, keyword, lispText, plistText } from '../lisp.js';
import { inspectorSectionOpen, saveInspectorSection } from '../settings.js';
import { currentRate, isDeparted, processById, type RateSample, type WorkbenchStore } from '../store.js';
import { AutoReplySection } from './AutoReplySection.js';
import { KernelQueuesSection } from './KernelQueuesSection.js';
import { ReconnectSection } from './ReconnectSection.js';
import { SocketOptionsSection } from './SocketOptionsSection.js';
import { TlsSection } from './TlsSection.js';
import { KindIcon, StatusChip, kindName } from './ui/Chip.js';
import { CopyButton, CopyField } from './ui/Copy.js';
import { Section } from './ui/Section.js';

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

/** The sections in order, and whether each is open until the user says otherwise; the live ones start closed. */
export const INSPECTOR_SECTIONS = [
  ['Status', true],
  ['Addresses', true],
  ['Contact', true],
  ['Plist', true],
  ['Counters', true],
  ['TLS', true],
  ['Kernel queues', false],
  ['Socket options', false],
  ['Auto-reply rules', false],
  ['Reconnect', false],
] as const;
type SectionTitle = (typeof INSPECTOR_SECTIONS)[number][0];

function useSections(): [(title: SectionTitle) => boolean, (title: SectionTitle, open: boolean) => void] {
  const [open, setOpen] = useState(
    () => new Map(INSPECTOR_SECTIONS.map(([title, fallback]) => [title, inspectorSectionOpen(title, fallback)])),
  );
  const toggle = (title: SectionTitle, next: boolean): void => {
    setOpen((all) => new Map(all).set(title, next));
    saveInspectorSection(title, next);
  };
  return [(title) => open.get(title) ?? false, toggle];
}

function PlistEditor({ api, id, plist, readOnly }: { api: NetprocApi; id: number; plist: JsonValue[]; readOnly: boolean }) {
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
    <>
      <p className="hint">(process-plist p)</p>
      {entries.length ? (
        <table aria-label="Plist entries" className="inspector-table">
          <tbody>
            {entries.map(([k, v]) => (
              <tr key={k}>
                <th scope="row">{k}</th>
                <td>{lispText(v)}</td>
                <td className="actions">
                  <CopyButton what={`the value of ${k}`} value={lispText(v)} />
                  {readOnly ? null : (
                    <button type="button" aria-label={`Set ${k} to nil`} onClick={() => void put(k, 'null')}>
                      Clear
                    </button>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : (
        <p className="note-wrap">nil: no properties.</p>
      )}
      {readOnly ? null : (
        <form onSubmit={submit} aria-label="Put a property" className="inline-form">
          <input aria-label="Property" value={key} onChange={(e) => setKey(e.target.value)} placeholder="property" />
          <input aria-label="Value" value={value} onChange={(e) => setValue(e.target.value)} placeholder="value (JSON or text)" />
          <button type="submit">Put</button>
        </form>
      )}
      {error ? (
        <p role="alert" className="inline-error-wrap">
          {error}
        </p>
      ) : null}
    </>
  );
}

function Contact({ contact }: { contact: { short: JsonValue; full: Record<string, JsonValue> | null } | null }) {
  const short = contact ? lispText(contact.short).replace(/^\[(.*)\]$/, '($1)') : '';
  const full = contact?.full ? plistText(contact.full) : 'nil';
  return (
    <>
      <div className="lisp-form">
        <span className="hint">(process-contact p)</span>
        <pre aria-label="Contact, nil form">{short}</pre>
        {short ? <CopyButton what="contact, nil form" value={short} /> : null}
      </div>
      <div className="lisp-form">
        <span className="hint">(process-contact p t)</span>
        <pre aria-label="Contact, t form">{full}</pre>
        <CopyButton what="contact, t form" value={full} />
      </div>
      <table aria-label="Contact keys" className="inspector-table">
        <tbody>
          {Object.entries(contact?.full ?? {}).map(([k, v]) => (
            <tr key={k}>
              <th scope="row">{keyword(k)}</th>
              <td>{lispText(v)}</td>
              <td className="actions">
                <CopyButton what={keyword(k)} value={lispText(v)} />
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </>
  );
}

function Counters({ process, samples }: { process: ProcessInfo; samples: RateSample[] | undefined }) {
  const { counters } = process;
  const rate = currentRate(samples);
  const datagrams = process.kind.startsWith('datagram');
  return (
    <dl className="fields">
      <CopyField term="Bytes in" text={String(counters.bytesIn)}>
        {formatBytes(counters.bytesIn)}
      </CopyField>
      <CopyField term="Bytes out" text={String(counters.bytesOut)}>
        {formatBytes(counters.bytesOut)}
      </CopyField>
      {datagrams ? (
        <>
          <CopyField term="Datagrams in" text={String(counters.datagramsIn)} />
          <CopyField term="Datagrams out" text={String(counters.datagramsOut)} />
        </>
      ) : null}
      {process.kind === 'stream-server' ? <CopyField term="Connections accepted" text={String(counters.accepted)} /> : null}
      <CopyField term="Created" text={new Date(counters.createdAt).toISOString()} />
      <CopyField term="Rate in" text={`${formatBytes(Math.round(rate.bytesIn))}/s`} />
      <div className="field">
        <dt>Recent</dt>
        <dd>
          <svg width="120" height="24" role="img" aria-label="Bytes in per second, recent">
            <polyline points={sparklinePoints(samples ?? [])} fill="none" stroke="currentColor" />
          </svg>
        </dd>
      </div>
    </dl>
  );
}

/** Beyond Emacs: a datagram server's per-peer rows on or off (setSplitPeers); off ends the peer rows, their buffers stay. */
function SplitPeersField({ api, process, live }: { api: NetprocApi; process: ProcessInfo; live: boolean }) {
  const [error, setError] = useState<string | null>(null);
  const set = (split: boolean): void =>
    void api.setSplitPeers({ id: process.id, split }).then(
      () => setError(null),
      (err: Error) => setError(err.message),
    );
  return (
    <div className="field">
      <dt>Per-peer rows</dt>
      <dd>
        <label
          className="check"
          title="Each sender's address gets its own row, buffer and counters; the server's buffer still gets everything"
        >
          <input type="checkbox" checked={process.splitPeers} disabled={!live} onChange={(e) => set(e.target.checked)} /> A row per peer
        </label>
        {error ? (
          <p role="alert" className="inline-error-wrap">
            {error}
          </p>
        ) : null}
      </dd>
    </div>
  );
}

/** An address as Emacs's vector and as format-network-address prints it. */
function Address({ which, address, text }: { which: 'Local' | 'Remote'; address: ProcessInfo['local']; text: string | null }) {
  return (
    <>
      <CopyField term={`${which} address`} text={text} />
      <CopyField term={`${which}, as Lisp`} name={`${which} address as Lisp`} text={address === null ? null : lispText(address)} />
    </>
  );
}

export function Inspector({ api, store }: { api: NetprocApi; store: WorkbenchStore }) {
  const process = useStore(store, (s) => processById(s, s.selectedId));
  const departed = useStore(store, (s) => isDeparted(s, s.selectedId));
  const samples = useStore(store, (s) => (s.selectedId !== null ? s.rates[s.selectedId] : undefined));
  const [contact, setContact] = useState<{ short: JsonValue; full: Record<string, JsonValue> | null } | null>(null);
  // Bumped when the inspector changes the contact itself (a socket option), so it is read again.
  const [contactRevision, setContactRevision] = useState(0);
  const [isOpen, setOpen] = useSections();
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
  }, [api, id, status, departed, contactRevision]);
  if (!process)
    return (
      <section className="inspector" aria-label="Inspector">
        <p className="note-wrap">Select a process to inspect it.</p>
      </section>
    );
  const running = !departed && process.status !== 'closed' && process.status !== 'failed';
  const section = (title: SectionTitle, body: ReactNode) => (
    <Section title={title} open={isOpen(title)} onOpenChange={(open) => setOpen(title, open)}>
      {body}
    </Section>
  );
  return (
    <section className="inspector" aria-label="Inspector">
      <header className="inspector-header">
        <KindIcon process={process} />
        <h3 title={process.name}>{process.name}</h3>
        <StatusChip status={process.status} stopped={process.stopped} />
      </header>
      {departed ? (
        <p role="note" className="note-wrap">
          No longer in the process list (deleted, or exited under delete-exited-processes); its buffer remains. Shown as it was when it
          left.
        </p>
      ) : null}
      {section(
        'Status',
        <dl className="fields">
          <CopyField term="Kind" text={kindName(process)} />
          <CopyField term="process-status" name="Status" text={process.status} />
          <CopyField term="process-exit-status" name="Exit status" text={String(process.exitStatus)} />
          <CopyField term="process-command" name="Command" text={process.stopped ? 't' : 'nil'}>
            {process.stopped ? 't (stopped)' : 'nil'}
          </CopyField>
          <CopyField term="Query on exit" text={process.queryOnExit ? 't' : 'nil'} />
          <CopyField term="Filter" text={process.filter} />
          <CopyField term="Sentinel" text={process.sentinel} />
          <CopyField term="Coding" text={`(${process.coding[0]} . ${process.coding[1]})`} />
          <CopyField term="Buffer" text={process.buffer} />
          {process.kind === 'datagram-server' ? <SplitPeersField key={process.id} api={api} process={process} live={running} /> : null}
        </dl>,
      )}
      {section(
        'Addresses',
        <dl className="fields">
          <Address which="Local" address={process.local} text={process.localText} />
          <Address which="Remote" address={process.remote} text={process.remoteText} />
        </dl>,
      )}
      {section('Contact', <Contact contact={contact} />)}
      {section('Plist', <PlistEditor api={api} id={process.id} plist={process.plist} readOnly={departed} />)}
      {section('Counters', <Counters process={process} samples={samples} />)}
      {process.tls ? section('TLS', <TlsSection api={api} tls={process.tls} />) : null}
      {section('Kernel queues', <KernelQueuesSection key={process.id} api={api} process={process} live={running} />)}
      {section(
        'Socket options',
        <SocketOptionsSection
          key={process.id}
          api={api}
          process={process}
          contact={contact?.full ?? null}
          live={running}
          onChanged={() => setContactRevision((n) => n + 1)}
        />,
      )}
      {section('Auto-reply rules', <AutoReplySection key={process.id} api={api} process={process} live={running} />)}
      {process.kind === 'stream-client' || process.kind === 'datagram-client'
        ? section('Reconnect', <ReconnectSection key={process.id} api={api} process={process} live={running} />)
        : null}
    </section>
  );
}
