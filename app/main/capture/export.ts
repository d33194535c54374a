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
import type { Timeline, TimelineRecord } from '../netproc/timeline.js';
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

/** The next record of each track, smallest time first (ties: track order), so tracks merge without sorting everything. */
class Cursors {
  private readonly heap: Array<{ track: Track; index: number; time: number; order: number }> = [];

  push(track: Track, index: number, order: number): void {
    const timeline = track.process.timeline!;
    this.heap.push({ track, index, time: timeline.timeAt(index), order });
    for (let at = this.heap.length - 1; at > 0;) {
      const parent = (at - 1) >> 1;
      if (!this.before(at, parent)) break;
      this.swap(at, parent);
      at = parent;
    }
  }

  pop(): { track: Track; index: number; order: number } | undefined {
    const top = this.heap[0];
    const last = this.heap.pop();
    if (!top || !last || this.heap.length === 0) return top;
    this.heap[0] = last;
    for (let at = 0; ;) {
      const left = at * 2 + 1;
      const right = left + 1;
      let least = at;
      if (left < this.heap.length && this.before(left, least)) least = left;
      if (right < this.heap.length && this.before(right, least)) least = right;
      if (least === at) break;
      this.swap(at, least);
      at = least;
    }
    return top;
  }

  private before(a: number, b: number): boolean {
    const x = this.heap[a]!;
    const y = this.heap[b]!;
    return x.time < y.time || (x.time === y.time && x.order < y.order);
  }

  private swap(a: number, b: number): void {
    [this.heap[a], this.heap[b]] = [this.heap[b]!, this.heap[a]!];
  }
}

/**
 * Writes TIMELINES (a process's, or a server's and its connections') to OUT
 * as pcapng, in time order, record by record: nothing is gathered first, so
 * memory stays bounded whatever the size. Records that arrive meanwhile are
 * left out; OUT is left open for the caller to end.
 */
export async function exportPcapng(timelines: Timeline[], out: Writable): Promise<ExportSummary> {
  const tracks: Array<Track & { end: number }> = [];
  for (const timeline of timelines) {
    const process = timeline.process;
    if (timeline.released || process.kind === 'stream-server') continue;
    const local = endpointOf(process.contact.get('local'));
    const remote = endpointOf(process.contact.get('remote'));
    const isStream = process.kind === 'stream-client' || process.kind === 'accepted';
    if (!local || (isStream && !remote)) {
      if (timelines.length === 1) throw noAddresses(process);
      continue;
    }
    tracks.push({ process, tcp: null, local, remote, isClient: process.kind === 'stream-client', end: timeline.endIndex });
  }
  if (tracks.length === 0)
    throw new NetprocError({ code: 'UNSUPPORTED', message: 'Nothing to export: no connection with traffic recorded', field: 'id' });

  const cursors = new Cursors();
  tracks.forEach((track, order) => {
    const timeline = track.process.timeline!;
    if (timeline.firstIndex < track.end) cursors.push(track, timeline.firstIndex, order);
  });
  const writer = await PcapngWriter.open(out);
  let missingBytes = 0;
  for (let next = cursors.pop(); next; next = cursors.pop()) {
    const { index, order } = next;
    const track = tracks[order]!;
    const timeline = track.process.timeline;
    // Records that left the ring (or a timeline let go) while the file was being written: the rest of the track goes.
    if (!timeline || timeline.released || index < timeline.firstIndex) continue;
    missingBytes += await writeRecord(writer, track, timeline.at(index));
    if (index + 1 < track.end) cursors.push(track, index + 1, order);
  }
  return { packets: writer.packets, bytes: writer.size, missingBytes };
}

/** One record's packets; returns the payload bytes that were no longer held. */
async function writeRecord(writer: PcapngWriter, track: Track, record: TimelineRecord): Promise<number> {
  const { process } = track;
  if (process.kind === 'datagram-client' || process.kind === 'datagram-server') {
    if (record.kind !== 'data') return 0;
    const peer = endpointOf(record.peer ?? process.contact.get('remote'));
    if (!peer || !record.bytes) return record.size;
    const [from, to] = record.direction === 'out' ? [track.local, peer] : [peer, track.local];
    await writeUdpDatagram(writer, from, to, record.bytes, record.timeUs);
    return 0;
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
    return 0;
  }
  const fromClient = (record.direction === 'out') === track.isClient;
  if (record.bytes) {
    await tcp.data(fromClient, record.bytes, record.timeUs);
    return 0;
  }
  tcp.skip(fromClient, record.size);
  return record.size;
}
