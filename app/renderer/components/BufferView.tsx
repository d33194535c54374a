/** The selected process's buffer, following its tail, with the input line that sends to it. */
import { ArrowDownToLine, ChevronDown, ChevronUp, Copy, Eraser, FileUp, Inbox, Save, Send } from 'lucide-react';
import { useEffect, useMemo, useRef, useState, useSyncExternalStore, type FormEvent, type KeyboardEvent } from 'react';
import { useStore } from 'zustand';
import { useShallow } from 'zustand/react/shallow';
import type { NetprocApi } from '../../shared/api.js';
import type { Row } from '../buffer-rows.js';
import { BufferScroller } from '../buffer-scroller.js';
import { base64Bytes, bytesHex } from '../hex.js';
import { bufferPrefs, inputDraft, saveBufferPrefs, saveInputDraft } from '../settings.js';
import { isDeparted, processById, type WorkbenchStore } from '../store.js';
import { BufferViewport } from './BufferViewport.js';
import { Button, IconButton } from './ui/Button.js';
import { OverflowToolbar } from './ui/OverflowToolbar.js';
import { EmptyState } from './ui/Pane.js';
import { counted } from '../../shared/words.js';

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

/** Bytes to show: [offset, offset + size) of BUFFER, highlighted; `at` tells one request from the next. */
export interface BufferJump {
  buffer: string;
  offset: number;
  size: number;
  at: number;
}

interface BufferViewProps {
  api: NetprocApi;
  store: WorkbenchStore;
  /** The process whose buffer to show. */
  processId: number | null;
  /** With no process: a buffer to show by name (one no process uses); there is then nothing to send to. */
  bufferName?: string | null;
  /** Bytes the traffic view asked to see (applied once, when this buffer is the one shown). */
  jump?: BufferJump | null;
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
  return trimmedBytes ? <span role="status">{counted(trimmedBytes, 'byte')} trimmed (buffer cap)</span> : null;
}

const noSubscription = (): (() => void) => () => undefined;

/** Room the input line keeps for the text field, the two selects and Send before actions move into "More". */
const INPUT_LINE_RESERVE_PX = 480;

/**
 * One process's share of the view (its choices, its draft), read when the process changes and written as it changes,
 * so what was set for one process is never shown, or sent, for another.
 */
function usePerProcess<T extends object, K>(
  key: string,
  owner: K,
  read: (owner: K) => T,
  write: (owner: K, patch: Partial<T>) => void,
): [T, (patch: Partial<T>) => void] {
  const [held, setHeld] = useState(() => ({ key, value: read(owner) }));
  const current = held.key === key ? held.value : read(owner);
  if (held.key !== key) setHeld({ key, value: current });
  // Written for the process it was made for: a send that ends after the selection moved clears its own process's draft.
  const update = (patch: Partial<T>): void => {
    write(owner, patch);
    setHeld({ key, value: read(owner) });
  };
  return [current, update];
}

export function BufferView({ api, store, processId, bufferName = null, jump = null }: BufferViewProps) {
  // Only what this view shows of the process: its counters change several times a second and are none of its business.
  const process = useStore(
    store,
    useShallow((s) => {
      const p = processById(s, processId);
      return p ? { id: p.id, name: p.name, buffer: p.buffer, unibyte: !p.filterMultibyte, replaces: p.reconnect?.replaces ?? null } : null;
    }),
  );
  const departed = useStore(store, (s) => isDeparted(s, processId));
  const name = process ? process.buffer : bufferName;
  // True only while the buffer holds nothing: flips once when the first bytes arrive, not with every batch.
  const empty = useStore(store, (s) => {
    const b = name ? s.buffers[name] : undefined;
    return b ? b.end <= b.origin : true;
  });
  const processName = process?.name ?? '';
  const [prefs, setPrefs] = usePerProcess(processName, processName, bufferPrefs, saveBufferPrefs);
  const draftOwner = { name: processName, id: process?.id ?? -1, replaces: process?.replaces ?? null };
  const [draft, setDraft] = usePerProcess(`${draftOwner.id}`, draftOwner, inputDraft, saveInputDraft);
  const input = draft.text;
  const setInput = (text: string): void => setDraft({ text });
  /** The last failure of something done for this process, shown under its input line. */
  const error = draft.error;
  const setError = (message: string | null): void => setDraft({ error: message });
  const mode = prefs.inputMode ?? 'text';
  const ending = prefs.ending ?? 'lf';
  const hex = prefs.hex ?? false;
  const [history, setHistory] = useState<string[]>([]);
  const [historyAt, setHistoryAt] = useState(-1);
  const [query, setQuery] = useState('');
  const [searchMode, setSearchMode] = useState<'text' | 'hex' | 'regex'>('text');
  const [match, setMatch] = useState<Row | null>(null);
  const [searchNote, setSearchNote] = useState<string | null>(null);
  const [fileNote, setFileNote] = useState<string | null>(null);
  const filePicker = useRef<HTMLInputElement>(null);
  /** The scroller this one replaces, so switching text/hex keeps the place. */
  const previous = useRef<BufferScroller | null>(null);

  const scroller = useMemo(() => {
    if (!name) return null;
    const next = new BufferScroller(api, name, hex ? 'hex' : 'text', (message) => setError(message));
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
    setFileNote(null);
  }, [name]);

  const jumped = useRef<BufferJump | null>(null);
  useEffect(() => {
    if (!jump || !scroller || jump.buffer !== name || jumped.current === jump) return;
    jumped.current = jump;
    const range = { start: jump.offset, end: jump.offset + jump.size };
    setMatch(range);
    setSearchNote(`Bytes ${range.start}–${range.end} (from the traffic view)`);
    scroller.jumpTo(range.start, MATCH_CONTEXT_ROWS);
  }, [jump, scroller, name]);

  const search = async (direction: 'forward' | 'backward'): Promise<void> => {
    if (!name || !query || !scroller) return;
    const from = scroller.searchFrom(direction, match);
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

  if (!process && !name) {
    return (
      <section className="buffer-view" aria-label="Buffer">
        <EmptyState title="No process selected" icon={<Inbox size={32} aria-hidden />}>
          <p>Select a process in the list (or press F6 to reach it) to see what it received and to send to it.</p>
        </EmptyState>
      </section>
    );
  }

  const fail = (message: string): void => setError(message);
  const send = (event: FormEvent): void => {
    event.preventDefault();
    if (!process || (!input && mode === 'hex')) return;
    setError(null);
    const payload = outgoing(input, mode, ending);
    const request =
      'hex' in payload ? api.sendBytes({ id: process.id, hex: payload.hex }) : api.sendString({ id: process.id, text: payload.text });
    request.then(
      () => {
        setHistory((h) => [...h, input].slice(-100));
        setHistoryAt(-1);
        setInput('');
      },
      (err: Error) => fail(err.message),
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
    const text = selected || scroller?.visibleText(process?.unibyte ?? false) || '';
    void navigator.clipboard?.writeText(text).catch((e: Error) => fail(`Copy failed: ${e.message}`));
  };
  const sendEof = (): void => {
    if (!process) return;
    setError(null);
    void api.sendEof({ id: process.id }).catch((e: Error) => fail(e.message));
  };
  const pickedFile = (file: File | undefined): void => {
    if (!file || !process) return;
    setFileNote(`Sending ${file.name}…`);
    sendFile(api, process.id, file, (sent) => setFileNote(`Sending ${file.name}: ${sent} of ${counted(file.size, 'byte')}`)).then(
      (sent) => setFileNote(`Sent ${file.name} (${counted(sent, 'byte')})`),
      (err: Error) => {
        setFileNote(`Sending ${file.name} failed: ${err.message}`);
        fail(err.message);
      },
    );
    if (filePicker.current) filePicker.current.value = '';
  };

  return (
    <section className="buffer-view" aria-label={`Buffer ${name ?? '(none)'}`}>
      <div className="buffer-title">
        <strong title={name ?? undefined}>{name ?? `${process?.name} has no buffer`}</strong>
        {name ? <TrimmedNotice store={store} name={name} /> : null}
        {name ? (
          <div className="toolbar" role="toolbar" aria-label="Buffer actions">
            <IconButton
              label="Clear"
              icon={<Eraser size={14} aria-hidden />}
              onClick={() => void api.clearBuffer({ name }).catch((e: Error) => fail(e.message))}
            />
            <IconButton label="Copy" icon={<Copy size={14} aria-hidden />} onClick={copy} />
            <IconButton
              label="Save…"
              icon={<Save size={14} aria-hidden />}
              onClick={() => void saveBuffer(api, name).catch((e: Error) => fail(`Save failed: ${e.message}`))}
            />
          </div>
        ) : null}
      </div>
      {name ? (
        <div className="buffer-tools toolbar" role="toolbar" aria-label="Buffer tools">
          <label className="check">
            <input type="checkbox" checked={follow} onChange={(e) => scroller?.setFollow(e.target.checked)} /> Follow
          </label>
          <label className="check">
            <input type="checkbox" checked={hex} onChange={(e) => setPrefs({ hex: e.target.checked })} /> Hex
          </label>
          <input
            type="search"
            aria-label="Search buffer"
            placeholder="Search"
            value={query}
            onChange={(e) => setQuery(e.target.value)}
            onKeyDown={(e) => e.key === 'Enter' && void search(e.shiftKey ? 'backward' : 'forward')}
          />
          <select aria-label="Search mode" value={searchMode} onChange={(e) => setSearchMode(e.target.value as 'text' | 'hex' | 'regex')}>
            <option value="text">Text</option>
            <option value="hex">Hex bytes</option>
            <option value="regex">Regex</option>
          </select>
          <IconButton
            label="Previous"
            shortcut="Shift+Enter"
            icon={<ChevronUp size={16} aria-hidden />}
            onClick={() => void search('backward')}
          />
          <IconButton label="Next" shortcut="Enter" icon={<ChevronDown size={16} aria-hidden />} onClick={() => void search('forward')} />
          {searchNote ? (
            <span role="status" className="note" title={searchNote}>
              {searchNote}
            </span>
          ) : null}
        </div>
      ) : null}
      {scroller ? (
        <div className="buffer-viewport-frame">
          <BufferViewport scroller={scroller} label={`Contents of ${name}`} match={match} unibyte={process?.unibyte ?? false} />
          {empty ? (
            <div className="buffer-empty">
              {process ? (
                <EmptyState title="Nothing received yet">
                  <p>
                    What {process.name} receives appears here as it arrives; lines its sentinel writes are set apart in italics. What you
                    send goes to the peer and is not echoed here, as in Emacs.
                  </p>
                  <p>Type below and press Enter to send (Ctrl+D on an empty line sends EOF).</p>
                </EmptyState>
              ) : (
                <EmptyState title="Empty buffer">
                  <p>No process uses {name}, so nothing arrives here any more.</p>
                </EmptyState>
              )}
            </div>
          ) : null}
        </div>
      ) : (
        <div role="log" aria-label="Contents of no buffer" className="buffer-viewport-frame">
          <EmptyState title="No buffer">
            <p>
              {process?.name} was made with <code>:buffer nil</code>, so what it receives is kept nowhere (a filter may still see it). You
              can still send to it below.
            </p>
          </EmptyState>
        </div>
      )}
      {process ? (
        <form onSubmit={send} aria-label={`Send to ${process.name}`}>
          <fieldset disabled={departed} className="input-line">
            <OverflowToolbar
              label="Input line"
              reservePx={INPUT_LINE_RESERVE_PX}
              actions={[
                {
                  key: 'eof',
                  label: 'Send EOF',
                  icon: <ArrowDownToLine size={14} aria-hidden />,
                  disabled: departed,
                  onSelect: sendEof,
                  node: (
                    <Button
                      variant="ghost"
                      aria-keyshortcuts="Control+D"
                      onClick={sendEof}
                      icon={<ArrowDownToLine size={14} aria-hidden />}
                    >
                      Send EOF
                    </Button>
                  ),
                },
                {
                  key: 'file',
                  label: 'Send file…',
                  icon: <FileUp size={14} aria-hidden />,
                  disabled: departed,
                  onSelect: () => filePicker.current?.click(),
                  node: (
                    <Button variant="ghost" onClick={() => filePicker.current?.click()} icon={<FileUp size={14} aria-hidden />}>
                      Send file…
                    </Button>
                  ),
                },
              ]}
            >
              <input
                aria-label={`Input for ${process.name}`}
                aria-keyshortcuts="Control+D"
                aria-invalid={error ? true : undefined}
                aria-errormessage={error ? `send-error-${process.id}` : undefined}
                value={input}
                onChange={(e) => setInput(e.target.value)}
                onKeyDown={inputKeys}
                placeholder={mode === 'hex' ? 'de ad be ef' : 'text to send, Enter sends'}
              />
              <select aria-label="Input mode" value={mode} onChange={(e) => setPrefs({ inputMode: e.target.value as 'text' | 'hex' })}>
                <option value="text">Text</option>
                <option value="hex">Hex bytes</option>
              </select>
              <select
                aria-label="Line ending"
                value={ending}
                onChange={(e) => setPrefs({ ending: e.target.value as LineEnding })}
                disabled={mode === 'hex'}
              >
                <option value="none">No line end</option>
                <option value="lf">LF</option>
                <option value="crlf">CRLF</option>
              </select>
              <Button type="submit" variant="primary" icon={<Send size={14} aria-hidden />}>
                Send
              </Button>
            </OverflowToolbar>
            <input
              ref={filePicker}
              type="file"
              hidden
              aria-label={`File to send to ${process.name}`}
              onChange={(e) => pickedFile(e.target.files?.[0])}
            />
          </fieldset>
          {/* One line, always there: a failure or a file's progress shows beside the input without moving anything. */}
          <div className="input-feedback">
            <span id={`send-error-${process.id}`} role="alert" className="inline-error" title={error ?? undefined}>
              {error}
            </span>
            {fileNote && !error ? (
              <span role="status" className="note" title={fileNote}>
                {fileNote}
              </span>
            ) : null}
          </div>
        </form>
      ) : (
        <p className="note">No process uses this buffer: there is nothing to send to.</p>
      )}
    </section>
  );
}
