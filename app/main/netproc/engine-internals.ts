/**
 * What the engine's modules need from the engine. Netproc implements it; the
 * socket, life-cycle, input and sending modules never reach the process
 * table, the buffers or the events any other way.
 */
import type { EventEmitter } from 'node:events';
import type { BufferRegistry, NetprocBuffer } from './buffers.js';
import type { DescriptorWatch } from './descriptor-watch.js';
import type { NetprocEvents } from './events.js';
import type { HandleParking } from './handle-parking.js';
import type { InputDelivery } from './input.js';
import type { NetworkProcess } from './process.js';
import type { ProcessTable } from './process-table.js';
import type { InternalStatus } from './status.js';

/** How a status change is announced (Netproc.changeStatus). */
export interface StatusChange {
  /** The sentinel's event text, if it runs. */
  sentinel?: string;
  /** Set the status only: a process still being made, or Emacs's silent cases. */
  quiet?: boolean;
  /** When the process leaves the list: just before its sentinel (delete-exited-processes) or just after (delete-process). */
  leaveList?: 'before-sentinel' | 'after-sentinel' | undefined;
}

export interface EngineInternals extends Pick<EventEmitter<NetprocEvents>, 'emit' | 'listenerCount'> {
  /** read-process-output-max. */
  readonly readProcessOutputMax: number;
  /** delete-exited-processes. */
  readonly deleteExitedProcesses: boolean;
  readonly parking: HandleParking;
  readonly descriptors: DescriptorWatch;
  readonly table: ProcessTable;
  readonly buffers: BufferRegistry;
  /** Aborted when the engine closes: work under way (a blocking connect) gives up. */
  readonly closing: AbortSignal;
  /** How many `datagram-peer` processes a splitting datagram server keeps at most. */
  readonly datagramPeerLimit: number;
  /** How long a client's TLS handshake may take. */
  readonly tlsHandshakeTimeoutMs: number;
  /** Accepting, reading, the peer's close, sentinels (input.ts). */
  readonly input: InputDelivery;
  /** The one owner of status changes. */
  changeStatus(process: NetworkProcess, status: InternalStatus, how?: StatusChange): void;
  /** A line for the event log (Emacs's echo area). */
  report(text: string): void;
  /** A process made: listed and announced. */
  show(process: NetworkProcess): void;
  removeFromTable(process: NetworkProcess): void;
  /** Gives a process BUFFER, with its mark at the end. */
  attachBuffer(process: NetworkProcess, buffer: NetprocBuffer | null): void;
}
