/** The list-processes view: one row per process, accepted connections under their server. */
import { ArrowDownToLine, Columns3, Pause, Play, Plus, Trash } from 'lucide-react';
import { useStore } from 'zustand';
import { useShallow } from 'zustand/react/shallow';
import { useEffect, useMemo, useRef, useState, type KeyboardEvent, type PointerEvent, type ReactNode } from 'react';
import type { NetprocApi, ProcessInfo } from '../../shared/api.js';
import { formatBytes } from '../lisp.js';
import { loadSettings, saveSetting } from '../settings.js';
import { currentRate, listedDeparted, processTree, type RateSample, type Sort, type SortKey, type WorkbenchStore } from '../store.js';
import { Button, IconButton } from './ui/Button.js';
import { ReconnectBadge } from './ReconnectSection.js';
import { KindIcon, StatusChip } from './ui/Chip.js';
import { CheckMenu } from './ui/Menu.js';
import { OverflowToolbar } from './ui/OverflowToolbar.js';
import { EmptyState, PaneHeader } from './ui/Pane.js';
import { counted } from '../../shared/words.js';
import { KeepEnd, keptEnd } from './ui/KeepEnd.js';

interface Column {
  title: string;
  sort: SortKey | null;
  /** Pixels, until the user resizes it. */
  width: number;
  numeric?: boolean;
  shown: boolean;
  /** The cell's full text: shown cut with an ellipsis when narrow, and whole on hover. */
  text(p: ProcessInfo, rates: RateSample[] | undefined): string;
}

export const COLUMNS: Column[] = [
  { title: 'Process', sort: 'name', width: 158, shown: true, text: (p) => p.name },
  { title: 'Status', sort: 'status', width: 122, shown: true, text: (p) => p.status },
  { title: 'Buffer', sort: 'buffer', width: 78, shown: true, text: (p) => p.buffer ?? '--' },
  { title: 'Command', sort: 'command', width: 140, shown: false, text: (p) => p.command },
  { title: 'Local', sort: null, width: 130, shown: false, text: (p) => p.localText ?? '' },
  { title: 'Remote', sort: null, width: 98, shown: true, text: (p) => p.remoteText ?? '' },
  { title: 'In', sort: 'bytesIn', width: 52, numeric: true, shown: true, text: (p) => formatBytes(p.counters.bytesIn) },
  { title: 'Out', sort: 'bytesOut', width: 52, numeric: true, shown: true, text: (p) => formatBytes(p.counters.bytesOut) },
  {
    title: 'Rate in',
    sort: null,
    width: 72,
    numeric: true,
    shown: false,
    text: (_p, rates) => `${formatBytes(Math.round(currentRate(rates).bytesIn))}/s`,
  },
];

const MIN_COLUMN_PX = 40;
const MAX_COLUMN_PX = 600;
const clampWidth = (px: number): number => Math.min(MAX_COLUMN_PX, Math.max(MIN_COLUMN_PX, Math.round(px)));

/** A column's right edge, dragged or moved with the arrow keys; the width is remembered on release. */
function ColumnResizer({ title, width, onResize }: { title: string; width: number; onResize(px: number, done: boolean): void }) {
  const start = useRef<{ x: number; width: number } | null>(null);
  return (
    <div
      role="separator"
      aria-label={`Resize the ${title} column`}
      aria-orientation="vertical"
      aria-valuenow={width}
      aria-valuemin={MIN_COLUMN_PX}
      aria-valuemax={MAX_COLUMN_PX}
      tabIndex={0}
      className="column-resizer"
      onClick={(e) => e.stopPropagation()}
      onPointerDown={(e: PointerEvent<HTMLDivElement>) => {
        start.current = { x: e.clientX, width };
        e.currentTarget.setPointerCapture?.(e.pointerId);
        e.preventDefault();
      }}
      onPointerMove={(e) => start.current && onResize(clampWidth(start.current.width + e.clientX - start.current.x), false)}
      onPointerUp={(e) => {
        if (start.current) onResize(clampWidth(start.current.width + e.clientX - start.current.x), true);
        start.current = null;
      }}
      onKeyDown={(e) => {
        const step = e.shiftKey ? 40 : 10;
        if (e.key === 'ArrowLeft') onResize(clampWidth(width - step), true);
        else if (e.key === 'ArrowRight') onResize(clampWidth(width + step), true);
        else return;
        e.preventDefault();
      }}
    />
  );
}

interface Props {
  api: NetprocApi;
  store: WorkbenchStore;
  onNewProcess?(): void;
  /** Told of each failed action too, besides showing it in the pane. */
  onError?(message: string): void;
}

export function ProcessList({ api, store, onNewProcess, onError }: Props) {
  const processes = useStore(store, (s) => s.processes);
  // Departed processes whose buffers live on stay listed (under their server), marked as departed.
  const departed = useStore(store, useShallow(listedDeparted));
  const listed = useMemo(
    () => (departed.length ? { ...processes, ...Object.fromEntries(departed.map((p) => [p.id, p])) } : processes),
    [processes, departed],
  );
  const departedIds = useMemo(() => new Set(departed.map((p) => p.id)), [departed]);
  const rates = useStore(store, (s) => s.rates);
  const selectedId = useStore(store, (s) => s.selectedId);
  const marked = useStore(store, (s) => s.marked);
  const showClosed = useStore(store, (s) => s.showClosed);
  const [sort, setSort] = useState<Sort>({ key: 'name', descending: false });
  const [collapsed, setCollapsed] = useState<number[]>([]);
  const [error, setError] = useState<string | null>(null);
  const [shownTitles, setShownTitles] = useState<string[]>(
    () => loadSettings().listColumns ?? COLUMNS.filter((c) => c.shown).map((c) => c.title),
  );
  const [widths, setWidths] = useState<Record<string, number>>(() => loadSettings().listWidths ?? {});
  const body = useRef<HTMLTableSectionElement>(null);
  const rows = processTree(listed, showClosed, sort, collapsed);
  const columns = COLUMNS.filter((c) => c.title === 'Process' || shownTitles.includes(c.title));
  const widthOf = (c: Column): number => widths[c.title] ?? c.width;
  const toggleCollapsed = (id: number): void => setCollapsed((c) => (c.includes(id) ? c.filter((x) => x !== id) : [...c, id]));
  const selected = selectedId !== null ? processes[selectedId] : undefined;

  // The selected row stays in view however it was chosen: arrows, the palette, a reload.
  useEffect(() => {
    body.current?.querySelector('tr.selected')?.scrollIntoView?.({ block: 'nearest' });
  }, [selectedId, rows.length]);
  // An action's failure is about the process it was done to: it goes when another is selected.
  useEffect(() => setError(null), [selectedId]);

  const deleteTarget = selected ?? (marked.length ? processes[marked[0] as number] : undefined);
  const run = (action: Promise<unknown>): void => {
    setError(null);
    void action.catch((err: Error) => {
      setError(err.message);
      onError?.(err.message);
    });
  };
  const toggleStop = (p: ProcessInfo): void => run(p.stopped ? api.continueProcess({ id: p.id }) : api.stopProcess({ id: p.id }));
  /** Deletes the marked processes if any are marked, else the selected one. */
  const remove = (p: ProcessInfo): void => {
    const ids = marked.length ? marked : [p.id];
    store.getState().clearMarks();
    run(api.deleteProcess({ ids }));
  };
  const sendEof = (p: ProcessInfo): void => run(api.sendEof({ id: p.id }));
  // An imported conversation is a read-only record: nothing to stop, continue or end.
  const canStop = !!selected && selected.imported === null;
  const canSendEof = canStop && !selected.kind.startsWith('datagram') && selected.kind !== 'stream-server';

  const onKeyDown = (event: KeyboardEvent<HTMLTableSectionElement>): void => {
    const index = rows.findIndex((r) => r.process.id === selectedId);
    if (event.key === 'ArrowDown' || event.key === 'ArrowUp') {
      const next = rows[Math.min(rows.length - 1, Math.max(0, index + (event.key === 'ArrowDown' ? 1 : -1)))];
      if (next) store.getState().select(next.process.id);
      event.preventDefault();
    } else if (selected && (event.key === 'd' || event.key === 'Delete')) remove(selected);
    else if (selected && canStop && event.key === 's') toggleStop(selected);
  };

  const resize = (title: string, px: number, done: boolean): void => {
    const next = { ...widths, [title]: px };
    setWidths(next);
    if (done) saveSetting({ listWidths: next });
  };
  const toggleColumn = (title: string, on: boolean): void => {
    const next = COLUMNS.map((c) => c.title).filter((t) => (t === title ? on : shownTitles.includes(t)));
    setShownTitles(next);
    saveSetting({ listColumns: next });
  };

  const cell = (c: Column, p: ProcessInfo, depth: number, children: number): ReactNode => {
    const text = c.text(p, rates[p.id]);
    if (c.title === 'Status') {
      const gone = departedIds.has(p.id);
      return (
        <td
          key={c.title}
          title={gone ? `${p.status}, departed: no longer a process; its buffer remains` : p.stopped ? `${p.status}, stopped` : p.status}
        >
          <StatusChip status={p.status} stopped={p.stopped} />
          <ReconnectBadge process={p} />
          {gone ? <span className="visually-hidden">, departed</span> : null}
        </td>
      );
    }
    if (c.title !== 'Process') {
      return (
        <td key={c.title} title={text} className={c.numeric ? 'number' : undefined} aria-label={keptEnd(text) ? text : undefined}>
          {c.numeric ? text : <KeepEnd text={text} />}
        </td>
      );
    }
    return (
      <td key={c.title} aria-label={p.name} title={p.name} style={{ paddingLeft: `${8 + depth * 16}px` }}>
        <div className="cell-line">
          {children > 0 ? (
            <button
              type="button"
              className="disclosure"
              aria-expanded={!collapsed.includes(p.id)}
              aria-label={`${collapsed.includes(p.id) ? 'Show' : 'Hide'} the ${counted(children, p.kind === 'datagram-server' ? 'peer' : 'connection')} of ${p.name}`}
              onClick={(e) => {
                e.stopPropagation();
                toggleCollapsed(p.id);
              }}
            >
              {collapsed.includes(p.id) ? '▸' : '▾'}
            </button>
          ) : null}
          <KindIcon process={p} />
          <KeepEnd text={p.name} />
        </div>
      </td>
    );
  };

  return (
    <section className="pane pane-list process-list" aria-labelledby="process-list-title">
      <PaneHeader title="Processes" id="process-list-title">
        <OverflowToolbar
          label="Process actions"
          actions={[
            {
              key: 'stop',
              label: selected?.stopped ? 'Continue' : 'Stop',
              disabled: !canStop,
              onSelect: () => selected && toggleStop(selected),
              node: (
                <Button
                  variant="ghost"
                  disabled={!canStop}
                  aria-keyshortcuts="S"
                  icon={selected?.stopped ? <Play size={14} aria-hidden /> : <Pause size={14} aria-hidden />}
                  onClick={() => selected && toggleStop(selected)}
                >
                  {selected?.stopped ? 'Continue' : 'Stop'}
                </Button>
              ),
            },
            {
              key: 'eof',
              label: 'Send EOF',
              disabled: !canSendEof,
              onSelect: () => selected && sendEof(selected),
              node: (
                <Button
                  variant="ghost"
                  disabled={!canSendEof}
                  icon={<ArrowDownToLine size={14} aria-hidden />}
                  onClick={() => selected && sendEof(selected)}
                >
                  Send EOF
                </Button>
              ),
            },
            {
              key: 'delete',
              label: marked.length > 1 ? `Delete ${marked.length}` : 'Delete',
              disabled: !deleteTarget,
              onSelect: () => deleteTarget && remove(deleteTarget),
              node: (
                <Button
                  variant="ghost"
                  disabled={!deleteTarget}
                  aria-keyshortcuts="D"
                  icon={<Trash size={14} aria-hidden />}
                  onClick={() => deleteTarget && remove(deleteTarget)}
                >
                  {marked.length > 1 ? `Delete ${marked.length}` : 'Delete'}
                </Button>
              ),
            },
            {
              key: 'closed',
              label: showClosed ? 'Hide closed processes' : 'Show closed processes',
              onSelect: () => store.getState().setShowClosed(!showClosed),
              node: (
                <label className="check" title="Show closed processes">
                  <input type="checkbox" checked={showClosed} onChange={(e) => store.getState().setShowClosed(e.target.checked)} /> Show
                  closed
                  <span className="visually-hidden"> processes</span>
                </label>
              ),
            },
          ]}
        />
        <CheckMenu
          label="Columns"
          trigger={<IconButton label="Choose columns" icon={<Columns3 size={14} aria-hidden />} />}
          choices={COLUMNS.map((c) => ({
            key: c.title,
            label: c.title,
            checked: c.title === 'Process' || shownTitles.includes(c.title),
            disabled: c.title === 'Process',
          }))}
          onToggle={toggleColumn}
        />
      </PaneHeader>
      <div className="list-scroll">
        <table aria-label="Processes" className="process-table" style={{ width: `${columns.reduce((sum, c) => sum + widthOf(c), 0)}px` }}>
          <colgroup>
            {columns.map((c) => (
              <col key={c.title} style={{ width: `${widthOf(c)}px` }} />
            ))}
          </colgroup>
          <thead>
            <tr>
              {columns.map((c) => (
                <th
                  key={c.title}
                  scope="col"
                  className={c.numeric ? 'number' : undefined}
                  aria-sort={c.sort && sort.key === c.sort ? (sort.descending ? 'descending' : 'ascending') : undefined}
                >
                  {c.sort ? (
                    <button
                      type="button"
                      className="sort"
                      onClick={() => {
                        const key = c.sort as SortKey;
                        setSort((s) => ({ key, descending: s.key === key ? !s.descending : false }));
                      }}
                    >
                      {c.title}
                      <span aria-hidden>{sort.key === c.sort ? (sort.descending ? ' ↓' : ' ↑') : ''}</span>
                    </button>
                  ) : (
                    c.title
                  )}
                  <ColumnResizer title={c.title} width={widthOf(c)} onResize={(px, done) => resize(c.title, px, done)} />
                </th>
              ))}
            </tr>
          </thead>
          <tbody ref={body} tabIndex={0} onKeyDown={onKeyDown} aria-label="Processes, arrow keys move, s stops or continues, d deletes">
            {rows.map(({ process: p, depth, children }) => (
              <tr
                key={p.id}
                aria-selected={p.id === selectedId || marked.includes(p.id)}
                className={[
                  p.id === selectedId || marked.includes(p.id) ? 'selected' : '',
                  p.stopped ? 'stopped' : '',
                  departedIds.has(p.id) ? 'departed' : '',
                  `status-${p.status}`,
                ].join(' ')}
                onClick={(event) => {
                  // Ctrl/Cmd-click marks several processes for one delete, as `m` and `x` do in list-processes.
                  if (event.ctrlKey || event.metaKey) {
                    if (marked.length === 0 && selectedId !== null && selectedId !== p.id) store.getState().toggleMark(selectedId);
                    store.getState().toggleMark(p.id);
                  } else {
                    store.getState().clearMarks();
                    store.getState().select(p.id);
                  }
                }}
              >
                {columns.map((c) => cell(c, p, depth, children))}
              </tr>
            ))}
          </tbody>
        </table>
        {rows.length === 0 ? (
          <EmptyState title="No network processes yet">
            <p>Start a server or connect a client; it appears here with its status, addresses and byte counts.</p>
            <p>
              <Button variant="primary" icon={<Plus size={14} aria-hidden />} onClick={onNewProcess} disabled={!onNewProcess}>
                Make a network process…
              </Button>
            </p>
            <p>
              (New process in the top bar), or press <kbd>Ctrl+N</kbd>, or <kbd>Alt+X</kbd> then <code>make-network-process</code>
            </p>
          </EmptyState>
        ) : null}
      </div>
      <p role="alert" className="inline-error" title={error ?? undefined}>
        {error}
      </p>
    </section>
  );
}
