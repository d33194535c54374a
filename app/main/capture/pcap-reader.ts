/**
 * Reads packets out of a capture file, pcapng or classic pcap, either byte
 * order, microsecond or nanosecond (or any if_tsresol) timestamps, and
 * decodes the link, IP and TCP/UDP headers Netproc needs to rebuild a
 * conversation.
 *
 * Written by hand: the npm readers either need libpcap's native bindings or
 * read only Ethernet pcapng from one version of tcpdump; captures users bring
 * come from Wireshark, tcpdump on `any` (Linux cooked), loopback (BSD null)
 * and Netproc's own raw-IP export, and every block's length is checked here
 * against the file, so a truncated or hostile file ends with a clear error.
 */

export interface DecodedPacket {
  timeUs: number;
  protocol: 'tcp' | 'udp';
  source: { address: string; port: number };
  destination: { address: string; port: number };
  /** TCP only. */
  seq: number;
  ack: number;
  flags: { syn: boolean; fin: boolean; rst: boolean; ack: boolean };
  payload: Buffer;
}

export class CaptureFormatError extends Error {}

/** The latest packet time a capture may carry, in microseconds since 1970. */
const LATEST_TIME_US = 2 ** 52;

const LINK_NULL = 0;
const LINK_ETHERNET = 1;
const LINK_RAW = 101;
const LINK_LOOP = 108;
const LINK_LINUX_SLL = 113;
const LINK_IPV4 = 228;
const LINK_IPV6 = 229;
const LINK_LINUX_SLL2 = 276;

/** The fixed part of each block type's body this reader uses: a shorter block is malformed. */
const LEAST_BODY: Record<number, number> = { 0x0a0d0d0a: 16, 0x00000001: 8, 0x00000002: 20, 0x00000003: 4, 0x00000006: 20 };

interface Interface {
  linkType: number;
  /** Timestamp units per second. */
  unitsPerSecond: number;
}

/** Every TCP or UDP packet in the capture, in file order; other packets are skipped. */
export function readCapture(file: Buffer): DecodedPacket[] {
  if (file.length < 4) throw new CaptureFormatError('The file is too short to be a capture');
  const magic = file.readUInt32LE(0);
  if (magic === 0x0a0d0d0a) return readPcapng(file);
  if ([0xa1b2c3d4, 0xd4c3b2a1, 0xa1b23c4d, 0x4d3cb2a1].includes(magic)) return readPcap(file);
  throw new CaptureFormatError('Not a pcap or pcapng file (unknown magic number)');
}

function readPcap(file: Buffer): DecodedPacket[] {
  if (file.length < 24) throw new CaptureFormatError('The pcap header is cut short');
  const magicLE = file.readUInt32LE(0);
  const littleEndian = magicLE === 0xa1b2c3d4 || magicLE === 0xa1b23c4d;
  const nanoseconds = magicLE === 0xa1b23c4d || magicLE === 0x4d3cb2a1;
  const u32 = (at: number): number => (littleEndian ? file.readUInt32LE(at) : file.readUInt32BE(at));
  const linkType = u32(20) & 0x0fffffff;
  const packets: DecodedPacket[] = [];
  for (let at = 24; at < file.length;) {
    if (at + 16 > file.length) throw new CaptureFormatError(`A packet header at byte ${at} is cut short`);
    const seconds = u32(at);
    const fraction = u32(at + 4);
    const captured = u32(at + 8);
    const start = at + 16;
    if (start + captured > file.length) throw new CaptureFormatError(`The packet at byte ${at} runs past the end of the file`);
    const timeUs = seconds * 1_000_000 + (nanoseconds ? Math.floor(fraction / 1000) : fraction);
    const packet = decodeLink(linkType, file.subarray(start, start + captured), timeUs);
    if (packet) packets.push(packet);
    at = start + captured;
  }
  return packets;
}

function readPcapng(file: Buffer): DecodedPacket[] {
  const packets: DecodedPacket[] = [];
  let littleEndian = true;
  let interfaces: Interface[] = [];
  const u32 = (at: number): number => (littleEndian ? file.readUInt32LE(at) : file.readUInt32BE(at));
  const u16 = (at: number): number => (littleEndian ? file.readUInt16LE(at) : file.readUInt16BE(at));
  for (let at = 0; at < file.length;) {
    if (at + 12 > file.length) throw new CaptureFormatError(`A block at byte ${at} is cut short`);
    const type = file.readUInt32LE(at);
    if (type === 0x0a0d0d0a) {
      // A section starts: its byte-order magic says how to read everything up to the next one.
      const bom = file.readUInt32LE(at + 8);
      if (bom === 0x1a2b3c4d) littleEndian = true;
      else if (bom === 0x4d3c2b1a) littleEndian = false;
      else throw new CaptureFormatError(`The section at byte ${at} has no valid byte-order magic`);
      interfaces = [];
    }
    const length = u32(at + 4);
    if (length < 12 || length % 4 !== 0 || at + length > file.length) {
      throw new CaptureFormatError(`The block at byte ${at} claims a length of ${length}, which the file does not hold`);
    }
    const body = at + 8;
    const bodyEnd = at + length - 4;
    const blockType = littleEndian ? type : file.readUInt32BE(at);
    const least = LEAST_BODY[blockType];
    if (least !== undefined && bodyEnd - body < least)
      throw new CaptureFormatError(`The block at byte ${at} is too short (${length} bytes) for its type`);
    if (blockType === 0x00000001) {
      interfaces.push({ linkType: u16(body), unitsPerSecond: interfaceResolution(file, body + 8, bodyEnd, u16) });
    } else if (blockType === 0x00000006 || blockType === 0x00000002) {
      // Enhanced (6) and the obsolete Packet Block (2) share this layout but for the interface id's width.
      const interfaceId = blockType === 6 ? u32(body) : u16(body);
      const high = u32(body + 4);
      const low = u32(body + 8);
      const captured = u32(body + 12);
      const data = body + 20;
      if (data + captured > bodyEnd) throw new CaptureFormatError(`The packet in the block at byte ${at} runs past its block`);
      const link = interfaces[interfaceId];
      if (!link) throw new CaptureFormatError(`The packet at byte ${at} names interface ${interfaceId}, which was not described`);
      const timeUs = microseconds(high, low, link.unitsPerSecond);
      // Past 2^52 µs (the year 2112) a time is no longer whole in a double, nor can it be written back out as pcapng.
      if (!(timeUs <= LATEST_TIME_US))
        throw new CaptureFormatError(`The packet at byte ${at} has a timestamp beyond any capture's (${String(timeUs)} µs)`);
      const packet = decodeLink(link.linkType, file.subarray(data, data + captured), timeUs);
      if (packet) packets.push(packet);
    } else if (blockType === 0x00000003) {
      // Simple Packet Block: no timestamp, interface 0.
      const link = interfaces[0];
      const captured = Math.min(u32(body), bodyEnd - body - 4);
      if (link) {
        const packet = decodeLink(link.linkType, file.subarray(body + 4, body + 4 + captured), 0);
        if (packet) packets.push(packet);
      }
    }
    at += length;
  }
  return packets;
}

/** The interface's if_tsresol option: 10^-n or 2^-n seconds per unit (default microseconds). */
function interfaceResolution(file: Buffer, at: number, end: number, u16: (at: number) => number): number {
  while (at + 4 <= end) {
    const code = u16(at);
    const length = u16(at + 2);
    if (code === 0) break;
    if (code === 9 && length >= 1) {
      const value = file[at + 4]!;
      return value & 0x80 ? 2 ** (value & 0x7f) : 10 ** value;
    }
    at += 4 + length + ((4 - (length % 4)) % 4);
  }
  return 1_000_000;
}

function decodeLink(linkType: number, frame: Buffer, timeUs: number): DecodedPacket | null {
  switch (linkType) {
    case LINK_ETHERNET: {
      let offset = 12;
      let etherType = frame.length >= 14 ? frame.readUInt16BE(12) : 0;
      // 802.1Q / QinQ tags.
      while ((etherType === 0x8100 || etherType === 0x88a8) && frame.length >= offset + 6) {
        offset += 4;
        etherType = frame.readUInt16BE(offset);
      }
      return decodeIp(frame.subarray(offset + 2), timeUs, etherType);
    }
    case LINK_RAW:
    case LINK_IPV4:
    case LINK_IPV6:
      return decodeIp(frame, timeUs, 0);
    case LINK_NULL:
    case LINK_LOOP:
      // A 4-byte address family, in the capturing host's byte order; the IP version nibble says the rest.
      return decodeIp(frame.subarray(4), timeUs, 0);
    case LINK_LINUX_SLL:
      return frame.length >= 16 ? decodeIp(frame.subarray(16), timeUs, frame.readUInt16BE(14)) : null;
    case LINK_LINUX_SLL2:
      return frame.length >= 20 ? decodeIp(frame.subarray(20), timeUs, frame.readUInt16BE(0)) : null;
    default:
      return null;
  }
}

function ipv6Text(bytes: Buffer): string {
  const groups: string[] = [];
  for (let i = 0; i < 16; i += 2) groups.push(bytes.readUInt16BE(i).toString(16));
  // The shortest form Node itself prints, so addresses compare as text.
  const full = groups.join(':');
  const runs = [...full.matchAll(/(?:^|:)0(?::0)+(?::|$)/g)].sort((a, b) => b[0].length - a[0].length);
  if (runs.length === 0) return full;
  const run = runs[0]!;
  return `${full.slice(0, run.index)}::${full.slice(run.index! + run[0].length)}`;
}

function decodeIp(packet: Buffer, timeUs: number, etherType: number): DecodedPacket | null {
  if (packet.length < 1) return null;
  const version = packet[0]! >> 4;
  if (etherType !== 0 && etherType !== 0x0800 && etherType !== 0x86dd) return null;
  let protocol: number;
  let source: string;
  let destination: string;
  let transport: Buffer;
  if (version === 4) {
    if (packet.length < 20) return null;
    const headerLength = (packet[0]! & 0x0f) * 4;
    const total = Math.min(packet.readUInt16BE(2), packet.length);
    // A fragment after the first carries no transport header: skipped (Netproc's sockets never see fragments).
    if ((packet.readUInt16BE(6) & 0x1fff) !== 0 || headerLength < 20 || total < headerLength) return null;
    protocol = packet[9]!;
    source = [...packet.subarray(12, 16)].join('.');
    destination = [...packet.subarray(16, 20)].join('.');
    transport = packet.subarray(headerLength, total);
  } else if (version === 6) {
    if (packet.length < 40) return null;
    protocol = packet[6]!;
    source = ipv6Text(packet.subarray(8, 24));
    destination = ipv6Text(packet.subarray(24, 40));
    transport = packet.subarray(40, Math.min(packet.length, 40 + packet.readUInt16BE(4)));
  } else return null;

  if (protocol === 6 && transport.length >= 20) {
    const dataOffset = (transport[12]! >> 4) * 4;
    if (dataOffset < 20 || dataOffset > transport.length) return null;
    const flags = transport[13]!;
    return {
      timeUs,
      protocol: 'tcp',
      source: { address: source, port: transport.readUInt16BE(0) },
      destination: { address: destination, port: transport.readUInt16BE(2) },
      seq: transport.readUInt32BE(4),
      ack: transport.readUInt32BE(8),
      flags: { fin: (flags & 1) !== 0, syn: (flags & 2) !== 0, rst: (flags & 4) !== 0, ack: (flags & 16) !== 0 },
      payload: transport.subarray(dataOffset),
    };
  }
  if (protocol === 17 && transport.length >= 8) {
    const length = Math.min(transport.readUInt16BE(4), transport.length);
    return {
      timeUs,
      protocol: 'udp',
      source: { address: source, port: transport.readUInt16BE(0) },
      destination: { address: destination, port: transport.readUInt16BE(2) },
      seq: 0,
      ack: 0,
      flags: { fin: false, syn: false, rst: false, ack: false },
      payload: transport.subarray(8, Math.max(8, length)),
    };
  }
  return null;
}

/**
 * A 64-bit timestamp of UNITS_PER_SECOND as whole microseconds. Today's time in
 * microseconds (about 2^51) is exact as a double, but multiplied by a million
 * first it is not (an export read back came out a microsecond early), and
 * nanosecond units are past 2^53 already: so anything but microseconds is
 * scaled as a BigInt.
 */
export function microseconds(high: number, low: number, unitsPerSecond: number): number {
  if (unitsPerSecond === 1_000_000) return high * 2 ** 32 + low;
  const units = (BigInt(high) << 32n) | BigInt(low);
  return Number((units * 1_000_000n) / BigInt(unitsPerSecond));
}
