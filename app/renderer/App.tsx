/** The workbench: process list, buffer, inspector and event log, all fed by the contract. */
import { Command, Files, Monitor, Moon, Plus, Sun, X } from 'lucide-react';
import { useEffect, useMemo, useRef, useState } from 'react';
import { useStore } from 'zustand';
import type { NetprocApi } from '../shared/api.js';
import { BufferList, focusBufferList } from './components/BufferList.js';
import { BufferTabs } from './components/BufferTabs.js';
import { CommandPalette } from './components/CommandPalette.js';
import { EventLog } from './components/EventLog.js';
import { Inspector } from './components/Inspector.js';
import { NewProcessForm } from './components/NewProcessForm.js';
import { ProcessList } from './components/ProcessList.js';
import { Splitter } from './components/Splitter.js';
import { Button, IconButton, TooltipProvider } from './components/ui/Button.js';
import { PaneHeader } from './components/ui/Pane.js';
import { Segmented } from './components/ui/Segmented.js';
import { applyTheme, loadSettings, saveSetting, type Theme } from './settings.js';
import { createWorkbenchStore, processById } from './store.js';

function focusProcessList(): void {
  document.querySelector<HTMLElement>('table[aria-label="Processes"] tbody')?.focus();
}

/** The panes F6 moves through, in order, and where focus lands in each: the place one works from. */
const PANES: Array<{ pane: string; targets: string[] }> = [
  { pane: '.pane-list', targets: ['table[aria-label="Processes"] tbody', 'table[aria-label="Buffers"] tbody'] },
  { pane: '.pane-buffers', targets: ['.input-line input:not([type="file"]):enabled', '[role="log"][tabindex]'] },
  { pane: '.pane-inspector', targets: [] },
  { pane: '.pane-events', targets: ['input[type="search"]'] },
];

/** F6 / Shift+F6: the next or previous pane, as in Emacs's other-window and the browsers' own F6. */
export function cyclePanes(backwards: boolean): void {
  const here = PANES.findIndex(({ pane }) => document.activeElement?.closest(pane));
  const step = backwards ? -1 : 1;
  const next = here < 0 ? (backwards ? PANES.length - 1 : 0) : (here + step + PANES.length) % PANES.length;
  const { pane, targets } = PANES[next] as (typeof PANES)[number];
  const root = document.querySelector<HTMLElement>(pane);
  const el = targets.map((t) => root?.querySelector<HTMLElement>(t)).find(Boolean);
  (el ?? root)?.focus();
}

const THEMES = [
  { value: 'system' as const, label: 'System theme', icon: <Monitor size={14} aria-hidden /> },
  { value: 'light' as const, label: 'Light theme', icon: <Sun size={14} aria-hidden /> },
  { value: 'dark' as const, label: 'Dark theme', icon: <Moon size={14} aria-hidden /> },
];

export function App({ api }: { api: NetprocApi }) {
  const store = useMemo(() => createWorkbenchStore(), []);
  const connected = useStore(store, (s) => s.connected);
  const [formOpen, setFormOpen] = useState(false);
  const [paletteOpen, setPaletteOpen] = useState(false);
  const [columns, setColumns] = useState(() => loadSettings().columns ?? 45);
  const [rows, setRows] = useState(() => loadSettings().rows ?? 58);
  const [theme, setTheme] = useState<Theme>(() => loadSettings().theme ?? 'system');
  const [toast, setToast] = useState<string | null>(null);
  /** The left pane: the process list, or the buffer list (list-buffers). */
  const [listView, setListView] = useState(() => loadSettings().listView ?? 'processes');
  const showList = (view: 'processes' | 'buffers'): void => {
    setListView(view);
    saveSetting({ listView: view });
    // Focus lands in the list once it is drawn.
    requestAnimationFrame(view === 'buffers' ? focusBufferList : focusProcessList);
  };
  const focusList = (): void => showList('processes');
  // Read by the keyboard handler, registered once.
  const listViewNow = useRef(listView);
  useEffect(() => {
    listViewNow.current = listView;
  }, [listView]);
  const toggleBufferList = (): void => showList(listViewNow.current === 'buffers' ? 'processes' : 'buffers');

  useEffect(() => applyTheme(theme), [theme]);

  // Remember what the user was looking at across reloads and restarts.
  useEffect(() => {
    const saved = loadSettings();
    if (saved.showClosed !== undefined) store.getState().setShowClosed(saved.showClosed);
    let written = '';
    return store.subscribe((s) => {
      // Before the first snapshot the store is empty: writing then would forget what is to be restored.
      if (!s.connected) return;
      // Departed processes count too: their buffers outlive them, and a reload still shows them.
      const selectedName = processById(s, s.selectedId)?.name ?? null;
      const tabNames = s.tabs.flatMap((id) => processById(s, id)?.name ?? []);
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
        // A live process wins over a departed one of the same name (its name was free again).
        const byName = new Map([...snapshot.departed, ...snapshot.processes].map((p) => [p.name, p.id]));
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
      } else if (mod && event.shiftKey && event.key.toLowerCase() === 'b') {
        event.preventDefault();
        toggleBufferList();
      } else if (mod && !event.shiftKey && event.key.toLowerCase() === 'n') {
        event.preventDefault();
        setFormOpen(true);
      } else if (event.key === 'F6' && !document.querySelector('[aria-modal="true"]')) {
        event.preventDefault();
        cyclePanes(event.shiftKey);
      } else if (event.key === 'Escape') {
        setFormOpen(false);
        setPaletteOpen(false);
      }
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, []);

  return (
    <TooltipProvider>
      <div className="workbench">
        <header className="topbar">
          <h1>
            <img src="./favicon.svg" alt="" />
            Netproc
          </h1>
          <Button variant="primary" icon={<Plus size={14} aria-hidden />} onClick={() => setFormOpen(true)} aria-keyshortcuts="Control+N">
            New process
          </Button>
          <Button
            icon={<Files size={14} aria-hidden />}
            title="Buffer list (Ctrl+Shift+B, or M-x list-buffers)"
            aria-keyshortcuts="Control+Shift+B"
            aria-pressed={listView === 'buffers'}
            onClick={toggleBufferList}
          >
            Buffer list
          </Button>
          <Button
            icon={<Command size={14} aria-hidden />}
            title="Command palette (Alt+X, Ctrl+Shift+P)"
            aria-keyshortcuts="Control+Shift+P Alt+X"
            onClick={() => setPaletteOpen(true)}
          >
            M-x
          </Button>
          <span className="spacer" />
          <span role="status" className="connection">
            {connected ? 'Connected' : 'Connecting…'}
          </span>
          <Segmented
            label="Theme"
            value={theme}
            options={THEMES}
            onChange={(next) => {
              setTheme(next);
              saveSetting({ theme: next });
            }}
          />
        </header>
        <main
          className="panes"
          style={{ gridTemplateColumns: `${columns}fr 6px ${100 - columns}fr`, gridTemplateRows: `${rows}fr 6px ${100 - rows}fr` }}
        >
          {listView === 'buffers' ? (
            <BufferList api={api} store={store} onClose={() => showList('processes')} />
          ) : (
            <ProcessList api={api} store={store} onNewProcess={() => setFormOpen(true)} />
          )}
          <Splitter
            label="Resize the columns"
            orientation="vertical"
            value={columns}
            onChange={(v) => {
              setColumns(v);
              saveSetting({ columns: v });
            }}
          />
          <BufferTabs api={api} store={store} />
          <Splitter
            label="Resize the rows"
            orientation="horizontal"
            value={rows}
            onChange={(v) => {
              setRows(v);
              saveSetting({ rows: v });
            }}
          />
          <div className="pane pane-inspector" tabIndex={-1} aria-labelledby="inspector-title" role="group">
            <PaneHeader title="Inspector" id="inspector-title" />
            <div className="pane-body">
              <Inspector api={api} store={store} />
            </div>
          </div>
          <EventLog store={store} />
        </main>
        {toast ? (
          <div role="alert" className="toast">
            {toast}
            <IconButton label="Dismiss" icon={<X size={14} aria-hidden />} onClick={() => setToast(null)} />
          </div>
        ) : null}
        {paletteOpen ? (
          <CommandPalette
            api={api}
            store={store}
            onClose={() => setPaletteOpen(false)}
            onOpenForm={() => setFormOpen(true)}
            onFocusList={focusList}
            onListBuffers={() => showList('buffers')}
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
    </TooltipProvider>
  );
}
