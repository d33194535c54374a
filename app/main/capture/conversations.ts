/**
 * Rebuilds conversations from captured packets: TCP streams reassembled in
 * sequence order per direction (retransmissions and overlaps taken once,
 * out-of-order segments put back in place, what was never captured counted
 * as missing), and UDP flows datagram by datagram.
 */
import type { DecodedPacket } from './pcap-reader.js';

export interface ConversationEnd {
  address: string;
  port: number;
}

export interface ConversationChunk {
  timeUs: number;
  /** Sent by the side that opened the conversation (TCP: the SYN's sender; UDP: the first datagram's). */
  fromClient: boolean;
  bytes: Buffer;
}

export interface Conversation {
  protocol: 'tcp' | 'udp';
  client: ConversationEnd;
  server: ConversationEnd;
  firstUs: number;
  lastUs: number;
  chunks: ConversationChunk[];
  /** TCP: when the handshake was seen and who closed (null: not seen in the capture). */
  openedUs: number | null;
  closedBy: 'client' | 'server' | 'reset' | null;
  closedUs: number | null;
  /** TCP bytes the capture lacked (gaps in the sequence). */
  missingBytes: number;
  bytes: number;
}

/** Out-of-order segments held per direction at most; past it the gap is counted as missing. */
const MOST_PENDING_SEGMENTS = 4096;

function endKey(end: ConversationEnd): string {
  return `${end.address}|${end.port}`;
}

function conversationKey(packet: DecodedPacket): string {
  const a = endKey(packet.source);
  const b = endKey(packet.destination);
  return `${packet.protocol}|${a < b ? `${a}|${b}` : `${b}|${a}`}`;
}

/** Signed distance from B to A in 32-bit sequence space. */
function seqDiff(a: number, b: number): number {
  return (a - b) | 0;
}

interface HeldSegment {
  seq: number;
  timeUs: number;
  payload: Buffer;
}

class Direction {
  next: number | null = null;
  /** Segments ahead of `next`, in sequence order (kept sorted, so putting them back is linear). */
  private readonly pending: HeldSegment[] = [];
  missing = 0;

  constructor(private readonly emit: (timeUs: number, bytes: Buffer) => void) {}

  segment(seq: number, syn: boolean, timeUs: number, payload: Buffer): void {
    if (syn) {
      this.next = (seq + 1) >>> 0;
      seq = this.next;
    }
    if (payload.length === 0) return;
    // Joined mid-stream: start where the capture starts.
    this.next ??= seq;
    if (seqDiff(seq, this.next) > 0) {
      if (this.pending.length < MOST_PENDING_SEGMENTS) this.hold({ seq, timeUs, payload });
      else this.skipTo(seq, timeUs, payload);
      return;
    }
    this.accept(seq, timeUs, payload);
    this.drain();
  }

  private hold(segment: HeldSegment): void {
    const ahead = seqDiff(segment.seq, this.next!);
    let low = 0;
    let high = this.pending.length;
    while (low < high) {
      const middle = (low + high) >>> 1;
      if (seqDiff(this.pending[middle]!.seq, this.next!) <= ahead) low = middle + 1;
      else high = middle;
    }
    this.pending.splice(low, 0, segment);
  }

  /** Takes the part of PAYLOAD (at SEQ, not after next) that is new. */
  private accept(seq: number, timeUs: number, payload: Buffer): void {
    const overlap = -seqDiff(seq, this.next!);
    if (overlap >= payload.length) return;
    const fresh = payload.subarray(overlap);
    this.emit(timeUs, fresh);
    this.next = (this.next! + fresh.length) >>> 0;
  }

  private drain(): void {
    while (this.pending.length > 0 && seqDiff(this.pending[0]!.seq, this.next!) <= 0) {
      const held = this.pending.shift()!;
      this.accept(held.seq, held.timeUs, held.payload);
    }
  }

  private skipTo(seq: number, timeUs: number, payload: Buffer): void {
    this.missing += seqDiff(seq, this.next!);
    this.next = seq;
    this.accept(seq, timeUs, payload);
    this.drain();
  }

  /** At the end of the capture: what is still held goes in order, its gaps counted as missing. */
  finish(): void {
    while (this.pending.length > 0) {
      const held = this.pending.shift()!;
      if (seqDiff(held.seq, this.next!) > 0) this.skipTo(held.seq, held.timeUs, held.payload);
      else {
        this.accept(held.seq, held.timeUs, held.payload);
        this.drain();
      }
    }
  }
}

interface Building {
  conversation: Conversation;
  fromClient: Direction;
  fromServer: Direction;
}

/** Every TCP and UDP conversation in the capture, in the order each began. */
export function findConversations(packets: DecodedPacket[]): Conversation[] {
  const building = new Map<string, Building>();
  for (const packet of packets) {
    const key = conversationKey(packet);
    let entry = building.get(key);
    if (!entry) {
      // TCP: a SYN without ACK names the client; a capture that began mid-stream takes the first sender.
      const reply = packet.protocol === 'tcp' && packet.flags.syn && packet.flags.ack;
      const [client, server] = reply ? [packet.destination, packet.source] : [packet.source, packet.destination];
      const conversation: Conversation = {
        protocol: packet.protocol,
        client: { ...client },
        server: { ...server },
        firstUs: packet.timeUs,
        lastUs: packet.timeUs,
        chunks: [],
        openedUs: null,
        closedBy: null,
        closedUs: null,
        missingBytes: 0,
        bytes: 0,
      };
      const emitter = (fromClient: boolean) => (timeUs: number, bytes: Buffer) => {
        conversation.chunks.push({ timeUs, fromClient, bytes });
        conversation.bytes += bytes.length;
      };
      entry = { conversation, fromClient: new Direction(emitter(true)), fromServer: new Direction(emitter(false)) };
      building.set(key, entry);
    }
    const { conversation } = entry;
    conversation.lastUs = Math.max(conversation.lastUs, packet.timeUs);
    const fromClient = endKey(packet.source) === endKey(conversation.client);
    if (packet.protocol === 'udp') {
      conversation.chunks.push({ timeUs: packet.timeUs, fromClient, bytes: packet.payload });
      conversation.bytes += packet.payload.length;
      continue;
    }
    if (packet.flags.syn && conversation.openedUs === null) conversation.openedUs = packet.timeUs;
    (fromClient ? entry.fromClient : entry.fromServer).segment(packet.seq, packet.flags.syn, packet.timeUs, packet.payload);
    if (conversation.closedBy === null && (packet.flags.fin || packet.flags.rst)) {
      conversation.closedBy = packet.flags.rst ? 'reset' : fromClient ? 'client' : 'server';
      conversation.closedUs = packet.timeUs;
    }
  }
  return [...building.values()].map(({ conversation, fromClient, fromServer }) => {
    fromClient.finish();
    fromServer.finish();
    conversation.missingBytes = fromClient.missing + fromServer.missing;
    conversation.chunks.sort((a, b) => a.timeUs - b.timeUs);
    return conversation;
  });
}
