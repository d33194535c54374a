/**
 * The engine's front: a process table of Emacs network processes on real
 * sockets, with Emacs's functions in camelCase. Each rule lives in its own
 * module (docs/architecture.md has the map): arguments.ts checks and
 * resolves, stream-client.ts / server-process.ts / datagram-process.ts run
 * each kind's life, input.ts delivers what arrives, sending.ts sends.
 * Events report every change to whoever shows it, never text per chunk.
 */
import { EventEmitter } from 'node:events';
import { DisposableStore, toDisposable } from '../../shared/lifecycle.js';
import { emacsClientId, formatNetworkAddress, type LispAddress } from './address.js';
import { AddressResolver, defaultLookup, describeFunction, type LookupFunction, type MakeNetworkProcessOptions } from './arguments.js';
import { AutoReplyRules, Responder, type AutoReplySpec, type AutoReplyState } from './auto-reply.js';
import { BufferBudget } from './buffer-budget.js';
import { BufferRegistry, DEFAULT_BUFFER_BUDGET, DEFAULT_BUFFER_CAP, NetprocBuffer, type BufferChange } from './buffers.js';
import { Decoder, encodeForSending, parseCodingSystem, rawTextVariant, withExplicitEol } from './coding.js';
import { DEFAULT_DATAGRAM_PEER_LIMIT, kernelDrops, setDatagramPeer } from './datagram-process.js';
import { DescriptorWatch } from './descriptor-watch.js';
import type { EngineInternals, StatusChange } from './engine-internals.js';
import { invalidArgument, NetprocError, wrongType } from './errors.js';
import type { NetprocEvents } from './events.js';
import { HandleParking } from './handle-parking.js';
import { InputDelivery } from './input.js';
import { kernelQueues, type KernelQueues } from './kernel-queues.js';
import { listProcessesRows, type ListProcessesRow } from './list-processes.js';
import { makeProcess } from './make-process.js';
import { checkPlist, plistGet, plistPut } from './plist.js';
import { openNetworkStream, type OpenNetworkStreamList, type OpenNetworkStreamParameters } from './open-network-stream.js';
import { NetworkProcess, type Filter, type Sentinel } from './process.js';
import { PinStore, type CertificatePin } from './pin-store.js';
import { ProcessTable } from './process-table.js';
import { writeRegularFile } from './regular-file.js';
import { closeProcessSockets } from './release.js';
import { TLS_HANDSHAKE_TIMEOUT_MS } from './stream-process.js';
import { notRunning, readOnly, sendEof, sendString, type SendOptions } from './sending.js';
import { importConversation, type ImportedConversation } from './import-process.js';
import { continueProcess, stopProcess } from './stop-continue.js';
import { loadServices } from './services.js';
import { setSocketOption } from './socket-options.js';
import { exitStatus, isActiveForQuery, liveTail, mappedStatus, SentinelEvent, type InternalStatus, type ProcessStatus } from './status.js';
import { statusTap, Taps, type Disposable, type TapListener, type TapSink } from './taps.js';
import { MessageSender, type MessageSpec, type RepeatState } from './message-send.js';
import { checkReconnectPolicy, Reconnector, type ReconnectState } from './reconnect.js';
import { recordTls } from './tls.js';
import type { Timeline, TimelineOptions } from './timeline.js';
import { TimelineKeeper } from './timeline-keeper.js';
import { TimelineViews, type TimelineFilter, type TimelineWindow } from './timeline-view.js';

export type { LookupFunction, LookupResult, MakeNetworkProcessOptions, TlsParameters } from './arguments.js';
export type { BufferChangeEvent, LogCall, NetprocEvents, SentinelCall } from './events.js';
export { OUTPUT_HIGH_WATER } from './sending.js';

export interface NetprocOptions {
  /** Cap of each buffer in bytes; the head is trimmed past it (default 64 MiB). */
  bufferCap?: number;
  /**
   * All buffers together hold at most this many bytes (default 1 GiB). Past
   * it, the stalest buffers of departed processes are killed first, then the
   * stalest live buffers lose their oldest bytes; each step is reported.
   */
  bufferBudget?: number;
  /** read-process-output-max: the largest filter chunk and datagram delivered (default 4096). */
  readProcessOutputMax?: number;
  /** delete-exited-processes: closed processes leave the list at once (default true). */
  deleteExitedProcesses?: boolean;
  lookup?: LookupFunction;
  servicesFile?: string;
  /** Where certificate pins are remembered (pin-store.ts); none: only while the engine runs. */
  pinStoreFile?: string | null;
  /**
   * Each process's traffic timeline (timeline.ts): on by default; false turns
   * it off, an object sets its ring size, payload caps and record budget.
   */
  timeline?: TimelineOptions | boolean;
  /** How long a client's TLS handshake may take (default 30 s). */
  tlsHandshakeTimeoutMs?: number;
  /** How many `datagram-peer` processes a splitting datagram server keeps at most (default 256). */
  datagramPeerLimit?: number;
}

export type { OpenNetworkStreamList, OpenNetworkStreamParameters, StarttlsRule } from './open-network-stream.js';

/** A process, a process name, a buffer or a buffer name: what Emacs's process arguments accept. */
export type ProcessDesignator = NetworkProcess | NetprocBuffer | string;

export class Netproc extends EventEmitter<NetprocEvents> implements EngineInternals {
  readonly readProcessOutputMax: number;
  readonly deleteExitedProcesses: boolean;
  readonly parking = new HandleParking();
  readonly descriptors = new DescriptorWatch();
  /** @internal */
  readonly table = new ProcessTable();
  /** @internal */
  readonly buffers: BufferRegistry;
  /** @internal */
  readonly input: InputDelivery = new InputDelivery(this);
  /** Certificates trusted by fingerprint per host:port (TLS beyond Emacs). */
  readonly pins: PinStore;
  private readonly budget: BufferBudget;
  private readonly resolver: AddressResolver;
  /** What lives as long as the engine: released, last first, by close(). */
  private readonly disposables = new DisposableStore();
  private closed = false;
  private readonly closeController = new AbortController();
  readonly closing = this.closeController.signal;
  readonly tlsHandshakeTimeoutMs: number;
  readonly datagramPeerLimit: number;
  /** The traffic timelines kept (live processes' and departed ones'); null when timelines are off. */
  private readonly timelines: TimelineKeeper | null;
  /** Traffic views read lately (timeline-view.ts), kept so that paging through one scans only what is new. */
  private readonly timelineViews = new TimelineViews();

  constructor(options: NetprocOptions = {}) {
    super();
    const max = options.readProcessOutputMax ?? 4096;
    if (!Number.isInteger(max) || max < 1)
      throw invalidArgument('readProcessOutputMax', 'read-process-output-max must be a positive integer');
    this.readProcessOutputMax = max;
    this.buffers = new BufferRegistry(options.bufferCap ?? DEFAULT_BUFFER_CAP, (change) => this.bufferChanged(change));
    const budget = options.bufferBudget ?? DEFAULT_BUFFER_BUDGET;
    if (!Number.isInteger(budget) || budget < 1)
      throw invalidArgument('bufferBudget', 'The buffer budget must be a positive number of bytes');
    this.budget = new BufferBudget(budget, (text) => this.report(text));
    this.resolver = new AddressResolver(options.lookup ?? defaultLookup, loadServices(options.servicesFile));
    this.deleteExitedProcesses = options.deleteExitedProcesses ?? true;
    this.tlsHandshakeTimeoutMs = options.tlsHandshakeTimeoutMs ?? TLS_HANDSHAKE_TIMEOUT_MS;
    if (!Number.isInteger(this.tlsHandshakeTimeoutMs) || this.tlsHandshakeTimeoutMs < 1)
      throw invalidArgument('tlsHandshakeTimeoutMs', 'The TLS handshake timeout must be a positive number of milliseconds');
    this.datagramPeerLimit = options.datagramPeerLimit ?? DEFAULT_DATAGRAM_PEER_LIMIT;
    if (!Number.isInteger(this.datagramPeerLimit) || this.datagramPeerLimit < 0)
      throw invalidArgument('datagramPeerLimit', 'The datagram peer limit must be a non-negative integer');
    this.pins = new PinStore(options.pinStoreFile ?? null, (text) => this.report(text));
    this.timelines = options.timeline === false ? null : new TimelineKeeper(options.timeline === true ? {} : (options.timeline ?? {}), max);
    this.disposables.add(toDisposable(() => this.parking.close()));
    this.disposables.add(toDisposable(() => this.descriptors.close()));
    this.disposables.add(this.input);
  }

  // ───────────────────────────── creating processes ─────────────────────────────

  /** `make-network-process` (make-process.ts). Resolves to the new process, or null when given no arguments. */
  async makeNetworkProcess(options?: MakeNetworkProcessOptions): Promise<NetworkProcess | null> {
    if (this.closed) throw new NetprocError({ code: 'NOT_RUNNING', message: 'Netproc has been closed' });
    if (!options || Object.keys(options).length === 0) return null;
    // Beyond Emacs, `reconnect` makes the client reconnecting from the start, so that no close can come between its
    // making and its policy. It is checked before anything is made, and is no keyword (the contact never shows it).
    const { reconnect, ...makeOptions } = options;
    const policy = reconnect === undefined || reconnect === null || reconnect === false ? null : checkReconnectPolicy(reconnect);
    if (policy && makeOptions.server)
      throw invalidArgument('reconnect', 'Only a client reconnects: a server stays listening until it is deleted');
    // Its first connect is in the background as every attempt's is, so that a refused one is retried too.
    const background = policy !== null && !makeOptions.type;
    const process = await makeProcess(this, this.resolver, this.pins, background ? { ...makeOptions, nowait: true } : makeOptions);
    if (process.kind === 'stream-client' || process.kind === 'datagram-client') process.madeWith = makeOptions;
    if (policy && process.madeWith) this.reconnector.enable(process, process.madeWith, policy);
    return process;
  }

  /** `open-network-stream NAME BUFFER HOST SERVICE &rest PARAMS` (open-network-stream.ts): plain, TLS or STARTTLS. */
  openNetworkStream(
    name: string,
    buffer: string | NetprocBuffer | null,
    host: string,
    service: number | string,
    params?: OpenNetworkStreamParameters & { returnList?: false | null },
  ): Promise<NetworkProcess>;
  openNetworkStream(
    name: string,
    buffer: string | NetprocBuffer | null,
    host: string,
    service: number | string,
    params: OpenNetworkStreamParameters & { returnList: true },
  ): Promise<OpenNetworkStreamList>;
  openNetworkStream(
    name: string,
    buffer: string | NetprocBuffer | null,
    host: string,
    service: number | string,
    params?: OpenNetworkStreamParameters,
  ): Promise<NetworkProcess | OpenNetworkStreamList>;
  openNetworkStream(
    name: string,
    buffer: string | NetprocBuffer | null,
    host: string,
    service: number | string,
    params: OpenNetworkStreamParameters = {},
  ): Promise<NetworkProcess | OpenNetworkStreamList> {
    return openNetworkStream(this, name, buffer, host, service, params);
  }

  // ───────────────────────────── engine internals ─────────────────────────────

  /**
   * The one place a status changes, as Emacs's pset_status then
   * status_notify: the status (and with it the exit status) is set; then,
   * unless `quiet` (a process still being made, or Emacs's silent cases), the
   * process leaves the list where `leaveList` says, the change is emitted and
   * the sentinel runs, in that order. Nothing else assigns a status.
   * @internal
   */
  changeStatus(process: NetworkProcess, status: InternalStatus, how: StatusChange = {}): void {
    process.status = status;
    process.taps?.emit(statusTap(status, how.quiet ? null : (how.sentinel ?? null)));
    if (how.quiet) return;
    // A client waiting to reconnect keeps its row until its next attempt (reconnect.ts), as under delete-exited-processes nil.
    const leaveList = this.reconnector.owns(process) && !process.deleting ? undefined : how.leaveList;
    if (leaveList === 'before-sentinel') this.removeFromTable(process);
    this.emit('process-changed', process);
    if (how.sentinel !== undefined) this.input.runSentinel(process, how.sentinel);
    if (leaveList === 'after-sentinel') this.removeFromTable(process);
  }

  /** @internal */
  report(text: string): void {
    this.emit('message', text);
  }

  /**
   * `internal-default-process-filter`, callable by other filters: inserts
   * TEXT at the process mark (unibyte text as its bytes).
   */
  internalDefaultProcessFilter(process: NetworkProcess, text: string): void {
    this.input.insertText(process, text);
  }

  private bufferChanged({ buffer, inserted }: BufferChange): void {
    this.emit('buffer-changed', {
      name: buffer.name,
      origin: buffer.origin,
      end: buffer.end,
      length: buffer.length,
      revision: buffer.revision,
      trimmedBytes: buffer.trimmedBytes,
      inserted,
      live: buffer.live,
    });
    if (inserted > 0 && this.budget.exceeded(this.buffers))
      this.budget.keepWithin(this.table, this.buffers, (buffer) => this.killBuffer(buffer));
  }

  /** @internal */
  show(process: NetworkProcess): void {
    process.hidden = false;
    if (!process.timeline) this.timelines?.start(process, (process.taps ??= new Taps(this.reportTapError)));
    // An accepted connection answers by its server's rules as they are now, as it inherits the server's filter.
    if (process.server?.autoReply) this.attachAutoReply(process, process.server.autoReply.responder.rules);
    if (process.buffer?.live) this.announceBuffer(process.buffer);
    this.emit('process-added', process);
  }

  /**
   * @internal A process leaves the list. Its live buffer outlives it: when no
   * other process uses the buffer, the buffer keeps it as its last process,
   * and says so before the removal is announced, so that a view never sees
   * the process gone and its buffer ownerless in between.
   */
  removeFromTable(process: NetworkProcess): void {
    if (!this.table.remove(process)) return;
    this.timelines?.depart(process);
    // A peer that sends again after its process left gets a new one.
    const peers = process.kind === 'datagram-peer' ? process.server?.peers : null;
    if (peers && Array.isArray(process.datagramAddress)) {
      const id = emacsClientId(process.datagramAddress);
      if (peers.get(id) === process) peers.delete(id);
    }
    const buffer = process.buffer;
    if (buffer?.live) {
      if (this.bufferUsers(buffer).length === 0) buffer.lastProcess = process;
      this.announceBuffer(buffer);
    }
    this.emit('process-removed', process);
  }

  /** @internal */
  attachBuffer(process: NetworkProcess, buffer: NetprocBuffer | null): void {
    process.buffer = buffer;
    if (!buffer) return;
    if (process.markBuffer && process.mark) process.markBuffer.releaseMarker(process.mark);
    process.mark = buffer.createMarker(buffer.end);
    process.markBuffer = buffer;
    if (!buffer.users.includes(process)) {
      const others = this.bufferUsers(buffer);
      // A spread reserves seventeen slots even for one user: a literal keeps a buffer's first user in one.
      buffer.users = others.length === 0 ? [process] : [...others, process];
    }
    buffer.lastProcess = null;
    // A process still being made is announced with its buffer by show().
    if (!process.hidden) this.announceBuffer(buffer);
  }

  /**
   * The listed processes whose buffer this is, oldest first. Candidates that
   * left the table or took another buffer are dropped here; those still
   * being made (hidden) are kept but not counted, as process-list does not
   * count them.
   */
  private bufferUsers(buffer: NetprocBuffer): NetworkProcess[] {
    const users = buffer.users;
    if (users.length === 0) return users;
    const kept = users.filter((p) => p.buffer === buffer && this.table.has(p));
    if (kept.length !== users.length) buffer.users = kept;
    return kept.filter((p) => !p.hidden);
  }

  /** Tells views that who uses a buffer changed; its text, revision and change time stay as they were. */
  private announceBuffer(buffer: NetprocBuffer): void {
    this.bufferChanged({ buffer, inserted: 0, delta: 0 });
  }

  // ───────────────────────────── the process table ─────────────────────────────

  /** `process-list`: every process not yet deleted, newest first. */
  processList(): NetworkProcess[] {
    return this.table.list();
  }

  /** `get-process`. */
  getProcess(name: string): NetworkProcess | null {
    return this.table.getByName(name) ?? null;
  }

  /** A process by the id the bridge uses. */
  getProcessById(id: number): NetworkProcess | null {
    return this.table.getById(id) ?? null;
  }

  /** `get-buffer-process`: the newest process whose buffer this is. */
  getBufferProcess(buffer: string | NetprocBuffer): NetworkProcess | null {
    const target = typeof buffer === 'string' ? this.buffers.get(buffer) : buffer;
    if (!target) return null;
    // Ids follow the order processes enter the table, so the newest has the largest.
    let newest: NetworkProcess | null = null;
    for (const p of this.bufferUsers(target)) if (!newest || p.id > newest.id) newest = p;
    return newest;
  }

  private resolveProcess(designator: ProcessDesignator, field = 'process'): NetworkProcess {
    if (designator instanceof NetworkProcess) return designator;
    if (typeof designator === 'string') {
      const byName = this.table.getByName(designator);
      if (byName) return byName;
      const buffer = this.buffers.get(designator);
      if (!buffer) throw new NetprocError({ code: 'NO_SUCH_PROCESS', message: `Process ${designator} does not exist`, field });
      designator = buffer;
    }
    if (designator instanceof NetprocBuffer) {
      const owner = this.getBufferProcess(designator);
      if (!owner) throw new NetprocError({ code: 'NO_SUCH_PROCESS', message: `Buffer ${designator.name} has no process`, field });
      return owner;
    }
    throw wrongType(field, 'processp', designator);
  }

  /** stop-process and continue-process take only a process object for network processes [O-04 C]. */
  private requireProcessObject(designator: ProcessDesignator): NetworkProcess {
    if (designator instanceof NetworkProcess) return designator;
    const name = designator instanceof NetprocBuffer ? (this.getBufferProcess(designator)?.name ?? designator.name) : designator;
    throw new NetprocError({ code: 'NOT_SUBPROCESS', message: `Process ${String(name)} is not a subprocess`, field: 'process' });
  }

  // ───────────────────────────── status ─────────────────────────────

  /** `process-status`: a string is looked up only as a process name; unknown names give null. */
  processStatus(designator: ProcessDesignator): ProcessStatus | null {
    let process: NetworkProcess | undefined;
    if (designator instanceof NetworkProcess) process = designator;
    else if (typeof designator === 'string') process = this.table.getByName(designator);
    else process = this.resolveProcess(designator);
    return process ? mappedStatus(process.status, process.stopped) : null;
  }

  processExitStatus(designator: ProcessDesignator): number | string {
    return exitStatus(this.resolveProcess(designator).status);
  }

  processLiveP(designator: ProcessDesignator): string[] | null {
    const p = this.resolveProcess(designator);
    return liveTail(mappedStatus(p.status, p.stopped));
  }

  /** `process-command`: true while stopped (and after deleting a stopped process). */
  processCommand(designator: ProcessDesignator): boolean {
    return this.resolveProcess(designator).stopped;
  }

  processType(designator: ProcessDesignator): 'network' {
    this.resolveProcess(designator);
    return 'network';
  }

  processId(designator: ProcessDesignator): null {
    this.resolveProcess(designator);
    return null;
  }

  processBuffer(designator: ProcessDesignator): NetprocBuffer | null {
    return this.resolveProcess(designator).buffer;
  }

  /** `process-mark` as an absolute byte offset in the process's buffer, or null. */
  processMark(designator: ProcessDesignator): number | null {
    return this.resolveProcess(designator).mark?.position ?? null;
  }

  processFilter(designator: ProcessDesignator): Filter {
    return this.resolveProcess(designator).filter;
  }

  processSentinel(designator: ProcessDesignator): Sentinel {
    return this.resolveProcess(designator).sentinel;
  }

  // ───────────────────────────── stop, continue, delete ─────────────────────────────

  /** `stop-process`: stop reading (streams, datagrams) or accepting (servers). No sentinel. */
  async stopProcess(designator: ProcessDesignator): Promise<NetworkProcess> {
    const process = this.requireProcessObject(designator);
    if (process.imported !== null) throw readOnly(process, 'it cannot be stopped');
    return stopProcess(this, process);
  }

  /** `continue-process`: resume; a server accepts what queued meanwhile. No sentinel. */
  async continueProcess(designator: ProcessDesignator): Promise<NetworkProcess> {
    const process = this.requireProcessObject(designator);
    if (process.imported !== null) throw readOnly(process, 'it cannot be continued');
    return continueProcess(this, process);
  }

  /**
   * A conversation from a capture file as a process of its own (beyond
   * Emacs): closed and read-only, its buffer holding what its side received,
   * its timeline both directions at their recorded times (import-process.ts).
   */
  importConversation(conversation: ImportedConversation): NetworkProcess {
    if (this.closed) throw new NetprocError({ code: 'NOT_RUNNING', message: 'Netproc has been closed' });
    return importConversation(this, this.timelines, conversation);
  }

  /** `delete-process`: runs the sentinel with "deleted\n" before returning, then closes the socket. */
  deleteProcess(designator: ProcessDesignator): null {
    const process = this.resolveProcess(designator);
    if (!this.table.has(process)) {
      // Emacs still sets (exit 0) on a process already gone from the list, but silently: no sentinel, no event [spec §9].
      this.changeStatus(process, { kind: 'exit', exitCode: 0 }, { quiet: true });
      return null;
    }
    // A splitting server's peer processes have no socket but its own: they end first.
    for (const peer of process.peers?.values() ?? []) this.deleteProcess(peer);
    process.deleting = true;
    this.changeStatus(process, { kind: 'exit', exitCode: 0 }, { sentinel: SentinelEvent.deleted, leaveList: 'after-sentinel' });
    closeProcessSockets(this, process);
    // A client waiting to reconnect has no watch left to see this (it ended already): deleting it ends the reconnecting.
    if (this.reconnector.owns(process)) this.reconnector.cancel(process.name);
    return null;
  }

  /**
   * Subscribes to a process's taps: every chunk read and written (direction,
   * a microsecond timestamp, the bytes, a datagram's peer) and every status
   * change, beside its filter and sentinel, never instead of them. Returns a
   * Disposable; a throwing listener is reported as a message.
   */
  tapProcess(designator: ProcessDesignator, listener: TapListener): Disposable {
    const process = this.resolveProcess(designator);
    if (typeof listener !== 'function') throw wrongType('listener', 'functionp', listener);
    return this.subscribe(process, listener);
  }

  /**
   * The traffic timeline of the process with id ID: a listed process's, or a
   * departed one's while its buffer lives. Null when there is none (timelines
   * off, or let go).
   */
  timelineOf(id: number): Timeline | null {
    const listed = this.table.getById(id);
    if (listed) return listed.timeline;
    return this.timelines?.departedTimeline(id) ?? null;
  }

  /**
   * What a process's traffic view shows: its own timeline, and for a server
   * those of the connections it accepted, listed and departed.
   */
  trafficTimelines(process: NetworkProcess): Timeline[] {
    const own = process.timeline ? [process.timeline] : [];
    if (process.kind !== 'stream-server') return own;
    const listed = this.table.list().filter((p) => p.server === process && p.timeline);
    return [...own, ...listed.map((p) => p.timeline!), ...(this.timelines?.departedConnections(process) ?? [])];
  }

  /** Records each process's timeline keeps at most (its ring); 0 when timelines are off. */
  get timelineCapacity(): number {
    return this.timelines?.pool.capacity ?? 0;
  }

  /**
   * Positions [from, from + count) of the traffic view of the process with id
   * ID (listed, or departed while its buffer lives; for a server, with its
   * connections), filtered by FILTER. Views are kept between reads, so
   * positions are stable while records come and go (timeline-view.ts).
   */
  readTimeline(id: number, from: number, count: number, filter: TimelineFilter = {}): TimelineWindow {
    return this.timelineViews.read(id, filter, this.trafficOf(id), from, count);
  }

  /** The timelines of the traffic view of the process with id ID (see trafficTimelines); refused, naming `id`, when there are none. */
  trafficOf(id: number): Timeline[] {
    const own = this.timelineOf(id);
    if (!own) {
      const listed = this.table.getById(id);
      if (listed && !this.timelines)
        throw new NetprocError({ code: 'UNSUPPORTED', message: 'Traffic timelines are off in this engine', field: 'id' });
      throw new NetprocError({
        code: 'NO_SUCH_PROCESS',
        message: listed ? `Process ${listed.name} has no timeline` : `No process with id ${id} (or its timeline has been let go)`,
        field: 'id',
      });
    }
    return this.trafficTimelines(own.process);
  }

  private subscribe(process: NetworkProcess, subscriber: TapListener | TapSink): Disposable {
    const taps = (process.taps ??= new Taps(this.reportTapError));
    return taps.add(subscriber, () => {
      if (process.taps === taps) process.taps = null;
    });
  }

  /**
   * Auto-reply rules (auto-reply.ts): SPEC answers the process's input from
   * now on, replacing any rules it had (pending delayed replies are dropped);
   * null removes them. A server's connections accepted later inherit them.
   * Answers the rules as set, with their hit counts.
   */
  setAutoReplyRules(designator: ProcessDesignator, spec: AutoReplySpec | null): AutoReplyState | null {
    const process = this.resolveProcess(designator);
    if (spec !== null && (typeof spec !== 'object' || Array.isArray(spec))) throw wrongType('rules', 'listp', spec);
    const rules = spec === null ? null : AutoReplyRules.compile(spec, { encoder: process.encoder, datagram: process.isDatagram });
    this.attachAutoReply(process, rules);
    // A splitting server's peers answer its datagrams by its rules as they are now (see attachAutoReply's answeredElsewhere).
    for (const peer of process.peers?.values() ?? []) {
      this.attachAutoReply(peer, rules);
      this.emit('process-changed', peer);
    }
    this.emit('process-changed', process);
    return rules?.state() ?? null;
  }

  /** The process's auto-reply rules with their hit counts, or null. */
  autoReplyRules(designator: ProcessDesignator): AutoReplyState | null {
    return this.resolveProcess(designator).autoReply?.responder.rules.state() ?? null;
  }

  private attachAutoReply(process: NetworkProcess, rules: AutoReplyRules | null): void {
    if (process.autoReply) {
      process.autoReply.subscription.dispose();
      process.autoReply.responder.dispose();
      process.autoReply = null;
    }
    if (!rules) return;
    const responder = new Responder(
      rules,
      {
        send: (bytes, peer, label) => sendString(this, process, bytes, { peer, label }),
        close: () => {
          if (this.table.has(process)) this.deleteProcess(process);
        },
        report: (text) => this.report(text),
        // A splitting server leaves a datagram to its sender's peer process, which has the same rules: answered once, and
        // the reply is that peer's traffic. Past the peer limit, or while that process is stopped or has no rules, the server answers.
        answeredElsewhere:
          process.kind === 'datagram-server'
            ? (peer) => {
                const owner = process.peers && Array.isArray(peer) ? process.peers.get(emacsClientId(peer)) : undefined;
                return owner !== undefined && !owner.stopped && owner.autoReply !== null;
              }
            : undefined,
        // The counts are shared with the server the rules came from, so its row changes too (the bridge coalesces both per frame).
        hit: () => {
          if (!this.table.has(process)) return;
          this.emit('process-changed', process);
          const server = process.server;
          if (server?.autoReply?.responder.rules === rules && this.table.has(server)) this.emit('process-changed', server);
        },
        get utf8() {
          return process.decoder.coding.charset === 'utf-8';
        },
        // A process that decodes one character per byte gets its captured bytes back as they came.
        encodeText: (text) =>
          process.decoder.coding.charset !== 'utf-8' && !/[\u0100-\u{10ffff}]/u.test(text)
            ? Buffer.from(text, 'latin1')
            : encodeForSending(text, process.encoder),
      },
      process.isDatagram,
      process.name,
    );
    process.autoReply = { responder, subscription: this.subscribe(process, responder) };
  }

  /** Library messages sent once or repeating (message-send.ts). */
  private readonly messages = this.disposables.add(
    new MessageSender({
      send: (process, bytes, options) => sendString(this, process, bytes, options),
      connectionsOf: (server) => this.table.list().filter((p) => p.server === server && p.status.kind === 'run'),
      report: (text) => this.report(text),
      changed: (state) => this.emit('repeat', state),
    }),
  );

  /**
   * Sends a library message (a template, rendered at each send) to a process,
   * or to every open connection of a server: once, answering null when it
   * went; or repeated, answering the repeat's state at once.
   */
  sendMessage(designator: ProcessDesignator, spec: MessageSpec): Promise<RepeatState | null> {
    return this.messages.send(this.resolveProcess(designator), spec);
  }

  /** Stops a repeating message; true if it was running. */
  stopRepeat(id: number): boolean {
    return this.messages.stop(id);
  }

  /** The repeating messages running now. */
  repeats(): RepeatState[] {
    return this.messages.list();
  }

  /**
   * Beyond Emacs: a datagram server gives each source address a
   * `datagram-peer` process of its own (as make-network-process's
   * `splitPeers`), or, turned off, ends those it has (their buffers stay) and
   * is a plain Emacs datagram server again. Answers the server.
   */
  setSplitPeers(designator: ProcessDesignator, split: boolean): NetworkProcess {
    const process = this.resolveProcess(designator);
    if (typeof split !== 'boolean') throw wrongType('split', 'booleanp', split);
    if (process.kind !== 'datagram-server')
      throw invalidArgument('process', `${process.name} is not a datagram server: only a datagram server splits its traffic by peer`);
    if (process.status.kind !== 'run') throw notRunning(process);
    if (process.splitPeers === split) return process;
    process.splitPeers = split;
    process.peerLimitReported = false;
    process.contact.put('splitPeers', split);
    if (!split) for (const peer of process.peers?.values() ?? []) this.deleteProcess(peer);
    this.emit('process-changed', process);
    return process;
  }

  /** Reconnecting clients, by name (reconnect.ts). */
  private readonly reconnector = this.disposables.add(
    new Reconnector({
      make: (options) => this.makeNetworkProcess(options),
      forget: (process) => this.removeFromTable(process),
      watch: (process, listener) => this.subscribe(process, listener),
      report: (text) => this.report(text),
      changed: (name, state) => this.emit('reconnect', name, state),
    }),
  );

  /**
   * Makes a client made by make-network-process reconnect when it closes or
   * fails (POLICY true for the defaults, or {initialMs, maxMs, multiplier,
   * jitter, maxAttempts}); null stops it. Answers the state, or null.
   */
  setProcessReconnect(designator: ProcessDesignator, policy: unknown): ReconnectState | null {
    const process = this.resolveProcess(designator);
    if (policy === null || policy === false) {
      this.reconnector.cancel(process.name);
      return null;
    }
    if (!process.madeWith)
      throw invalidArgument('process', `${process.name} is not a client made by make-network-process, so it cannot be made again`);
    return this.reconnector.enable(process, process.madeWith, checkReconnectPolicy(policy));
  }

  /** A reconnecting client's state by its name (it outlives each attempt's process), or null. */
  reconnectState(name: string): ReconnectState | null {
    return this.reconnector.state(name);
  }

  /** Stops reconnecting the client NAME, between attempts too; true if it was reconnecting. */
  cancelReconnect(name: string): boolean {
    return this.reconnector.cancel(name);
  }

  /** One function for every process's taps to report a throwing subscriber with. */
  private readonly reportTapError = (text: string): void => this.report(text);

  /** Waits until a process's pending stop/continue/close work is done (tests and the bridge use it). */
  async settled(process: NetworkProcess): Promise<void> {
    await process.transition.catch(() => undefined);
  }

  // ───────────────────────────── sending ─────────────────────────────

  /**
   * `process-send-string`: text is encoded with the process's coding; byte arrays go as they are.
   * LABEL names what sent it (a library message sending a file) in the taps and the timeline.
   */
  async processSendString(
    designator: ProcessDesignator,
    data: string | Uint8Array,
    { label = null }: Pick<SendOptions, 'label'> = {},
  ): Promise<null> {
    return sendString(this, this.resolveProcess(designator), data, { label });
  }

  /** `process-send-eof`: half-close; reading goes on until the peer closes. A no-op for datagrams. */
  async processSendEof(designator: ProcessDesignator): Promise<NetworkProcess> {
    return sendEof(this, this.resolveProcess(designator));
  }

  // ───────────────────────────── contact and addresses ─────────────────────────────

  /** `process-contact`: no key → [host, service]; true → the whole plist; a key → its value. */
  processContact(designator: ProcessDesignator): [unknown, unknown];
  processContact(designator: ProcessDesignator, key: true, noBlock?: boolean): Record<string, unknown> | null;
  processContact(designator: ProcessDesignator, key: string | true | null | undefined, noBlock?: boolean): unknown;
  processContact(designator: ProcessDesignator, key?: string | true | null, noBlock = false): unknown {
    const process = this.resolveProcess(designator);
    const kind = process.status.kind;
    // Emacs would wait for a connecting process; we answer at once from what is known.
    if (noBlock && kind !== 'run' && kind !== 'listen') return null;
    const contact = process.contact;
    if (process.isDatagram && (key === true || key === 'remote') && process.datagramAddress) {
      contact.put('remote', Array.isArray(process.datagramAddress) ? process.datagramAddress.slice() : { ...process.datagramAddress });
    }
    if (key === undefined || key === null) return [contact.get('host'), contact.get('service')];
    if (key === true) return contact.toObject();
    const value = contact.get(key);
    return Array.isArray(value) ? value.slice() : value;
  }

  formatNetworkAddress(address: unknown, omitPort = false): string | null {
    return formatNetworkAddress(address, omitPort);
  }

  /** `network-lookup-address-info`: address vectors with port 0, or null (and a message) on failure. */
  async networkLookupAddressInfo(name: string, family: 'ipv4' | 'ipv6' | null = null): Promise<number[][] | null> {
    return this.resolver.lookupAddressInfo(name, family, (text) => this.report(text));
  }
  /** What the kernel (and Node) hold for the process's socket now: queues, buffer sizes, how full (kernel-queues.ts). */
  processKernelQueues(designator: ProcessDesignator): Promise<KernelQueues> {
    return kernelQueues(this.resolveProcess(designator));
  }

  /** Datagrams the kernel dropped for this process's socket (queue full, e.g. while stopped); null if unknown. */
  processDatagramDrops(designator: ProcessDesignator): number | null {
    const process = this.resolveProcess(designator);
    return process.datagram ? kernelDrops(process.datagram) : null;
  }

  processDatagramAddress(designator: ProcessDesignator): LispAddress | null {
    const process = this.resolveProcess(designator);
    if (!process.isDatagram || !process.datagramAddress) return null;
    const address = process.datagramAddress;
    return Array.isArray(address) ? address.slice() : { family: address.family, data: address.data.slice() };
  }

  /** `set-process-datagram-address`: null when not a datagram process or ADDRESS does not fit its socket. */
  setProcessDatagramAddress(designator: ProcessDesignator, address: unknown): LispAddress | null {
    return setDatagramPeer(this, this.resolveProcess(designator), address);
  }

  /** `set-network-process-option`: true on success; false (nil) for an unknown option with noError. */
  async setNetworkProcessOption(designator: ProcessDesignator, option: string, value: unknown, noError = false): Promise<boolean> {
    const process = this.resolveProcess(designator);
    if (process.status.kind === 'connect') await process.leftConnect;
    if (!setSocketOption(process, option, value, noError)) return false;
    this.emit('process-changed', process);
    return true;
  }

  // ───────────────────────────── filters, sentinels, buffers ─────────────────────────────

  /** `set-process-filter`: null restores the default; `true` stops reading without changing the status. */
  setProcessFilter(designator: ProcessDesignator, filter: Filter): Filter {
    const process = this.resolveProcess(designator);
    if (filter !== null && filter !== true && typeof filter !== 'function') throw wrongType('filter', 'functionp', filter);
    process.filter = filter;
    process.contact.put('filter', filter === null ? 'internal-default-process-filter' : describeFunction(filter));
    this.input.updateReading(process);
    this.emit('process-changed', process);
    return filter;
  }

  setProcessSentinel(designator: ProcessDesignator, sentinel: Sentinel): Sentinel {
    const process = this.resolveProcess(designator);
    if (sentinel !== null && typeof sentinel !== 'function') throw wrongType('sentinel', 'functionp', sentinel);
    process.sentinel = sentinel;
    process.contact.put('sentinel', sentinel === null ? 'internal-default-process-sentinel' : describeFunction(sentinel));
    this.emit('process-changed', process);
    return sentinel;
  }

  /** `set-process-buffer`: takes a buffer object or null; a name is a wrong-type error [O-16 C]. */
  setProcessBuffer(designator: ProcessDesignator, buffer: NetprocBuffer | null): NetprocBuffer | null {
    const process = this.resolveProcess(designator);
    if (buffer !== null && !(buffer instanceof NetprocBuffer)) throw wrongType('buffer', 'bufferp', buffer);
    const previous = process.buffer;
    if (buffer) this.attachBuffer(process, buffer);
    else process.buffer = null;
    if (previous?.live && previous !== buffer) this.announceBuffer(previous);
    process.contact.put('buffer', buffer?.name ?? null);
    this.emit('process-changed', process);
    return buffer;
  }

  getBuffer(name: string): NetprocBuffer | null {
    return this.buffers.get(name) ?? null;
  }

  getBufferCreate(name: string): NetprocBuffer {
    if (typeof name !== 'string' || name === '') throw wrongType('buffer', 'stringp', name);
    return this.buffers.getOrCreate(name);
  }

  bufferList(): NetprocBuffer[] {
    return this.buffers.all();
  }

  /** The whole text of a buffer, or null if there is no such buffer. */
  bufferString(name: string): string | null {
    return this.buffers.get(name)?.text() ?? null;
  }

  /** `kill-buffer`: deletes every process whose buffer it is ("deleted\n"), then kills it. */
  killBuffer(buffer: string | NetprocBuffer): boolean {
    const target = typeof buffer === 'string' ? this.buffers.get(buffer) : buffer;
    if (!target?.live) return false;
    for (const p of this.table.list()) if (p.buffer === target) this.deleteProcess(p);
    target.kill();
    this.buffers.remove(target);
    this.timelines?.bufferKilled(target);
    return true;
  }

  /**
   * Writes the buffer's bytes as it holds them (what arrived, undecoded) to
   * the file at the absolute `path`, replacing it whole (regular-file.ts).
   * The text is taken when called: what arrives while it is written is not in
   * the file. Resolves to the bytes written.
   */
  saveBuffer(buffer: NetprocBuffer, path: string): Promise<number> {
    if (!buffer.live) throw wrongType('buffer', 'buffer-live-p', buffer.name);
    return writeRegularFile(path, buffer.views(), 'path');
  }

  setBufferCap(cap: number, bufferName?: string): void {
    if (bufferName === undefined) {
      this.buffers.setDefaultCap(cap);
      for (const b of this.buffers.all()) b.setCap(cap);
    } else this.getBufferCreate(bufferName).setCap(cap);
  }

  // ───────────────────────────── plists, query flag, coding ─────────────────────────────

  processPlist(designator: ProcessDesignator): unknown[] {
    return this.resolveProcess(designator).plist.slice();
  }

  setProcessPlist(designator: ProcessDesignator, plist: unknown): unknown[] {
    const process = this.resolveProcess(designator);
    if (!Array.isArray(plist)) throw wrongType('plist', 'listp', plist);
    checkPlist(plist);
    process.plist = plist.slice();
    this.emit('process-changed', process);
    return plist;
  }

  /** `process-get`: properties compare with `eq` (===). */
  processGet(designator: ProcessDesignator, property: unknown): unknown {
    return plistGet(this.resolveProcess(designator).plist, property);
  }

  /** `process-put`: returns the new plist. Refused, changing nothing, past the plist's bounds (plist.ts). */
  processPut(designator: ProcessDesignator, property: unknown, value: unknown): unknown[] {
    const process = this.resolveProcess(designator);
    process.plist = plistPut(process.plist, property, value);
    this.emit('process-changed', process);
    return process.plist.slice();
  }

  processQueryOnExitFlag(designator: ProcessDesignator): boolean {
    return this.resolveProcess(designator).queryOnExit;
  }

  setProcessQueryOnExitFlag<T>(designator: ProcessDesignator, flag: T): T {
    const process = this.resolveProcess(designator);
    process.queryOnExit = flag !== null && flag !== undefined && flag !== false;
    this.emit('process-changed', process);
    return flag;
  }

  /** `process-coding-system`: [DECODE, ENCODE]. */
  processCodingSystem(designator: ProcessDesignator): [string, string] {
    const process = this.resolveProcess(designator);
    return [process.decoder.coding.name, process.encoder.name];
  }

  setProcessCodingSystem(designator: ProcessDesignator, decoding: string, encoding: string): null {
    const process = this.resolveProcess(designator);
    const decode = parseCodingSystem(decoding, 'decoding');
    const encode = withExplicitEol(parseCodingSystem(encoding, 'encoding'));
    process.decoder = new Decoder(decode);
    process.encoder = encode;
    this.emit('process-changed', process);
    return null;
  }

  processFilterMultibyteP(designator: ProcessDesignator): boolean {
    return !this.resolveProcess(designator).decoder.coding.unibyte;
  }

  setProcessFilterMultibyte(designator: ProcessDesignator, multibyte: boolean): boolean {
    const process = this.resolveProcess(designator);
    if (!multibyte && !process.decoder.coding.unibyte) process.decoder = new Decoder(rawTextVariant(process.decoder.coding));
    this.emit('process-changed', process);
    return multibyte;
  }

  // ───────────────────────────── certificate pins (TLS beyond Emacs) ─────────────────────────────

  /** Trusts FINGERPRINT for host:port from now on; TLS processes to host:port show the new pin. */
  pinCertificate(host: string, port: number, fingerprint: string): CertificatePin {
    const pin = this.pins.pin(host, port, fingerprint);
    this.pinsChanged(host, port);
    return pin;
  }

  forgetCertificatePin(host: string, port: number): boolean {
    const forgotten = this.pins.forget(host, port);
    if (forgotten) this.pinsChanged(host, port);
    return forgotten;
  }

  certificatePins(): CertificatePin[] {
    return this.pins.list();
  }

  private pinsChanged(host: string, port: number): void {
    for (const p of this.table.list()) {
      const target = p.tls?.pinTarget;
      if (p.tls && target && target.host.toLowerCase() === host.toLowerCase() && target.port === port) {
        recordTls(p, { ...p.tls, pinnedFingerprint: this.pins.get(host, port) });
        this.emit('process-changed', p);
      }
    }
  }

  // ───────────────────────────── list-processes and quitting ─────────────────────────────

  /** `list-processes` rows. Like Emacs, building the list deletes closed processes first. */
  listProcessesRows(queryOnly = false): ListProcessesRow[] {
    // An imported conversation is closed from the start and stays until deleted: it is a record, not a connection.
    for (const p of this.table.list()) if (p.status.kind === 'exit' && p.imported === null) this.deleteProcess(p);
    const shown = this.table.list().filter((p) => !queryOnly || p.queryOnExit);
    return listProcessesRows(shown, (p) => ({
      status: mappedStatus(p.status, p.stopped),
      contact: this.processContact(p, true, true),
    }));
  }

  /** Processes that make quitting ask "Active processes exist; kill them and exit anyway?" (spec §13). */
  processesNeedingQuery(): NetworkProcess[] {
    return this.table.list().filter((p) => p.queryOnExit && isActiveForQuery(mappedStatus(p.status, p.stopped)));
  }

  /** Closes every socket without running sentinels, as Emacs does on exit. */
  async close(): Promise<void> {
    this.closed = true;
    this.closeController.abort(new NetprocError({ code: 'NOT_RUNNING', message: 'Netproc has been closed' }));
    const all = this.table.list();
    for (const p of all) {
      p.deleting = true;
      closeProcessSockets(this, p);
      this.removeFromTable(p);
    }
    await Promise.all(all.map((p) => p.transition.catch(() => undefined)));
    this.disposables.dispose();
  }
}
