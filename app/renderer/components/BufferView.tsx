/** The selected process's buffer, following its tail, with the input line that sends to it. */
import { useEffect, useRef, useState, type FormEvent, type KeyboardEvent } from 'react';
import { useStore } from 'zustand';
import type { NetprocApi } from '../../shared/api.js';
import { base64Bytes, hexDump } from '../hex.js';
import type { WorkbenchStore } from '../store.js';

/** Follow mode shows the newest 16 KiB (a few screens); more would only cost layout during a flood. */
const TAIL_BYTES = 16 * 1024;
/** Hex lines cost four times the text; the hex view shows a shorter tail. */
const HEX_TAIL_BYTES = 4 * 1024;
const MATCH_CONTEXT = 512;
const FOLLOW_INTERVAL_MS = 100;
/** What the page holds of a buffer when not following: one window, moved with the position slider or PageUp/PageDown. */
const WINDOW_BYTES = 16 * 1024;

interface Match {
  start: number;
  end: number;
  before: string;
  text: string;
  after: string;
}
export type LineEnding = 'none' | 'lf' | 'crlf';

/** What the input line sends: text with the chosen line end, or hex bytes. */
export function outgoing(text: string, mode: 'text' | 'hex', ending: LineEnding): { text: string } | { hex: string } {
  if (mode === 'hex') return { hex: text };
  return { text: text + (ending === 'lf' ? '\n' : ending === 'crlf' ? '\r\n' : '') };
}

/** Reads the whole buffer (in ranges the bridge allows) and offers it as a file download. */
async function saveBuffer(api: NetprocApi, name: string): Promise<void> {
  const parts: BlobPart[] = [];
  let at: number | undefined;
  for (;;) {
    const range = await api.readBuffer({ name, encoding: 'base64', ...(at !== undefined ? { start: at } : {}) });
    if (range.end <= range.start) break;
    parts.push(base64Bytes(range.data) as Uint8Array<ArrayBuffer>);
    at = range.end;
    if (range.end >= range.origin + range.length) break;
  }
  const url = URL.createObjectURL(new Blob(parts, { type: 'application/octet-stream' }));
  const link = document.createElement('a');
  link.href = url;
  link.download = `${name.replace(/[^\w.<>:-]+/g, '_')}.txt`;
  link.click();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

interface BufferViewProps {
  api: NetprocApi;
  store: WorkbenchStore;
  /** The process whose buffer to show. */
  processId: number | null;
  onError(message: string): void;
}

export function BufferView({ api, store, processId, onError }: BufferViewProps) {
  const process = useStore(store, (s) => (processId !== null ? s.processes[processId] : undefined));
  const name = process?.buffer ?? null;
  const info = useStore(store, (s) => (name ? s.buffers[name] : undefined));
  const [text, setText] = useState('');
  const [input, setInput] = useState('');
  const [mode, setMode] = useState<'text' | 'hex'>('text');
  const [ending, setEnding] = useState<LineEnding>('lf');
  const [history, setHistory] = useState<string[]>([]);
  const [historyAt, setHistoryAt] = useState(-1);
  const [hex, setHex] = useState(false);
  const [follow, setFollow] = useState(true);
  const [query, setQuery] = useState('');
  const [searchMode, setSearchMode] = useState<'text' | 'hex' | 'regex'>('text');
  const [match, setMatch] = useState<Match | null>(null);
  const [searchNote, setSearchNote] = useState<string | null>(null);
  const [windowAt, setWindowAt] = useState<number | null>(null);
  const view = useRef<HTMLPreElement>(null);
  const revision = info?.revision ?? -1;
  /** The newest revision, read by the follow loop without restarting it on every change. */
  const latestRevision = useRef(revision);
  latestRevision.current = revision;

  useEffect(() => {
    setMatch(null);
    setFollow(true);
    setWindowAt(null);
  }, [name]);

  useEffect(() => {
    if (follow) setWindowAt(null);
  }, [follow]);

  useEffect(() => {
    if (!name) return setText('');
    if (!follow) return;
    let live = true;
    let busy = false;
    let shownRevision: number | null = null;
    // At most ten reads a second and one at a time, whatever the flood: the view shows the tail,
    // and a flood redrawn sixty times a second would take the CPU the engine needs to keep up.
    const readTail = (): void => {
      if (busy || latestRevision.current === shownRevision) return;
      busy = true;
      const wanted = latestRevision.current;
      const request = hex
        ? api.readBuffer({ name, tail: HEX_TAIL_BYTES, encoding: 'base64' }).then((r) => hexDump(base64Bytes(r.data), r.start).join('\n'))
        : api.readBuffer({ name, tail: TAIL_BYTES }).then((r) => r.data);
      request
        .then((shown) => {
          if (!live) return;
          shownRevision = wanted;
          setText(shown);
          const el = view.current;
          if (el) el.scrollTop = el.scrollHeight;
        })
        .catch(() => undefined)
        .finally(() => (busy = false));
    };
    readTail();
    const timer = window.setInterval(readTail, FOLLOW_INTERVAL_MS);
    return () => {
      live = false;
      clearInterval(timer);
    };
  }, [api, name, hex, follow]);

  /** Shows the window of the buffer that starts at (about) byte `offset`: the whole buffer is reachable without putting it in the page. */
  const showWindow = async (offset: number): Promise<void> => {
    if (!name || !info) return;
    const start = Math.max(info.origin, Math.min(offset, info.end - 1));
    const range = await api.readBuffer({ name, start, end: start + WINDOW_BYTES, encoding: 'base64' });
    const bytes = base64Bytes(range.data);
    setFollow(false);
    setMatch(null);
    setWindowAt(range.start);
    setText(hex ? hexDump(bytes, range.start).join('\n') : new TextDecoder().decode(bytes));
    if (view.current) view.current.scrollTop = 0;
  };

  const search = async (direction: 'forward' | 'backward'): Promise<void> => {
    if (!name || !query) return;
    const from = match ? (direction === 'forward' ? match.end : match.start) : undefined;
    try {
      const found = await api.searchBuffer({ name, query, mode: searchMode, direction, ...(from !== undefined ? { from } : {}) });
      if (!found) {
        setSearchNote(`No ${direction === 'forward' ? 'later' : 'earlier'} match for ${query}`);
        return;
      }
      const [before, text, after] = await Promise.all([
        api.readBuffer({ name, start: Math.max(0, found.start - MATCH_CONTEXT), end: found.start }),
        api.readBuffer({ name, start: found.start, end: found.end }),
        api.readBuffer({ name, start: found.end, end: found.end + MATCH_CONTEXT }),
      ]);
      setFollow(false);
      setSearchNote(`Match at byte ${found.start}`);
      setMatch({ start: found.start, end: found.end, before: before.data, text: text.data, after: after.data });
    } catch (err) {
      setSearchNote((err as Error).message);
    }
  };

  if (!process) return <section className="buffer-view" aria-label="Buffer" />;

  const send = (event: FormEvent): void => {
    event.preventDefault();
    if (!input && mode === 'hex') return;
    const payload = outgoing(input, mode, ending);
    const request =
      'hex' in payload ? api.sendBytes({ id: process.id, hex: payload.hex }) : api.sendString({ id: process.id, text: payload.text });
    request.then(
      () => {
        setHistory((h) => [...h, input].slice(-100));
        setHistoryAt(-1);
        setInput('');
      },
      (err: Error) => onError(err.message),
    );
  };
  const recall = (event: KeyboardEvent<HTMLInputElement>): void => {
    if (event.key !== 'ArrowUp' && event.key !== 'ArrowDown') return;
    event.preventDefault();
    const next =
      event.key === 'ArrowUp' ? (historyAt < 0 ? history.length - 1 : Math.max(0, historyAt - 1)) : historyAt < 0 ? -1 : historyAt + 1;
    if (next >= history.length || next < 0) {
      setHistoryAt(-1);
      setInput('');
    } else {
      setHistoryAt(next);
      setInput(history[next] ?? '');
    }
  };

  return (
    <section className="buffer-view" aria-label={`Buffer ${name ?? '(none)'}`}>
      <header>
        <strong>{name ?? `${process.name} has no buffer`}</strong>
        {info?.trimmedBytes ? <span role="status"> {info.trimmedBytes} bytes trimmed (buffer cap)</span> : null}
        {name ? (
          <>
            <button type="button" onClick={() => void api.clearBuffer({ name }).catch((e: Error) => onError(e.message))}>
              Clear
            </button>
            <button
              type="button"
              onClick={() => void navigator.clipboard?.writeText(text).catch((e: Error) => onError(`Copy failed: ${e.message}`))}
            >
              Copy
            </button>
            <button type="button" onClick={() => void saveBuffer(api, name).catch((e: Error) => onError(`Save failed: ${e.message}`))}>
              Save…
            </button>
          </>
        ) : null}
      </header>
      {name ? (
        <div className="buffer-tools" role="toolbar" aria-label="Buffer tools">
          <label>
            <input type="checkbox" checked={follow} onChange={(e) => setFollow(e.target.checked)} /> Follow
          </label>
          <label>
            <input type="checkbox" checked={hex} onChange={(e) => setHex(e.target.checked)} /> Hex
          </label>
          <input
            type="search"
            aria-label="Search buffer"
            value={query}
            onChange={(e) => setQuery(e.target.value)}
            onKeyDown={(e) => e.key === 'Enter' && void search(e.shiftKey ? 'backward' : 'forward')}
          />
          <select aria-label="Search mode" value={searchMode} onChange={(e) => setSearchMode(e.target.value as 'text' | 'hex' | 'regex')}>
            <option value="text">Text</option>
            <option value="hex">Hex bytes</option>
            <option value="regex">Regex</option>
          </select>
          <button type="button" onClick={() => void search('backward')}>
            Previous
          </button>
          <button type="button" onClick={() => void search('forward')}>
            Next
          </button>
          {searchNote ? <span role="status">{searchNote}</span> : null}
          {info && info.length > 0 ? (
            <input
              type="range"
              aria-label="Position in buffer"
              min={info.origin}
              max={Math.max(info.origin, info.end - 1)}
              step={1}
              value={follow ? info.end - 1 : (windowAt ?? match?.start ?? info.end - 1)}
              aria-valuetext={`byte ${follow ? info.end : (windowAt ?? match?.start ?? info.end)} of ${info.end}`}
              onChange={(e) => void showWindow(Number(e.target.value)).catch((err: Error) => onError(err.message))}
            />
          ) : null}
        </div>
      ) : null}
      <pre
        ref={view}
        role="log"
        aria-label={`Contents of ${name ?? 'no buffer'}`}
        tabIndex={0}
        onKeyDown={(e) => {
          if (!info || (e.key !== 'PageDown' && e.key !== 'PageUp') || follow) return;
          e.preventDefault();
          const from = windowAt ?? info.origin;
          void showWindow(e.key === 'PageDown' ? from + WINDOW_BYTES : from - WINDOW_BYTES).catch((err: Error) => onError(err.message));
        }}
        onWheel={(e) => {
          // Past either end of the window, the wheel moves the window: the whole buffer scrolls, half a window at a time.
          const el = e.currentTarget;
          if (follow || !info || windowAt === null) return;
          const atTop = el.scrollTop <= 0 && e.deltaY < 0 && windowAt > info.origin;
          const atBottom = el.scrollTop + el.clientHeight >= el.scrollHeight - 2 && e.deltaY > 0 && windowAt + WINDOW_BYTES < info.end;
          if (!atTop && !atBottom) return;
          void showWindow(windowAt + (atTop ? -WINDOW_BYTES / 2 : WINDOW_BYTES / 2)).then(() => {
            if (view.current)
              view.current.scrollTop = atTop ? view.current.scrollHeight / 2 : view.current.scrollHeight / 2 - view.current.clientHeight;
          });
        }}
        onScroll={(e) => {
          const el = e.currentTarget;
          // Scrolling up to read pauses follow mode; it resumes from the checkbox.
          if (follow && el.scrollTop + el.clientHeight < el.scrollHeight - 24) setFollow(false);
        }}
      >
        {match && !follow ? (
          <>
            {match.before}
            <mark>{match.text}</mark>
            {match.after}
          </>
        ) : (
          text
        )}
      </pre>
      <form onSubmit={send} aria-label={`Send to ${process.name}`}>
        <input
          aria-label={`Input for ${process.name}`}
          value={input}
          onChange={(e) => setInput(e.target.value)}
          onKeyDown={recall}
          placeholder={mode === 'hex' ? 'de ad be ef' : 'text to send'}
        />
        <select aria-label="Input mode" value={mode} onChange={(e) => setMode(e.target.value as 'text' | 'hex')}>
          <option value="text">Text</option>
          <option value="hex">Hex bytes</option>
        </select>
        <select aria-label="Line ending" value={ending} onChange={(e) => setEnding(e.target.value as LineEnding)} disabled={mode === 'hex'}>
          <option value="none">No line end</option>
          <option value="lf">LF</option>
          <option value="crlf">CRLF</option>
        </select>
        <button type="submit">Send</button>
        <button type="button" onClick={() => void api.sendEof({ id: process.id }).catch((e: Error) => onError(e.message))}>
          Send EOF
        </button>
      </form>
    </section>
  );
}
