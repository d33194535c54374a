/** Several buffers open at once: the selected process's, plus any opened as tabs. */
import { Download, FileInput, Pin, X } from 'lucide-react';
import { useEffect, useRef, useState } from 'react';
import { useStore } from 'zustand';
import { useShallow } from 'zustand/react/shallow';
import type { NetprocApi } from '../../shared/api.js';
import type { TimelineEntry } from '../../shared/api.js';
import { processById, type WorkbenchStore } from '../store.js';
import { BufferView, type BufferJump } from './BufferView.js';
import { ExportDialog } from './ExportDialog.js';
import { ImportDialog } from './ImportDialog.js';
import { TrafficTimeline } from './TrafficTimeline.js';
import { IconButton } from './ui/Button.js';
import { Segmented } from './ui/Segmented.js';

const VIEWS = [
  { value: 'buffer' as const, label: 'Buffer' },
  { value: 'traffic' as const, label: 'Traffic' },
];

export function BufferTabs({ api, store }: { api: NetprocApi; store: WorkbenchStore }) {
  const selectedId = useStore(store, (s) => s.selectedId);
  const viewedBuffer = useStore(store, (s) => s.viewedBuffer);
  const tabs = useStore(store, (s) => s.tabs);
  const names = useStore(
    store,
    useShallow((s) => Object.fromEntries(s.tabs.map((id) => [id, processById(s, id)?.name ?? '?'])) as Record<number, string>),
  );
  const [active, setActive] = useState<number | 'selected'>('selected');
  // What was just chosen (in the process list, the buffer list or the event log) is shown, even over a kept tab.
  useEffect(() => setActive('selected'), [selectedId, viewedBuffer]);
  const shown = active === 'selected' || !tabs.includes(active) ? selectedId : active;
  const shownName = useStore(store, (s) => processById(s, shown)?.name ?? null);
  const shownBuffer = useStore(store, (s) => processById(s, shown)?.buffer ?? null);
  const [exporting, setExporting] = useState(false);
  const exportButton = useRef<HTMLButtonElement>(null);
  const importButton = useRef<HTMLButtonElement>(null);
  const [importing, setImporting] = useState(false);
  const [imported, setImported] = useState<{ id: number; text: string } | null>(null);
  // The note about an import stays while its process is the one shown.
  if (imported && shown !== null && shown !== imported.id) setImported(null);
  const [view, setView] = useState<'buffer' | 'traffic'>('buffer');
  const [jump, setJump] = useState<BufferJump | null>(null);
  /** A received chunk picked in the traffic view: its bytes shown in the buffer (its connection's, for a server's view). */
  const jumpTo = (entry: TimelineEntry): void => {
    if (entry.bufferAt === null || entry.buffer === null) return;
    if (entry.processId !== shown && processById(store.getState(), entry.processId)) {
      setActive('selected');
      store.getState().select(entry.processId);
    }
    setJump({ buffer: entry.buffer, offset: entry.bufferAt, size: entry.size, at: Date.now() });
    setView('buffer');
  };
  return (
    <section className="pane pane-buffers buffer-tabs" aria-labelledby="buffers-title" tabIndex={-1}>
      <div className="pane-header">
        <h2 id="buffers-title">Buffers</h2>
        <div role="tablist" aria-label="Open buffers" className="tabs">
          <button
            type="button"
            role="tab"
            className="tab"
            aria-selected={active === 'selected' || !tabs.includes(active as number)}
            onClick={() => setActive('selected')}
          >
            {selectedId === null && viewedBuffer !== null ? 'Selected buffer' : 'Selected process'}
          </button>
          {tabs.map((id) => (
            <span key={id} className="tab-group">
              <button
                type="button"
                role="tab"
                className="tab"
                aria-selected={active === id}
                title={names[id]}
                onClick={() => setActive(id)}
              >
                {names[id]}
              </button>
              <button type="button" className="tab-close" aria-label={`Close ${names[id]}`} onClick={() => store.getState().closeTab(id)}>
                <X size={12} aria-hidden />
              </button>
            </span>
          ))}
        </div>
        <div className="pane-actions">
          <Segmented label="Buffer view" value={view} options={VIEWS} onChange={(next) => setView(next)} />
          <IconButton
            ref={exportButton}
            label="Export…"
            icon={<Download size={14} aria-hidden />}
            disabled={shown === null}
            onClick={() => setExporting(true)}
          />
          <IconButton
            ref={importButton}
            label="Import capture…"
            icon={<FileInput size={14} aria-hidden />}
            onClick={() => setImporting(true)}
          />
          <IconButton
            label="Keep open"
            icon={<Pin size={14} aria-hidden />}
            disabled={selectedId === null || tabs.includes(selectedId)}
            onClick={() => selectedId !== null && (store.getState().openTab(selectedId), setActive(selectedId))}
          />
        </div>
      </div>
      {importing ? (
        <ImportDialog
          api={api}
          onClose={() => setImporting(false)}
          returnFocus={() => importButton.current?.focus()}
          onImported={(result) => {
            setImporting(false);
            setActive('selected');
            store.getState().select(result.process.id);
            const { conversation, conversations, protocol, client, server } = result;
            setImported({
              id: result.process.id,
              text: `Imported ${result.process.name}: conversation ${conversation} of ${conversations} (0 is the first), ${protocol} ${client} → ${server}`,
            });
          }}
        />
      ) : null}
      {imported ? (
        <p role="status" className="note pane-note" title={imported.text}>
          {imported.text}
        </p>
      ) : null}
      {exporting && shown !== null && shownName !== null ? (
        <ExportDialog
          api={api}
          processId={shown}
          processName={shownName}
          buffer={shownBuffer}
          onClose={() => setExporting(false)}
          returnFocus={() => exportButton.current?.focus()}
        />
      ) : null}
      <div role="tabpanel" aria-label={view === 'traffic' ? 'Traffic' : 'Buffer'}>
        {view === 'traffic' && shown !== null && shownName !== null ? (
          <TrafficTimeline key={shown} api={api} processId={shown} processName={shownName} onJump={jumpTo} />
        ) : (
          <BufferView api={api} store={store} processId={shown} bufferName={shown === null ? viewedBuffer : null} jump={jump} />
        )}
      </div>
    </section>
  );
}
