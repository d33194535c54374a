/**
 * The engine's front: a process table of Emacs network processes on real
 * sockets, with Emacs's functions in camelCase. Each rule lives in its own
 * module (docs/architecture.md has the map): arguments.ts checks and
 * resolves, stream-client.ts / server-process.ts / datagram-process.ts run
 * each kind's life, input.ts delivers what arrives, sending.ts sends.
 * Events report every change to whoever shows it, never text per chunk.
 * What goes beyond Emacs is a feature object of its own, made here and
 * reached as a field: `traffic`, `autoReplies`, `messages`, `reconnects`,
 * `pins`, `peerSplitting`.
 */
import { EventEmitter } from 'node:events';
import { DisposableStore, toDisposable } from '../../shared/lifecycle.js';
import { formatNetworkAddress, type LispAddress } from './address.js';
import { AddressResolver, defaultLookup, describeFunction, type MakeNetworkProcessOptions } from './arguments.js';
import { AutoReplies } from './auto-replies.js';
import { BufferBudget } from './buffer-budget.js';
import { attachToBuffer, leftTheList, newestBufferUser } from './buffer-users.js';
import { BufferRegistry, NetprocBuffer, type BufferChange } from './buffers.js';
import { CertificatePins } from './certificate-pins.js';
import { contactOf } from './contact.js';
import { Decoder, parseCodingSystem, rawTextVariant, withExplicitEol } from './coding.js';
import { kernelDrops, setDatagramPeer } from './datagram-process.js';
import { DescriptorWatch } from './descriptor-watch.js';
import { requireProcessObject, resolveProcess, type ProcessDesignator } from './designator.js';
import { checkEngineOptions, type NetprocOptions } from './engine-options.js';
import type { EngineInternals, StatusChange } from './engine-internals.js';
import { NetprocError, wrongType } from './errors.js';
import type { NetprocEvents } from './events.js';
import { HandleParking } from './handle-parking.js';
import { InputDelivery } from './input.js';
import { kernelQueues, type KernelQueues } from './kernel-queues.js';
import { listProcessesRows, type ListProcessesRow } from './list-processes.js';
import { makeProcess } from './make-process.js';
import { checkPlist, plistGet, plistPut } from './plist.js';
import { openNetworkStream, type OpenNetworkStreamList, type OpenNetworkStreamParameters } from './open-network-stream.js';
import { NetworkProcess, type Filter, type Sentinel } from './process.js';
import { PeerSplitting } from './peer-splitting.js';
import { ProcessTable } from './process-table.js';
import { writeRegularFile } from './regular-file.js';
import { closeProcessSockets } from './release.js';
import { readOnly, sendEof, sendString, type SendOptions } from './sending.js';
import { importConversation, type ImportedConversation } from './import-process.js';
import { continueProcess, stopProcess } from './stop-continue.js';
import { loadServices } from './services.js';
import { setSocketOption } from './socket-options.js';
import { exitStatus, isActiveForQuery, liveTail, mappedStatus, SentinelEvent, type InternalStatus, type ProcessStatus } from './status.js';
import { statusTap } from './taps.js';
import { MessageSender } from './message-send.js';
import { Reconnector, takeReconnectOption } from './reconnect.js';
import { Traffic } from './traffic.js';

export type { LookupFunction, LookupResult, MakeNetworkProcessOptions, TlsParameters } from './arguments.js';
export type { ProcessDesignator } from './designator.js';
export type { NetprocOptions } from './engine-options.js';
export type { BufferChangeEvent, LogCall, NetprocEvents, SentinelCall } from './events.js';
export type { OpenNetworkStreamList, OpenNetworkStreamParameters, StarttlsRule } from './open-network-stream.js';
export { OUTPUT_HIGH_WATER } from './sending.js';

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
  private readonly budget: BufferBudget;
  private readonly resolver: AddressResolver;
  /** What lives as long as the engine: released, last first, by close(). */
  private readonly disposables = new DisposableStore();
  private closed = false;
  private readonly closeController = new AbortController();
  readonly closing = this.closeController.signal;
  readonly tlsHandshakeTimeoutMs: number;
  readonly datagramPeerLimit: number;

  // Beyond Emacs, each a feature of its own that the engine tells when a process is listed or leaves.
  /** Taps, each process's traffic timeline, traffic views. */
  readonly traffic: Traffic;
  /** Auto-reply rules per process. */
  readonly autoReplies: AutoReplies;
  /** Library messages sent once or repeating. */
  readonly messages: MessageSender;
  /** Reconnecting clients, by name. */
  readonly reconnects: Reconnector;
  /** Certificates trusted by fingerprint per host:port (TLS). */
  readonly pins: CertificatePins;
  /** A datagram server's traffic split by peer, turned on and off. */
  readonly peerSplitting: PeerSplitting;

  constructor(options: NetprocOptions = {}) {
    super();
    const settings = checkEngineOptions(options);
    this.readProcessOutputMax = settings.readProcessOutputMax;
    this.deleteExitedProcesses = settings.deleteExitedProcesses;
    this.tlsHandshakeTimeoutMs = settings.tlsHandshakeTimeoutMs;
    this.datagramPeerLimit = settings.datagramPeerLimit;
    this.buffers = new BufferRegistry(
      settings.bufferCap,
      (change) => this.bufferChanged(change),
      (made) => this.budget.keepProcesslessWithin(this.table, this.buffers, made, (buffer) => this.killBuffer(buffer)),
    );
    this.budget = new BufferBudget(settings.bufferBudget, (text) => this.report(text), settings.processlessBufferLimit);
    this.resolver = new AddressResolver(options.lookup ?? defaultLookup, loadServices(options.servicesFile));
    this.traffic = new Traffic(this, options.timeline);
    this.autoReplies = new AutoReplies(this, this.traffic, (process) => this.deleteProcess(process));
    this.messages = this.disposables.add(new MessageSender(this));
    this.reconnects = this.disposables.add(new Reconnector(this, this.traffic, (made) => this.makeNetworkProcess(made)));
    this.pins = new CertificatePins(this, options.pinStoreFile ?? null);
    this.peerSplitting = new PeerSplitting(this, (process) => this.deleteProcess(process));
    this.disposables.add(toDisposable(() => this.parking.close()));
    this.disposables.add(toDisposable(() => this.descriptors.close()));
    this.disposables.add(this.input);
  }

  // ───────────────────────────── creating processes ─────────────────────────────

  /** `make-network-process` (make-process.ts). Resolves to the new process, or null when given no arguments. */
  async makeNetworkProcess(options?: MakeNetworkProcessOptions): Promise<NetworkProcess | null> {
    if (this.closed) throw new NetprocError({ code: 'NOT_RUNNING', message: 'Netproc has been closed' });
    if (!options || Object.keys(options).length === 0) return null;
    const { policy, makeOptions, firstAttempt } = takeReconnectOption(options);
    const process = await makeProcess(this, this.resolver, this.pins.store, firstAttempt);
    if (process.kind === 'stream-client' || process.kind === 'datagram-client') process.madeWith = makeOptions;
    if (policy && process.madeWith) this.reconnects.enable(process, process.madeWith, policy);
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
    const leaveList = this.reconnects.owns(process) && !process.deleting ? undefined : how.leaveList;
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
    this.traffic.listed(process);
    this.autoReplies.listed(process);
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
    this.traffic.departed(process);
    this.peerSplitting.departed(process);
    const buffer = leftTheList(this.table, process);
    if (buffer) this.announceBuffer(buffer);
    this.emit('process-removed', process);
  }

  /** @internal */
  attachBuffer(process: NetworkProcess, buffer: NetprocBuffer | null): void {
    attachToBuffer(this.table, process, buffer);
    // A process still being made is announced with its buffer by show().
    if (buffer && !process.hidden) this.announceBuffer(buffer);
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
    return target ? newestBufferUser(this.table, target) : null;
  }

  // ───────────────────────────── status ─────────────────────────────

  /** `process-status`: a string is looked up only as a process name; unknown names give null. */
  processStatus(designator: ProcessDesignator): ProcessStatus | null {
    let process: NetworkProcess | undefined;
    if (designator instanceof NetworkProcess) process = designator;
    else if (typeof designator === 'string') process = this.table.getByName(designator);
    else process = resolveProcess(this, designator);
    return process ? mappedStatus(process.status, process.stopped) : null;
  }

  processExitStatus(designator: ProcessDesignator): number | string {
    return exitStatus(resolveProcess(this, designator).status);
  }

  processLiveP(designator: ProcessDesignator): string[] | null {
    const p = resolveProcess(this, designator);
    return liveTail(mappedStatus(p.status, p.stopped));
  }

  /** `process-command`: true while stopped (and after deleting a stopped process). */
  processCommand(designator: ProcessDesignator): boolean {
    return resolveProcess(this, designator).stopped;
  }

  processType(designator: ProcessDesignator): 'network' {
    resolveProcess(this, designator);
    return 'network';
  }

  processId(designator: ProcessDesignator): null {
    resolveProcess(this, designator);
    return null;
  }

  processBuffer(designator: ProcessDesignator): NetprocBuffer | null {
    return resolveProcess(this, designator).buffer;
  }

  /** `process-mark` as an absolute byte offset in the process's buffer, or null. */
  processMark(designator: ProcessDesignator): number | null {
    return resolveProcess(this, designator).mark?.position ?? null;
  }

  processFilter(designator: ProcessDesignator): Filter {
    return resolveProcess(this, designator).filter;
  }

  processSentinel(designator: ProcessDesignator): Sentinel {
    return resolveProcess(this, designator).sentinel;
  }

  // ───────────────────────────── stop, continue, delete ─────────────────────────────

  /** `stop-process`: stop reading (streams, datagrams) or accepting (servers). No sentinel. */
  async stopProcess(designator: ProcessDesignator): Promise<NetworkProcess> {
    const process = requireProcessObject(this, designator);
    if (process.imported !== null) throw readOnly(process, 'it cannot be stopped');
    return stopProcess(this, process);
  }

  /** `continue-process`: resume; a server accepts what queued meanwhile. No sentinel. */
  async continueProcess(designator: ProcessDesignator): Promise<NetworkProcess> {
    const process = requireProcessObject(this, designator);
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
    return importConversation(this, this.traffic.keeper, conversation);
  }

  /** `delete-process`: runs the sentinel with "deleted\n" before returning, then closes the socket. */
  deleteProcess(designator: ProcessDesignator): null {
    const process = resolveProcess(this, designator);
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
    if (this.reconnects.owns(process)) this.reconnects.cancel(process.name);
    return null;
  }

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
    return sendString(this, resolveProcess(this, designator), data, { label });
  }

  /** `process-send-eof`: half-close; reading goes on until the peer closes. A no-op for datagrams. */
  async processSendEof(designator: ProcessDesignator): Promise<NetworkProcess> {
    return sendEof(this, resolveProcess(this, designator));
  }

  // ───────────────────────────── contact and addresses ─────────────────────────────

  /** `process-contact`: no key → [host, service]; true → the whole plist; a key → its value. */
  processContact(designator: ProcessDesignator): [unknown, unknown];
  processContact(designator: ProcessDesignator, key: true, noBlock?: boolean): Record<string, unknown> | null;
  processContact(designator: ProcessDesignator, key: string | true | null | undefined, noBlock?: boolean): unknown;
  processContact(designator: ProcessDesignator, key?: string | true | null, noBlock = false): unknown {
    return contactOf(resolveProcess(this, designator), key, noBlock);
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
    return kernelQueues(resolveProcess(this, designator));
  }

  /** Datagrams the kernel dropped for this process's socket (queue full, e.g. while stopped); null if unknown. */
  processDatagramDrops(designator: ProcessDesignator): number | null {
    const process = resolveProcess(this, designator);
    return process.datagram ? kernelDrops(process.datagram) : null;
  }

  processDatagramAddress(designator: ProcessDesignator): LispAddress | null {
    const process = resolveProcess(this, designator);
    if (!process.isDatagram || !process.datagramAddress) return null;
    const address = process.datagramAddress;
    return Array.isArray(address) ? address.slice() : { family: address.family, data: address.data.slice() };
  }

  /** `set-process-datagram-address`: null when not a datagram process or ADDRESS does not fit its socket. */
  setProcessDatagramAddress(designator: ProcessDesignator, address: unknown): LispAddress | null {
    return setDatagramPeer(this, resolveProcess(this, designator), address);
  }

  /** `set-network-process-option`: true on success; false (nil) for an unknown option with noError. */
  async setNetworkProcessOption(designator: ProcessDesignator, option: string, value: unknown, noError = false): Promise<boolean> {
    const process = resolveProcess(this, designator);
    if (process.status.kind === 'connect') await process.leftConnect;
    if (!setSocketOption(process, option, value, noError)) return false;
    this.emit('process-changed', process);
    return true;
  }

  // ───────────────────────────── filters, sentinels, buffers ─────────────────────────────

  /** `set-process-filter`: null restores the default; `true` stops reading without changing the status. */
  setProcessFilter(designator: ProcessDesignator, filter: Filter): Filter {
    const process = resolveProcess(this, designator);
    if (filter !== null && filter !== true && typeof filter !== 'function') throw wrongType('filter', 'functionp', filter);
    process.filter = filter;
    process.contact.put('filter', filter === null ? 'internal-default-process-filter' : describeFunction(filter));
    this.input.updateReading(process);
    this.emit('process-changed', process);
    return filter;
  }

  setProcessSentinel(designator: ProcessDesignator, sentinel: Sentinel): Sentinel {
    const process = resolveProcess(this, designator);
    if (sentinel !== null && typeof sentinel !== 'function') throw wrongType('sentinel', 'functionp', sentinel);
    process.sentinel = sentinel;
    process.contact.put('sentinel', sentinel === null ? 'internal-default-process-sentinel' : describeFunction(sentinel));
    this.emit('process-changed', process);
    return sentinel;
  }

  /** `set-process-buffer`: takes a buffer object or null; a name is a wrong-type error [O-16 C]. */
  setProcessBuffer(designator: ProcessDesignator, buffer: NetprocBuffer | null): NetprocBuffer | null {
    const process = resolveProcess(this, designator);
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
    this.traffic.bufferKilled(target);
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

  // ───────────────────────────── plists, query flag, coding ─────────────────────────────

  processPlist(designator: ProcessDesignator): unknown[] {
    return resolveProcess(this, designator).plist.slice();
  }

  setProcessPlist(designator: ProcessDesignator, plist: unknown): unknown[] {
    const process = resolveProcess(this, designator);
    if (!Array.isArray(plist)) throw wrongType('plist', 'listp', plist);
    checkPlist(plist);
    process.plist = plist.slice();
    this.emit('process-changed', process);
    return plist;
  }

  /** `process-get`: properties compare with `eq` (===). */
  processGet(designator: ProcessDesignator, property: unknown): unknown {
    return plistGet(resolveProcess(this, designator).plist, property);
  }

  /** `process-put`: returns the new plist. Refused, changing nothing, past the plist's bounds (plist.ts). */
  processPut(designator: ProcessDesignator, property: unknown, value: unknown): unknown[] {
    const process = resolveProcess(this, designator);
    process.plist = plistPut(process.plist, property, value);
    this.emit('process-changed', process);
    return process.plist.slice();
  }

  processQueryOnExitFlag(designator: ProcessDesignator): boolean {
    return resolveProcess(this, designator).queryOnExit;
  }

  setProcessQueryOnExitFlag<T>(designator: ProcessDesignator, flag: T): T {
    const process = resolveProcess(this, designator);
    process.queryOnExit = flag !== null && flag !== undefined && flag !== false;
    this.emit('process-changed', process);
    return flag;
  }

  /** `process-coding-system`: [DECODE, ENCODE]. */
  processCodingSystem(designator: ProcessDesignator): [string, string] {
    const process = resolveProcess(this, designator);
    return [process.decoder.coding.name, process.encoder.name];
  }

  setProcessCodingSystem(designator: ProcessDesignator, decoding: string, encoding: string): null {
    const process = resolveProcess(this, designator);
    const decode = parseCodingSystem(decoding, 'decoding');
    const encode = withExplicitEol(parseCodingSystem(encoding, 'encoding'));
    process.decoder = new Decoder(decode);
    process.encoder = encode;
    this.emit('process-changed', process);
    return null;
  }

  processFilterMultibyteP(designator: ProcessDesignator): boolean {
    return !resolveProcess(this, designator).decoder.coding.unibyte;
  }

  setProcessFilterMultibyte(designator: ProcessDesignator, multibyte: boolean): boolean {
    const process = resolveProcess(this, designator);
    if (!multibyte && !process.decoder.coding.unibyte) process.decoder = new Decoder(rawTextVariant(process.decoder.coding));
    this.emit('process-changed', process);
    return multibyte;
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
