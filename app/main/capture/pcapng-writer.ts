/**
 * Writes a conversation Netproc saw as a pcapng file Wireshark and tshark
 * open: raw IPv4/IPv6 packets (link type RAW) with synthesised TCP or UDP
 * headers carrying the real addresses and ports, sequence and
 * acknowledgement numbers that follow the bytes, the three-way handshake and
 * the close, and the true microsecond timestamps, so "Follow TCP stream"
 * shows the conversation in both directions.
 *
 * Written by hand: the npm pcap writers emit the classic libpcap format or
 * wrap libpcap's native bindings, and none synthesises TCP state from a byte
 * stream; the block layout below is the whole of what pcapng needs
 * (https://www.ietf.org/archive/id/draft-ietf-opsawg-pcapng-02.html).
 *
 * Output is streamed: every packet is written as it is made, and the caller
 * awaits `drain` through `write`, so memory stays bounded whatever the size.
 */
import { isIPv4, isIPv6 } from 'node:net';
import type { Writable } from 'node:stream';
import { ipv6Groups } from '../netproc/address.js';

export interface Endpoint {
  /** An IPv4 or IPv6 literal. */
  address: string;
  port: number;
}

/** pcapng block types and the one link type used. */
const SECTION_HEADER = 0x0a0d0d0a;
const INTERFACE_DESCRIPTION = 0x00000001;
const ENHANCED_PACKET = 0x00000006;
const BYTE_ORDER_MAGIC = 0x1a2b3c4d;
const LINKTYPE_RAW = 101;
const OPTION_END = 0;
const SHB_USERAPPL = 4;
const IF_NAME = 2;
const IF_TSRESOL = 9;

const TCP_FIN = 0x01;
const TCP_SYN = 0x02;
const TCP_PSH = 0x08;
const TCP_ACK = 0x10;
const PROTOCOL_TCP = 6;
const PROTOCOL_UDP = 17;

/** The largest payload one synthesised segment carries: an IP packet is at most 65,535 bytes. */
export const MAX_SEGMENT_PAYLOAD = 65_535 - 60 - 20;
/** The largest UDP payload kept in one packet (IPv4's limit; longer datagrams are cut, as the kernel would refuse them). */
const MAX_UDP_PAYLOAD = 65_507;

function pad4(length: number): number {
  return (4 - (length % 4)) % 4;
}

function option(code: number, value: Buffer): Buffer {
  const head = Buffer.alloc(4);
  head.writeUInt16LE(code, 0);
  head.writeUInt16LE(value.length, 2);
  return Buffer.concat([head, value, Buffer.alloc(pad4(value.length))]);
}

function block(type: number, body: Buffer): Buffer {
  const total = 12 + body.length;
  const out = Buffer.alloc(total);
  out.writeUInt32LE(type, 0);
  out.writeUInt32LE(total, 4);
  body.copy(out, 8);
  out.writeUInt32LE(total, total - 4);
  return out;
}

/** Adds the carries back in until SUM fits 16 bits (ones-complement addition). */
function addCarries(sum: number): number {
  while (sum > 0xffff) sum = (sum & 0xffff) + Math.floor(sum / 0x10000);
  return sum;
}

/**
 * The internet checksum's running sum over BYTES (RFC 1071), not yet folded.
 * Long runs are summed as native 16-bit words and byte-swapped once at the
 * end (the sum is byte-order independent, RFC 1071 §2(B)): about 4× faster
 * than byte pairs on a payload.
 */
function onesSum(bytes: Uint8Array, start = 0, sum = 0): number {
  let i = start;
  const length = bytes.length - start;
  if (length >= 64 && ((bytes.byteOffset + start) & 1) === 0 && littleEndian) {
    const words = new Uint16Array(bytes.buffer, bytes.byteOffset + start, length >>> 1);
    let native = 0;
    for (let w = 0; w < words.length; w++) native += words[w]!;
    native = addCarries(native);
    sum += ((native & 0xff) << 8) | (native >>> 8);
    i += words.length * 2;
  }
  const end = bytes.length - 1;
  for (; i < end; i += 2) sum += (bytes[i]! << 8) | bytes[i + 1]!;
  if (i === end) sum += bytes[i]! << 8;
  return sum;
}

const littleEndian = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

function fold(sum: number): number {
  return ~addCarries(sum) & 0xffff;
}

function addressBytes(address: string): Buffer {
  if (isIPv4(address)) return Buffer.from(address.split('.').map(Number));
  if (!isIPv6(address)) throw new TypeError(`not an IP address: ${address}`);
  const out = Buffer.alloc(16);
  ipv6Groups(address).forEach((group, i) => out.writeUInt16BE(group, i * 2));
  return out;
}

interface PacketEnds {
  from: Buffer;
  to: Buffer;
  v6: boolean;
}

/** An IP packet as its parts: the IP header, the transport header, the payload (not copied), with both checksums. */
function ipPacket(ends: PacketEnds, protocol: number, transport: Buffer, payload: Uint8Array): Uint8Array[] {
  const length = transport.length + payload.length;
  // The pseudo-header's sum, then the transport header's and the payload's.
  let sum = onesSum(ends.from) + onesSum(ends.to) + protocol + (length >>> 16) + (length & 0xffff);
  sum = onesSum(transport, 0, sum);
  sum = onesSum(payload, 0, sum);
  let checksum = fold(sum);
  if (protocol === PROTOCOL_UDP && checksum === 0) checksum = 0xffff;
  transport.writeUInt16BE(checksum, protocol === PROTOCOL_TCP ? 16 : 6);
  let header: Buffer;
  if (ends.v6) {
    header = Buffer.alloc(40);
    header.writeUInt32BE(0x60000000, 0);
    header.writeUInt16BE(length, 4);
    header[6] = protocol;
    header[7] = 64;
    ends.from.copy(header, 8);
    ends.to.copy(header, 24);
  } else {
    header = Buffer.alloc(20);
    header[0] = 0x45;
    header.writeUInt16BE(20 + length, 2);
    header.writeUInt16BE(0x4000, 6); // don't fragment
    header[8] = 64;
    header[9] = protocol;
    ends.from.copy(header, 12);
    ends.to.copy(header, 16);
    header.writeUInt16BE(fold(onesSum(header)), 10);
  }
  return [header, transport, payload];
}

/** A pcapng file being written: one section, one raw-IP interface, microsecond timestamps. */
export class PcapngWriter {
  private written = 0;
  /** Packets written so far. */
  packets = 0;

  /** The stream's first error: every later write rejects with it. */
  private failure: Error | null = null;

  private constructor(private readonly out: Writable) {
    out.on('error', (err) => (this.failure ??= err));
  }

  static async open(out: Writable, interfaceName = 'netproc'): Promise<PcapngWriter> {
    const writer = new PcapngWriter(out);
    const shb = Buffer.alloc(16);
    shb.writeUInt32LE(BYTE_ORDER_MAGIC, 0);
    shb.writeUInt16LE(1, 4);
    shb.writeUInt16LE(0, 6);
    // Section length unknown (-1): the file is streamed.
    shb.writeInt32LE(-1, 8);
    shb.writeInt32LE(-1, 12);
    await writer.write(
      block(SECTION_HEADER, Buffer.concat([shb, option(SHB_USERAPPL, Buffer.from('Netproc')), option(OPTION_END, Buffer.alloc(0))])),
    );
    const idb = Buffer.alloc(8);
    idb.writeUInt16LE(LINKTYPE_RAW, 0);
    idb.writeUInt32LE(0, 4); // no snapshot limit
    await writer.write(
      block(
        INTERFACE_DESCRIPTION,
        Buffer.concat([
          idb,
          option(IF_NAME, Buffer.from(interfaceName)),
          option(IF_TSRESOL, Buffer.from([6])),
          option(OPTION_END, Buffer.alloc(0)),
        ]),
      ),
    );
    return writer;
  }

  /** Bytes written so far. */
  get size(): number {
    return this.written;
  }

  /** One packet at TIMEUS (microseconds since the epoch), given as its parts, which are written without copying. */
  async packet(timeUs: number, parts: Uint8Array[]): Promise<void> {
    this.packets++;
    const length = parts.reduce((n, part) => n + part.length, 0);
    const padding = pad4(length);
    const total = 12 + 20 + length + padding;
    const head = Buffer.alloc(28);
    head.writeUInt32LE(ENHANCED_PACKET, 0);
    head.writeUInt32LE(total, 4);
    head.writeUInt32LE(0, 8); // interface 0
    const high = Math.floor(timeUs / 2 ** 32);
    head.writeUInt32LE(high, 12);
    head.writeUInt32LE(timeUs - high * 2 ** 32, 16);
    head.writeUInt32LE(length, 20);
    head.writeUInt32LE(length, 24);
    const tail = Buffer.alloc(4 + padding);
    tail.writeUInt32LE(total, padding);
    await this.write(head, ...parts, tail);
  }

  /** Writes the chunks as one, waiting for the stream to drain when it asks to (so memory stays bounded). */
  private async write(...chunks: Uint8Array[]): Promise<void> {
    if (this.failure) throw this.failure;
    this.out.cork();
    let ok = true;
    for (const chunk of chunks) {
      if (chunk.length === 0) continue;
      this.written += chunk.length;
      ok = this.out.write(chunk);
    }
    process.nextTick(() => this.out.uncork());
    if (!ok) {
      await new Promise<void>((resolve) => {
        const done = (): void => {
          this.out.off('drain', done);
          this.out.off('error', done);
          this.out.off('close', done);
          resolve();
        };
        this.out.on('drain', done);
        this.out.on('error', done);
        this.out.on('close', done);
      });
    }
    if (this.failure) throw this.failure;
  }
}

function endsOf(from: Endpoint, to: Endpoint): PacketEnds {
  const v6 = isIPv6(from.address);
  if (v6 !== isIPv6(to.address)) throw new TypeError('both ends of a conversation must be of one address family');
  return { from: addressBytes(from.address), to: addressBytes(to.address), v6 };
}

/**
 * A TCP connection synthesised from what each side sent: handshake, data in
 * segments whose sequence numbers follow the bytes, each acknowledging all
 * the other side had sent, and a close.
 */
export class TcpConversation {
  private readonly nextSeq: [number, number];
  private readonly ends: [PacketEnds, PacketEnds];
  private readonly ports: [[number, number], [number, number]];
  private opened = false;
  private closed = false;

  /** CLIENT opened the connection to SERVER. */
  constructor(
    private readonly writer: PcapngWriter,
    client: Endpoint,
    server: Endpoint,
  ) {
    this.ends = [endsOf(client, server), endsOf(server, client)];
    this.ports = [
      [client.port, server.port],
      [server.port, client.port],
    ];
    // Fixed initial sequence numbers keep exports reproducible.
    this.nextSeq = [1_000, 2_000_000];
  }

  /** SYN, SYN-ACK, ACK at TIMEUS. */
  async open(timeUs: number): Promise<void> {
    if (this.opened) return;
    this.opened = true;
    await this.segment(0, TCP_SYN, Buffer.alloc(0), timeUs, 1);
    await this.segment(1, TCP_SYN | TCP_ACK, Buffer.alloc(0), timeUs, 1);
    await this.segment(0, TCP_ACK, Buffer.alloc(0), timeUs);
  }

  /** BYTES sent by the client (`out` of a client process) or the server, at TIMEUS. */
  async data(fromClient: boolean, bytes: Uint8Array, timeUs: number): Promise<void> {
    if (!this.opened) await this.open(timeUs);
    const side = fromClient ? 0 : 1;
    for (let at = 0; at < bytes.length; at += MAX_SEGMENT_PAYLOAD) {
      await this.segment(side, TCP_ACK | TCP_PSH, bytes.subarray(at, at + MAX_SEGMENT_PAYLOAD), timeUs);
    }
  }

  /**
   * Bytes that were sent but are no longer held (the timeline's payload cap
   * let them go): the sequence numbers move on without a packet, so Wireshark
   * marks the gap as "previous segment not captured" instead of showing
   * bytes that never crossed.
   */
  skip(fromClient: boolean, size: number): void {
    const side = fromClient ? 0 : 1;
    this.nextSeq[side] = (this.nextSeq[side] + size) % 2 ** 32;
  }

  /** FIN from the side that closed, FIN back, last ACK. */
  async close(byClient: boolean, timeUs: number): Promise<void> {
    if (this.closed) return;
    if (!this.opened) await this.open(timeUs);
    this.closed = true;
    const first: 0 | 1 = byClient ? 0 : 1;
    const second: 0 | 1 = byClient ? 1 : 0;
    await this.segment(first, TCP_FIN | TCP_ACK, Buffer.alloc(0), timeUs, 1);
    await this.segment(second, TCP_FIN | TCP_ACK, Buffer.alloc(0), timeUs, 1);
    await this.segment(first, TCP_ACK, Buffer.alloc(0), timeUs);
  }

  private async segment(side: 0 | 1, flags: number, payload: Uint8Array, timeUs: number, consumes = 0): Promise<void> {
    const header = Buffer.alloc(20);
    const [sourcePort, destinationPort] = this.ports[side];
    header.writeUInt16BE(sourcePort, 0);
    header.writeUInt16BE(destinationPort, 2);
    header.writeUInt32BE(this.nextSeq[side] >>> 0, 4);
    const acking = flags & TCP_ACK ? this.nextSeq[1 - side]! >>> 0 : 0;
    header.writeUInt32BE(acking, 8);
    header[12] = 5 << 4;
    header[13] = flags;
    header.writeUInt16BE(65_535, 14);
    this.nextSeq[side] = (this.nextSeq[side] + payload.length + consumes) % 2 ** 32;
    await this.writer.packet(timeUs, ipPacket(this.ends[side], PROTOCOL_TCP, header, payload));
  }
}

/** One UDP datagram from FROM to TO at TIMEUS. */
export async function writeUdpDatagram(
  writer: PcapngWriter,
  from: Endpoint,
  to: Endpoint,
  bytes: Uint8Array,
  timeUs: number,
): Promise<void> {
  const payload = bytes.length > MAX_UDP_PAYLOAD ? bytes.subarray(0, MAX_UDP_PAYLOAD) : bytes;
  const header = Buffer.alloc(8);
  header.writeUInt16BE(from.port, 0);
  header.writeUInt16BE(to.port, 2);
  header.writeUInt16BE(8 + payload.length, 4);
  await writer.packet(timeUs, ipPacket(endsOf(from, to), PROTOCOL_UDP, header, payload));
}
