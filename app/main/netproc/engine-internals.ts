/**
 * What the socket modules need from the engine. Netproc implements it; the
 * socket modules never reach the process table or events any other way.
 */
import type dgram from 'node:dgram';
import type net from 'node:net';
import type { DescriptorWatch } from './descriptor-watch.js';
import type { HandleParking } from './handle-parking.js';
import type { NetworkProcess } from './process.js';
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

export interface EngineInternals {
  readonly readProcessOutputMax: number;
  readonly parking: HandleParking;
  readonly descriptors: DescriptorWatch;
  /** Bytes read from a stream socket or one datagram. */
  deliverInput(process: NetworkProcess, chunk: Buffer): void;
  /** The peer closed or reset the connection, or a write found it gone. */
  connectionBroken(process: NetworkProcess, foundByWrite?: boolean): void;
  changeStatus(process: NetworkProcess, status: InternalStatus, how?: StatusChange): void;
  acceptConnection(server: NetworkProcess, socket: net.Socket): void;
  /** A connection the server could not take because descriptors ran out. */
  acceptRefused(server: NetworkProcess, from: string | undefined): void;
  datagramReceived(process: NetworkProcess, message: Buffer, from: dgram.RemoteInfo): void;
  report(text: string): void;
}
