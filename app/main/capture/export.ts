/**
 * A process's traffic, or a server's with all its connections, written as
 * pcapng from the engine's timelines: each stream connection becomes one
 * synthesised TCP conversation (the handshake when it opened, the data each
 * way, the close by whichever side closed), each datagram one UDP packet.
 */
import type { Writable } from 'node:stream';
import { socketAddressFromLisp } from '../netproc/address.js';
import { NetprocError } from '../netproc/errors.js';
import type { NetworkProcess } from '../netproc/process.js';
import type { TimelineRecord } from '../netproc/timeline.js';
import { PcapngWriter, TcpConversation, writeUdpDatagram, type Endpoint } from './pcapng-writer.js';

export interface ExportSummary {
  packets: number;
  bytes: number;
  /** Payload bytes that were no longer held and appear as gaps. */
  missingBytes: number;
}

/** An IP endpoint from a Lisp address vector; null for anything else (Unix paths, unset). */
function endpointOf(lisp: unknown): Endpoint | null {
  if (!Array.isArray(lisp)) return null;
  try {
    const address = socketAddressFromLisp(lisp, 'address');
    return address.family === 'local' ? null : { address: address.host, port: address.port };
  } catch {
    return null;
  }
}

function noAddresses(process: NetworkProcess): NetprocError {
  return new NetprocError({
    code: 'UNSUPPORTED',
    message: `${process.name} has no IP addresses to write (a Unix-domain or unconnected socket): export it as text or hex instead`,
    field: 'process',
  });
}

/** What one process contributes: its conversation's ends and how its records map onto them. */
interface Track {
  process: NetworkProcess;
  tcp: TcpConversation | null;
  local: Endpoint;
  remote: Endpoint | null;
  /** For TCP: does this process sit on the connecting side? */
  isClient: boolean;
}

/** Writes PROCESSES' timelines (a process, or a server and its connections) to OUT, in time order. */
export async function exportPcapng(processes: NetworkProcess[], out: Writable): Promise<ExportSummary> {
  const tracks: Track[] = [];
  for (const process of processes) {
    if (!process.timeline || process.kind === 'stream-server') continue;
    const local = endpointOf(process.contact.get('local'));
    const remote = endpointOf(process.contact.get('remote'));
    const isStream = process.kind === 'stream-client' || process.kind === 'accepted';
    if (!local || (isStream && !remote)) {
      if (processes.length === 1) throw noAddresses(process);
      continue;
    }
    tracks.push({ process, tcp: null, local, remote, isClient: process.kind === 'stream-client' });
  }
  if (tracks.length === 0)
    throw new NetprocError({ code: 'UNSUPPORTED', message: 'Nothing to export: no connection with traffic recorded', field: 'process' });

  const events: Array<{ track: Track; record: TimelineRecord }> = [];
  for (const track of tracks) for (const record of track.process.timeline!.all()) events.push({ track, record });
  // Stable: records of one process keep their order when times are equal.
  events.sort((a, b) => a.record.timeUs - b.record.timeUs);

  const writer = await PcapngWriter.open(out);
  let missingBytes = 0;
  for (const { track, record } of events) {
    const { process } = track;
    if (process.kind === 'datagram-client' || process.kind === 'datagram-server') {
      if (record.kind !== 'data') continue;
      const peerAddress = record.peer ?? process.contact.get('remote');
      const peer = endpointOf(peerAddress);
      if (!peer || !record.bytes) {
        missingBytes += record.size;
        continue;
      }
      const [from, to] = record.direction === 'out' ? [track.local, peer] : [peer, track.local];
      await writeUdpDatagram(writer, from, to, record.bytes, record.timeUs);
      continue;
    }
    const [client, server] = track.isClient ? [track.local, track.remote!] : [track.remote!, track.local];
    track.tcp ??= new TcpConversation(writer, client, server);
    const tcp = track.tcp;
    if (record.kind === 'status') {
      if (record.status === 'run') await tcp.open(record.timeUs);
      else if (record.status === 'exit' || record.status === 'failed') {
        // "connection broken by remote peer": the other side closed; otherwise (deleted, quitting) this side did.
        const peerClosed = record.event?.startsWith('connection broken') ?? false;
        const closedByClient = peerClosed ? !track.isClient : track.isClient;
        await tcp.close(closedByClient, record.timeUs);
      }
      continue;
    }
    const fromClient = (record.direction === 'out') === track.isClient;
    if (record.bytes) await tcp.data(fromClient, record.bytes, record.timeUs);
    else {
      tcp.skip(fromClient, record.size);
      missingBytes += record.size;
    }
  }
  await new Promise<void>((resolve, reject) => out.end((err?: Error | null) => (err ? reject(err) : resolve())));
  return { packets: writer.packets, bytes: writer.size, missingBytes };
}
