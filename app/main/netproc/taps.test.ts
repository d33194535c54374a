import dgram from 'node:dgram';
import net from 'node:net';
import { describe, expect, it } from 'vitest';
import type { TapRecord } from './taps.js';
import { engine, onCleanup, plainServer, waitFor } from './test-support.js';

describe('process taps', () => {
  it('see every chunk read and written, in order with rising timestamps, beside the default filter and sentinel', async () => {
    const np = engine();
    let peerSocket: net.Socket | null = null;
    const peer = await plainServer((s) => (peerSocket = s));
    const c = (await np.makeNetworkProcess({ name: 'tapped', buffer: '*tapped*', host: '127.0.0.1', service: peer.port }))!;
    const records: TapRecord[] = [];
    np.traffic.tap(c, (r) => records.push(r));
    const ps = await waitFor(() => peerSocket);
    ps.write('hello ');
    await waitFor(() => np.bufferString('*tapped*') === 'hello ');
    await np.processSendString(c, 'ping');
    await waitFor(() => peer.received() === 'ping');
    ps.write('world');
    await waitFor(() => np.bufferString('*tapped*') === 'hello world');
    np.deleteProcess(c);

    const data = records.filter((r) => r.kind === 'data');
    expect(data.map((r) => [r.direction, r.bytes.toString()])).toEqual([
      ['in', 'hello '],
      ['out', 'ping'],
      ['in', 'world'],
    ]);
    const times = records.map((r) => r.timeUs);
    expect([...times].sort((a, b) => a - b)).toEqual(times);
    expect(Math.abs((times[0] as number) / 1000 - Date.now())).toBeLessThan(60_000);
    expect(records.at(-1)).toMatchObject({ kind: 'status', status: 'exit', exitCode: 0, event: 'deleted\n' });
    // The buffer saw exactly what it sees without a tap, sentinel line included.
    expect(np.bufferString('*tapped*')).toBe('hello world\nProcess tapped deleted\n');
  });

  it('give a datagram peer for each datagram in and out', async () => {
    const np = engine();
    const server = (await np.makeNetworkProcess({ name: 'udp', type: 'datagram', server: true, host: '127.0.0.1', service: true }))!;
    const records: TapRecord[] = [];
    np.traffic.tap(server, (r) => records.push(r));
    const sock = dgram.createSocket('udp4');
    onCleanup(() => sock.close());
    const replies: string[] = [];
    sock.on('message', (m) => replies.push(m.toString()));
    await new Promise<void>((resolve) => sock.bind(0, '127.0.0.1', resolve));
    const port = np.processContact(server, 'service') as number;
    sock.send('one', port, '127.0.0.1');
    await waitFor(() => records.some((r) => r.kind === 'data'));
    await np.processSendString(server, 'back');
    await waitFor(() => replies.length === 1);
    const from = [127, 0, 0, 1, sock.address().port];
    expect(records.filter((r) => r.kind === 'data').map((r) => r.kind === 'data' && [r.direction, r.bytes.toString(), r.peer])).toEqual([
      ['in', 'one', from],
      ['out', 'back', from],
    ]);
  });

  it('report a throwing subscriber without disturbing the process, and stop at dispose, leaving no tap behind', async () => {
    // The only subscribers are this test's (timelines off): disposing them must leave the process with no taps at all.
    const np = engine({ timeline: false });
    const messages: string[] = [];
    np.on('message', (m) => messages.push(m));
    let peerSocket: net.Socket | null = null;
    const peer = await plainServer((s) => (peerSocket = s));
    const c = (await np.makeNetworkProcess({ name: 't2', buffer: '*t2*', host: '127.0.0.1', service: peer.port }))!;
    const seen: TapRecord[] = [];
    const throwing = np.traffic.tap(c, () => {
      throw new Error('subscriber broke');
    });
    const quiet = np.traffic.tap(c, (r) => seen.push(r));
    const ps = await waitFor(() => peerSocket);
    ps.write('a');
    await waitFor(() => np.bufferString('*t2*') === 'a');
    expect(messages).toEqual(['error in a process tap: subscriber broke']);
    expect(seen).toHaveLength(1);
    throwing.dispose();
    quiet.dispose();
    quiet.dispose();
    expect(c.taps).toBeNull();
    ps.write('b');
    await waitFor(() => np.bufferString('*t2*') === 'ab');
    expect(seen).toHaveLength(1);
    expect(() => np.traffic.tap(c, 'not a function' as never)).toThrow(/functionp/);
  });
});
