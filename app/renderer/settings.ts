/** What the workbench remembers across reloads and restarts: one localStorage entry, read and patched here only. */
import type { WorkspaceLayout } from '../shared/workspace.js';
import type { LineEnding } from './components/BufferView.js';
import { takesPlaceOf } from './store.js';

const SETTINGS_KEY = 'netproc.workbench';

export type Theme = 'system' | 'light' | 'dark';

/** How a process's buffer is shown and what its input line sends; per process, so one process's choice never changes another's send. */
export interface BufferPrefs {
  inputMode?: 'text' | 'hex';
  ending?: LineEnding;
  hex?: boolean;
}

export interface Settings {
  showClosed?: boolean;
  selectedName?: string | null;
  /** Names of the processes whose buffers are open as tabs. */
  tabNames?: string[];
  /** Pane sizes, in percent: the left column's width and the top row's height. */
  columns?: number;
  rows?: number;
  theme?: Theme;
  /** Process list columns shown, by title, and their widths in pixels. */
  listColumns?: string[];
  listWidths?: Record<string, number>;
  /** Keyed by process name, which survives a restart where the id does not. */
  bufferPrefs?: Record<string, BufferPrefs>;
  /** Inspector sections by title: open (true) or closed; a section not listed has its default. */
  inspectorSections?: Record<string, boolean>;
  /** The Messages pane is open. (The library itself is kept by message-library.ts.) */
  messagesOpen?: boolean;
  /** The directory a buffer was last saved to, offered for the next save. */
  saveDirectory?: string;
  /** Which list the left pane shows. */
  listView?: 'processes' | 'buffers';
}

/** Processes whose buffer preferences are kept; the oldest are forgotten first. */
const BUFFER_PREFS_KEPT = 200;

export function loadSettings(): Settings {
  try {
    return JSON.parse(localStorage.getItem(SETTINGS_KEY) ?? '{}') as Settings;
  } catch {
    return {};
  }
}

export function saveSetting(patch: Settings): void {
  try {
    localStorage.setItem(SETTINGS_KEY, JSON.stringify({ ...loadSettings(), ...patch }));
  } catch {
    // Storage may be unavailable; the layout is then not remembered.
  }
}

export function bufferPrefs(processName: string): BufferPrefs {
  return loadSettings().bufferPrefs?.[processName] ?? {};
}

export function saveBufferPrefs(processName: string, patch: BufferPrefs): void {
  const { [processName]: old, ...others } = loadSettings().bufferPrefs ?? {};
  const kept = Object.entries(others).slice(-(BUFFER_PREFS_KEPT - 1));
  saveSetting({ bufferPrefs: { ...Object.fromEntries(kept), [processName]: { ...old, ...patch } } });
}

/**
 * What a process's input line holds until it is sent, and why its last send failed.
 * Per process, like its BufferPrefs, so a draft never goes to another peer; but
 * kept for this window's life only: a restart forgets the peers they were meant for.
 */
export interface InputDraft {
  text: string;
  error: string | null;
}

/** The process a draft is for: its name, its id, and which process it took the place of when it is a reconnect attempt. */
export interface DraftOwner {
  name: string;
  id: number;
  replaces: number | null;
}

const NO_DRAFT: InputDraft = { text: '', error: null };
/** By process name, with the id of the process that wrote it: a later, unrelated process of that name does not see it. */
const drafts = new Map<string, InputDraft & { ownerId: number }>();

export function inputDraft(owner: DraftOwner): InputDraft {
  const draft = drafts.get(owner.name);
  if (!draft) return NO_DRAFT;
  // A reconnecting client's next attempt is a new process in the place of the last: the draft follows it.
  const sameClient = draft.ownerId === owner.id || takesPlaceOf(owner.id, owner.replaces, draft.ownerId);
  return sameClient ? { text: draft.text, error: draft.error } : NO_DRAFT;
}

export function saveInputDraft(owner: DraftOwner, patch: Partial<InputDraft>): void {
  const next = { ...inputDraft(owner), ...patch };
  drafts.delete(owner.name);
  if (next.text === '' && next.error === null) return;
  drafts.set(owner.name, { ...next, ownerId: owner.id });
  // As with buffer preferences, the oldest are forgotten first.
  for (const oldest of drafts.keys()) {
    if (drafts.size <= BUFFER_PREFS_KEPT) break;
    drafts.delete(oldest);
  }
}

export function inspectorSectionOpen(title: string, fallback: boolean): boolean {
  return loadSettings().inspectorSections?.[title] ?? fallback;
}

export function saveInspectorSection(title: string, open: boolean): void {
  saveSetting({ inspectorSections: { ...loadSettings().inspectorSections, [title]: open } });
}

export function applyTheme(theme: Theme): void {
  if (theme === 'system') delete document.documentElement.dataset.theme;
  else document.documentElement.dataset.theme = theme;
}

/** The layout a workspace carries: the settings above that arrange the workbench, not the theme or a selection. */
export function workspaceLayout(): WorkspaceLayout {
  const { columns, rows, listColumns, listWidths, tabNames, showClosed } = loadSettings();
  return { columns, rows, listColumns, listWidths, tabNames, showClosed };
}

/** Remembers a workspace's layout as the workbench's own; what it leaves out stays as it was. */
export function saveWorkspaceLayout(layout: WorkspaceLayout): void {
  saveSetting(Object.fromEntries(Object.entries(layout).filter(([, v]) => v !== undefined)) as Settings);
}
