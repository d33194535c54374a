/** The workbench: process list, buffer, inspector and event log, all fed by the contract. */
import { Command, Files, MessagesSquare, Monitor, Moon, Plus, Sun, X } from 'lucide-react';
import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { useStore } from 'zustand';
import type { NetprocApi } from '../shared/api.js';
import { BufferList, focusBufferList } from './components/BufferList.js';
import { BufferTabs } from './components/BufferTabs.js';
import { CommandPalette } from './components/CommandPalette.js';
import { EventLog } from './components/EventLog.js';
import { Inspector } from './components/Inspector.js';
import { MessagesPane } from './components/MessagesPane.js';
import { NewProcessDialog } from './components/NewProcessForm.js';
import { ProcessList } from './components/ProcessList.js';
import { Splitter } from './components/Splitter.js';
import { WorkspaceMenu } from './components/WorkspaceMenu.js';
import { Button, IconButton, TooltipProvider } from './components/ui/Button.js';
import { PaneHeader } from './components/ui/Pane.js';
import { Segmented } from './components/ui/Segmented.js';
import { createMessageLibraryStore } from './message-library.js';
import { applyTheme, loadSettings, saveSetting, type Theme } from './settings.js';
import { createWorkbenchStore, isDeparted, processById, RATE_TICK_MS, type WorkbenchState } from './store.js';

const PROCESS_LIST = 'table[aria-label="Processes"] tbody';
const INPUT_LINE = '.input-line input:not([type="file"]):enabled';

function focusList(): void {
  document.querySelector<HTMLElement>(PROCESS_LIST)?.focus();
}

/** The panes F6 moves through, in order, and where focus lands in each: the place one works from. */
const PANES: Array<{ pane: string; targets: string[] }> = [
  { pane: '.pane-list', targets: [PROCESS_LIST, 'table[aria-label="Buffers"] tbody'] },
  { pane: '.pane-buffers', targets: [INPUT_LINE, '[role="log"][tabindex]'] },
  { pane: '.pane-inspector', targets: [] },
  { pane: '.pane-events', targets: ['input[type="search"]'] },
  { pane: '.pane-messages', targets: ['.message-list button', '.pane-messages button'] },
];

/** F6 / Shift+F6: the next or previous pane, as in Emacs's other-window and the browsers' own F6. */
export function cyclePanes(backwards: boolean): void {
  // The Messages pane is there only while it is open.
  const panes = PANES.filter(({ pane }) => document.querySelector(pane));
  const here = panes.findIndex(({ pane }) => document.activeElement?.closest(pane));
  const step = backwards ? -1 : 1;
  let next = here < 0 ? (backwards ? panes.length - 1 : 0) : here;
  // F6 always moves on: a pane that cannot take focus now is passed over, not stopped at.
  for (let tried = 0; tried < panes.length; tried++) {
    if (here >= 0 || tried > 0) next = (next + step + panes.length) % panes.length;
    if (next === here || focusPane(panes[next] as (typeof PANES)[number])) return;
  }
}

/** Focuses where one works from in the pane, else the pane itself; false when neither took focus. */
function focusPane({ pane, targets }: (typeof PANES)[number]): boolean {
  const root = document.querySelector<HTMLElement>(pane);
  const el = targets.map((t) => root?.querySelector<HTMLElement>(t)).find(Boolean);
  (el ?? root)?.focus();
  return !!root && root.contains(document.activeElement);
}

/** Ctrl+I: the shown buffer's input line from anywhere; the list while there is none to type into. False then. */
export function focusInputLine(): boolean {
  const input = document.querySelector<HTMLElement>(`.pane-buffers ${INPUT_LINE}`);
  if (input) input.focus();
  else focusPane(PANES[0] as (typeof PANES)[number]);
  return !!input;
}

/** Why Ctrl+I found no input line, for the echo area. */
export function noInputLineReason(state: WorkbenchState): string {
  const shown = processById(state, state.selectedId);
  if (shown && isDeparted(state, shown.id)) return `${shown.name} is no longer a process: there is nothing to send to`;
  if (shown) return `${shown.name}'s input line is in the Buffer view, which is not shown`;
  if (state.viewedBuffer !== null) return `No process uses ${state.viewedBuffer}: there is nothing to send to`;
  return 'No process selected: select one in the list to send to it';
}

const modalOpen = (): boolean => document.querySelector('[role="dialog"]') !== null;

const THEMES = [
  { value: 'system' as const, label: 'System theme', icon: <Monitor size={14} aria-hidden /> },
  { value: 'light' as const, label: 'Light theme', icon: <Sun size={14} aria-hidden /> },
  { value: 'dark' as const, label: 'Dark theme', icon: <Moon size={14} aria-hidden /> },
];

export function App({ api }: { api: NetprocApi }) {
  const store = useMemo(() => createWorkbenchStore(), []);
  const library = useMemo(() => createMessageLibraryStore(), []);
  const [messagesOpen, setMessagesOpen] = useState(() => loadSettings().messagesOpen ?? false);
  /** Set when the user opens the Messages pane, so focus follows it there (not when it was open at startup). */
  const focusMessages = useRef(false);
  /** Ctrl+Shift+M and M-x message-library: opens the Messages pane and moves focus into it, or closes it. */
  const toggleMessages = useCallback((open?: boolean): void => {
    setMessagesOpen((was) => {
      const next = open ?? !was;
      focusMessages.current = next;
      saveSetting({ messagesOpen: next });
      return next;
    });
  }, []);
  const connected = useStore(store, (s) => s.connected);
  /** One modal at a time: the New process dialog or the command palette. */
  const [modal, setModal] = useState<'form' | 'palette' | null>(null);
  /** Where focus goes back to when the last modal closes: where it was when the first one opened. */
  const returnTo = useRef<HTMLElement | null>(null);
  /** The last command's answer, as Emacs's echo area shows it. */
  const [echo, setEcho] = useState<string | null>(null);
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
    requestAnimationFrame(view === 'buffers' ? focusBufferList : focusList);
  };
  const showProcessList = (): void => showList('processes');
  // Read by the keyboard handler, registered once.
  const listViewNow = useRef(listView);
  useEffect(() => {
    listViewNow.current = listView;
  }, [listView]);
  const toggleBufferList = (): void => showList(listViewNow.current === 'buffers' ? 'processes' : 'buffers');

  useEffect(() => applyTheme(theme), [theme]);

  useEffect(() => {
    const timer = setInterval(() => store.getState().tickRates(Date.now()), RATE_TICK_MS);
    return () => clearInterval(timer);
  }, [store]);

  const openModal = useCallback((which: 'form' | 'palette'): void => {
    if (!modalOpen()) returnTo.current = document.activeElement instanceof HTMLElement ? document.activeElement : null;
    setModal(which);
  }, []);
  /**
   * Closes `which` if it is still the one open: a command or a create that ends after Esc, once
   * the other modal is up, leaves that one alone. `focus`: where focus goes instead of back.
   */
  const closeModal = useCallback((which: 'form' | 'palette', focus?: HTMLElement | null): void => {
    if (focus !== undefined) returnTo.current = focus;
    setModal((open) => (open === which ? null : open));
  }, []);
  const returnFocus = useCallback((): void => {
    // The palette closed to open the New process dialog: focus stays in the dialog.
    if (modalOpen()) return;
    const target = returnTo.current;
    if (target?.isConnected) target.focus();
    else focusList();
  }, []);

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
        store.getState().loadRepeats(await api.listRepeats({}));
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
        if (e.command === 'new-process') openModal('form');
        else if (e.command === 'command-palette') openModal('palette');
        else if (e.command === 'list-processes') showProcessList();
      }
    });
    void resync();
    return () => {
      live = false;
      stop();
    };
  }, [api, store, openModal]);

  useEffect(() => {
    const onKey = (event: KeyboardEvent): void => {
      const mod = event.ctrlKey || event.metaKey;
      const key = event.key.toLowerCase();
      if (mod && event.shiftKey && key === 'p') {
        event.preventDefault();
        openModal('palette');
      } else if (event.altKey && key === 'x') {
        event.preventDefault();
        openModal('palette');
      } else if (mod && event.shiftKey && key === 'b') {
        event.preventDefault();
        toggleBufferList();
      } else if (mod && !event.shiftKey && key === 'n') {
        event.preventDefault();
        openModal('form');
      } else if (mod && !event.shiftKey && key === 'i' && !modalOpen()) {
        event.preventDefault();
        if (!focusInputLine()) setEcho(noInputLineReason(store.getState()));
      } else if (mod && event.shiftKey && key === 'm' && !modalOpen()) {
        event.preventDefault();
        toggleMessages();
      } else if (event.key === 'F6' && !modalOpen()) {
        event.preventDefault();
        cyclePanes(event.shiftKey);
      }
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [openModal, toggleMessages, store]);

  // Opening the pane takes focus into it, where the message to send is picked.
  useEffect(() => {
    if (!messagesOpen || !focusMessages.current) return;
    focusMessages.current = false;
    const messages = PANES.find((p) => p.pane === '.pane-messages');
    if (messages && !modalOpen()) focusPane(messages);
  }, [messagesOpen]);

  return (
    <TooltipProvider>
      <div className="workbench">
        <header className="topbar">
          <h1>
            <img src="./favicon.svg" alt="" />
            Netproc
          </h1>
          <Button variant="primary" icon={<Plus size={14} aria-hidden />} onClick={() => openModal('form')} aria-keyshortcuts="Control+N">
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
            onClick={() => openModal('palette')}
          >
            M-x
          </Button>
          <WorkspaceMenu
            api={api}
            store={store}
            library={library}
            onEcho={setEcho}
            onLayout={(layout) => {
              if (layout.columns !== undefined) setColumns(layout.columns);
              if (layout.rows !== undefined) setRows(layout.rows);
              if (layout.showClosed !== undefined) store.getState().setShowClosed(layout.showClosed);
            }}
          />
          {/* Like Emacs's echo area: the last command's answer stays until the next one. Focus or hover shows a long one whole. */}
          <div className="echo-slot">
            <output className="echo-area" aria-label="Echo area" tabIndex={echo ? 0 : undefined}>
              {echo ? <span className="echo-text">{echo}</span> : null}
            </output>
          </div>
          <Button
            icon={<MessagesSquare size={14} aria-hidden />}
            aria-pressed={messagesOpen}
            aria-keyshortcuts="Control+Shift+M"
            title="Message library (Ctrl+Shift+M)"
            onClick={() => toggleMessages()}
          >
            Messages
          </Button>
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
        <div className="workbench-body">
          <main
            className="panes"
            style={{ gridTemplateColumns: `${columns}fr 6px ${100 - columns}fr`, gridTemplateRows: `${rows}fr 6px ${100 - rows}fr` }}
          >
            {listView === 'buffers' ? (
              <BufferList api={api} store={store} onClose={() => showList('processes')} />
            ) : (
              <ProcessList api={api} store={store} onNewProcess={() => openModal('form')} />
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
          {messagesOpen ? <MessagesPane api={api} store={store} library={library} onClose={() => toggleMessages(false)} /> : null}
        </div>
        {toast ? (
          <div role="alert" className="toast">
            {toast}
            <IconButton label="Dismiss" icon={<X size={14} aria-hidden />} onClick={() => setToast(null)} />
          </div>
        ) : null}
        <CommandPalette
          api={api}
          store={store}
          open={modal === 'palette'}
          onOpenChange={(open) => (open ? openModal('palette') : closeModal('palette'))}
          returnFocus={returnFocus}
          onDone={(text) => {
            setEcho(text);
            closeModal('palette');
          }}
          onOpenForm={() => openModal('form')}
          onListProcesses={() => {
            // Focus goes to the process list, drawn in the buffer list's place if that was shown.
            closeModal('palette', null);
            showList('processes');
          }}
          onListBuffers={() => {
            closeModal('palette');
            showList('buffers');
          }}
          onMessageLibrary={() => {
            closeModal('palette');
            toggleMessages(true);
          }}
        />
        <NewProcessDialog
          api={api}
          open={modal === 'form'}
          onOpenChange={(open) => (open ? openModal('form') : closeModal('form'))}
          returnFocus={returnFocus}
          onCreated={(p) => {
            closeModal('form');
            store.getState().select(p.id);
          }}
        />
      </div>
    </TooltipProvider>
  );
}
