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
   * Processes that left the table (deleted, or exited under delete-exited-processes)
   * while selected or open as a tab: their buffers outlive them, as in Emacs, so
   * the view keeps showing them until the user looks elsewhere.
   */
  departed: Record<number, ProcessInfo>;
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
    showClosed: true,
    repeats: {},

    loadSnapshot: (snapshot) =>
      set((state) => ({
        connected: true,
        processes: Object.fromEntries(snapshot.processes.map((p) => [p.id, p])),
        buffers: Object.fromEntries(snapshot.buffers.map((b) => [b.name, b])),
        log: snapshot.log.slice(-LOG_LIMIT),
        selectedId: state.selectedId !== null && snapshot.processes.some((p) => p.id === state.selectedId) ? state.selectedId : null,
        departed: {},
        tabs: state.tabs.filter((id) => snapshot.processes.some((p) => p.id === id)),
      })),

    applyBatch: (batch) => {
      if (batch.resync) return { resync: true };
      const now = Date.now();
      const { selectedId, tabs } = get();
      let { processes, buffers, log, rates, marked, departed, repeats } = get();
      let lines: LogLine[] | null = null;
      for (const event of batch.events) {
        switch (event.type) {
          case 'process-added':
          case 'process-changed':
            processes = { ...processes, [event.process.id]: event.process };
            break;
          case 'process-removed': {
            const { [event.id]: _gone, ...rest } = processes;
            processes = rest;
            if (marked.includes(event.id)) marked = marked.filter((m) => m !== event.id);
            if (selectedId === event.id || tabs.includes(event.id)) departed = { ...departed, [event.id]: event.last };
            break;
          }
          case 'buffer-changed':
            buffers = { ...buffers, [event.buffer.name]: event.buffer };
            break;
          case 'buffer-killed': {
            const { [event.name]: _killed, ...rest } = buffers;
            buffers = rest;
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
      set({ processes, buffers, log, rates, selectedId, marked, tabs, departed, repeats });
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
    select: (id) => set((s) => ({ selectedId: id, departed: keepDeparted(s.departed, id, s.tabs) })),
    toggleMark: (id) => set((s) => ({ marked: s.marked.includes(id) ? s.marked.filter((m) => m !== id) : [...s.marked, id] })),
    clearMarks: () => set({ marked: [] }),
    openTab: (id) => set((s) => ({ tabs: s.tabs.includes(id) ? s.tabs : [...s.tabs, id] })),
    closeTab: (id) =>
      set((s) => {
        const tabs = s.tabs.filter((t) => t !== id);
        return { tabs, departed: keepDeparted(s.departed, s.selectedId, tabs) };
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

/** A departed process stays only while it is still looked at. */
function keepDeparted(departed: Record<number, ProcessInfo>, selectedId: number | null, tabs: number[]): Record<number, ProcessInfo> {
  const kept = Object.values(departed).filter((p) => p.id === selectedId || tabs.includes(p.id));
  return kept.length === Object.keys(departed).length ? departed : Object.fromEntries(kept.map((p) => [p.id, p]));
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
