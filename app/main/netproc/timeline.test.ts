import dgram from 'node:dgram';
import net from 'node:net';
import { describe, expect, it } from 'vitest';
import type { TimelineData, TimelineRecord } from './timeline.js';
import { engine, onCleanup, plainServer, waitFor } from './test-support.js';

const dataOf = (records: TimelineRecord[]): TimelineData[] => records.filter((r): r is TimelineData => r.kind === 'data');

describe('traffic timeline', () => {
  it('records every chunk in and out with its time, size, bytes and where it went into the buffer, and the status changes', async () => {
    const np = engine({ timeline: true });
    let peerSocket: net.Socket | null = null;
    const peer = await plainServer((s) => (peerSocket = s));
    const c = (await np.makeNetworkProcess({ name: 'rec', buffer: '*rec*', host: '127.0.0.1', service: peer.port }))!;
    const ps = await waitFor(() => peerSocket);
    ps.write('hello ');
    await waitFor(() => np.bufferString('*rec*') === 'hello ');
    await np.processSendString(c, 'ping');
    await waitFor(() => peer.received() === 'ping');
    ps.write('world');
    await waitFor(() => np.bufferString('*rec*') === 'hello world');
    ps.end();
    await waitFor(() => np.processStatus(c) === null || c.status.kind === 'exit');

    const timeline = c.timeline!;
    const records = timeline.all();
    expect(records[0]).toMatchObject({ kind: 'status', status: 'run', index: 0 });
    expect(dataOf(records).map((r) => [r.direction, r.size, r.bytes?.toString(), r.bufferAt])).toEqual([
      ['in', 6, 'hello ', 0],
      ['out', 4, 'ping', null],
      ['in', 5, 'world', 6],
    ]);
    expect(records.at(-1)).toMatchObject({ kind: 'status', status: 'exit', exitCode: 256, event: 'connection broken by remote peer\n' });
    const times = records.map((r) => r.timeUs);
    expect([...times].sort((a, b) => a - b)).toEqual(times);
    expect(records.map((r) => r.index)).toEqual(records.map((_, i) => i));
    // The buffer saw what it would have without the timeline.
    expect(np.bufferString('*rec*')).toBe('hello world\nProcess rec connection broken by remote peer\n');
  });

  it('keeps the last N records, counting the dropped, and pages by stable index', async () => {
    const np = engine({ timeline: { capacity: 4 } });
    const server = (await np.makeNetworkProcess({ name: 'srv', server: true, host: '127.0.0.1', service: true }))!;
    const port = np.processContact(server, 'service') as number;
    const client = net.connect(port, '127.0.0.1');
    onCleanup(() => client.destroy());
    const accepted = await waitFor(() => np.processList().find((p) => p.kind === 'accepted'));
    for (let i = 0; i < 6; i++) {
      client.write(`m${i}`);
      await waitFor(() => (accepted.timeline?.endIndex ?? 0) >= i + 2);
    }
    const timeline = accepted.timeline!;
    expect(timeline.length).toBe(4);
    expect(timeline.dropped).toBe(3);
    expect(timeline.firstIndex).toBe(3);
    expect(dataOf(timeline.all()).map((r) => r.bytes?.toString())).toEqual(['m2', 'm3', 'm4', 'm5']);
    expect(timeline.slice(0, 5).map((r) => r.index)).toEqual([3, 4]);
    expect(timeline.slice(5, 100).map((r) => r.index)).toEqual([5, 6]);
  });

  it('lets the oldest payloads go past the payload cap but keeps their size and time', async () => {
    const np = engine({ timeline: { payloadCap: 10 } });
    const server = (await np.makeNetworkProcess({ name: 'srv', server: true, host: '127.0.0.1', service: true }))!;
    const port = np.processContact(server, 'service') as number;
    const client = net.connect(port, '127.0.0.1');
    onCleanup(() => client.destroy());
    const accepted = await waitFor(() => np.processList().find((p) => p.kind === 'accepted'));
    for (const chunk of ['aaaa', 'bbbb', 'cccc']) {
      client.write(chunk);
      await waitFor(() => np.bufferString(accepted.buffer!.name)?.endsWith(chunk));
    }
    const timeline = accepted.timeline!;
    expect(dataOf(timeline.all()).map((r) => [r.size, r.bytes?.toString() ?? null])).toEqual([
      [4, null],
      [4, 'bbbb'],
      [4, 'cccc'],
    ]);
    expect(timeline.payloadBytes).toBe(8);
    expect(timeline.payloadDropped).toBe(4);
  });

  it('gives each datagram its peer, and can be switched off', async () => {
    const np = engine({ timeline: true });
    const server = (await np.makeNetworkProcess({ name: 'udp', type: 'datagram', server: true, host: '127.0.0.1', service: true }))!;
    const port = np.processContact(server, 'service') as number;
    const sock = dgram.createSocket('udp4');
    onCleanup(() => sock.close());
    await new Promise<void>((r) => sock.bind(0, '127.0.0.1', r));
    sock.send('hi', port, '127.0.0.1');
    await waitFor(() => dataOf(server.timeline!.all()).length === 1);
    await np.processSendString(server, 'back');
    const [received, sent] = dataOf(server.timeline!.all());
    expect(received).toMatchObject({ direction: 'in', size: 2, peer: [127, 0, 0, 1, sock.address().port] });
    expect(sent).toMatchObject({ direction: 'out', size: 4, peer: [127, 0, 0, 1, sock.address().port] });

    // Off unless asked for.
    const off = engine();
    const quiet = (await off.makeNetworkProcess({ name: 'q', server: true, host: '127.0.0.1', service: true }))!;
    expect(quiet.timeline).toBeNull();
    expect(quiet.taps).toBeNull();
  });

  it('keeps all timelines together within the engine budget: many flooding peers cannot hold more', async () => {
    const np = engine({ timeline: { payloadCap: 1000, budget: 30 } });
    const server = (await np.makeNetworkProcess({ name: 'srv', server: true, host: '127.0.0.1', service: true }))!;
    const port = np.processContact(server, 'service') as number;
    const clients = [net.connect(port, '127.0.0.1'), net.connect(port, '127.0.0.1'), net.connect(port, '127.0.0.1')];
    onCleanup(() => clients.forEach((c) => c.destroy()));
    const accepted = await waitFor(() => {
      const list = np.processList().filter((p) => p.kind === 'accepted');
      return list.length === 3 ? list : null;
    });
    for (let round = 0; round < 4; round++) {
      for (const c of clients) c.write('0123456789');
      await waitFor(() => accepted.every((p) => dataOf(p.timeline!.all()).length === round + 1));
    }
    const held = accepted.reduce((sum, p) => sum + p.timeline!.payloadBytes, 0);
    // 120 bytes arrived; at most the budget plus the chunk that pushed past it is held.
    expect(held).toBeLessThanOrEqual(40);
    expect(accepted.reduce((sum, p) => sum + p.timeline!.payloadDropped, 0)).toBe(120 - held);
    // Every record keeps its size whatever happened to its bytes.
    expect(accepted.flatMap((p) => dataOf(p.timeline!.all()).map((r) => r.size))).toEqual(new Array(12).fill(10));
  });
});
