/**
 * The bridge: serves the contract to any number of clients (windows, browser
 * tabs), each through a session, and relays the engine's events to them in
 * batches: at most one per frame interval per client, with process and
 * buffer changes coalesced to their latest state, so a flood on one
 * connection costs main a few small messages a second, and a client that
 * cannot keep up is told to resync instead of making main queue without bound.
 */
import {
  plainError,
  type BridgeEvent,
  type EventBatch,
  type LogLine,
  type MenuCommand,
  type Method,
  type RepeatState,
  type Response,
  type Snapshot,
} from '../../shared/api.js';
import type { EventEmitter } from 'node:events';
import { DisposableStore, disposableTimeout, listen, toDisposable, type Disposable } from '../../shared/lifecycle.js';
import type { Netproc, NetprocBuffer, NetprocEvents, NetworkProcess } from '../netproc/index.js';
import { createBuiltins, type Builtins } from './builtins.js';
import { createHandlers, handleRequest, type Handlers } from './handlers.js';
import type { WorkspaceFiles } from './definitions.js';
import { bufferInfo, processInfo } from './serialize.js';

export interface EventSink {
  send(batch: EventBatch): void;
  /** False while the transport is backed up; the session keeps coalescing and tries again next frame. */
  ready(): boolean;
}

export interface BridgeOptions {
  /** Minimum interval between two batches to one client (default 16 ms, about one per frame). */
  frameMs?: number;
  /** Discrete events (sentinel, log, message lines) a client may have waiting before it must resync (default 10,000). */
  maxPendingLines?: number;
  /** Lines kept for the snapshot a new or reloaded client starts from (default 1,000). */
  logRing?: number;
  /** How often live byte counters are sent (default 250 ms). */
  countersMs?: number;
  /** The host's workspace files (the desktop's dialogs and recent list); without them the file methods say the host has none. */
  workspaceFiles?: WorkspaceFiles;
}

type Pending =
  | { kind: 'process'; process: NetworkProcess; added: boolean }
  | { kind: 'removed'; process: NetworkProcess }
  | { kind: 'buffer'; name: string }
  | { kind: 'killed'; name: string }
  | { kind: 'counters'; process: NetworkProcess }
  | { kind: 'line'; line: LogLine }
  | { kind: 'command'; command: MenuCommand }
  | { kind: 'repeat'; state: RepeatState };

export class BridgeSession implements Disposable {
  private attached = false;
  private pending: Pending[] = [];
  private readonly coalesced = new Map<string, number>();
  private lines = 0;
  private overflow = false;
  /** The next flush, while one is due; also held in `disposables`. */
  private timer: Disposable | null = null;
  private lastFlush = 0;
  private closed = false;
  /** The flush timer and the session's place in the bridge: closing releases both. */
  private readonly disposables = new DisposableStore();

  constructor(
    private readonly bridge: Bridge,
    private readonly sink: EventSink,
  ) {
    this.disposables.add(toDisposable(() => bridge.detach(this)));
  }

  /** One request; `snapshot` (re)starts the event stream from the state it returns. */
  async request(method: unknown, params: unknown): Promise<Response> {
    if (this.closed) return { ok: false, error: plainError('CLOSED', 'The session is closed') };
    if (method === 'snapshot') {
      const response = await handleRequest(this.bridge.handlers, method, params);
      if (response.ok) this.attach();
      return response;
    }
    return handleRequest(this.bridge.handlers, method, params);
  }

  close(): void {
    this.closed = true;
    this.attached = false;
    this.timer = null;
    this.pending = [];
    this.coalesced.clear();
    this.disposables.dispose();
  }

  dispose(): void {
    this.close();
  }

  /** @internal what the session still holds (its flush timer, its place in the bridge); 0 once closed. */
  get heldCount(): number {
    return this.disposables.size;
  }

  /** @internal called by the bridge for every engine change. */
  enqueue(entry: Pending, key: string | null): void {
    if (!this.attached || this.overflow) return;
    if (key !== null) {
      const at = this.coalesced.get(key);
      if (at !== undefined) {
        const previous = this.pending[at] as Pending;
        // An addition stays an addition: the client has not seen the process yet.
        if (previous.kind === 'process' && entry.kind === 'process') entry.added = previous.added || entry.added;
        this.pending[at] = entry;
        return;
      }
      this.coalesced.set(key, this.pending.length);
    } else if (++this.lines > this.bridge.maxPendingLines) {
      this.overflow = true;
      this.pending = [];
      this.coalesced.clear();
      this.schedule();
      return;
    }
    this.pending.push(entry);
    this.schedule();
  }

  private attach(): void {
    this.attached = true;
    this.overflow = false;
    this.pending = [];
    this.coalesced.clear();
    this.lines = 0;
  }

  private schedule(): void {
    if (this.timer || this.closed) return;
    this.flushIn(Math.max(0, this.lastFlush + this.bridge.frameMs - Date.now()));
  }

  private flushIn(ms: number): void {
    const timer = disposableTimeout(() => {
      this.disposables.release(timer);
      this.timer = null;
      this.flush();
    }, ms);
    this.timer = this.disposables.add(timer);
  }

  private flush(): void {
    if (this.closed) return;
    if (!this.sink.ready()) {
      this.flushIn(this.bridge.frameMs);
      return;
    }
    this.lastFlush = Date.now();
    if (this.overflow) {
      // The client fell too far behind: it must take a fresh snapshot.
      this.attached = false;
      this.overflow = false;
      this.sink.send({ seq: this.bridge.nextSeq(), events: [], resync: true });
      return;
    }
    const entries = this.pending;
    this.pending = [];
    this.coalesced.clear();
    this.lines = 0;
    if (entries.length === 0) return;
    const events = entries.map((e) => this.bridge.materialise(e)).filter((e): e is BridgeEvent => e !== null);
    if (events.length > 0) this.sink.send({ seq: this.bridge.nextSeq(), events });
  }
}

export class Bridge implements Disposable {
  readonly handlers: Handlers;
  readonly builtins: Builtins;
  readonly frameMs: number;
  readonly maxPendingLines: number;
  private readonly logRing: number;
  private readonly sessions = new Set<BridgeSession>();
  private readonly log: LogLine[] = [];
  private seq = 0;
  private readonly lastCounters = new Map<number, string>();
  /** The engine listeners, the counters timer and every open session: closing the bridge releases them all. */
  private readonly disposables = new DisposableStore();

  constructor(
    readonly np: Netproc,
    options: BridgeOptions = {},
  ) {
    this.frameMs = options.frameMs ?? 16;
    this.maxPendingLines = options.maxPendingLines ?? 10_000;
    this.logRing = options.logRing ?? 1000;
    this.builtins = createBuiltins(np);
    this.handlers = createHandlers(np, this.builtins, () => this.snapshot(), options.workspaceFiles);

    const added = (p: NetworkProcess): void => this.broadcast({ kind: 'process', process: p, added: true }, `p:${p.id}`);
    const changed = (p: NetworkProcess): void => this.broadcast({ kind: 'process', process: p, added: false }, `p:${p.id}`);
    const removed = (p: NetworkProcess): void => {
      this.lastCounters.delete(p.id);
      this.broadcast({ kind: 'removed', process: p }, null);
    };
    const buffer = (e: { name: string; live: boolean }): void =>
      e.live ? this.broadcast({ kind: 'buffer', name: e.name }, `b:${e.name}`) : this.broadcast({ kind: 'killed', name: e.name }, null);
    const about = (p: NetworkProcess) => ({ processId: p.id, processName: p.name, buffer: p.buffer?.live ? p.buffer.name : null });
    const sentinel = ({ process, event }: { process: NetworkProcess; event: string }): void =>
      this.line({ time: Date.now(), kind: 'sentinel', ...about(process), text: event });
    const log = ({ server, message }: { server: NetworkProcess; message: string }): void =>
      this.line({ time: Date.now(), kind: 'log', ...about(server), text: message });
    const message = (text: string): void =>
      this.line({ time: Date.now(), kind: 'message', processId: null, processName: null, buffer: null, text });
    const listeners: { [E in keyof NetprocEvents]: (...args: NetprocEvents[E]) => void } = {
      'process-added': added,
      'process-changed': changed,
      'process-removed': removed,
      'buffer-changed': buffer,
      sentinel,
      log,
      message,
      // A reconnecting client's attempts change what its row shows, if it has one now.
      reconnect: (name: string) => {
        const process = np.getProcess(name);
        if (process) changed(process);
      },
      // The latest state per repeat per batch: its count moves on, and its end (running: false) is never lost.
      repeat: (state: RepeatState) => this.broadcast({ kind: 'repeat', state }, `r:${state.id}`),
    };
    // Seen as a plain emitter: each listener was typed against its event in the table above.
    const engineEvents: EventEmitter = np;
    for (const [event, listener] of Object.entries(listeners)) {
      this.disposables.add(listen(engineEvents, event, listener as (...args: unknown[]) => void));
    }
    // Unreferenced, so an idle bridge does not keep the process alive.
    const countersTimer = setInterval(() => this.sendCounters(), options.countersMs ?? 250);
    countersTimer.unref();
    this.disposables.add(toDisposable(() => clearInterval(countersTimer)));
  }

  connect(sink: EventSink): BridgeSession {
    const session = this.disposables.add(new BridgeSession(this, sink));
    this.sessions.add(session);
    return session;
  }

  /** Runs one request outside any session (for hosts' own use, e.g. the quit check). */
  request(method: Method, params: unknown): Promise<Response> {
    return handleRequest(this.handlers, method, params);
  }

  /** Passes a menu command to every attached client. */
  broadcastCommand(command: MenuCommand): void {
    this.broadcast({ kind: 'command', command }, null);
  }

  snapshot(): Snapshot {
    const live = this.np.processList();
    const named = this.np.bufferList().flatMap((b) => (b.lastProcess ? [b.lastProcess] : []));
    // A departed connection's server, gone too, comes with it even without a buffer of its own: the list shows it under its server.
    const shown = new Set([...live, ...named]);
    const servers = new Set(named.flatMap((p) => (p.server && !shown.has(p.server) ? [p.server] : [])));
    return {
      seq: this.seq,
      processes: live.map((p) => processInfo(this.np, this.builtins, p)),
      buffers: this.np.bufferList().map((b) => bufferInfo(this.np, b)),
      departed: [...named, ...servers].map((p) => processInfo(this.np, this.builtins, p)),
      log: this.log.slice(),
    };
  }

  close(): void {
    this.disposables.dispose();
  }

  dispose(): void {
    this.close();
  }

  get sessionCount(): number {
    return this.sessions.size;
  }

  /** @internal what the bridge still holds (engine listeners, the counters timer, sessions); 0 once closed. */
  get heldCount(): number {
    return this.disposables.size;
  }

  /** @internal called by a closing session. */
  detach(session: BridgeSession): void {
    this.sessions.delete(session);
    this.disposables.release(session);
  }

  /** @internal */
  nextSeq(): number {
    return ++this.seq;
  }

  /**
   * @internal builds the wire event from the latest state, at flush time; null
   * for news about a process that has left the table since (its removal is
   * sent instead, and a later change must not bring it back on the client).
   */
  materialise(entry: Pending): BridgeEvent | null {
    if ((entry.kind === 'process' || entry.kind === 'counters') && this.np.getProcess(entry.process.name) !== entry.process) return null;
    switch (entry.kind) {
      case 'process': {
        const process = processInfo(this.np, this.builtins, entry.process);
        return entry.added ? { type: 'process-added', process } : { type: 'process-changed', process };
      }
      case 'removed':
        return {
          type: 'process-removed',
          id: entry.process.id,
          name: entry.process.name,
          last: processInfo(this.np, this.builtins, entry.process),
        };
      case 'buffer': {
        const b = this.np.getBuffer(entry.name) as NetprocBuffer | null;
        return b ? { type: 'buffer-changed', buffer: bufferInfo(this.np, b) } : { type: 'buffer-killed', name: entry.name };
      }
      case 'killed':
        return { type: 'buffer-killed', name: entry.name };
      case 'counters':
        return { type: 'counters', id: entry.process.id, counters: { ...entry.process.counters } };
      case 'line':
        return { type: 'line', line: entry.line };
      case 'command':
        return { type: 'menu-command', command: entry.command };
      case 'repeat':
        return { type: 'repeat', state: entry.state };
    }
  }

  private broadcast(entry: Pending, key: string | null): void {
    for (const session of this.sessions) session.enqueue(entry, key);
  }

  private line(line: LogLine): void {
    this.log.push(line);
    if (this.log.length > this.logRing) this.log.splice(0, this.log.length - this.logRing);
    this.broadcast({ kind: 'line', line }, null);
  }

  private sendCounters(): void {
    if (this.sessions.size === 0) return;
    for (const p of this.np.processList()) {
      const c = p.counters;
      const signature = `${c.bytesIn}/${c.bytesOut}/${c.datagramsIn}/${c.datagramsOut}/${c.accepted}`;
      if (this.lastCounters.get(p.id) === signature) continue;
      this.lastCounters.set(p.id, signature);
      this.broadcast({ kind: 'counters', process: p }, `c:${p.id}`);
    }
  }
}
