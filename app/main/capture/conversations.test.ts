import { execFileSync } from 'node:child_process';
import { createWriteStream, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { findConversations } from './conversations.js';
import { CaptureFormatError, microseconds, readCapture, type DecodedPacket } from './pcap-reader.js';
import { PcapngWriter, TcpConversation, writeUdpDatagram } from './pcapng-writer.js';

const dir = mkdtempSync(join(tmpdir(), 'netproc-import-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function written(name: string, write: (writer: PcapngWriter) => Promise<void>): Promise<string> {
  const file = join(dir, name);
  const out = createWriteStream(file);
  await write(await PcapngWriter.open(out));
  await new Promise<void>((resolve) => out.end(() => resolve()));
  return file;
}

const T0 = 1_764_633_600_000_000;

function tcp(seq: number, payload: string, timeUs: number, fromClient = true, flags: Partial<DecodedPacket['flags']> = {}): DecodedPacket {
  const client = { address: '10.0.0.1', port: 40_000 };
  const server = { address: '10.0.0.2', port: 80 };
  return {
    timeUs,
    protocol: 'tcp',
    source: fromClient ? client : server,
    destination: fromClient ? server : client,
    seq,
    ack: 0,
    flags: { syn: false, fin: false, rst: false, ack: true, ...flags },
    payload: Buffer.from(payload),
  };
}

describe('importing a capture', () => {
  it('reads back what the exporter wrote: a TCP stream each way with its handshake and close, and a UDP flow', async () => {
    const big = Buffer.alloc(150_000, 0x62);
    const file = await written('round.pcapng', async (writer) => {
      const conversation = new TcpConversation(writer, { address: '127.0.0.1', port: 40_500 }, { address: '127.0.0.1', port: 40_600 });
      await conversation.open(T0);
      await conversation.data(true, Buffer.from('question'), T0 + 10);
      await conversation.data(false, big, T0 + 20);
      await conversation.close(false, T0 + 30);
      await writeUdpDatagram(writer, { address: '::1', port: 40_700 }, { address: '::1', port: 40_800 }, Buffer.from('dgram'), T0 + 40);
    });
    const [stream, flow] = findConversations(readCapture(readFileSync(file)));
    expect(stream).toMatchObject({
      protocol: 'tcp',
      client: { address: '127.0.0.1', port: 40_500 },
      server: { address: '127.0.0.1', port: 40_600 },
      openedUs: T0,
      closedBy: 'server',
      closedUs: T0 + 30,
      missingBytes: 0,
      bytes: 8 + big.length,
    });
    expect(stream!.chunks[0]).toMatchObject({ fromClient: true, timeUs: T0 + 10, bytes: Buffer.from('question') });
    expect(Buffer.concat(stream!.chunks.filter((c) => !c.fromClient).map((c) => c.bytes)).equals(big)).toBe(true);
    expect(flow).toMatchObject({ protocol: 'udp', client: { address: '::1', port: 40_700 }, bytes: 5 });
  });

  it('classic pcap in nanoseconds and Ethernet frames, as Wireshark writes them, read the same', async () => {
    const source = await written('src.pcapng', async (writer) => {
      const conversation = new TcpConversation(writer, { address: '127.0.0.1', port: 40_501 }, { address: '127.0.0.1', port: 40_601 });
      await conversation.data(true, Buffer.from('over pcap'), T0 + 123);
    });
    const nanos = join(dir, 'nanos.pcap');
    execFileSync('/usr/bin/editcap', ['-F', 'nsecpcap', source, nanos], { stdio: 'ignore' });
    const [fromPcap] = findConversations(readCapture(readFileSync(nanos)));
    expect(fromPcap!.chunks).toEqual([{ timeUs: T0 + 123, fromClient: true, bytes: Buffer.from('over pcap') }]);

    // text2pcap wraps a payload in Ethernet, IPv4 and TCP headers of its own.
    const hex = join(dir, 'payload.txt');
    writeFileSync(hex, `0000  ${Buffer.from('ethernet!').toString('hex').replace(/(..)/g, '$1 ')}\n`);
    const ethernet = join(dir, 'ethernet.pcapng');
    execFileSync('/usr/bin/text2pcap', ['-n', '-T', '40502,40602', hex, ethernet], { stdio: 'ignore' });
    const [fromEthernet] = findConversations(readCapture(readFileSync(ethernet)));
    expect(fromEthernet).toMatchObject({ protocol: 'tcp', client: { port: 40_502 }, server: { port: 40_602 } });
    expect(fromEthernet!.chunks[0]!.bytes.toString()).toBe('ethernet!');
  });

  it('puts out-of-order segments back, takes retransmissions once, and counts what the capture lacks', () => {
    const isn = 0xfffffff0; // wraps past 2^32 inside the stream
    const packets = [
      tcp(isn, '', T0, true, { syn: true, ack: false }),
      tcp(isn + 1, 'abcd', T0 + 1),
      tcp((isn + 9) >>> 0, 'ijkl', T0 + 3), // arrives before efgh
      tcp((isn + 5) >>> 0, 'efgh', T0 + 2),
      tcp((isn + 5) >>> 0, 'efghij', T0 + 4), // retransmission overlapping both
      tcp((isn + 30) >>> 0, 'late', T0 + 5), // 'mnop…' (17 bytes) never captured
      tcp(7, 'pong', T0 + 6, false),
      tcp((isn + 34) >>> 0, '', T0 + 7, true, { fin: true }),
    ];
    const [conversation] = findConversations(packets);
    const client = conversation!.chunks.filter((c) => c.fromClient).map((c) => c.bytes.toString());
    expect(client.join('')).toBe('abcdefghijkllate');
    expect(conversation!.missingBytes).toBe(17);
    expect(conversation!.closedBy).toBe('client');
    expect(conversation!.chunks.find((c) => !c.fromClient)!.bytes.toString()).toBe('pong');
  });

  it('refuses what is not a capture, and a block that lies about its length, with a clear error', async () => {
    expect(() => readCapture(Buffer.from('hello world, not a capture'))).toThrow(
      new CaptureFormatError('Not a pcap or pcapng file (unknown magic number)'),
    );
    const file = readFileSync(
      await written('cut.pcapng', async (writer) => {
        await writeUdpDatagram(writer, { address: '127.0.0.1', port: 1 }, { address: '127.0.0.1', port: 2 }, Buffer.from('x'), T0);
      }),
    );
    expect(() => readCapture(file.subarray(0, file.length - 6))).toThrow(/claims a length of \d+, which the file does not hold/);
    // The last block is the packet's: make its captured length claim more than the block holds.
    const lying = Buffer.from(file);
    const lastBlock = lying.length - lying.readUInt32LE(lying.length - 4);
    lying.writeUInt32LE(0x7fffffff, lastBlock + 20);
    expect(() => readCapture(lying)).toThrow(/runs past its block/);
  });
});

describe('timestamps', () => {
  it('are exact to the microsecond today, in microsecond, nanosecond and power-of-two units', () => {
    const us = 1796202758502481;
    const split = (units: bigint) => [Number(units >> 32n), Number(units & 0xffffffffn)] as const;
    expect(microseconds(...split(BigInt(us)), 1_000_000)).toBe(us);
    expect(microseconds(...split(BigInt(us) * 1000n + 999n), 1_000_000_000)).toBe(us);
    // Scaling microseconds as doubles (units × 10^6 / 10^6) gives …480: the bug this guards.
    expect(microseconds(...split(BigInt(us) * 1000n), 10 ** 9)).toBe(us);
    expect(microseconds(...split(3n * 2n ** 20n), 2 ** 20)).toBe(3_000_000);
  });
});

describe('hostile captures', () => {
  it('a packet block shorter than its fixed part is a format error, not a crash', async () => {
    const file = await written('short.pcapng', async (writer) => {
      await writeUdpDatagram(writer, { address: '127.0.0.1', port: 1 }, { address: '127.0.0.1', port: 2 }, Buffer.from('x'), T0);
    });
    const bytes = readFileSync(file);
    const lastBlock = bytes.length - bytes.readUInt32LE(bytes.length - 4);
    // An Enhanced Packet Block that claims 16 bytes: its header alone needs 32.
    const short = Buffer.concat([bytes.subarray(0, lastBlock), Buffer.from([6, 0, 0, 0, 16, 0, 0, 0, 0, 0, 0, 0, 16, 0, 0, 0])]);
    expect(() => readCapture(short)).toThrow(new CaptureFormatError(`The block at byte ${lastBlock} is too short (16 bytes) for its type`));
  });

  it('a packet time past what a double holds whole is a format error, not a time that cannot be written back', async () => {
    const file = await written('late.pcapng', async (writer) => {
      await writeUdpDatagram(writer, { address: '127.0.0.1', port: 1 }, { address: '127.0.0.1', port: 2 }, Buffer.from('x'), T0);
    });
    const bytes = Buffer.from(readFileSync(file));
    const lastBlock = bytes.length - bytes.readUInt32LE(bytes.length - 4);
    // The Enhanced Packet Block's high timestamp word: 0xffffffff × 2^32 µs.
    bytes.writeUInt32LE(0xffffffff, lastBlock + 12);
    expect(() => readCapture(bytes)).toThrow(CaptureFormatError);
    expect(() => readCapture(bytes)).toThrow(/timestamp beyond/);
  });

  it('thousands of segments held out of order are put back in order (kept sorted, so putting back is linear)', () => {
    const packets: DecodedPacket[] = [tcp(0, '', T0, true, { syn: true, ack: false })];
    // 4,000 segments arrive in reverse, then 20,000 in order behind them.
    for (let i = 3999; i >= 0; i--) packets.push(tcp(1 + i * 4, 'abcd', T0 + 1));
    for (let i = 4000; i < 24000; i++) packets.push(tcp(1 + i * 4, 'efgh', T0 + 2));
    const [conversation] = findConversations(packets);
    expect(conversation!.bytes).toBe(24000 * 4);
    expect(conversation!.missingBytes).toBe(0);
    expect(conversation!.chunks.slice(0, 2).map((c) => c.bytes.toString())).toEqual(['abcd', 'abcd']);
    expect(conversation!.chunks.at(-1)!.bytes.toString()).toBe('efgh');
  });
});
