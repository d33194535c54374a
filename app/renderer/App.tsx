/** The workbench: process list, buffer, inspector and event log, all fed by the contract. */
import { useEffect, useMemo, useState } from 'react';
import { useStore } from 'zustand';
import type { NetprocApi } from '../shared/api.js';
import { BufferTabs } from './components/BufferTabs.js';
import { CommandPalette } from './components/CommandPalette.js';
import { EventLog } from './components/EventLog.js';
import { Inspector } from './components/Inspector.js';
import { NewProcessForm } from './components/NewProcessForm.js';
import { ProcessList } from './components/ProcessList.js';
import { Splitter } from './components/Splitter.js';
import { createWorkbenchStore } from './store.js';

const SETTINGS_KEY = 'netproc.workbench';

interface Settings {
  showClosed?: boolean;
  selectedName?: string | null;
  /** Names of the processes whose buffers are open as tabs. */
  tabNames?: string[];
  /** Pane sizes, in percent: the left column's width and the top row's height. */
  columns?: number;
  rows?: number;
}

function saveSetting(patch: Settings): void {
  try {
    localStorage.setItem(SETTINGS_KEY, JSON.stringify({ ...loadSettings(), ...patch }));
  } catch {
    // Storage may be unavailable; the layout is then not remembered.
  }
}

function loadSettings(): Settings {
  try {
    return JSON.parse(localStorage.getItem(SETTINGS_KEY) ?? '{}') as Settings;
  } catch {
    return {};
  }
}

function focusList(): void {
  document.querySelector<HTMLElement>('table[aria-label="Processes"] tbody')?.focus();
}

export function App({ api }: { api: NetprocApi }) {
  const store = useMemo(() => createWorkbenchStore(), []);
  const connected = useStore(store, (s) => s.connected);
  const [formOpen, setFormOpen] = useState(false);
  const [paletteOpen, setPaletteOpen] = useState(false);
  const [columns, setColumns] = useState(() => loadSettings().columns ?? 60);
  const [rows, setRows] = useState(() => loadSettings().rows ?? 55);
  const [toast, setToast] = useState<string | null>(null);

  // Remember what the user was looking at across reloads and restarts.
  useEffect(() => {
    const saved = loadSettings();
    if (saved.showClosed !== undefined) store.getState().setShowClosed(saved.showClosed);
    let written = '';
    return store.subscribe((s) => {
      // Before the first snapshot the store is empty: writing then would forget what is to be restored.
      if (!s.connected) return;
      const selectedName = s.selectedId !== null ? (s.processes[s.selectedId]?.name ?? null) : null;
      const tabNames = s.tabs.flatMap((id) => (s.processes[id] ? [s.processes[id].name] : []));
      const text = JSON.stringify({ showClosed: s.showClosed, selectedName, tabNames });
      if (text === written) return;
      written = text;
      saveSetting({ showClosed: s.showClosed, selectedName, tabNames });
    });
  }, [store]);

  useEffect(() => {
    let live = true;
    const resync = async (): Promise<void> => {
      try {
        const snapshot = await api.snapshot({});
        if (!live) return;
        // Read the remembered selection before loading, which records the current (empty) one.
        const { selectedName: wanted, tabNames = [] } = loadSettings();
        const byName = new Map(snapshot.processes.map((p) => [p.name, p.id]));
        store.getState().loadSnapshot(snapshot);
        for (const name of tabNames) {
          const id = byName.get(name);
          if (id !== undefined) store.getState().openTab(id);
        }
        const again = wanted ? byName.get(wanted) : undefined;
        if (again !== undefined && store.getState().selectedId === null) store.getState().select(again);
      } catch (err) {
        if (live) setToast(`Could not reach Netproc: ${(err as Error).message}`);
      }
    };
    const stop = api.onEvents((batch) => {
      if (store.getState().applyBatch(batch).resync) void resync();
      for (const e of batch.events) {
        if (e.type !== 'menu-command') continue;
        if (e.command === 'new-process') setFormOpen(true);
        else if (e.command === 'command-palette') setPaletteOpen(true);
        else if (e.command === 'list-processes') focusList();
      }
    });
    void resync();
    return () => {
      live = false;
      stop();
    };
  }, [api, store]);

  useEffect(() => {
    const onKey = (event: KeyboardEvent): void => {
      const mod = event.ctrlKey || event.metaKey;
      if (mod && event.shiftKey && event.key.toLowerCase() === 'p') {
        event.preventDefault();
        setPaletteOpen(true);
      } else if (event.altKey && event.key.toLowerCase() === 'x') {
        event.preventDefault();
        setPaletteOpen(true);
      } else if (mod && !event.shiftKey && event.key.toLowerCase() === 'n') {
        event.preventDefault();
        setFormOpen(true);
      } else if (event.key === 'Escape') {
        setFormOpen(false);
        setPaletteOpen(false);
      }
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, []);

  return (
    <div className="workbench">
      <header className="topbar">
        <h1>Netproc</h1>
        <button type="button" onClick={() => setFormOpen(true)} aria-keyshortcuts="Control+N">
          New process
        </button>
        <button type="button" onClick={() => setPaletteOpen(true)} aria-keyshortcuts="Control+Shift+P Alt+X">
          M-x
        </button>
        <span role="status">{connected ? 'Connected' : 'Connecting…'}</span>
      </header>
      {toast ? (
        <div role="alert" className="toast">
          {toast}{' '}
          <button type="button" onClick={() => setToast(null)}>
            Dismiss
          </button>
        </div>
      ) : null}
      <main
        className="panes"
        style={{ gridTemplateColumns: `${columns}fr 6px ${100 - columns}fr`, gridTemplateRows: `${rows}fr 6px ${100 - rows}fr` }}
      >
        <ProcessList api={api} store={store} onError={setToast} />
        <Splitter
          label="Resize the columns"
          orientation="vertical"
          value={columns}
          onChange={(v) => {
            setColumns(v);
            saveSetting({ columns: v });
          }}
        />
        <BufferTabs api={api} store={store} onError={setToast} />
        <Splitter
          label="Resize the rows"
          orientation="horizontal"
          value={rows}
          onChange={(v) => {
            setRows(v);
            saveSetting({ rows: v });
          }}
        />
        <Inspector api={api} store={store} />
        <EventLog store={store} />
      </main>
      {paletteOpen ? (
        <CommandPalette
          api={api}
          store={store}
          onClose={() => setPaletteOpen(false)}
          onOpenForm={() => setFormOpen(true)}
          onFocusList={focusList}
        />
      ) : null}
      {formOpen ? (
        <NewProcessForm
          api={api}
          onClose={() => setFormOpen(false)}
          onCreated={(p) => {
            setFormOpen(false);
            store.getState().select(p.id);
          }}
        />
      ) : null}
    </div>
  );
}
