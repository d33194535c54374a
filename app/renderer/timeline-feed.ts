/**
 * What the traffic view shows of one process's timeline: the filtered
 * records' count and the pages of them read so far, fetched from the contract
 * a page at a time as rows come into view, and refreshed while the view is
 * open. Plain TypeScript (no React), read by the view through
 * useSyncExternalStore.
 */
import type { NetprocApi, TimelineEntry, TimelinePage } from '../shared/api.js';

export const TIMELINE_PAGE = 200;
/** How often an open view asks for what is new. */
export const TIMELINE_REFRESH_MS = 500;

export interface TimelineFilterChoice {
  direction: 'in' | 'out' | null;
  /** Bytes to look for, as text or as hex bytes ("0d 0a"). */
  query: string;
  mode: 'text' | 'hex';
}

export interface TimelineState {
  /** The view holds positions [first, end): the rows are first, first + 1, … (see TimelinePage). */
  first: number;
  end: number;
  epoch: number;
  held: number;
  dropped: number;
  capacity: number;
  payloadDropped: number;
  startUs: number | null;
  /** A failed read (a bad hex filter, a process gone), shown where the filter is. */
  error: string | null;
  /** Bumped whenever a page arrives, so the view redraws. */
  version: number;
  loaded: boolean;
}

type Listener = () => void;

/** Pages kept at most: the ones nearest the rows in view stay. */
const MOST_PAGES = 60;

export class TimelineFeed {
  private state: TimelineState = {
    first: 0,
    end: 0,
    epoch: 0,
    held: 0,
    dropped: 0,
    capacity: 0,
    payloadDropped: 0,
    startUs: null,
    error: null,
    version: 0,
    loaded: false,
  };
  /** Entries by page (position / TIMELINE_PAGE), each page by position % TIMELINE_PAGE. */
  private readonly pages = new Map<number, Array<TimelineEntry | undefined>>();
  private readonly pending = new Set<number>();
  private readonly listeners = new Set<Listener>();
  /** The positions in view, so a refresh re-reads what the user is looking at. */
  private visible: [number, number] = [0, 0];
  private timer: ReturnType<typeof setInterval> | null = null;
  private disposed = false;

  constructor(
    private readonly api: NetprocApi,
    readonly processId: number,
    readonly filter: TimelineFilterChoice,
  ) {}

  subscribe = (listener: Listener): (() => void) => {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  };

  getState = (): TimelineState => this.state;

  /** Starts refreshing (the first read at once). */
  start(): void {
    void this.refresh();
    this.timer ??= setInterval(() => void this.refresh(), TIMELINE_REFRESH_MS);
  }

  dispose(): void {
    this.disposed = true;
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    this.listeners.clear();
  }

  /** The record at POSITION, if its page has arrived. */
  entry(position: number): TimelineEntry | undefined {
    return this.pages.get(Math.floor(position / TIMELINE_PAGE))?.[position % TIMELINE_PAGE];
  }

  /** Positions [first, last] are in view: fetches the pages they need. */
  show(first: number, last: number): void {
    this.visible = [first, last];
    for (let page = Math.floor(first / TIMELINE_PAGE); page <= Math.floor(last / TIMELINE_PAGE); page++) {
      if (!this.complete(page)) void this.load(page);
    }
  }

  /** Asks for the pages in view again, and the last page (with them the bounds): new records, records gone. */
  async refresh(): Promise<void> {
    const [first, last] = this.visible;
    const pages = new Set<number>();
    for (let page = Math.floor(first / TIMELINE_PAGE); page <= Math.floor(last / TIMELINE_PAGE); page++) pages.add(page);
    pages.add(Math.max(0, Math.floor((this.state.end - 1) / TIMELINE_PAGE)));
    await Promise.all([...pages].map((page) => this.load(page, true)));
  }

  /** Every position of PAGE that the view holds has arrived. */
  private complete(page: number): boolean {
    const entries = this.pages.get(page);
    if (!entries) return false;
    const from = Math.max(this.state.first, page * TIMELINE_PAGE);
    const to = Math.min(this.state.end, (page + 1) * TIMELINE_PAGE);
    for (let position = from; position < to; position++) if (!entries[position % TIMELINE_PAGE]) return false;
    return true;
  }

  private params(page: number): Parameters<NetprocApi['readTimeline']>[0] {
    const { direction, query, mode } = this.filter;
    return {
      id: this.processId,
      from: page * TIMELINE_PAGE,
      count: TIMELINE_PAGE,
      ...(direction ? { direction } : {}),
      ...(query ? (mode === 'hex' ? { hex: query } : { text: query }) : {}),
    };
  }

  private async load(page: number, again = false): Promise<void> {
    if (this.pending.has(page) || (!again && this.complete(page))) return;
    this.pending.add(page);
    try {
      const answer = await this.api.readTimeline(this.params(page));
      if (!this.disposed) this.take(page, answer);
    } catch (err) {
      if (!this.disposed) this.set({ error: (err as Error).message, loaded: true });
    } finally {
      this.pending.delete(page);
    }
  }

  private take(page: number, answer: TimelinePage): void {
    // An answer from before the view renumbered is of no use; one after it makes every page read before useless.
    if (this.state.loaded && answer.epoch < this.state.epoch) return;
    const renumbered = answer.epoch !== this.state.epoch;
    if (renumbered) this.pages.clear();
    const entries: Array<TimelineEntry | undefined> = new Array(TIMELINE_PAGE);
    for (const entry of answer.records) entries[entry.position % TIMELINE_PAGE] = entry;
    this.pages.delete(page);
    this.pages.set(page, entries);
    this.forgetFarPages();
    const { first, end, epoch, held, dropped, capacity, payloadDropped, startUs } = answer;
    this.set({ first, end, epoch, held, dropped, capacity, payloadDropped, startUs, error: null, loaded: true });
    if (renumbered) this.show(...this.visible);
  }

  private forgetFarPages(): void {
    if (this.pages.size <= MOST_PAGES) return;
    const middle = Math.floor((this.visible[0] + this.visible[1]) / 2 / TIMELINE_PAGE);
    const byDistance = [...this.pages.keys()].sort((a, b) => Math.abs(b - middle) - Math.abs(a - middle));
    for (const page of byDistance.slice(0, this.pages.size - MOST_PAGES)) this.pages.delete(page);
  }

  private set(patch: Partial<TimelineState>): void {
    this.state = { ...this.state, ...patch, version: this.state.version + 1 };
    for (const listener of this.listeners) listener();
  }
}

/** "12:34:56.789012": the time of day of a µs timestamp, to the microsecond. */
export function clockTime(timeUs: number): string {
  const date = new Date(Math.floor(timeUs / 1000));
  const pad = (n: number, width = 2): string => String(n).padStart(width, '0');
  return `${pad(date.getHours())}:${pad(date.getMinutes())}:${pad(date.getSeconds())}.${pad(Math.floor(timeUs % 1_000_000), 6)}`;
}

/** "+1.234567": seconds since the start, to the microsecond. */
export function relativeTime(timeUs: number, startUs: number | null): string {
  if (startUs === null) return '';
  const us = Math.max(0, Math.round(timeUs - startUs));
  return `+${Math.floor(us / 1_000_000)}.${String(us % 1_000_000).padStart(6, '0')}`;
}

/**
 * A status row's words: the status as process-status says it (`open`,
 * `closed`), its exit code, and the sentinel's event unless it only says
 * the same (`open`, `open from 127.0.0.1`: the event alone).
 */
export function statusText(entry: Pick<TimelineEntry, 'kind' | 'status' | 'exitCode' | 'event'>): string {
  if (entry.kind === 'dropped') return 'record dropped from the ring since this view listed it';
  const status = entry.status ?? '';
  const event = entry.event?.trim() ?? '';
  if (event === status || event.startsWith(`${status} `)) return event;
  const code = entry.exitCode !== null && entry.exitCode !== 0 ? ` (${String(entry.exitCode)})` : '';
  return event ? `${status}${code} — ${event}` : `${status}${code}`;
}

/**
 * An accepted connection's name, `srv <127.0.0.1:5555>`, as its server's name
 * and the address that tells it apart from its siblings; null for any other name.
 */
export function connectionNameParts(name: string): { server: string; address: string } | null {
  const open = name.lastIndexOf(' <');
  if (open <= 0 || !name.endsWith('>')) return null;
  return { server: name.slice(0, open), address: name.slice(open + 1) };
}
