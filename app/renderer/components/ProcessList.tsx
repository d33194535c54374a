/** The list-processes view: one row per process, accepted connections under their server. */
import { useStore } from 'zustand';
import { useState, type KeyboardEvent } from 'react';
import type { NetprocApi, ProcessInfo } from '../../shared/api.js';
import { formatBytes } from '../lisp.js';
import { currentRate, processTree, type Sort, type SortKey, type WorkbenchStore } from '../store.js';

const COLUMNS: Array<[string, SortKey | null]> = [
  ['Process', 'name'],
  ['Status', 'status'],
  ['Buffer', 'buffer'],
  ['Command', 'command'],
  ['Local', null],
  ['Remote', null],
  ['In', 'bytesIn'],
  ['Out', 'bytesOut'],
  ['Rate in', null],
];

interface Props {
  api: NetprocApi;
  store: WorkbenchStore;
  onError(message: string): void;
}

export function ProcessList({ api, store, onError }: Props) {
  const processes = useStore(store, (s) => s.processes);
  const rates = useStore(store, (s) => s.rates);
  const selectedId = useStore(store, (s) => s.selectedId);
  const marked = useStore(store, (s) => s.marked);
  const showClosed = useStore(store, (s) => s.showClosed);
  const [sort, setSort] = useState<Sort>({ key: 'name', descending: false });
  const [collapsed, setCollapsed] = useState<number[]>([]);
  const rows = processTree(processes, showClosed, sort, collapsed);
  const toggleCollapsed = (id: number): void => setCollapsed((c) => (c.includes(id) ? c.filter((x) => x !== id) : [...c, id]));
  const selected = selectedId !== null ? processes[selectedId] : undefined;

  const deleteTarget = selected ?? (marked.length ? processes[marked[0] as number] : undefined);
  const run = (action: Promise<unknown>): void => void action.catch((err: Error) => onError(err.message));
  const toggleStop = (p: ProcessInfo): void => run(p.stopped ? api.continueProcess({ id: p.id }) : api.stopProcess({ id: p.id }));
  /** Deletes the marked processes if any are marked, else the selected one. */
  const remove = (p: ProcessInfo): void => {
    const ids = marked.length ? marked : [p.id];
    store.getState().clearMarks();
    run(api.deleteProcess({ ids }));
  };
  const sendEof = (p: ProcessInfo): void => run(api.sendEof({ id: p.id }));

  const onKeyDown = (event: KeyboardEvent<HTMLTableSectionElement>): void => {
    const index = rows.findIndex((r) => r.process.id === selectedId);
    if (event.key === 'ArrowDown' || event.key === 'ArrowUp') {
      const next = rows[Math.min(rows.length - 1, Math.max(0, index + (event.key === 'ArrowDown' ? 1 : -1)))];
      if (next) store.getState().select(next.process.id);
      event.preventDefault();
    } else if (selected && (event.key === 'd' || event.key === 'Delete')) remove(selected);
    else if (selected && event.key === 's') toggleStop(selected);
  };

  return (
    <section className="process-list" aria-label="Process list">
      <div className="toolbar" role="toolbar" aria-label="Process actions">
        <button type="button" disabled={!selected} onClick={() => selected && toggleStop(selected)}>
          {selected?.stopped ? 'Continue' : 'Stop'}
        </button>
        <button
          type="button"
          disabled={!selected || selected.kind.startsWith('datagram') || selected.kind === 'stream-server'}
          onClick={() => selected && sendEof(selected)}
        >
          Send EOF
        </button>
        <button type="button" disabled={!deleteTarget} onClick={() => deleteTarget && remove(deleteTarget)}>
          {marked.length > 1 ? `Delete ${marked.length}` : 'Delete'}
        </button>
        <label>
          <input type="checkbox" checked={showClosed} onChange={(e) => store.getState().setShowClosed(e.target.checked)} /> Show closed
          processes
        </label>
      </div>
      <table aria-label="Processes">
        <thead>
          <tr>
            {COLUMNS.map(([title, key]) => (
              <th key={title} scope="col" aria-sort={key && sort.key === key ? (sort.descending ? 'descending' : 'ascending') : undefined}>
                {key ? (
                  <button
                    type="button"
                    className="sort"
                    onClick={() => setSort((s) => ({ key, descending: s.key === key ? !s.descending : false }))}
                  >
                    {title}
                  </button>
                ) : (
                  title
                )}
              </th>
            ))}
          </tr>
        </thead>
        <tbody tabIndex={0} onKeyDown={onKeyDown} aria-label="Processes, arrow keys move, s stops or continues, d deletes">
          {rows.map(({ process: p, depth, children }) => (
            <tr
              key={p.id}
              aria-selected={p.id === selectedId || marked.includes(p.id)}
              className={[
                p.id === selectedId || marked.includes(p.id) ? 'selected' : '',
                p.stopped ? 'stopped' : '',
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
              <td aria-label={p.name} style={{ paddingLeft: `${0.4 + depth * 1.2}em` }}>
                {children > 0 ? (
                  <button
                    type="button"
                    className="disclosure"
                    aria-expanded={!collapsed.includes(p.id)}
                    aria-label={`${collapsed.includes(p.id) ? 'Show' : 'Hide'} the ${children} connections of ${p.name}`}
                    onClick={(e) => {
                      e.stopPropagation();
                      toggleCollapsed(p.id);
                    }}
                  >
                    {collapsed.includes(p.id) ? '▸' : '▾'}
                  </button>
                ) : null}
                {p.name}
              </td>
              <td>{p.status}</td>
              <td>{p.buffer ?? '--'}</td>
              <td>{p.command}</td>
              <td>{p.localText ?? ''}</td>
              <td>{p.remoteText ?? ''}</td>
              <td>{formatBytes(p.counters.bytesIn)}</td>
              <td>{formatBytes(p.counters.bytesOut)}</td>
              <td>{`${formatBytes(Math.round(currentRate(rates[p.id]).bytesIn))}/s`}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}
