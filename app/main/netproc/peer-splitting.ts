/**
 * Beyond Emacs: a datagram server that splits its traffic by peer gives each
 * source address a `datagram-peer` process of its own (made in input.ts, as
 * accepted connections are; the peer limit is datagram-process.ts's). Here
 * splitting is turned on or off on a running server, and a peer process that
 * leaves the list is forgotten by its server.
 */
import { emacsClientId } from './address.js';
import { resolveProcess, type ProcessDesignator } from './designator.js';
import type { EngineInternals } from './engine-internals.js';
import { invalidArgument, wrongType } from './errors.js';
import type { NetworkProcess } from './process.js';
import { notRunning } from './sending.js';

export class PeerSplitting {
  constructor(
    private readonly engine: EngineInternals,
    private readonly deleteProcess: (process: NetworkProcess) => void,
  ) {}

  /**
   * Splits a datagram server's traffic by peer (as make-network-process's
   * `splitPeers`), or, turned off, ends the peer processes it has (their
   * buffers stay), so that it is a plain Emacs datagram server again.
   * Answers the server.
   */
  set(designator: ProcessDesignator, split: boolean): NetworkProcess {
    const process = resolveProcess(this.engine, designator);
    if (typeof split !== 'boolean') throw wrongType('split', 'booleanp', split);
    if (process.kind !== 'datagram-server')
      throw invalidArgument('process', `${process.name} is not a datagram server: only a datagram server splits its traffic by peer`);
    if (process.status.kind !== 'run') throw notRunning(process);
    if (process.splitPeers === split) return process;
    process.splitPeers = split;
    process.peerLimitReported = false;
    process.contact.put('splitPeers', split);
    if (!split) for (const peer of process.peers?.values() ?? []) this.deleteProcess(peer);
    this.engine.emit('process-changed', process);
    return process;
  }

  /** @internal PROCESS left the list: a peer that sends again after its process left gets a new one. */
  departed(process: NetworkProcess): void {
    const peers = process.kind === 'datagram-peer' ? process.server?.peers : null;
    if (peers && Array.isArray(process.datagramAddress)) {
      const id = emacsClientId(process.datagramAddress);
      if (peers.get(id) === process) peers.delete(id);
    }
  }
}
