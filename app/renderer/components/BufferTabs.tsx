/** Several buffers open at once: the selected process's, plus any opened as tabs. */
import { useState } from 'react';
import { useStore } from 'zustand';
import { useShallow } from 'zustand/react/shallow';
import type { NetprocApi } from '../../shared/api.js';
import { processById, type WorkbenchStore } from '../store.js';
import { BufferView } from './BufferView.js';

export function BufferTabs({ api, store, onError }: { api: NetprocApi; store: WorkbenchStore; onError(message: string): void }) {
  const selectedId = useStore(store, (s) => s.selectedId);
  const tabs = useStore(store, (s) => s.tabs);
  const names = useStore(
    store,
    useShallow((s) => Object.fromEntries(s.tabs.map((id) => [id, processById(s, id)?.name ?? '?'])) as Record<number, string>),
  );
  const [active, setActive] = useState<number | 'selected'>('selected');
  const shown = active === 'selected' || !tabs.includes(active) ? selectedId : active;
  return (
    <section className="buffer-tabs" aria-label="Buffers">
      <div role="tablist" aria-label="Open buffers">
        <button
          type="button"
          role="tab"
          aria-selected={active === 'selected' || !tabs.includes(active as number)}
          onClick={() => setActive('selected')}
        >
          Selected process
        </button>
        {tabs.map((id) => (
          <span key={id} className="tab">
            <button type="button" role="tab" aria-selected={active === id} onClick={() => setActive(id)}>
              {names[id]}
            </button>
            <button type="button" aria-label={`Close ${names[id]}`} onClick={() => store.getState().closeTab(id)}>
              ×
            </button>
          </span>
        ))}
        <button
          type="button"
          disabled={selectedId === null || tabs.includes(selectedId)}
          onClick={() => selectedId !== null && (store.getState().openTab(selectedId), setActive(selectedId))}
        >
          Keep open
        </button>
      </div>
      <div role="tabpanel" aria-label="Buffer">
        <BufferView api={api} store={store} processId={shown} onError={onError} />
      </div>
    </section>
  );
}
