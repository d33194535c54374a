/** The selected process's buffer, following its tail, with the input line that sends to it. */
import { useEffect, useMemo, useRef, useState, useSyncExternalStore, type FormEvent, type KeyboardEvent } from 'react';
import { useStore } from 'zustand';
import { useShallow } from 'zustand/react/shallow';
import type { NetprocApi } from '../../shared/api.js';
import type { Row } from '../buffer-rows.js';
import { BufferScroller } from '../buffer-scroller.js';
import { base64Bytes, bytesHex } from '../hex.js';
import { isDeparted, processById, type WorkbenchStore } from '../store.js';
import { BufferViewport } from './BufferViewport.js';

/** Rows shown above a search match, so it is read in its context. */
const MATCH_CONTEXT_ROWS = 3;
/** A file is sent in pieces this size, each a request of its own, in order. */
const FILE_PIECE_BYTES = 1024 * 1024;

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

/** Sends a file's bytes as they are, piece by piece, reporting progress. */
export async function sendFile(api: NetprocApi, id: number, file: Blob, progress: (sent: number) => void): Promise<number> {
  let sent = 0;
  while (sent < file.size) {
    const piece = new Uint8Array(await file.slice(sent, sent + FILE_PIECE_BYTES).arrayBuffer());
    await api.sendBytes({ id, hex: bytesHex(piece) });
    sent += piece.length;
    progress(sent);
  }
  return sent;
}

interface BufferViewProps {
  api: NetprocApi;
  store: WorkbenchStore;
  /** The process whose buffer to show. */
  processId: number | null;
  onError(message: string): void;
}

/** How often the trimmed count may redraw: at the cap under a flood it changes with every batch, and each redraw costs the page a layout. */
const TRIMMED_REDRAW_MS = 250;

/** Its own component, redrawn at most four times a second: only this text changes as the cap trims. */
function TrimmedNotice({ store, name }: { store: WorkbenchStore; name: string }) {
  const [trimmedBytes, setTrimmedBytes] = useState(0);
  useEffect(() => {
    const read = (): number => store.getState().buffers[name]?.trimmedBytes ?? 0;
    let timer: ReturnType<typeof setTimeout> | null = null;
    setTrimmedBytes(read());
    const unsubscribe = store.subscribe(() => {
      timer ??= setTimeout(() => {
        timer = null;
        setTrimmedBytes(read());
      }, TRIMMED_REDRAW_MS);
    });
    return () => {
      unsubscribe();
      if (timer) clearTimeout(timer);
    };
  }, [store, name]);
  return trimmedBytes ? <span role="status"> {trimmedBytes} bytes trimmed (buffer cap)</span> : null;
}

const noSubscription = (): (() => void) => () => undefined;

export function BufferView({ api, store, processId, onError }: BufferViewProps) {
  // Only what this view shows of the process: its counters change several times a second and are none of its business.
  const process = useStore(
    store,
    useShallow((s) => {
      const p = processById(s, processId);
      return p ? { id: p.id, name: p.name, buffer: p.buffer } : null;
    }),
  );
  const departed = useStore(store, (s) => isDeparted(s, processId));
  const name = process?.buffer ?? null;
  const [input, setInput] = useState('');
  const [mode, setMode] = useState<'text' | 'hex'>('text');
  const [ending, setEnding] = useState<LineEnding>('lf');
  const [history, setHistory] = useState<string[]>([]);
  const [historyAt, setHistoryAt] = useState(-1);
  const [hex, setHex] = useState(false);
  const [query, setQuery] = useState('');
  const [searchMode, setSearchMode] = useState<'text' | 'hex' | 'regex'>('text');
  const [match, setMatch] = useState<Row | null>(null);
  const [searchNote, setSearchNote] = useState<string | null>(null);
  const [fileNote, setFileNote] = useState<string | null>(null);
  const filePicker = useRef<HTMLInputElement>(null);
  const reportError = useRef(onError);
  reportError.current = onError;
  /** The scroller this one replaces, so switching text/hex keeps the place. */
  const previous = useRef<BufferScroller | null>(null);

  const scroller = useMemo(() => {
    if (!name) return null;
    const next = new BufferScroller(api, name, hex ? 'hex' : 'text', (message) => reportError.current(message));
    const last = previous.current;
    if (last && last.name === name && !last.getView().follow) next.jumpTo(last.getView().top);
    previous.current = next;
    return next;
  }, [api, name, hex]);
  useEffect(() => () => scroller?.dispose(), [scroller]);
  // The buffer's bounds go to the scroller outside rendering: a flood changes them sixty times a second,
  // and this component (the toolbar, the input line) has no reason to render for that.
  useEffect(() => {
    if (!scroller || !name) return;
    const push = (s: ReturnType<WorkbenchStore['getState']>): void => {
      const b = s.buffers[name];
      if (b) scroller.setBounds({ origin: b.origin, end: b.end, revision: b.revision });
    };
    push(store.getState());
    return store.subscribe(push);
  }, [store, scroller, name]);
  const follow = useSyncExternalStore(scroller?.subscribe ?? noSubscription, () => scroller?.getView().follow ?? true);

  useEffect(() => {
    setMatch(null);
    setSearchNote(null);
  }, [name]);

  const search = async (direction: 'forward' | 'backward'): Promise<void> => {
    if (!name || !query || !scroller) return;
    const view = scroller.getView();
    const from = match ? (direction === 'forward' ? match.end : match.start) : !view.follow ? view.top : undefined;
    try {
      const found = await api.searchBuffer({ name, query, mode: searchMode, direction, ...(from !== undefined ? { from } : {}) });
      if (!found) {
        setSearchNote(`No ${direction === 'forward' ? 'later' : 'earlier'} match for ${query}`);
        return;
      }
      setSearchNote(`Match at byte ${found.start}`);
      setMatch(found);
      scroller.jumpTo(found.start, MATCH_CONTEXT_ROWS);
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
  const inputKeys = (event: KeyboardEvent<HTMLInputElement>): void => {
    // Ctrl+D on an empty line sends EOF, as a terminal does.
    if (event.key === 'd' && event.ctrlKey && !event.shiftKey && !event.altKey && input === '') {
      event.preventDefault();
      return sendEof();
    }
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

  const copy = (): void => {
    const selected = window.getSelection?.()?.toString() ?? '';
    const text = selected || scroller?.visibleText() || '';
    void navigator.clipboard?.writeText(text).catch((e: Error) => onError(`Copy failed: ${e.message}`));
  };
  const sendEof = (): void => void api.sendEof({ id: process.id }).catch((e: Error) => onError(e.message));
  const pickedFile = (file: File | undefined): void => {
    if (!file) return;
    setFileNote(`Sending ${file.name}…`);
    sendFile(api, process.id, file, (sent) => setFileNote(`Sending ${file.name}: ${sent} of ${file.size} bytes`)).then(
      (sent) => setFileNote(`Sent ${file.name} (${sent} bytes)`),
      (err: Error) => {
        setFileNote(`Sending ${file.name} failed: ${err.message}`);
        onError(err.message);
      },
    );
    if (filePicker.current) filePicker.current.value = '';
  };

  return (
    <section className="buffer-view" aria-label={`Buffer ${name ?? '(none)'}`}>
      <header>
        <strong>{name ?? `${process.name} has no buffer`}</strong>
        {name ? <TrimmedNotice store={store} name={name} /> : null}
        {name ? (
          <>
            <button type="button" onClick={() => void api.clearBuffer({ name }).catch((e: Error) => onError(e.message))}>
              Clear
            </button>
            <button type="button" onClick={copy}>
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
            <input type="checkbox" checked={follow} onChange={(e) => scroller?.setFollow(e.target.checked)} /> Follow
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
        </div>
      ) : null}
      {scroller ? (
        <BufferViewport scroller={scroller} label={`Contents of ${name}`} match={match} />
      ) : (
        <div role="log" aria-label="Contents of no buffer" className="buffer-lines" />
      )}
      <form onSubmit={send} aria-label={`Send to ${process.name}`}>
        <fieldset disabled={departed} className="input-line">
          <input
            aria-label={`Input for ${process.name}`}
            aria-keyshortcuts="Control+D"
            value={input}
            onChange={(e) => setInput(e.target.value)}
            onKeyDown={inputKeys}
            placeholder={mode === 'hex' ? 'de ad be ef' : 'text to send (Ctrl+D on an empty line: EOF)'}
          />
          <select aria-label="Input mode" value={mode} onChange={(e) => setMode(e.target.value as 'text' | 'hex')}>
            <option value="text">Text</option>
            <option value="hex">Hex bytes</option>
          </select>
          <select
            aria-label="Line ending"
            value={ending}
            onChange={(e) => setEnding(e.target.value as LineEnding)}
            disabled={mode === 'hex'}
          >
            <option value="none">No line end</option>
            <option value="lf">LF</option>
            <option value="crlf">CRLF</option>
          </select>
          <button type="submit">Send</button>
          <button type="button" onClick={sendEof}>
            Send EOF
          </button>
          <button type="button" onClick={() => filePicker.current?.click()}>
            Send file…
          </button>
          <input
            ref={filePicker}
            type="file"
            hidden
            aria-label={`File to send to ${process.name}`}
            onChange={(e) => pickedFile(e.target.files?.[0])}
          />
          {fileNote ? <span role="status">{fileNote}</span> : null}
        </fieldset>
      </form>
    </section>
  );
}
