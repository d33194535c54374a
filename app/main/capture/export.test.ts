import dgram from 'node:dgram';
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { engine, onCleanup, plainServer, waitFor } from '../netproc/test-support.js';
import type { Timeline } from '../netproc/timeline.js';
import { exportPcapng } from './export.js';
import { writeExportFile } from './export-file.js';
import { followTcpStream, tshark } from './tshark-support.js';

const dir = mkdtempSync(join(tmpdir(), 'netproc-export-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function exportTo(name: string, timelines: Timeline[]): Promise<{ file: string; packets: number; missingBytes: number }> {
  const file = join(dir, name);
  const summary = await writeExportFile({ path: file }, (out) => exportPcapng(timelines, out));
  return { file, ...summary };
}

/** Follow TCP stream N: its nodes, and what node 0 and node 1 sent, as text. */
function follow(file: string, stream: number): { first: string; second: string; nodes: string[] } {
  const { nodes, client, server } = followTcpStream(file, stream);
  return { first: client.toString(), second: server.toString(), nodes };
}

describe('exporting traffic as pcapng', () => {
  it('a server with two connections: one TCP stream each, the real ports, both directions, closed by whoever closed', async () => {
    const np = engine();
    const server = (await np.makeNetworkProcess({ name: 'srv', server: true, host: '127.0.0.1', service: true }))!;
    const port = np.processContact(server, 'service') as number;
    const one = net.connect(port, '127.0.0.1');
    const two = net.connect(port, '127.0.0.1');
    onCleanup(() => {
      one.destroy();
      two.destroy();
    });
    const accepted = await waitFor(() => {
      const list = np.processList().filter((p) => p.kind === 'accepted');
      return list.length === 2 ? list : null;
    });
    const onePort = one.localPort!;
    const twoPort = two.localPort!;
    one.write('from one');
    two.write('from two');
    await waitFor(() => accepted.every((p) => p.timeline?.all().some((r) => r.kind === 'data') ?? false));
    const first = accepted.find((p) => np.processContact(p, 'remote')?.toString().endsWith(String(onePort)))!;
    await np.processSendString(first, 'reply');
    await new Promise((r) => one.once('data', r));
    one.end();
    await waitFor(() => first.status.kind === 'exit');
    np.deleteProcess(accepted.find((p) => p !== first)!);

    const { file, packets, missingBytes } = await exportTo('server.pcapng', np.traffic.viewTimelines(server));
    expect(missingBytes).toBe(0);
    // 2 × (3 handshake + 3 close) + 3 data segments.
    expect(packets).toBe(15);
    const streams = [follow(file, 0), follow(file, 1)];
    const withOne = streams.find((s) => s.first === 'from one')!;
    expect(withOne.second).toBe('reply');
    expect(withOne.nodes).toEqual([`127.0.0.1:${onePort}`, `127.0.0.1:${port}`]);
    expect(streams.find((s) => s.first === 'from two')!.second).toBe('');
    // The FIN of the first came from the peer (the client side), of the second from Netproc's end.
    const fins = tshark(file, '-Y', 'tcp.flags.fin == 1', '-T', 'fields', '-e', 'tcp.srcport').trim().split('\n');
    expect(fins.slice(0, 2)).toEqual([String(onePort), String(port)]);
    expect(fins.slice(2, 4)).toEqual([String(port), String(twoPort)]);
  });

  it('a client process: the connecting side is Netproc, and a UDP server with a peer each way', async () => {
    const np = engine();
    let peerSocket: net.Socket | null = null;
    const peer = await plainServer((s) => (peerSocket = s));
    const c = (await np.makeNetworkProcess({ name: 'c', buffer: '*c*', host: '127.0.0.1', service: peer.port }))!;
    await np.processSendString(c, 'hello server');
    const ps = await waitFor(() => peerSocket);
    ps.write('hello client');
    await waitFor(() => np.bufferString('*c*') === 'hello client');
    const { file } = await exportTo('client.pcapng', [c.timeline!]);
    const stream = follow(file, 0);
    expect([stream.first, stream.second]).toEqual(['hello server', 'hello client']);
    expect(stream.nodes[1]).toBe(`127.0.0.1:${peer.port}`);

    const udp = (await np.makeNetworkProcess({ name: 'u', type: 'datagram', server: true, host: '127.0.0.1', service: true }))!;
    const udpPort = np.processContact(udp, 'service') as number;
    const sock = dgram.createSocket('udp4');
    onCleanup(() => sock.close());
    await new Promise<void>((r) => sock.bind(0, '127.0.0.1', r));
    sock.send('ping', udpPort, '127.0.0.1');
    await waitFor(() => udp.timeline!.all().some((r) => r.kind === 'data'));
    await np.processSendString(udp, 'pong');
    const { file: udpFile } = await exportTo('udp.pcapng', [udp.timeline!]);
    const rows = tshark(udpFile, '-Y', 'udp', '-T', 'fields', '-e', 'udp.srcport', '-e', 'udp.dstport', '-e', 'data.data')
      .trim()
      .split('\n');
    expect(rows).toEqual([
      `${sock.address().port}\t${udpPort}\t${Buffer.from('ping').toString('hex')}`,
      `${udpPort}\t${sock.address().port}\t${Buffer.from('pong').toString('hex')}`,
    ]);
  });

  it('bytes no longer held (the buffer cap trimmed them) become a gap Wireshark reports, not invented bytes; a Unix socket is refused by name', async () => {
    const np = engine({ bufferCap: 4 });
    let peerSocket: net.Socket | null = null;
    const peer = await plainServer((s) => (peerSocket = s));
    const c = (await np.makeNetworkProcess({ name: 'c', buffer: '*c*', host: '127.0.0.1', service: peer.port }))!;
    const ps = await waitFor(() => peerSocket);
    ps.write('dropped!');
    await waitFor(() => np.bufferString('*c*') === 'ped!');
    ps.write('kept');
    await waitFor(() => np.bufferString('*c*') === 'kept');
    const { file, missingBytes } = await exportTo('gap.pcapng', [c.timeline!]);
    expect(missingBytes).toBe(8);
    expect(tshark(file, '-Y', 'tcp.analysis.lost_segment', '-T', 'fields', '-e', 'tcp.len').trim()).toBe('4');

    const path = join(dir, 'unix.sock');
    const unixServer = (await np.makeNetworkProcess({ name: 'usrv', server: true, family: 'local', service: path }))!;
    const unixClient = (await np.makeNetworkProcess({ name: 'ucli', family: 'local', service: path }))!;
    expect(unixServer.kind).toBe('stream-server');
    await expect(exportTo('unix.pcapng', [unixClient.timeline!])).rejects.toThrow(/ucli has no IP addresses/);
    // Nothing was left behind: neither the file nor its temporary.
    expect(existsSync(join(dir, 'unix.pcapng'))).toBe(false);
    expect(readdirSync(dir).filter((f) => f.includes('unix.pcapng'))).toEqual([]);
  });
});
