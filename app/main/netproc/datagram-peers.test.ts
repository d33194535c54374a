import dgram from 'node:dgram';
import { describe, expect, it } from 'vitest';
import type { NetprocOptions } from './netproc.js';
import type { NetworkProcess } from './process.js';
import { engine, onCleanup, sleep, waitFor } from './test-support.js';

type Np = ReturnType<typeof engine>;

async function splittingServer(np: Np, extra: Record<string, unknown> = {}) {
  const srv = (await np.makeNetworkProcess({
    name: 'dsrv',
    buffer: 'udp',
    type: 'datagram',
    server: true,
    host: '127.0.0.1',
    service: true,
    family: 'ipv4',
    noquery: true,
    splitPeers: true,
    ...extra,
  }))!;
  return { srv, port: np.processContact(srv, 'service') as number };
}

interface Peer {
  socket: dgram.Socket;
  received: Array<{ text: string; port: number }>;
  port: number;
  send(text: string, to: number): Promise<void>;
}

async function udpPeer(): Promise<Peer> {
  const socket = dgram.createSocket('udp4');
  const received: Peer['received'] = [];
  socket.on('message', (m, r) => received.push({ text: m.toString(), port: r.port }));
  onCleanup(() => socket.close());
  await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', () => resolve()));
  return {
    socket,
    received,
    port: socket.address().port,
    send: (text, to) => new Promise((resolve) => socket.send(text, to, '127.0.0.1', () => resolve())),
  };
}

const peersOf = (np: Np, server: NetworkProcess): NetworkProcess[] =>
  np
    .processList()
    .filter((p) => p.server === server)
    .sort((a, b) => a.id - b.id);

describe('per-peer UDP: a splitting datagram server (beyond Emacs)', () => {
  it('gives each source address its own process, buffer, counters and timeline; the server buffer keeps everything', async () => {
    const np = engine();
    const { srv, port } = await splittingServer(np);
    const a = await udpPeer();
    const b = await udpPeer();
    await a.send('a1 ', port);
    await waitFor(() => peersOf(np, srv).length === 1);
    await b.send('b1 ', port);
    await a.send('a2 ', port);
    await waitFor(() => np.bufferString('udp') === 'a1 b1 a2 ');

    const [pa, pb] = peersOf(np, srv);
    expect(pa?.name).toBe(`dsrv <127.0.0.1:${a.port}>`);
    expect(pb?.name).toBe(`dsrv <127.0.0.1:${b.port}>`);
    expect(pa?.kind).toBe('datagram-peer');
    expect(np.processStatus(pa!)).toBe('open');
    expect(pa?.buffer?.name).toBe(`udp <127.0.0.1:${a.port}>`);
    expect(np.bufferString(`udp <127.0.0.1:${a.port}>`)).toBe('a1 a2 ');
    expect(np.bufferString(`udp <127.0.0.1:${b.port}>`)).toBe('b1 ');
    expect(pa?.counters).toMatchObject({ datagramsIn: 2, bytesIn: 6, datagramsOut: 0 });
    expect(pb?.counters).toMatchObject({ datagramsIn: 1, bytesIn: 3 });
    expect(srv.counters).toMatchObject({ datagramsIn: 3, bytesIn: 9 });
    // The server still answers whoever sent last, as Emacs does.
    expect(np.processDatagramAddress(srv)).toEqual([127, 0, 0, 1, a.port]);
    expect(np.processContact(pa!, 'remote')).toEqual([127, 0, 0, 1, a.port]);
    expect(np.processContact(pa!, 'local')).toEqual([127, 0, 0, 1, port]);
    expect(np.processContact(pa!, 'server')).toBe(null);
    expect(np.listProcessesRows().find((r) => r.process === pb?.name)?.command).toBe(`(datagram connection to 127.0.0.1:${b.port})`);
    const inbound = (p: NetworkProcess) =>
      np.traffic
        .readTimeline(p.id, 0, 100)
        .records.map((r) => r.record)
        .flatMap((r) => (r?.kind === 'data' && r.direction === 'in' ? [r.bytes!.toString()] : []));
    expect(inbound(pa!)).toEqual(['a1 ', 'a2 ']);
    expect(inbound(pb!)).toEqual(['b1 ']);
    expect(inbound(srv)).toEqual(['a1 ', 'b1 ', 'a2 ']);
  });

  it("a peer process's send goes to its peer only, from the server's port", async () => {
    const np = engine();
    const { srv, port } = await splittingServer(np);
    const a = await udpPeer();
    const b = await udpPeer();
    await a.send('hello from a', port);
    await b.send('hello from b', port);
    await waitFor(() => peersOf(np, srv).length === 2);
    const [pa, pb] = peersOf(np, srv);
    // b sent last, so the server itself would answer b; a's process answers a.
    await np.processSendString(pa!, 'for a');
    await np.processSendString(pb!, 'for b');
    await waitFor(() => a.received.length === 1 && b.received.length === 1);
    expect(a.received).toEqual([{ text: 'for a', port }]);
    expect(b.received).toEqual([{ text: 'for b', port }]);
    expect(pa?.counters).toMatchObject({ datagramsOut: 1, bytesOut: 5 });
    expect(srv.counters).toMatchObject({ datagramsOut: 0 });
    // It has no socket of its own: options and queues are the server's.
    await expect(np.setNetworkProcessOption(pa!, 'broadcast', true)).rejects.toMatchObject({ field: 'process' });
    expect((await np.processKernelQueues(pa!)).unavailable).toMatch(/server's socket/);
    // Its peer is fixed: set-process-datagram-address answers nil and changes nothing.
    expect(np.setProcessDatagramAddress(pa!, [127, 0, 0, 1, b.port])).toBe(null);
    expect(np.processDatagramAddress(pa!)).toEqual([127, 0, 0, 1, a.port]);
  });

  it('deleting a peer process stops tracking the peer until it sends again; deleting the server ends its peers', async () => {
    const np = engine();
    const events: string[] = [];
    const { srv, port } = await splittingServer(np, {
      buffer: null,
      sentinel: (p: NetworkProcess, e: string) => events.push(`${p.kind} ${e}`),
    });
    const a = await udpPeer();
    await a.send('one', port);
    const [first] = await waitFor(() => (peersOf(np, srv).length === 1 ? peersOf(np, srv) : null));
    expect(events).toEqual(['datagram-peer open from 127.0.0.1\n']);
    np.deleteProcess(first!);
    expect(peersOf(np, srv)).toEqual([]);
    await a.send('two', port);
    const [second] = await waitFor(() => (peersOf(np, srv).length === 1 ? peersOf(np, srv) : null));
    expect(second).not.toBe(first);
    expect(second?.name).toBe(first?.name);
    // The first one's buffer outlived it, and the new process takes it by its name, as a reconnecting peer's connection would.
    expect(second?.buffer).toBe(first?.buffer);
    expect(np.bufferString(second!.buffer!.name)).toBe('onetwo');
    events.length = 0;
    np.deleteProcess(srv);
    expect(np.processList()).toEqual([]);
    expect(np.processStatus(second!)).toBe('closed');
    expect(events).toEqual(['datagram-peer deleted\n', 'datagram-server deleted\n']);
    await expect(np.processSendString(second!, 'x')).rejects.toMatchObject({ code: 'NOT_RUNNING' });
  });

  it('keeps at most the peer limit, says so once, and still delivers every datagram to the server', async () => {
    const messages: string[] = [];
    const options: NetprocOptions = { datagramPeerLimit: 2 };
    const np = engine(options);
    np.on('message', (text) => messages.push(text));
    const { srv, port } = await splittingServer(np);
    const peers = [await udpPeer(), await udpPeer(), await udpPeer(), await udpPeer()];
    for (const [i, peer] of peers.entries()) {
      await peer.send(`${i}`, port);
      await waitFor(() => np.bufferString('udp')?.length === i + 1);
    }
    await peers[3]!.send('3', port);
    await waitFor(() => np.bufferString('udp') === '01233');
    expect(peersOf(np, srv).map((p) => p.name)).toEqual([`dsrv <127.0.0.1:${peers[0]!.port}>`, `dsrv <127.0.0.1:${peers[1]!.port}>`]);
    expect(messages.filter((m) => m.includes('peers have processes of their own'))).toHaveLength(1);
    // A freed place is taken by the next new peer.
    np.deleteProcess(peersOf(np, srv)[0]!);
    await peers[2]!.send('again', port);
    await waitFor(() => peersOf(np, srv).length === 2);
    expect(peersOf(np, srv)[1]?.name).toBe(`dsrv <127.0.0.1:${peers[2]!.port}>`);
  });

  it('without splitPeers a datagram server behaves as Emacs: no peer processes', async () => {
    const np = engine();
    const { srv, port } = await splittingServer(np, { splitPeers: false });
    const a = await udpPeer();
    const b = await udpPeer();
    await a.send('a', port);
    await b.send('b', port);
    await waitFor(() => np.bufferString('udp') === 'ab');
    await sleep(20);
    expect(np.processList()).toEqual([srv]);
    expect(srv.peers).toBe(null);
  });

  it("peer processes take the server's sentinel and coding but not its filter, which already sees every datagram", async () => {
    const np = engine();
    const seen: string[] = [];
    const { srv, port } = await splittingServer(np, {
      coding: 'binary',
      filter: (p: NetworkProcess, text: string) => {
        seen.push(text);
        void np.processSendString(p, `echo ${text}`);
      },
    });
    const a = await udpPeer();
    await a.send('ping', port);
    await waitFor(() => a.received.length === 1);
    await sleep(30);
    const [pa] = peersOf(np, srv);
    expect(seen).toEqual(['ping']);
    expect(a.received.map((r) => r.text)).toEqual(['echo ping']);
    expect(pa?.filter).toBe(null);
    expect(np.processContact(pa!, 'filter')).toBe('internal-default-process-filter');
    expect(np.bufferString(pa!.buffer!.name)).toBe('ping');
    expect(np.processCodingSystem(pa!)).toEqual(np.processCodingSystem(srv));
  });

  it('a sentinel that deletes the server at a new peer\'s "open" leaves that datagram unread by the server', async () => {
    const np = engine();
    const filtered: string[] = [];
    const { srv, port } = await splittingServer(np, {
      filter: (_p: NetworkProcess, text: string) => void filtered.push(text),
      sentinel: (p: NetworkProcess, event: string) => {
        if (p.kind === 'datagram-peer' && event.startsWith('open')) np.deleteProcess(p.server!);
      },
    });
    const a = await udpPeer();
    await a.send('first', port);
    await waitFor(() => np.processStatus(srv) === 'closed');
    await sleep(30);
    // The server was deleted before the datagram reached it: no filter call, no count.
    expect(filtered).toEqual([]);
    expect(srv.counters.datagramsIn).toBe(0);
  });

  it("answers each datagram once by the server's auto-reply rules, as the sender's own traffic", async () => {
    const np = engine();
    const { srv, port } = await splittingServer(np);
    np.autoReplies.set(srv, { framing: 'chunk', rules: [{ match: 'prefix', pattern: 'ping', reply: 'pong' }] });
    const a = await udpPeer();
    const b = await udpPeer();
    await a.send('ping', port);
    await b.send('ping', port);
    await waitFor(() => a.received.length === 1 && b.received.length === 1);
    await sleep(50);
    expect(a.received).toEqual([{ text: 'pong', port }]);
    expect(b.received).toEqual([{ text: 'pong', port }]);
    const [pa, pb] = peersOf(np, srv);
    expect(pa?.counters.datagramsOut).toBe(1);
    expect(pb?.counters.datagramsOut).toBe(1);
    expect(srv.counters.datagramsOut).toBe(0);
    // The counts are the server's rules', shared as with accepted connections.
    expect(np.autoReplies.rules(srv)?.rules[0]?.hits).toBe(2);
    // Rules set later reach the peers that exist, so nobody is left unanswered.
    np.autoReplies.set(srv, { framing: 'chunk', rules: [{ match: 'prefix', pattern: 'ping', reply: 'PONG' }] });
    await a.send('ping', port);
    await waitFor(() => a.received.length === 2);
    await sleep(50);
    expect(a.received.map((r) => r.text)).toEqual(['pong', 'PONG']);
    // A peer whose own rules are removed leaves its datagrams to the server's rules, still answered once.
    np.autoReplies.set(peersOf(np, srv)[0]!, null);
    await a.send('ping', port);
    await waitFor(() => a.received.length === 3);
    await sleep(50);
    expect(a.received.map((r) => r.text)).toEqual(['pong', 'PONG', 'PONG']);
    expect(srv.counters.datagramsOut).toBe(1);
  });

  it('a stopped peer process gets nothing while the server still does', async () => {
    const np = engine();
    const { srv, port } = await splittingServer(np);
    const a = await udpPeer();
    await a.send('1', port);
    const [pa] = await waitFor(() => (peersOf(np, srv).length === 1 ? peersOf(np, srv) : null));
    await np.stopProcess(pa!);
    await a.send('2', port);
    await waitFor(() => np.bufferString('udp') === '12');
    await np.continueProcess(pa!);
    await a.send('3', port);
    await waitFor(() => np.bufferString('udp') === '123');
    await waitFor(() => np.bufferString(pa!.buffer!.name) === '13');
  });

  it('setSplitPeers turns splitting on for a running server, and off, which ends its peer processes', async () => {
    const np = engine();
    const { srv, port } = await splittingServer(np, { splitPeers: false });
    const a = await udpPeer();
    expect(np.peerSplitting.set(srv, true)).toBe(srv);
    expect(np.processContact(srv, 'splitPeers')).toBe(true);
    await a.send('on', port);
    const [pa] = await waitFor(() => (peersOf(np, srv).length === 1 ? peersOf(np, srv) : null));
    np.peerSplitting.set(srv, false);
    expect(np.processStatus(pa!)).toBe('closed');
    expect(peersOf(np, srv)).toEqual([]);
    await a.send('off', port);
    await waitFor(() => np.bufferString('udp') === 'onoff');
    expect(peersOf(np, srv)).toEqual([]);
    const tcp = (await np.makeNetworkProcess({ name: 't', server: true, host: '127.0.0.1', service: true, noquery: true }))!;
    expect(() => np.peerSplitting.set(tcp, true)).toThrow(expect.objectContaining({ field: 'process', code: 'INVALID_ARGUMENT' }));
    expect(() => np.peerSplitting.set(pa!, true)).toThrow(expect.objectContaining({ field: 'process' }));
    expect(() => np.peerSplitting.set(srv, 1 as unknown as boolean)).toThrow(expect.objectContaining({ field: 'split' }));
  });

  it('refuses splitPeers anywhere but a datagram server, naming the field', async () => {
    const np = engine();
    const base = { name: 'x', host: '127.0.0.1', service: true as const, family: 'ipv4' as const, noquery: true };
    await expect(np.makeNetworkProcess({ ...base, server: true, splitPeers: true })).rejects.toMatchObject({ field: 'splitPeers' });
    await expect(np.makeNetworkProcess({ ...base, service: 9, type: 'datagram', splitPeers: true })).rejects.toMatchObject({
      field: 'splitPeers',
    });
    await expect(
      np.makeNetworkProcess({ ...base, type: 'datagram', server: true, splitPeers: 'yes' as unknown as boolean }),
    ).rejects.toMatchObject({
      field: 'splitPeers',
      condition: 'wrong-type-argument',
    });
    expect(np.processList()).toEqual([]);
  });

  it("names an IPv6 peer as Emacs names an accepted IPv6 connection (its groups byte-swapped, Emacs's own quirk)", async () => {
    const np = engine();
    const { srv, port } = await splittingServer(np, { host: '::1', family: 'ipv6' });
    const socket = dgram.createSocket('udp6');
    onCleanup(() => socket.close());
    await new Promise<void>((resolve) => socket.bind(0, '::1', () => resolve()));
    await new Promise<void>((resolve) => socket.send('six', port, '::1', () => resolve()));
    const [peer] = await waitFor(() => (peersOf(np, srv).length === 1 ? peersOf(np, srv) : null));
    expect(peer?.name).toBe(`dsrv <[0:0:0:0:0:0:0:100]:${socket.address().port}>`);
    expect(np.bufferString(peer!.buffer!.name)).toBe('six');
  });
});
