import { createWriteStream, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { followTcpStream, tshark, TSHARK } from './tshark-support.js';
import { MAX_SEGMENT_PAYLOAD, PcapngWriter, TcpConversation, writeUdpDatagram } from './pcapng-writer.js';

const dir = mkdtempSync(join(tmpdir(), 'netproc-pcapng-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function capture(name: string, write: (writer: PcapngWriter) => Promise<void>): Promise<string> {
  const file = join(dir, name);
  const out = createWriteStream(file);
  const writer = await PcapngWriter.open(out);
  await write(writer);
  await new Promise<void>((resolve, reject) => out.end((err?: Error | null) => (err ? reject(err) : resolve())));
  return file;
}

describe('pcapng export, read back by tshark', () => {
  it('tshark is installed (the checks below need it)', () => {
    expect(existsSync(TSHARK), 'tshark is missing: apt-get install tshark').toBe(true);
  });

  it('a TCP conversation: handshake, both directions, segments past the largest packet, the close, valid checksums', async () => {
    const big = Buffer.alloc(MAX_SEGMENT_PAYLOAD * 2 + 1234);
    for (let i = 0; i < big.length; i++) big[i] = (i * 7) & 0xff;
    const t0 = 1_764_633_600_000_000;
    const file = await capture('tcp.pcapng', async (writer) => {
      const tcp = new TcpConversation(writer, { address: '127.0.0.1', port: 40_100 }, { address: '127.0.0.1', port: 40_200 });
      await tcp.open(t0);
      await tcp.data(true, Buffer.from('GET / HTTP/1.0\r\n\r\n'), t0 + 150);
      await tcp.data(false, big, t0 + 2_500);
      await tcp.data(true, Buffer.from('bye'), t0 + 3_000);
      await tcp.close(false, t0 + 4_000);
    });
    const followed = followTcpStream(file, 0);
    expect(followed.client.toString()).toBe('GET / HTTP/1.0\r\n\r\nbye');
    expect(followed.server.equals(big)).toBe(true);

    const rows = tshark(
      file,
      '-o',
      'tcp.check_checksum:TRUE',
      '-o',
      'ip.check_checksum:TRUE',
      '-T',
      'fields',
      '-e',
      'frame.time_epoch',
      '-e',
      'tcp.flags.str',
      '-e',
      'ip.checksum.status',
      '-e',
      'tcp.checksum.status',
      '-e',
      'tcp.analysis.flags',
    )
      .trim()
      .split('\n')
      .map((l) => l.split('\t'));
    // SYN, SYN-ACK, ACK; 1 + 3 + 1 data segments; FIN, FIN, ACK.
    expect(rows).toHaveLength(11);
    expect(rows[0]![1]).toContain('S');
    expect(rows.every((r) => r[2] === '1' && r[3] === '1')).toBe(true); // 1 = good
    expect(rows.every((r) => (r[4] ?? '') === '')).toBe(true); // no retransmission, lost segment or other analysis flag
    expect(Number(rows[3]![0])).toBeCloseTo((t0 + 150) / 1e6, 6);
    expect(rows.at(-3)![1]).toContain('F');
  });

  it('IPv6 and UDP', async () => {
    const t0 = 1_764_633_600_000_000;
    const file = await capture('mixed.pcapng', async (writer) => {
      const tcp = new TcpConversation(writer, { address: '::1', port: 40_101 }, { address: '::1', port: 40_201 });
      await tcp.data(true, Buffer.from('over six'), t0);
      await tcp.close(true, t0 + 10);
      await writeUdpDatagram(
        writer,
        { address: '127.0.0.1', port: 40_301 },
        { address: '127.0.0.1', port: 40_302 },
        Buffer.from('ping'),
        t0 + 20,
      );
      await writeUdpDatagram(writer, { address: '::1', port: 40_302 }, { address: '::1', port: 40_301 }, Buffer.from('pong'), t0 + 30);
    });
    expect(followTcpStream(file, 0).client.toString()).toBe('over six');
    const udp = tshark(
      file,
      '-Y',
      'udp',
      '-o',
      'udp.check_checksum:TRUE',
      '-T',
      'fields',
      '-e',
      'udp.srcport',
      '-e',
      'udp.checksum.status',
      '-e',
      'data.data',
    )
      .trim()
      .split('\n');
    expect(udp).toEqual([`40301\t1\t${Buffer.from('ping').toString('hex')}`, `40302\t1\t${Buffer.from('pong').toString('hex')}`]);
    expect(tshark(file, '-q', '-z', 'expert')).not.toMatch(/Malformed|Error/);
  });
});
