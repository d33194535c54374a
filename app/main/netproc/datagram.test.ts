import dgram from 'node:dgram';
import { describe, expect, it } from 'vitest';
import type { NetworkProcess } from './process.js';
import { engine, freePort, onCleanup, sleep, waitFor } from './test-support.js';

type Np = ReturnType<typeof engine>;

async function datagramServer(np: Np, extra: Record<string, unknown> = {}) {
  const texts: string[] = [];
  const srv = (await np.makeNetworkProcess({
    name: 'dsrv',
    type: 'datagram',
    server: true,
    host: '127.0.0.1',
    service: true,
    family: 'ipv4',
    noquery: true,
    filter: (_p: NetworkProcess, t: string) => texts.push(t),
    ...extra,
  }))!;
  return { srv, port: np.processContact(srv, 'service') as number, texts };
}

function udpPeer(): { socket: dgram.Socket; received: Array<{ text: string; port: number }>; port: () => number } {
  const socket = dgram.createSocket('udp4');
  const received: Array<{ text: string; port: number }> = [];
  socket.on('message', (m, r) => received.push({ text: m.toString(), port: r.port }));
  onCleanup(() => socket.close());
  return { socket, received, port: () => socket.address().port };
}

function bindPeer(peer: ReturnType<typeof udpPeer>): Promise<void> {
  return new Promise((resolve) => peer.socket.bind(0, '127.0.0.1', () => resolve()));
}

function send(socket: dgram.Socket, text: string, port: number): Promise<void> {
  return new Promise((resolve) => socket.send(text, port, '127.0.0.1', () => resolve()));
}

describe('datagram processes (spec §10.3)', () => {
  it('a datagram server is open, never listen, and starts with an unspecified peer [spec §7.3]', async () => {
    const np = engine();
    const { srv, port } = await datagramServer(np);
    expect(np.processStatus(srv)).toBe('open');
    expect(np.processDatagramAddress(srv)).toEqual({ family: 0, data: new Array(14).fill(0) });
    expect(np.processContact(srv, true)).toEqual({
      name: 'dsrv',
      type: 'datagram',
      server: true,
      host: '127.0.0.1',
      service: port,
      family: 'ipv4',
      noquery: true,
      filter: 'filter',
      local: [127, 0, 0, 1, port],
      remote: { family: 0, data: new Array(14).fill(0) },
    });
    expect(np.listProcessesRows()[0]?.command).toBe(`(datagram server on 127.0.0.1:${port})`);
  });

  it('delivers each datagram as one filter call and answers whoever sent last [O-06 A]', async () => {
    const np = engine();
    const { srv, port, texts } = await datagramServer(np);
    const a = udpPeer();
    const b = udpPeer();
    await bindPeer(a);
    await bindPeer(b);
    await send(a.socket, 'from a', port);
    await waitFor(() => texts.length === 1);
    expect(np.processDatagramAddress(srv)).toEqual([127, 0, 0, 1, a.port()]);
    expect(np.processContact(srv, 'remote')).toEqual([127, 0, 0, 1, a.port()]);
    await np.processSendString(srv, 'reply to a');
    await send(b.socket, 'from b', port);
    await waitFor(() => texts.length === 2);
    await np.processSendString(srv, 'reply to b');
    await waitFor(() => a.received.length === 1 && b.received.length === 1);
    expect(a.received[0]?.text).toBe('reply to a');
    expect(b.received[0]?.text).toBe('reply to b');
    expect(texts).toEqual(['from a', 'from b']);
    expect(srv.counters).toMatchObject({ datagramsIn: 2, datagramsOut: 2 });
    // The same sender twice in a row, and again after the address was set by hand: it is the peer each time.
    await send(b.socket, 'b again', port);
    await waitFor(() => texts.length === 3);
    expect(np.processDatagramAddress(srv)).toEqual([127, 0, 0, 1, b.port()]);
    np.setProcessDatagramAddress(srv, [127, 0, 0, 1, a.port()]);
    await send(b.socket, 'b once more', port);
    await waitFor(() => texts.length === 4);
    expect(np.processDatagramAddress(srv)).toEqual([127, 0, 0, 1, b.port()]);
  });

  it('a datagram client talks to its server and records :local as zeros [spec §7.3, O-13 G]', async () => {
    const np = engine();
    const { srv, port, texts } = await datagramServer(np);
    const got: string[] = [];
    const cli = (await np.makeNetworkProcess({
      name: 'dcli',
      type: 'datagram',
      host: '127.0.0.1',
      service: port,
      noquery: true,
      broadcast: true,
      filter: (_p: NetworkProcess, t: string) => got.push(t),
    }))!;
    expect(np.processStatus(cli)).toBe('open');
    expect(np.processContact(cli, true)).toEqual({
      name: 'dcli',
      type: 'datagram',
      host: '127.0.0.1',
      service: port,
      noquery: true,
      broadcast: true,
      filter: 'filter',
      remote: [127, 0, 0, 1, port],
      local: [0, 0, 0, 0, 0],
    });
    await np.processSendString(cli, 'ping');
    await waitFor(() => texts.length === 1);
    await np.processSendString(srv, 'pong');
    await waitFor(() => got.length === 1);
    expect(got).toEqual(['pong']);
    expect(np.listProcessesRows().find((r) => r.process === 'dcli')?.command).toBe(`(datagram connection to 127.0.0.1:${port})`);
  });

  it('process-send-eof is a no-op that returns the process; datagrams have no close events [O-06 A3]', async () => {
    const np = engine();
    const { srv } = await datagramServer(np);
    expect(await np.processSendEof(srv)).toBe(srv);
    expect(np.processStatus(srv)).toBe('open');
  });

  it('sending to a dead port raises no error [O-06 B]', async () => {
    const np = engine();
    const dead = await freePort();
    const cli = (await np.makeNetworkProcess({ name: 'dead', type: 'datagram', host: '127.0.0.1', service: dead }))!;
    await np.processSendString(cli, 'one');
    await sleep(30);
    await np.processSendString(cli, 'two');
    expect(np.processStatus(cli)).toBe('open');
  });

  it('truncates a received datagram to read-process-output-max [O-06 D]', async () => {
    const np = engine();
    const { port, texts } = await datagramServer(np);
    const peer = udpPeer();
    await send(peer.socket, 'z'.repeat(10_000), port);
    await waitFor(() => texts.length === 1);
    expect(texts[0]?.length).toBe(4096);
  });

  it('refuses a datagram over 65507 bytes with "Message too long"', async () => {
    const np = engine();
    const { port } = await datagramServer(np);
    const cli = (await np.makeNetworkProcess({ name: 'big', type: 'datagram', host: '127.0.0.1', service: port }))!;
    await expect(np.processSendString(cli, 'x'.repeat(65_508))).rejects.toMatchObject({
      code: 'EMSGSIZE',
      condition: 'file-error',
      message: 'Sending datagram: Message too long',
    });
  });

  it('set-process-datagram-address returns the address, or nil when it does not fit [O-06 A2]', async () => {
    const np = engine();
    const { srv, port, texts } = await datagramServer(np);
    const other = await datagramServer(np, { name: 'other' });
    const cli = (await np.makeNetworkProcess({ name: 'redirect', type: 'datagram', host: '127.0.0.1', service: port }))!;
    const peer = await np.makeNetworkProcess({ name: 'stream-peer', server: true, service: true });
    expect(np.setProcessDatagramAddress(cli, [127, 0, 0, 1, other.port])).toEqual([127, 0, 0, 1, other.port]);
    expect(np.setProcessDatagramAddress(cli, [0, 0, 0, 0, 0, 0, 0, 1, 5])).toBeNull();
    expect(np.setProcessDatagramAddress(cli, '/tmp/sock')).toBeNull();
    expect(np.setProcessDatagramAddress(peer!, [127, 0, 0, 1, 5])).toBeNull();
    expect(np.processDatagramAddress(peer!)).toBeNull();
    await np.processSendString(cli, 'to the other one');
    await waitFor(() => other.texts.length === 1);
    expect(texts).toEqual([]);
    expect(np.processDatagramAddress(srv)).toEqual({ family: 0, data: new Array(14).fill(0) });
  });

  it(':nowait on a datagram client is a no-op instead of a hang (quirk 7, D) [O-14 C]', async () => {
    const np = engine();
    const { port, texts } = await datagramServer(np);
    const cli = (await np.makeNetworkProcess({ name: 'nwd', type: 'datagram', host: '127.0.0.1', service: port, nowait: true }))!;
    expect(np.processStatus(cli)).toBe('open');
    await np.processSendString(cli, 'not stuck');
    await waitFor(() => texts.length === 1);
  });

  it('deleting a datagram process gives "deleted\\n" and frees the port', async () => {
    const np = engine();
    const events: string[] = [];
    np.on('sentinel', ({ event }) => events.push(event));
    const { srv, port } = await datagramServer(np);
    np.deleteProcess(srv);
    expect(events).toEqual(['deleted\n']);
    await sleep(20);
    const again = await np.makeNetworkProcess({ name: 'again', type: 'datagram', server: true, host: '127.0.0.1', service: port });
    expect(np.processContact(again!, 'service')).toBe(port);
  });

  it("reports the kernel's drop count for its socket: a number on Linux, null for stream processes [O-06 C]", async () => {
    const np = engine();
    const { srv, port, texts } = await datagramServer(np);
    const peer = udpPeer();
    await send(peer.socket, 'kept up', port);
    await waitFor(() => texts.length === 1);
    // /proc/net/udp has a drops column on Linux; elsewhere the count is unknown, never a made-up zero.
    expect(np.processDatagramDrops(srv)).toBe(process.platform === 'linux' ? 0 : null);
    const stream = await np.makeNetworkProcess({ name: 'not-datagram', server: true, service: true });
    expect(np.processDatagramDrops(stream!)).toBeNull();
  });

  it('a datagram server with no filter writes into its buffer', async () => {
    const np = engine();
    const srv = (await np.makeNetworkProcess({ name: 'dbuf', type: 'datagram', server: true, service: true, buffer: '*dbuf*' }))!;
    const peer = udpPeer();
    await send(peer.socket, 'one;', np.processContact(srv, 'service') as number);
    await send(peer.socket, 'two;', np.processContact(srv, 'service') as number);
    await waitFor(() => np.bufferString('*dbuf*') === 'one;two;');
  });
});
