/**
 * The renderer's state, normalised by id and fed only by contract events.
 * Components subscribe with narrow selectors, so a flood on one buffer
 * re-renders that buffer's view, not the process list.
 */
import { create } from 'zustand';
import type { BufferInfo, EventBatch, LogLine, ProcessCounters, ProcessInfo, RepeatState, Snapshot } from '../shared/api.js';

export interface RateSample {
  time: number;
  bytesIn: number;
  bytesOut: number;
}

export interface WorkbenchState {
  connected: boolean;
  processes: Record<number, ProcessInfo>;
  buffers: Record<string, BufferInfo>;
  log: LogLine[];
  /** Recent byte-counter samples per process, for rates and sparklines. */
  rates: Record<number, RateSample[]>;
  selectedId: number | null;
  /** Processes marked for a group action (Ctrl/Cmd-click), besides the selection. */
  marked: number[];
  /** Processes whose buffers are open as tabs, besides the selected process's. */
  tabs: number[];
  /**
   * Processes that left the table (deleted, or exited under delete-exited-processes),
   * as they were when they left: their buffers outlive them, as in Emacs. Each
   * stays while its buffer lives and names it as its last process (so it is
   * still found under its server), or while it is selected or open as a tab.
   */
  departed: Record<number, ProcessInfo>;
  /** A buffer shown by name, because no process (live or departed) is known to use it; null when a process is selected. */
  viewedBuffer: string | null;
  /**
   * The selected client left the list while it was reconnecting: its next
   * attempt (a new process of the same name, reconnect.ts) takes the
   * selection when it comes. Null otherwise, and once the user selects.
   */
  following: { id: number; name: string } | null;
  showClosed: boolean;
  /** Repeating library messages by repeat id: those running, and the last few that ended (their final count stays in view). */
  repeats: Record<number, RepeatState>;
  loadSnapshot(snapshot: Snapshot): void;
  /** The repeats main has running, read after a (re)sync; what events said since is kept where it is newer. */
  loadRepeats(running: RepeatState[]): void;
  /** Records a repeat's state as sendMessage answered it (events may have said more already). */
  noteRepeat(state: RepeatState): void;
  dismissRepeat(id: number): void;
  applyBatch(batch: EventBatch): { resync: boolean };
  select(id: number | null): void;
  /** Shows a buffer: by selecting its process, live or departed, or by itself when it has none. */
  openBuffer(name: string): void;
  toggleMark(id: number): void;
  openTab(id: number): void;
  closeTab(id: number): void;
  clearMarks(): void;
  setShowClosed(show: boolean): void;
  /**
   * Counters arrive only when they change, so a process that stops flowing
   * would keep its last rate forever: a tick repeats the last sample of every
   * process still showing a rate, and the rate falls to 0 within RATE_SPAN ticks.
   */
  tickRates(now: number): void;
}

const LOG_LIMIT = 2000;
const RATE_SAMPLES = 60;
/** The rate is taken over the last RATE_SPAN samples. */
const RATE_SPAN = 5;
/** How often App calls tickRates, and how stale a process's last sample must be before it is repeated. */
export const RATE_TICK_MS = 1000;

function withRate(rates: Record<number, RateSample[]>, id: number, counters: ProcessCounters, time: number): Record<number, RateSample[]> {
  const samples = [...(rates[id] ?? []), { time, bytesIn: counters.bytesIn, bytesOut: counters.bytesOut }];
  return { ...rates, [id]: samples.slice(-RATE_SAMPLES) };
}

export const createWorkbenchStore = () =>
  create<WorkbenchState>((set, get) => ({
    connected: false,
    processes: {},
    buffers: {},
    log: [],
    rates: {},
    selectedId: null,
    marked: [],
    tabs: [],
    departed: {},
    viewedBuffer: null,
    following: null,
    showClosed: true,
    repeats: {},

    loadSnapshot: (snapshot) =>
      set((state) => {
        const processes = Object.fromEntries(snapshot.processes.map((p) => [p.id, p]));
        const departed = Object.fromEntries(snapshot.departed.filter((p) => !processes[p.id]).map((p) => [p.id, p]));
        const known = (id: number): boolean => processes[id] !== undefined || departed[id] !== undefined;
        const buffers = Object.fromEntries(snapshot.buffers.map((b) => [b.name, b]));
        // A client that reconnected while this window was catching up is followed all the same.
        const next = state.following ? Object.values(processes).find((p) => isAttemptOf(p, state.following!)) : undefined;
        const selectedId = next ? next.id : state.selectedId;
        return {
          connected: true,
          processes,
          buffers,
          log: snapshot.log.slice(-LOG_LIMIT),
          following: next ? null : state.following,
          selectedId: selectedId !== null && known(selectedId) ? selectedId : null,
          departed,
          viewedBuffer: state.viewedBuffer !== null && buffers[state.viewedBuffer] ? state.viewedBuffer : null,
          tabs: state.tabs.filter(known),
        };
      }),

    applyBatch: (batch) => {
      if (batch.resync) return { resync: true };
      const now = Date.now();
      const { tabs } = get();
      let { processes, buffers, log, rates, selectedId, marked, departed, repeats, viewedBuffer, following } = get();
      let lines: LogLine[] | null = null;
      /** Whether a departed process may have lost what keeps it (its buffer, or its place as the buffer's last process). */
      let ownersChanged = false;
      for (const event of batch.events) {
        switch (event.type) {
          case 'process-added':
          case 'process-changed':
            processes = { ...processes, [event.process.id]: event.process };
            if (following && event.process.name === following.name) {
              // The next attempt takes the selection; any other process of that name means the reconnecting ended.
              if (selectedId === following.id && isAttemptOf(event.process, following)) {
                selectedId = event.process.id;
                ownersChanged = true;
              }
              following = null;
            }
            break;
          case 'process-removed': {
            // Its row showed it waiting to reconnect: look out for the attempt that replaces it.
            if (event.id === selectedId && processes[event.id]?.reconnect) following = { id: event.id, name: event.name };
            const { [event.id]: _gone, ...rest } = processes;
            processes = rest;
            if (marked.includes(event.id)) marked = marked.filter((m) => m !== event.id);
            // Kept below if its buffer names it, or if it is looked at.
            departed = { ...departed, [event.id]: event.last };
            ownersChanged = true;
            break;
          }
          case 'buffer-changed': {
            const before = buffers[event.buffer.name];
            if (before?.lastProcess?.id !== event.buffer.lastProcess?.id) ownersChanged = true;
            buffers = { ...buffers, [event.buffer.name]: event.buffer };
            break;
          }
          case 'buffer-killed': {
            const { [event.name]: _killed, ...rest } = buffers;
            buffers = rest;
            if (viewedBuffer === event.name) viewedBuffer = null;
            ownersChanged = true;
            break;
          }
          case 'counters': {
            const p = processes[event.id];
            if (p) processes = { ...processes, [event.id]: { ...p, counters: event.counters } };
            rates = withRate(rates, event.id, event.counters, now);
            break;
          }
          case 'line':
            (lines ??= []).push(event.line);
            break;
          case 'repeat':
            repeats = withRepeat(repeats, event.state);
            break;
          case 'menu-command':
            break;
        }
      }
      if (lines) log = [...log, ...lines].slice(-LOG_LIMIT);
      if (ownersChanged) departed = keepDeparted(departed, selectedId, tabs, buffers);
      set({ processes, buffers, log, rates, selectedId, marked, tabs, departed, repeats, viewedBuffer, following });
      return { resync: false };
    },

    loadRepeats: (running) =>
      set((s) => {
        // A repeat that is neither running now nor known to have ended ended while this client was not looking.
        const known = Object.values(s.repeats).filter((r) => !r.running || running.some((n) => n.id === r.id));
        let repeats = Object.fromEntries(known.map((r) => [r.id, r]));
        for (const state of running) repeats = withRepeat(repeats, state);
        return { repeats };
      }),
    noteRepeat: (state) => set((s) => ({ repeats: withRepeat(s.repeats, state) })),
    dismissRepeat: (id) =>
      set((s) => {
        const { [id]: _gone, ...repeats } = s.repeats;
        return { repeats };
      }),
    select: (id) =>
      set((s) => ({ selectedId: id, viewedBuffer: null, following: null, departed: keepDeparted(s.departed, id, s.tabs, s.buffers) })),
    openBuffer: (name) => {
      const s = get();
      const buffer = s.buffers[name];
      const owner = buffer?.process?.id ?? buffer?.lastProcess?.id;
      if (owner !== undefined && processById(s, owner)) s.select(owner);
      else
        set({
          selectedId: null,
          viewedBuffer: buffer ? name : null,
          following: null,
          departed: keepDeparted(s.departed, null, s.tabs, s.buffers),
        });
    },
    toggleMark: (id) => set((s) => ({ marked: s.marked.includes(id) ? s.marked.filter((m) => m !== id) : [...s.marked, id] })),
    clearMarks: () => set({ marked: [] }),
    openTab: (id) => set((s) => ({ tabs: s.tabs.includes(id) ? s.tabs : [...s.tabs, id] })),
    closeTab: (id) =>
      set((s) => {
        const tabs = s.tabs.filter((t) => t !== id);
        return { tabs, departed: keepDeparted(s.departed, s.selectedId, tabs, s.buffers) };
      }),
    setShowClosed: (show) => set({ showClosed: show }),
    tickRates: (now) => {
      const { rates } = get();
      let next: Record<number, RateSample[]> | null = null;
      for (const [key, samples] of Object.entries(rates)) {
        const last = samples[samples.length - 1];
        if (!last || now - last.time < RATE_TICK_MS || isAtRest(samples)) continue;
        next ??= { ...rates };
        next[Number(key)] = [...samples, { ...last, time: now }].slice(-RATE_SAMPLES);
      }
      if (next) set({ rates: next });
    },
  }));

export type WorkbenchStore = ReturnType<typeof createWorkbenchStore>;

/** Ended repeats kept in view, the oldest forgotten first. */
const ENDED_REPEATS_KEPT = 20;

/**
 * A repeat's newer state. States can arrive out of order (an answer and an
 * event in flight together): a count never goes back, and an ended repeat stays ended.
 */
function withRepeat(repeats: Record<number, RepeatState>, state: RepeatState): Record<number, RepeatState> {
  const known = repeats[state.id];
  if (known && (!known.running || (state.running && state.sent < known.sent))) return repeats;
  const next = { ...repeats, [state.id]: state };
  const ended = Object.values(next).filter((r) => !r.running);
  for (const old of ended.slice(0, Math.max(0, ended.length - ENDED_REPEATS_KEPT))) delete next[old.id];
  return next;
}

/** True when the departed process is still its live buffer's last process: what keeps it findable, listed under its server. */
export function namedByItsBuffer(p: ProcessInfo, buffers: Record<string, BufferInfo>): boolean {
  return p.buffer !== null && buffers[p.buffer]?.lastProcess?.id === p.id;
}

/**
 * Departed processes the process list still shows: those whose buffers live on and name them, and the
 * departed server of any such connection (even with no buffer of its own), so the list stays a tree.
 */
export function listedDeparted(state: Pick<WorkbenchState, 'departed' | 'buffers'>): ProcessInfo[] {
  const all = Object.values(state.departed);
  const servers = new Set(all.flatMap((p) => (p.serverId !== null && namedByItsBuffer(p, state.buffers) ? [p.serverId] : [])));
  return all.filter((p) => namedByItsBuffer(p, state.buffers) || servers.has(p.id));
}

/** A departed process stays while the list shows it (listedDeparted), or while it is looked at. */
function keepDeparted(
  departed: Record<number, ProcessInfo>,
  selectedId: number | null,
  tabs: number[],
  buffers: Record<string, BufferInfo>,
): Record<number, ProcessInfo> {
  const listed = new Set(listedDeparted({ departed, buffers }).map((p) => p.id));
  const kept = Object.values(departed).filter((p) => p.id === selectedId || tabs.includes(p.id) || listed.has(p.id));
  return kept.length === Object.keys(departed).length ? departed : Object.fromEntries(kept.map((p) => [p.id, p]));
}

/**
 * True when P is a reconnect attempt of the client FOLLOWING left as: the
 * same name, made by the reconnector in the place of that process or of a
 * later attempt (one made and gone between two updates is never seen).
 */
function isAttemptOf(p: ProcessInfo, following: { id: number; name: string }): boolean {
  return p.name === following.name && takesPlaceOf(p.id, p.reconnect?.replaces ?? null, following.id);
}

/**
 * True when process ID, a reconnect attempt that took the place of process
 * REPLACES, continues the client that was EARLIER (that process or a later
 * attempt of it): what a view follows, and what a draft goes with.
 */
export function takesPlaceOf(id: number, replaces: number | null, earlier: number): boolean {
  return id !== earlier && replaces !== null && replaces >= earlier;
}

/** A process by id, whether still in the table or departed but still shown. */
export function processById(state: WorkbenchState, id: number | null): ProcessInfo | undefined {
  return id === null ? undefined : (state.processes[id] ?? state.departed[id]);
}

/** True when the process has left the table and only its buffer remains. */
export function isDeparted(state: WorkbenchState, id: number | null): boolean {
  return id !== null && state.processes[id] === undefined && state.departed[id] !== undefined;
}

/** Bytes per second over the last few samples. */
export function currentRate(samples: RateSample[] | undefined): { bytesIn: number; bytesOut: number } {
  if (!samples || samples.length < 2) return { bytesIn: 0, bytesOut: 0 };
  const first = samples[Math.max(0, samples.length - RATE_SPAN)] as RateSample;
  const last = samples[samples.length - 1] as RateSample;
  const seconds = Math.max((last.time - first.time) / 1000, 0.001);
  return { bytesIn: (last.bytesIn - first.bytesIn) / seconds, bytesOut: (last.bytesOut - first.bytesOut) / seconds };
}

/** True when the counters did not move over the samples the rate is taken from, so the rate is 0. */
function isAtRest(samples: RateSample[]): boolean {
  const first = samples[Math.max(0, samples.length - RATE_SPAN)] as RateSample;
  const last = samples[samples.length - 1] as RateSample;
  return first.bytesIn === last.bytesIn && first.bytesOut === last.bytesOut;
}

export type SortKey = 'name' | 'status' | 'buffer' | 'command' | 'bytesIn' | 'bytesOut';
export interface Sort {
  key: SortKey;
  descending: boolean;
}

function sortValue(p: ProcessInfo, key: SortKey): string | number {
  if (key === 'bytesIn' || key === 'bytesOut') return p.counters[key];
  return (key === 'buffer' ? p.buffer : p[key]) ?? '';
}

/**
 * Processes in list order (by name unless sorted otherwise), each server
 * followed by the connections it accepted unless the server is collapsed.
 */
export function processTree(
  processes: Record<number, ProcessInfo>,
  showClosed: boolean,
  sort: Sort = { key: 'name', descending: false },
  collapsed: readonly number[] = [],
): Array<{ process: ProcessInfo; depth: number; children: number }> {
  const all = Object.values(processes).filter((p) => showClosed || (p.status !== 'closed' && p.status !== 'failed'));
  const byName = (a: ProcessInfo, b: ProcessInfo): number => {
    const x = sortValue(a, sort.key);
    const y = sortValue(b, sort.key);
    const primary = x < y ? -1 : x > y ? 1 : 0;
    if (primary !== 0) return sort.descending ? -primary : primary;
    // Ties keep name order, whichever way the column is sorted.
    return a.name < b.name ? -1 : a.name > b.name ? 1 : 0;
  };
  const children = new Map<number, ProcessInfo[]>();
  const roots: ProcessInfo[] = [];
  for (const p of all) {
    if (p.serverId !== null && all.some((s) => s.id === p.serverId)) children.set(p.serverId, [...(children.get(p.serverId) ?? []), p]);
    else roots.push(p);
  }
  const rows: Array<{ process: ProcessInfo; depth: number; children: number }> = [];
  for (const root of roots.sort(byName)) {
    const kids = (children.get(root.id) ?? []).sort(byName);
    rows.push({ process: root, depth: 0, children: kids.length });
    if (!collapsed.includes(root.id)) for (const child of kids) rows.push({ process: child, depth: 1, children: 0 });
  }
  return rows;
}
