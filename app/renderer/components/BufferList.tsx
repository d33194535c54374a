/**
 * The buffer list, as Emacs's list-buffers: every live buffer with its size,
 * the bytes its cap trimmed, the process that uses it (or the one that last
 * did, departed) and when its text last changed. A buffer is opened in the
 * buffer view, saved to a file, cleared or killed from here; killing a
 * buffer deletes its process first, as kill-buffer does.
 */
import { useVirtualizer } from '@tanstack/react-virtual';
import { Eraser, FolderOpen, Save, Trash, X } from 'lucide-react';
import { useEffect, useMemo, useRef, useState, type FormEvent, type KeyboardEvent } from 'react';
import type { BufferInfo, NetprocApi } from '../../shared/api.js';
import { formatBytes } from '../lisp.js';
import { loadSettings, saveSetting } from '../settings.js';
import type { WorkbenchStore } from '../store.js';
import { Button, IconButton } from './ui/Button.js';
import { Modal } from './ui/Modal.js';
import { KeepEnd, keptEnd } from './ui/KeepEnd.js';
import { EmptyState, PaneHeader } from './ui/Pane.js';

/** How often sizes and times redraw: under a flood the buffers change sixty times a second, and a list of thousands need not. */
const REDRAW_MS = 250;
/** A row's height in pixels (a process-table row and its border), for the virtual list's first layout. */
const ROW_PX = 25;

export type BufferSortKey = 'name' | 'length' | 'trimmedBytes' | 'process' | 'changedAt';

/** Who a buffer belongs to, as the Process column says it. */
export function bufferOwner(b: BufferInfo): { state: 'live' | 'departed' | 'none'; name: string | null; text: string; title: string } {
  if (b.process) return { state: 'live', name: b.process.name, text: b.process.name, title: `${b.process.name}, a live process` };
  const last = b.lastProcess;
  if (!last) return { state: 'none', name: null, text: 'none', title: 'No process has used this buffer' };
  const from =
    last.kind === 'accepted' && last.serverName
      ? `, accepted by ${last.serverName}${last.remoteText ? ` from ${last.remoteText}` : ''}`
      : last.kind === 'datagram-peer' && last.serverName
        ? `, a peer of ${last.serverName}${last.remoteText ? ` at ${last.remoteText}` : ''}`
        : '';
  return {
    state: 'departed',
    name: last.name,
    text: `${last.name} (departed)`,
    title: `${last.name}: departed (${last.status}, exit status ${last.exitStatus})${from}. Its buffer remains.`,
  };
}

/** When the text last changed, as people read it: the time today, the date and time before. */
export function changedText(changedAt: number, now = Date.now()): string {
  if (!changedAt) return 'never';
  const at = new Date(changedAt);
  return new Date(now).toDateString() === at.toDateString() ? at.toLocaleTimeString() : at.toLocaleString();
}

export function sortedBuffers(buffers: Record<string, BufferInfo>, key: BufferSortKey, descending: boolean): BufferInfo[] {
  const value = (b: BufferInfo): string | number => (key === 'process' ? `${bufferOwner(b).state} ${bufferOwner(b).name ?? ''}` : b[key]);
  return Object.values(buffers).sort((a, b) => {
    const x = value(a);
    const y = value(b);
    const primary = x < y ? -1 : x > y ? 1 : 0;
    if (primary !== 0) return descending ? -primary : primary;
    return a.name < b.name ? -1 : a.name > b.name ? 1 : 0;
  });
}

/** The store's buffers, redrawn at most every REDRAW_MS. */
function useBuffers(store: WorkbenchStore): Record<string, BufferInfo> {
  const [buffers, setBuffers] = useState(() => store.getState().buffers);
  useEffect(() => {
    let timer: ReturnType<typeof setTimeout> | null = null;
    setBuffers(store.getState().buffers);
    const unsubscribe = store.subscribe((state, previous) => {
      if (state.buffers === previous.buffers) return;
      timer ??= setTimeout(() => {
        timer = null;
        setBuffers(store.getState().buffers);
      }, REDRAW_MS);
    });
    return () => {
      unsubscribe();
      if (timer) clearTimeout(timer);
    };
  }, [store]);
  return buffers;
}

/** A file name made from a buffer name: `*srv* <127.0.0.1:5555>` becomes `srv_127.0.0.1_5555.txt`. */
export function suggestedFileName(bufferName: string): string {
  const stem = bufferName.replace(/[^\w.-]+/g, '_').replace(/^[_.]+|_+$/g, '');
  return `${stem || 'buffer'}.txt`;
}

const COLUMNS: Array<{ key: BufferSortKey; title: string; width: number; numeric?: boolean }> = [
  { key: 'name', title: 'Buffer', width: 164 },
  { key: 'length', title: 'Size', width: 62, numeric: true },
  // Room for the title and the sort arrow beside it.
  { key: 'trimmedBytes', title: 'Trimmed', width: 90, numeric: true },
  { key: 'process', title: 'Process', width: 144 },
  { key: 'changedAt', title: 'Last change', width: 100 },
];

interface Props {
  api: NetprocApi;
  store: WorkbenchStore;
  /** Goes back to the process list. */
  onClose(): void;
}

export function BufferList({ api, store, onClose }: Props) {
  const buffers = useBuffers(store);
  const [sort, setSort] = useState<{ key: BufferSortKey; descending: boolean }>({ key: 'name', descending: false });
  const rows = useMemo(() => sortedBuffers(buffers, sort.key, sort.descending), [buffers, sort]);
  const [selectedName, setSelectedName] = useState<string | null>(null);
  const selected = rows.find((b) => b.name === selectedName) ?? null;
  const [error, setError] = useState<string | null>(null);
  const [note, setNote] = useState<string | null>(null);
  const [saving, setSaving] = useState<{ name: string; path: string; error: string | null } | null>(null);
  const [confirmKill, setConfirmKill] = useState<BufferInfo | null>(null);
  const scroll = useRef<HTMLDivElement>(null);
  const body = useRef<HTMLTableSectionElement>(null);
  const virtualizer = useVirtualizer({
    count: rows.length,
    getScrollElement: () => scroll.current,
    estimateSize: () => ROW_PX,
    overscan: 12,
  });
  const items = virtualizer.getVirtualItems();
  const padTop = items[0]?.start ?? 0;
  const padBottom = Math.max(0, virtualizer.getTotalSize() - (items[items.length - 1]?.end ?? 0));

  const run = (action: Promise<unknown>, done?: string): void => {
    setError(null);
    setNote(null);
    action.then(
      () => done && setNote(done),
      (err: Error) => setError(err.message),
    );
  };
  const select = (name: string): void => {
    setSelectedName(name);
    const index = rows.findIndex((b) => b.name === name);
    if (index >= 0) virtualizer.scrollToIndex(index, { align: 'auto' });
  };
  const open = (b: BufferInfo): void => {
    setSelectedName(b.name);
    store.getState().openBuffer(b.name);
  };
  const clear = (b: BufferInfo): void => run(api.clearBuffer({ name: b.name }), `Cleared ${b.name}`);
  const kill = (b: BufferInfo): void => {
    // The row after (or before) takes the selection, as the buffer menu's point moves on.
    const index = rows.findIndex((r) => r.name === b.name);
    const next = rows[index + 1] ?? rows[index - 1];
    run(
      api.killBuffer({ name: b.name }).then(() => setSelectedName(next?.name ?? null)),
      `Killed ${b.name}`,
    );
  };
  /** kill-buffer, asking first when a live process would be deleted with it (process-kill-buffer-query-function). */
  const askKill = (b: BufferInfo): void => (b.process ? setConfirmKill(b) : kill(b));
  const startSave = (b: BufferInfo): void => {
    const directory = loadSettings().saveDirectory ?? '';
    setSaving({ name: b.name, path: directory ? `${directory.replace(/\/$/, '')}/${suggestedFileName(b.name)}` : '', error: null });
  };
  const save = (event: FormEvent): void => {
    event.preventDefault();
    if (!saving) return;
    const { name, path } = saving;
    setError(null);
    api.saveBuffer({ name, path }).then(
      (result) => {
        setSaving(null);
        setNote(`Saved ${formatBytes(result.bytes)} of ${name} to ${result.path}`);
        const slash = result.path.lastIndexOf('/');
        if (slash > 0) saveSetting({ saveDirectory: result.path.slice(0, slash) });
      },
      (err: Error) => setSaving({ name, path, error: err.message }),
    );
  };

  const onKeyDown = (event: KeyboardEvent<HTMLTableSectionElement>): void => {
    const index = rows.findIndex((b) => b.name === selectedName);
    const move = { ArrowDown: index + 1, ArrowUp: index - 1, Home: 0, End: rows.length - 1 }[event.key];
    if (move !== undefined) {
      const target = rows[Math.max(0, Math.min(rows.length - 1, move))];
      if (target) select(target.name);
      event.preventDefault();
      return;
    }
    if (!selected) return;
    if (event.key === 'Enter') open(selected);
    else if (event.key === 'k' || event.key === 'Delete') askKill(selected);
    else if (event.key === 's') startSave(selected);
    else return;
    event.preventDefault();
  };

  const disabled = !selected;
  return (
    <section className="pane pane-list buffer-list" aria-labelledby="buffer-list-title">
      <PaneHeader title="Buffer list" id="buffer-list-title">
        <div className="toolbar" role="toolbar" aria-label="Buffer actions">
          <IconButton
            label="Open buffer"
            shortcut="Enter"
            icon={<FolderOpen size={14} aria-hidden />}
            disabled={disabled}
            onClick={() => selected && open(selected)}
          />
          <IconButton
            label="Save buffer…"
            shortcut="S"
            icon={<Save size={14} aria-hidden />}
            disabled={disabled}
            onClick={() => selected && startSave(selected)}
          />
          <IconButton
            label="Clear buffer"
            icon={<Eraser size={14} aria-hidden />}
            disabled={disabled}
            onClick={() => selected && clear(selected)}
          />
          <IconButton
            label="Kill buffer"
            shortcut="K"
            icon={<Trash size={14} aria-hidden />}
            disabled={disabled}
            onClick={() => selected && askKill(selected)}
          />
        </div>
        <IconButton label="Close buffer list" shortcut="Ctrl+Shift+B" icon={<X size={14} aria-hidden />} onClick={onClose} />
      </PaneHeader>
      {saving ? (
        <form className="save-form" aria-label={`Save ${saving.name}`} onSubmit={save}>
          <label htmlFor="buffer-save-path">Save {saving.name} to</label>
          <input
            id="buffer-save-path"
            aria-label="File path"
            aria-invalid={saving.error ? true : undefined}
            aria-errormessage={saving.error ? 'buffer-save-error' : undefined}
            autoFocus
            value={saving.path}
            placeholder="/absolute/path/to/file.txt"
            onChange={(e) => setSaving({ ...saving, path: e.target.value, error: null })}
            onKeyDown={(e) => e.key === 'Escape' && setSaving(null)}
          />
          <Button type="submit" variant="primary">
            Save
          </Button>
          <Button onClick={() => setSaving(null)}>Cancel</Button>
          <p id="buffer-save-error" role="alert" className="inline-error" title={saving.error ?? undefined}>
            {saving.error}
          </p>
        </form>
      ) : null}
      <div className="list-scroll" ref={scroll}>
        <table
          aria-label="Buffers"
          aria-rowcount={rows.length + 1}
          className="process-table buffer-table"
          style={{ width: `${COLUMNS.reduce((sum, c) => sum + c.width, 0)}px` }}
        >
          <colgroup>
            {COLUMNS.map((c) => (
              <col key={c.key} style={{ width: `${c.width}px` }} />
            ))}
          </colgroup>
          <thead>
            <tr aria-rowindex={1}>
              {COLUMNS.map((c) => (
                <th
                  key={c.key}
                  scope="col"
                  className={c.numeric ? 'number' : undefined}
                  aria-sort={sort.key === c.key ? (sort.descending ? 'descending' : 'ascending') : undefined}
                >
                  <button
                    type="button"
                    className="sort"
                    onClick={() => setSort((s) => ({ key: c.key, descending: s.key === c.key ? !s.descending : false }))}
                  >
                    {c.title}
                    <span aria-hidden>{sort.key === c.key ? (sort.descending ? ' ↓' : ' ↑') : ''}</span>
                  </button>
                </th>
              ))}
            </tr>
          </thead>
          <tbody ref={body} tabIndex={0} onKeyDown={onKeyDown} aria-label="Buffers, arrow keys move, Enter opens, s saves, k kills">
            {padTop > 0 ? <tr aria-hidden style={{ height: `${padTop}px` }} /> : null}
            {items.map((item) => {
              const b = rows[item.index] as BufferInfo;
              const owner = bufferOwner(b);
              return (
                <tr
                  key={b.name}
                  aria-rowindex={item.index + 2}
                  aria-selected={b.name === selectedName}
                  className={[b.name === selectedName ? 'selected' : '', owner.state === 'departed' ? 'departed' : ''].join(' ')}
                  onClick={() => setSelectedName(b.name)}
                  onDoubleClick={() => open(b)}
                  // A double-click opens the buffer: it should not also select the word under the pointer. (A drag still selects.)
                  onMouseDown={(e) => e.detail > 1 && e.preventDefault()}
                >
                  <td title={b.name} aria-label={keptEnd(b.name) ? b.name : undefined}>
                    <KeepEnd text={b.name} />
                  </td>
                  <td className="number" title={`${b.length} bytes`}>
                    {formatBytes(b.length)}
                  </td>
                  <td className="number" title={`${b.trimmedBytes} bytes trimmed by the ${formatBytes(b.cap)} cap`}>
                    {formatBytes(b.trimmedBytes)}
                  </td>
                  <td title={owner.title} className={`owner-${owner.state}`}>
                    {owner.text}
                  </td>
                  <td title={b.changedAt ? new Date(b.changedAt).toISOString() : 'never changed'}>{changedText(b.changedAt)}</td>
                </tr>
              );
            })}
            {padBottom > 0 ? <tr aria-hidden style={{ height: `${padBottom}px` }} /> : null}
          </tbody>
        </table>
        {rows.length === 0 ? (
          <EmptyState title="No buffers">
            <p>
              A process made with <code>:buffer</code> gets one, and so does each connection a server with a buffer accepts. A buffer
              outlives its process until it is killed.
            </p>
          </EmptyState>
        ) : null}
      </div>
      <p className="buffer-list-feedback">
        <span role="alert" className="inline-error" title={error ?? undefined}>
          {error}
        </span>
        {note && !error ? (
          <span role="status" className="note" title={note}>
            {note}
          </span>
        ) : null}
      </p>
      <Modal
        open={confirmKill !== null}
        onOpenChange={(open) => !open && setConfirmKill(null)}
        role="alertdialog"
        title={`Kill buffer ${confirmKill?.name ?? ''}?`}
        description={
          <>
            Buffer &quot;{confirmKill?.name}&quot; has a running process; kill it? Killing the buffer deletes {confirmKill?.process?.name}{' '}
            first, and its sentinel gets &quot;deleted&quot;.
          </>
        }
        returnFocus={() => body.current?.focus()}
      >
        <div className="modal-footer">
          <div className="buttons">
            <Button onClick={() => setConfirmKill(null)}>Cancel</Button>
            <Button
              variant="danger"
              onClick={() => {
                if (confirmKill) kill(confirmKill);
                setConfirmKill(null);
              }}
            >
              Kill buffer and process
            </Button>
          </div>
        </div>
      </Modal>
    </section>
  );
}

/** Where focus lands when the buffer list opens: its rows. */
export function focusBufferList(): void {
  document.querySelector<HTMLElement>('table[aria-label="Buffers"] tbody')?.focus();
}
