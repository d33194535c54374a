/** Several buffers open at once: the selected process's, plus any opened as tabs. */
import { Pin, X } from 'lucide-react';
import { useEffect, useState } from 'react';
import { useStore } from 'zustand';
import { useShallow } from 'zustand/react/shallow';
import type { NetprocApi } from '../../shared/api.js';
import { processById, type WorkbenchStore } from '../store.js';
import { BufferView } from './BufferView.js';
import { IconButton } from './ui/Button.js';

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
  return (
    <section className="pane pane-buffers buffer-tabs" aria-labelledby="buffers-title">
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
          <IconButton
            label="Keep open"
            icon={<Pin size={14} aria-hidden />}
            disabled={selectedId === null || tabs.includes(selectedId)}
            onClick={() => selectedId !== null && (store.getState().openTab(selectedId), setActive(selectedId))}
          />
        </div>
      </div>
      <div role="tabpanel" aria-label="Buffer">
        <BufferView api={api} store={store} processId={shown} bufferName={shown === null ? viewedBuffer : null} />
      </div>
    </section>
  );
}
