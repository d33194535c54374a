/**
 * Input delivery, as Emacs's wait_reading_process_output hands it out: a
 * server's new connections (accept), bytes read and datagrams received (to
 * the filter or the buffer at the process mark), the peer's close, and the
 * sentinel's run. Reading is switched on and off here by Emacs's rule.
 */
import type net from 'node:net';
import { TLSSocket } from 'node:tls';
import type dgram from 'node:dgram';
import { DisposableStore, disposableTimeout } from '../../shared/lifecycle.js';
import { emacsClientHost, emacsClientId, lispAddressFromHostPort } from './address.js';
import { Decoder } from './coding.js';
import { updateDatagramReading } from './datagram-process.js';
import type { EngineInternals } from './engine-internals.js';
import { errnoNumber } from './errors.js';
import { connectionNames } from './names.js';
import { NetworkProcess } from './process.js';
import { acceptedPeer, datagramPeer } from './server-process.js';
import { applyStreamOptions } from './socket-options.js';
import { defaultSentinelText, LogMessage, RUN_STATUS, SentinelEvent } from './status.js';
import { updateStreamReading, wireStreamSocket } from './stream-process.js';
import { handshakeState, opensslReason, recordTls, serverHandshake, type ServerCredentials } from './tls.js';

export class InputDelivery {
  /**
   * Emacs's connect_counter: every connection accepted by any server, TCP or
   * Unix, counts; accepted Unix-socket connections are named by it.
   */
  private acceptCount = 0;
  /** Per server: connections refused for want of descriptors since the last event-log line. */
  private readonly refusedSinceReport = new Map<NetworkProcess, number>();
  private readonly timers = new DisposableStore();
  /** The last datagram sender's address, so a stream of datagrams from one peer is parsed once, not per datagram. */
  private lastSender: { host: string; port: number; address: number[] } | null = null;

  constructor(private readonly engine: EngineInternals) {}

  /** Stops the pending refusal summaries (the engine is closing). */
  dispose(): void {
    this.timers.dispose();
  }

  /** A server accepted SOCKET: a new process named after the server and the peer, inheriting filter, sentinel and plist. */
  accept(server: NetworkProcess, socket: net.Socket): void {
    if (server.deleting || !this.engine.table.has(server)) {
      socket.destroy();
      return;
    }
    if (server.stopped) {
      // libuv accepted in the instant before the handle left; hold it as the kernel would have.
      server.heldAccepts = [...server.heldAccepts, socket];
      socket.on('error', () => socket.destroy());
      return;
    }
    if (server.serverCredentials && !(socket instanceof TLSSocket)) {
      this.acceptTls(server, server.serverCredentials, socket);
      return;
    }
    // A TLS connection was counted when it arrived, before its handshake.
    if (!(socket instanceof TLSSocket)) this.engine.descriptors.opened();
    const acceptNumber = ++this.acceptCount;
    const { clientId, hostText, contact } = acceptedPeer(server, socket, acceptNumber);
    const process = new NetworkProcess('accepted', server.family, contact);
    const { requestedName, bufferName } = connectionNames(server, clientId);
    this.engine.table.add(process, requestedName);
    process.server = server;
    process.filter = server.filter;
    process.sentinel = server.sentinel;
    process.decoder = new Decoder(server.decoder.coding);
    process.encoder = server.encoder;
    if (server.plist.length > 0) process.plist = server.plist.slice();
    this.engine.changeStatus(process, RUN_STATUS, { quiet: true });
    process.boundAddress = server.boundAddress;
    if (typeof server.filter !== 'function') this.engine.attachBuffer(process, this.engine.buffers.getOrCreate(bufferName));
    if (applyStreamOptions(socket, server.inheritedOptions).resetOnDelete) process.resetOnDelete = true;
    const tlsState = socket instanceof TLSSocket ? handshakeState(socket) : null;
    if (tlsState) recordTls(process, tlsState);
    wireStreamSocket(this.engine, process, socket);
    server.counters.accepted++;
    this.engine.show(process);
    this.engine.emit('process-changed', server);

    this.serverLog(server, process, LogMessage.acceptFrom(hostText));
    this.runSentinel(process, SentinelEvent.openFrom(hostText));
    updateStreamReading(process);
  }

  /**
   * A TLS server's connection shakes hands before it becomes a process (and
   * is accepted again, secure); a client that fails is one :log line and its
   * socket closed, the server untouched.
   */
  private acceptTls(server: NetworkProcess, credentials: ServerCredentials, socket: net.Socket): void {
    const from = socket.remoteAddress ? emacsClientHost(lispAddressFromHostPort(socket.remoteAddress, socket.remotePort ?? 0)) : '-';
    this.engine.descriptors.opened();
    (server.handshaking ??= new Set()).add(socket);
    serverHandshake(socket, credentials).then(
      (secure) => {
        server.handshaking?.delete(socket);
        this.accept(server, secure);
      },
      (err: Error) => {
        server.handshaking?.delete(socket);
        if (!server.deleting && this.engine.table.has(server))
          this.serverLog(server, null, `TLS handshake from ${from} failed: ${opensslReason(err)}\n`);
      },
    );
  }

  /** A server's :log line: to the event log, and to its :log function, whose errors are reported, never thrown. */
  serverLog(server: NetworkProcess, client: NetworkProcess | null, message: string): void {
    this.engine.emit('log', { server, client, message });
    if (!server.log) return;
    try {
      server.log(server, client, message);
    } catch (err) {
      this.engine.report(`error in process log function: ${(err as Error).message}`);
    }
  }

  /** A connection the server could not take because descriptors ran out. */
  acceptRefused(server: NetworkProcess, from: string | undefined): void {
    this.serverLog(server, null, LogMessage.acceptFailed(errnoNumber({ code: 'EMFILE' })));
    // One event-log line at the first refusal, then at most one a second with the count, so a flood cannot bury the log.
    const pending = this.refusedSinceReport.get(server);
    if (pending !== undefined) {
      this.refusedSinceReport.set(server, pending + 1);
      return;
    }
    this.engine.report(
      `server ${server.name}: too many open files (EMFILE); refused a connection${from ? ` from ${from}` : ''} until descriptors are free`,
    );
    this.refusedSinceReport.set(server, 0);
    const summary = this.timers.add(
      disposableTimeout(
        () => {
          this.timers.release(summary);
          const more = this.refusedSinceReport.get(server) ?? 0;
          this.refusedSinceReport.delete(server);
          if (more > 0)
            this.engine.report(
              `server ${server.name}: too many open files (EMFILE); refused ${more} more connection${more === 1 ? '' : 's'}`,
            );
        },
        1000,
        { unref: true },
      ),
    );
  }

  /** Bytes read from a stream socket: to the filter in pieces of read-process-output-max, or into the buffer. */
  deliverInput(process: NetworkProcess, chunk: Buffer): void {
    // Counters are counted here rather than by a tap: the process list always shows them, and a tap
    // subscriber on every process would end "no cost while nobody subscribes".
    process.counters.bytesIn += chunk.length;
    process.taps?.emitData('in', chunk, null);
    const max = this.engine.readProcessOutputMax;
    for (let offset = 0; offset < chunk.length && !process.deleting; offset += max) {
      const piece = offset === 0 && chunk.length <= max ? chunk : chunk.subarray(offset, offset + max);
      const filter = process.filter;
      if (filter === null) {
        // The default filter's result does not depend on chunk boundaries: insert the rest at once.
        this.insertOutput(process, process.decoder.toBufferBytes(offset === 0 ? chunk : chunk.subarray(offset)));
        return;
      }
      if (filter === true) return;
      const text = process.decoder.toText(piece);
      if (text) this.callFilter(process, filter, text);
    }
  }

  /**
   * One datagram read: its sender becomes the process's peer. A splitting
   * server (splitPeers) delivers it as Emacs does, then once more to the
   * sender's own `datagram-peer` process, made at its first datagram.
   */
  datagramReceived(process: NetworkProcess, message: Buffer, from: dgram.RemoteInfo): void {
    const sender = this.senderAddress(process, from);
    // Found (or made) first, so that the server's auto-reply rules know the peer's process answers it instead.
    const peer = process.splitPeers ? this.peerProcess(process, sender, from) : null;
    process.datagramAddress = sender;
    // A new peer's sentinel ran just now, and may have deleted the server: then the datagram is not the server's to read.
    if (process.deleting || !this.engine.table.has(process)) return;
    this.deliverDatagram(process, message);
    // The server's filter may have deleted either of them.
    if (peer && !peer.stopped && !peer.deleting && !process.deleting && this.engine.table.has(peer)) this.deliverDatagram(peer, message);
  }

  private deliverDatagram(process: NetworkProcess, message: Buffer): void {
    process.taps?.emitData('in', message, process.datagramAddress);
    process.counters.datagramsIn++;
    process.counters.bytesIn += message.length;
    // Each datagram is one read, truncated to read-process-output-max [O-06 D].
    const kept = message.length > this.engine.readProcessOutputMax ? message.subarray(0, this.engine.readProcessOutputMax) : message;
    const filter = process.filter;
    if (filter === null) this.insertOutput(process, process.decoder.toBufferBytes(kept));
    else if (filter !== true) this.callFilter(process, filter, process.decoder.toText(kept));
  }

  /**
   * The `datagram-peer` process of SENDER under a splitting SERVER: the one
   * it has, or a new one, named, buffered and announced as an accepted
   * connection is. It takes the server's sentinel, coding and plist, but not
   * its filter: the server's filter already runs on every datagram, so a
   * second run (an echo, say) would act twice. Null past the engine's peer
   * limit, said once in the event log.
   */
  private peerProcess(server: NetworkProcess, sender: number[], from: dgram.RemoteInfo): NetworkProcess | null {
    const known = server.peers?.get(emacsClientId(sender));
    if (known) return known;
    const limit = this.engine.datagramPeerLimit;
    if ((server.peers?.size ?? 0) >= limit) {
      if (!server.peerLimitReported) {
        server.peerLimitReported = true;
        this.engine.report(
          `server ${server.name}: ${limit} peers have processes of their own, the most it keeps; datagrams from other peers go to its buffer only`,
        );
      }
      return null;
    }
    const { clientId, hostText, contact } = datagramPeer(server, sender, from.address, from.port);
    const process = new NetworkProcess('datagram-peer', server.family, contact);
    const { requestedName, bufferName } = connectionNames(server, clientId);
    this.engine.table.add(process, requestedName);
    process.server = server;
    process.sentinel = server.sentinel;
    // Its contact is the server's, which names the server's filter; this process has the default one.
    if (server.filter !== null) process.contact.put('filter', 'internal-default-process-filter');
    process.decoder = new Decoder(server.decoder.coding);
    process.encoder = server.encoder;
    if (server.plist.length > 0) process.plist = server.plist.slice();
    process.queryOnExit = server.queryOnExit;
    // Its own copy: the server's peer address is replaced at every datagram, this one never.
    process.datagramAddress = sender.slice();
    process.boundAddress = server.boundAddress;
    this.engine.changeStatus(process, { kind: 'run' }, { quiet: true });
    this.engine.attachBuffer(process, this.engine.buffers.getOrCreate(bufferName));
    (server.peers ??= new Map()).set(clientId, process);
    this.engine.show(process);
    this.engine.emit('log', { server, client: process, message: `datagram peer ${hostText}\n` });
    this.runSentinel(process, SentinelEvent.openFrom(hostText));
    return process;
  }

  /** The sender in Emacs's form: the process's own peer address again when it is the same sender as last time. */
  private senderAddress(process: NetworkProcess, from: dgram.RemoteInfo): number[] {
    const last = this.lastSender;
    // The engine never changes a peer address in place, so the same array still holds that sender.
    if (last && process.datagramAddress === last.address && last.host === from.address && last.port === from.port) return last.address;
    const address = lispAddressFromHostPort(from.address, from.port);
    this.lastSender = { host: from.address, port: from.port, address };
    return address;
  }

  /** The peer closed or reset the connection, or a write found it gone. */
  connectionBroken(process: NetworkProcess, foundByWrite = false): void {
    if (process.status.kind !== 'run' || process.isDatagram || process.deleting) return;
    if (process.stopped && !foundByWrite) {
      // A stopped process does not see a close until it reads again [O-05 B].
      process.closeSeenWhileStopped = true;
      return;
    }
    process.socket?.destroy();
    // With delete-exited-processes, the process leaves the list just before its sentinel runs.
    this.engine.changeStatus(
      process,
      { kind: 'exit', exitCode: 256 },
      { sentinel: SentinelEvent.brokenByPeer, leaveList: this.engine.deleteExitedProcesses ? 'before-sentinel' : undefined },
    );
  }

  private callFilter(process: NetworkProcess, filter: (p: NetworkProcess, text: string) => void, text: string): void {
    try {
      filter(process, text);
    } catch (err) {
      this.engine.report(`error in process filter: ${err instanceof Error ? err.message : String(err)}`);
    }
  }

  /**
   * `internal-default-process-filter`, callable by other filters: inserts
   * TEXT at the process mark (unibyte text as its bytes).
   */
  insertText(process: NetworkProcess, text: string): void {
    this.insertOutput(process, Buffer.from(text, process.decoder.coding.unibyte ? 'latin1' : 'utf8'));
  }

  /** The default filter: insert at the process mark, before markers (spec §6.5). */
  private insertOutput(process: NetworkProcess, bytes: Buffer): void {
    const buffer = process.buffer;
    if (!buffer?.live || bytes.length === 0) return;
    const mark = process.markBuffer === buffer ? process.mark : null;
    const at = mark?.position ?? buffer.end;
    buffer.insert(at, bytes, true);
    if (mark && mark.position === null) mark.position = buffer.end;
  }

  runSentinel(process: NetworkProcess, event: string): void {
    if (this.engine.listenerCount('sentinel') > 0) this.engine.emit('sentinel', { process, event });
    const sentinel = process.sentinel;
    if (sentinel) {
      try {
        sentinel(process, event);
      } catch (err) {
        this.engine.report(`error in process sentinel: ${err instanceof Error ? err.message : String(err)}`);
      }
      return;
    }
    const buffer = process.buffer;
    if (!buffer?.live || process.status.kind === 'run') return;
    const bytes = Buffer.from(defaultSentinelText(process.name, event), 'utf8');
    const mark = process.markBuffer === buffer ? process.mark : null;
    const at = Math.max(mark?.position ?? buffer.end, buffer.origin);
    const landed = buffer.insert(at, bytes, false);
    if (landed !== null) buffer.markSentinel(landed, landed + bytes.length);
    if (mark) mark.position = Math.min(Math.max(at + bytes.length, buffer.origin), buffer.end);
  }

  /** A close seen while stopped is reported once what was read before it has gone to the filter. */
  closeAfterBufferedInput(process: NetworkProcess): void {
    const socket = process.socket;
    if (socket && socket.readableLength > 0) {
      socket.once('end', () => this.connectionBroken(process));
      setImmediate(() => this.closeAfterBufferedInput(process));
      return;
    }
    this.connectionBroken(process);
  }

  /** Reading on or off as the process's state says (see updateStreamReading). */
  updateReading(process: NetworkProcess): void {
    if (process.datagram) updateDatagramReading(process);
    else updateStreamReading(process);
  }
}
