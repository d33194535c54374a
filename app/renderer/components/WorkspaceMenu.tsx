/**
 * The Workspace menu: open a workspace file, save the processes (their
 * definitions), messages and layout to one, and start, stop or delete every
 * process at once. On the desktop, files go through its own dialogs, with a
 * recent list and the last workspace opened again at start; the web host
 * uploads and downloads. Main reads and checks every file.
 */
import { FolderOpen } from 'lucide-react';
import { useEffect, useRef, useState } from 'react';
import type { StoreApi } from 'zustand';
import { LIMITS, type NetprocApi } from '../../shared/api.js';
import { serializeWorkspace, WORKSPACE_FORMAT, WORKSPACE_VERSION, type Workspace, type WorkspaceLayout } from '../../shared/workspace.js';
import type { MessageLibraryStore } from '../message-library.js';
import { saveWorkspaceLayout, workspaceLayout } from '../settings.js';
import type { WorkbenchState } from '../store.js';
import { Button } from './ui/Button.js';
import { Field, formErrorOf } from './ui/Field.js';
import { ActionMenu } from './ui/Menu.js';
import { Modal } from './ui/Modal.js';
import { counted } from '../../shared/words.js';

/** The workspace in hand: its name (the file's, less the extension), what it holds, and whether its processes were made. */
interface Current {
  name: string;
  /** The desktop's file, once opened or saved there. */
  path: string | null;
  workspace: Workspace;
  /** False from Open until Start all: Save then writes the file's definitions back, not the (empty) process list. */
  started: boolean;
}

interface Failure {
  title: string;
  field: string | null;
  message: string;
}

const FILE_SUFFIX = '.netproc.json';

/** "lab.netproc.json" → "lab"; "lab.json" → "lab"; a path's folders are dropped. */
export function workspaceName(fileName: string): string {
  fileName = fileName.slice(Math.max(fileName.lastIndexOf('/'), fileName.lastIndexOf('\\')) + 1);
  const base = fileName.endsWith(FILE_SUFFIX) ? fileName.slice(0, -FILE_SUFFIX.length) : fileName.replace(/\.json$/i, '');
  return base || 'workspace';
}

function download(fileName: string, text: string): void {
  const url = URL.createObjectURL(new Blob([text], { type: 'application/json' }));
  const link = document.createElement('a');
  link.href = url;
  link.download = fileName;
  link.click();
  setTimeout(() => URL.revokeObjectURL(url), 0);
}

export function WorkspaceMenu({
  api,
  store,
  library,
  onLayout,
  onEcho,
}: {
  api: NetprocApi;
  store: StoreApi<WorkbenchState>;
  /** The Messages pane's library: a workspace opened replaces it, and Save writes it. */
  library: MessageLibraryStore;
  /** A workspace's layout was opened: show it now (it is already remembered). */
  onLayout(layout: WorkspaceLayout): void;
  /** What an action did, for the echo area. */
  onEcho(text: string): void;
}) {
  const [current, setCurrent] = useState<Current | null>(null);
  const [failure, setFailure] = useState<Failure | null>(null);
  const [dialog, setDialog] = useState<'save-as' | 'delete-all' | null>(null);
  const [saveAsName, setSaveAsName] = useState('');
  const fileInput = useRef<HTMLInputElement>(null);
  const trigger = useRef<HTMLButtonElement>(null);
  const returnFocus = (): void => trigger.current?.focus();
  /** The desktop's recent workspaces; null on a host without workspace files (the web host). */
  const [recent, setRecent] = useState<string[] | null>(null);

  /**
   * A workspace was opened. Its messages become the library, except when the
   * desktop opens its last workspace again at start (REOPENED): the window's
   * stored library is then that workspace's, as last edited, which may be
   * newer than the file.
   */
  function opened(workspace: Workspace, fileName: string, path: string | null, reopened = false): void {
    // Main checked the file with the library's own schema, so this cannot refuse it.
    if (!reopened) library.getState().load({ messages: workspace.messages });
    setCurrent({ name: workspaceName(fileName), path, workspace, started: false });
    saveWorkspaceLayout(workspace.layout);
    onLayout(workspace.layout);
    const messages = reopened ? '' : `; ${counted(workspace.messages.length, 'message')} in the library`;
    onEcho(`Opened ${fileName}: ${counted(workspace.processes.length, 'process')}, not started${messages}`);
  }

  async function refreshRecent(): Promise<void> {
    const { available, paths } = await api.recentWorkspaces({});
    setRecent(available ? paths : null);
  }

  /** The desktop's file: PATH from the recent list, or null to choose one. */
  async function openPath(path: string | null): Promise<void> {
    try {
      const answer = await api.openWorkspaceFile({ path });
      if (answer) opened(answer.workspace, answer.path, answer.path);
    } catch (err) {
      setFailure({ title: `Could not open ${path ? workspaceName(path) : 'the workspace'}`, ...formErrorOf(err) });
    }
    await refreshRecent();
  }

  // The desktop opens its last workspace again (without starting it); a file gone since is only mentioned.
  useEffect(() => {
    let live = true;
    void (async () => {
      try {
        const { available, paths } = await api.recentWorkspaces({});
        if (!live) return;
        setRecent(available ? paths : null);
        const last = available ? paths[0] : undefined;
        if (!last) return;
        const answer = await api.openWorkspaceFile({ path: last });
        if (live && answer) opened(answer.workspace, answer.path, answer.path, true);
      } catch (err) {
        if (live) onEcho(`Could not open the last workspace again: ${formErrorOf(err).message}`);
      }
    })();
    return () => {
      live = false;
    };
    // Once per connection to main, when the workbench starts.
  }, [api]);

  async function open(file: File): Promise<void> {
    const title = `Could not open ${file.name}`;
    if (file.size > LIMITS.workspaceBytes) {
      setFailure({ title, field: null, message: `The file is ${file.size} bytes; a workspace is at most ${LIMITS.workspaceBytes}` });
      return;
    }
    try {
      // start: false only checks the file; nothing is made until Start all.
      const { workspace } = await api.applyWorkspace({ text: await file.text(), start: false });
      opened(workspace, file.name, null);
    } catch (err) {
      setFailure({ title, ...formErrorOf(err) });
    }
  }

  /** ASK: choose where (Save as…); otherwise the current file, if there is one. */
  async function save(name: string, ask = false): Promise<void> {
    try {
      const processes = current && !current.started ? current.workspace.processes : (await api.captureWorkspace({})).processes;
      const workspace: Workspace = {
        format: WORKSPACE_FORMAT,
        version: WORKSPACE_VERSION,
        processes,
        messages: library.getState().library().messages,
        layout: workspaceLayout(),
      };
      const started = current?.started ?? true;
      if (recent === null) {
        download(`${name}${FILE_SUFFIX}`, serializeWorkspace(workspace));
        setCurrent({ name, path: null, workspace, started });
        onEcho(`Saved ${name}${FILE_SUFFIX}: ${counted(processes.length, 'process')}, ${counted(workspace.messages.length, 'message')}`);
        return;
      }
      const path = ask ? null : (current?.path ?? null);
      const written = await api.saveWorkspaceFile({ text: serializeWorkspace(workspace), path, name });
      await refreshRecent();
      if (!written) return;
      setCurrent({ name: workspaceName(written.path), path: written.path, workspace, started });
      onEcho(`Saved ${written.path}: ${counted(processes.length, 'process')}, ${counted(workspace.messages.length, 'message')}`);
    } catch (err) {
      setFailure({ title: `Could not save ${name}`, ...formErrorOf(err) });
    }
  }

  async function startAll(): Promise<void> {
    try {
      let made = 0;
      if (current && !current.started) {
        const { created } = await api.applyWorkspace({ text: serializeWorkspace(current.workspace), start: true });
        made = created.length;
        setCurrent({ ...current, started: true });
      }
      const stopped = Object.values(store.getState().processes).filter((p) => p.stopped);
      for (const p of stopped) await api.continueProcess({ id: p.id });
      onEcho(`Started ${counted(made, 'process')}; continued ${stopped.length}`);
    } catch (err) {
      setFailure({ title: 'Could not start all', ...formErrorOf(err) });
    }
  }

  async function stopAll(): Promise<void> {
    const running = Object.values(store.getState().processes).filter(
      (p) => !p.stopped && (p.status === 'open' || p.status === 'listen') && p.kind !== 'accepted' && p.kind !== 'datagram-peer',
    );
    try {
      for (const p of running) await api.stopProcess({ id: p.id });
      onEcho(`Stopped ${counted(running.length, 'process')}`);
    } catch (err) {
      setFailure({ title: 'Could not stop all', ...formErrorOf(err) });
    }
  }

  async function deleteAll(): Promise<void> {
    const ids = Object.values(store.getState().processes).map((p) => p.id);
    setDialog(null);
    if (ids.length === 0) return;
    try {
      await api.deleteProcess({ ids });
      onEcho(`Deleted ${counted(ids.length, 'process')}`);
    } catch (err) {
      setFailure({ title: 'Could not delete all', ...formErrorOf(err) });
    }
  }

  const name = current?.name ?? 'untitled';
  return (
    <>
      <ActionMenu
        label="Workspace"
        trigger={
          <Button ref={trigger} icon={<FolderOpen size={14} aria-hidden />} aria-label={`Workspace: ${name}`}>
            <span className="workspace-name">{name}</span>
          </Button>
        }
        actions={[
          { key: 'open', label: 'Open…', onSelect: () => (recent === null ? fileInput.current?.click() : void openPath(null)) },
          ...(recent === null
            ? []
            : [
                {
                  key: 'recent',
                  label: 'Recent',
                  disabled: recent.length === 0,
                  actions: recent.map((path) => ({ key: path, label: path, onSelect: () => void openPath(path) })),
                },
              ]),
          { key: 'save', label: 'Save', onSelect: () => void save(name) },
          {
            key: 'save-as',
            label: 'Save as…',
            onSelect: () => {
              if (recent !== null) {
                void save(name, true);
                return;
              }
              setSaveAsName(name);
              setDialog('save-as');
            },
          },
          { key: 'start-all', label: 'Start all', onSelect: () => void startAll() },
          { key: 'stop-all', label: 'Stop all', onSelect: () => void stopAll() },
          { key: 'delete-all', label: 'Delete all…', onSelect: () => setDialog('delete-all') },
        ]}
      />
      <input
        ref={fileInput}
        type="file"
        accept=".json,application/json"
        aria-label="Workspace file"
        hidden
        onChange={(event) => {
          const file = event.currentTarget.files?.[0];
          event.currentTarget.value = '';
          if (file) void open(file);
        }}
      />
      <Modal open={failure !== null} onOpenChange={(o) => !o && setFailure(null)} title={failure?.title ?? ''} returnFocus={returnFocus}>
        <p role="alert" className="field-error">
          {failure?.field ? <code className="workspace-field">{failure.field}</code> : null} {failure?.message}
        </p>
        <div className="modal-footer">
          <div className="buttons">
            <Button variant="primary" onClick={() => setFailure(null)}>
              Close
            </Button>
          </div>
        </div>
      </Modal>
      <Modal open={dialog === 'save-as'} onOpenChange={(o) => !o && setDialog(null)} title="Save workspace as" returnFocus={returnFocus}>
        <form
          onSubmit={(event) => {
            event.preventDefault();
            const chosen = saveAsName.trim();
            if (!chosen) return;
            setDialog(null);
            void save(chosen);
          }}
        >
          <Field
            id="workspace-save-as-name"
            label="Workspace name"
            help={`Saved as the file ${saveAsName.trim() || 'NAME'}${FILE_SUFFIX}`}
            control={(props) => (
              <input
                {...props}
                value={saveAsName}
                onChange={(e) => setSaveAsName(e.currentTarget.value)}
                required
                maxLength={LIMITS.name}
              />
            )}
          />
          <div className="modal-footer">
            <div className="buttons">
              <Button onClick={() => setDialog(null)}>Cancel</Button>
              <Button variant="primary" type="submit">
                Save
              </Button>
            </div>
          </div>
        </form>
      </Modal>
      <Modal
        open={dialog === 'delete-all'}
        onOpenChange={(o) => !o && setDialog(null)}
        title="Delete all processes?"
        description="Every process is deleted, as delete-process does; their buffers stay."
        returnFocus={returnFocus}
      >
        <div className="modal-footer">
          <div className="buttons">
            <Button onClick={() => setDialog(null)}>Cancel</Button>
            <Button variant="danger" onClick={() => void deleteAll()}>
              Delete all
            </Button>
          </div>
        </div>
      </Modal>
    </>
  );
}
