import dgram from 'node:dgram';
import net from 'node:net';
import { describe, expect, it } from 'vitest';
import type { NetworkProcess } from './process.js';
import type { NetprocBuffer } from './buffers.js';
import { Taps } from './taps.js';
import { Timeline, type TimelineData, type TimelineRecord } from './timeline.js';
import { TimelineKeeper } from './timeline-keeper.js';
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

  it('records what sent each output chunk: a library message, a labelled send (a file), or nothing for a plain send; the label leaves with its record', async () => {
    const np = engine({ timeline: { capacity: 3 } });
    const peer = await plainServer();
    const c = (await np.makeNetworkProcess({ name: 'lab', host: '127.0.0.1', service: peer.port }))!;
    await np.messages.send(c, { name: 'greeting', template: 'hi\\n' });
    await np.processSendString(c, Buffer.from([0, 1, 2]), { label: 'payload.bin' });
    await np.processSendString(c, 'plain');
    await waitFor(() => peer.received().length === 11);
    const timeline = c.timeline!;
    expect(dataOf(timeline.all()).map((r) => [r.bytes?.toString('hex'), r.label])).toEqual([
      ['68690a', 'greeting'],
      ['000102', 'payload.bin'],
      [Buffer.from('plain').toString('hex'), null],
    ]);
    // The ring holds three: the next two push the labelled records out, and their labels with them.
    await np.processSendString(c, 'a');
    await np.processSendString(c, 'b', { label: 'b-message' });
    await waitFor(() => peer.received().length === 13);
    expect(timeline.firstIndex).toBe(timeline.endIndex - 3);
    expect(dataOf(timeline.all()).map((r) => r.label)).toEqual([null, null, 'b-message']);
    // Nothing kept for records gone: the labels held are those of the records held.
    expect((timeline as unknown as { side: { labels: Map<number, string> } }).side.labels.size).toBe(1);
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

  it('timelines that begin with the same status each keep their own later statuses, and lose only their own', () => {
    // The engine's timelines share the list of a lone common first status until it changes: none may change another's.
    const process = {} as NetworkProcess;
    const [a, b, c] = [new Timeline(process, { capacity: 2 }), new Timeline(process, { capacity: 2 }), new Timeline(process)];
    for (const t of [a, b, c]) t.addStatus(1, 'run', null, null);
    a.addStatus(2, 'exit', 256, 'connection broken by remote peer\n');
    b.addStatus(3, 'listen', null, null);
    b.addStatus(4, 'connect', null, null);
    const statuses = (t: Timeline): unknown[] => t.all().map((r) => (r.kind === 'status' ? [r.status, r.exitCode] : r.kind));
    expect(statuses(a)).toEqual([
      ['run', null],
      ['exit', 256],
    ]);
    expect(b.dropped).toBe(1);
    expect(statuses(b)).toEqual([
      ['listen', null],
      ['connect', null],
    ]);
    expect(statuses(c)).toEqual([['run', null]]);
  });

  it('lets the oldest payloads go past the payload cap but keeps their size and time', async () => {
    const np = engine({ timeline: { payloadCap: 10 } });
    // A filter function: the bytes go to it, not into a buffer, so the timeline keeps its own copy (within the cap).
    let seen = '';
    const server = (await np.makeNetworkProcess({
      name: 'srv',
      server: true,
      host: '127.0.0.1',
      service: true,
      filter: (_p, text) => (seen += text),
    }))!;
    const port = np.processContact(server, 'service') as number;
    const client = net.connect(port, '127.0.0.1');
    onCleanup(() => client.destroy());
    const accepted = await waitFor(() => np.processList().find((p) => p.kind === 'accepted'));
    for (const chunk of ['aaaa', 'bbbb', 'cccc']) {
      client.write(chunk);
      await waitFor(() => seen.endsWith(chunk));
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
    const np = engine();
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

    // On unless switched off.
    const off = engine({ timeline: false });
    const quiet = (await off.makeNetworkProcess({ name: 'q', server: true, host: '127.0.0.1', service: true }))!;
    expect(quiet.timeline).toBeNull();
    expect(quiet.taps).toBeNull();
  });

  it('keeps all timelines together within the engine budget: many flooding peers cannot hold more', async () => {
    const np = engine({ timeline: { payloadCap: 1000, budget: 30 } });
    const server = (await np.makeNetworkProcess({
      name: 'srv',
      server: true,
      host: '127.0.0.1',
      service: true,
      filter: () => undefined,
    }))!;
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

describe('the compact store', () => {
  it('reads received bytes back from the buffer while it holds them unmoved, and not once it has trimmed or shifted them', async () => {
    const np = engine({ bufferCap: 10 });
    let peerSocket: net.Socket | null = null;
    const peer = await plainServer((s) => (peerSocket = s));
    const c = (await np.makeNetworkProcess({ name: 'c', buffer: '*c*', host: '127.0.0.1', service: peer.port }))!;
    const ps = await waitFor(() => peerSocket);
    for (const chunk of ['abcd', 'efgh', 'ijkl']) {
      ps.write(chunk);
      await waitFor(() => np.bufferString('*c*')?.endsWith(chunk));
    }
    const timeline = c.timeline!;
    // Nothing copied: the buffer holds them, and the first went with the cap.
    expect(timeline.payloadBytes).toBe(0);
    expect(dataOf(timeline.all()).map((r) => r.bytes?.toString() ?? null)).toEqual([null, 'efgh', 'ijkl']);
    // Text inserted before them moves them: the records no longer claim bytes that are elsewhere now.
    np.getBuffer('*c*')!.insert(np.getBuffer('*c*')!.origin, Buffer.from('!'), false);
    expect(dataOf(timeline.all()).map((r) => r.bytes)).toEqual([null, null, null]);
    ps.write('mnop');
    await waitFor(() => np.bufferString('*c*')?.endsWith('mnop'));
    expect(dataOf(timeline.all()).map((r) => r.bytes?.toString() ?? null)).toEqual([null, null, null, 'mnop']);
  });

  it('keeps every chunk in order through growth and wrap-round: received ones read back from the buffer, sent ones copied', async () => {
    const np = engine({ timeline: { capacity: 50 } });
    let peerSocket: net.Socket | null = null;
    const peer = await plainServer((s) => (peerSocket = s));
    const c = (await np.makeNetworkProcess({ name: 'c', buffer: '*c*', host: '127.0.0.1', service: peer.port, coding: 'binary' }))!;
    const ps = await waitFor(() => peerSocket);
    const sent: Buffer[] = [];
    for (let i = 0; i < 80; i++) {
      // Small and large (past the arena's 2 KiB) alternate; each waits for the last so each is one chunk.
      const chunk = Buffer.alloc(i % 3 === 0 ? 5000 + i : 10 + i, String.fromCharCode(65 + (i % 26)));
      sent.push(chunk);
      const before = c.counters.bytesIn;
      ps.write(chunk);
      await waitFor(() => c.counters.bytesIn === before + chunk.length);
      if (i % 10 === 0) await np.processSendString(c, Buffer.from(`out ${i}`));
    }
    const timeline = c.timeline!;
    expect(timeline.length).toBe(50);
    expect(timeline.firstIndex + 50).toBe(timeline.endIndex);
    const received = dataOf(timeline.all()).filter((r) => r.direction === 'in');
    const expected = sent.slice(sent.length - received.length);
    expect(received.map((r) => r.bytes)).toEqual(expected);
    // Each received record says where its bytes are in the buffer.
    const text = np.getBuffer('*c*')!;
    for (const r of received) expect(text.read(r.bufferAt!, r.bufferAt! + r.size)).toEqual(r.bytes);
    const outs = dataOf(timeline.all())
      .filter((r) => r.direction === 'out')
      .map((r) => r.bytes?.toString());
    const allOuts = Array.from({ length: 8 }, (_, k) => `out ${k * 10}`);
    expect(outs).toEqual(allOuts.slice(allOuts.length - outs.length));
    expect(received.length + outs.length).toBe(50);
  });

  it('grows a busy ring in place past its first thousand records and keeps every record through the wrap-round', async () => {
    const np = engine({ timeline: false });
    const server = (await np.makeNetworkProcess({ name: 'ring', type: 'datagram', server: true, host: '127.0.0.1', service: 0 }))!;
    const ringBuffer = (t: Timeline): { resizable: boolean } | null =>
      (t as unknown as { ringBuffer: { resizable: boolean } | null }).ringBuffer;
    const quiet = new Timeline(server, { capacity: 3000 });
    const busy = new Timeline(server, { capacity: 3000 });
    for (let i = 0; i < 7000; i++) {
      if (i < 500) quiet.addData('in', i, Buffer.from(`record ${i}`), null);
      if (i % 100 === 0) busy.addStatus(i, 'run', null, `event ${i}`);
      else busy.addData(i % 2 ? 'in' : 'out', i, Buffer.from(`record ${i}`), [127, 0, 0, 1, i]);
    }
    // Only a ring past GROW_IN_PLACE_FROM records reserves room to grow in place.
    expect(ringBuffer(quiet)).toBeNull();
    expect(ringBuffer(busy)?.resizable).toBe(true);
    expect(quiet.all().map((r) => r.timeUs)).toEqual(Array.from({ length: 500 }, (_, k) => k));
    expect(busy.length).toBe(3000);
    expect(busy.dropped).toBe(4000);
    const records = busy.all();
    expect(records.map((r) => [r.index, r.timeUs])).toEqual(Array.from({ length: 3000 }, (_, k) => [4000 + k, 4000 + k]));
    for (const r of records) {
      if (r.kind === 'status') expect(r.event).toBe(`event ${r.timeUs}`);
      else
        expect([r.direction, r.bytes?.toString(), r.peer]).toEqual([
          r.timeUs % 2 ? 'in' : 'out',
          `record ${r.timeUs}`,
          [127, 0, 0, 1, r.timeUs],
        ]);
    }
  });

  it('records many peers, IPv4 packed and IPv6 in a table, and each comes back as it was', async () => {
    const np = engine({ timeline: { capacity: 8 } });
    const server = (await np.makeNetworkProcess({ name: 'u6', type: 'datagram', server: true, host: '::1', service: true }))!;
    const port = np.processContact(server, 'service') as number;
    const sockets = await Promise.all(
      Array.from({ length: 12 }, async () => {
        const sock = dgram.createSocket('udp6');
        onCleanup(() => sock.close());
        await new Promise<void>((r) => sock.bind(0, '::1', r));
        return sock;
      }),
    );
    // More distinct peers than twice the ring, so the peer table is compacted on the way.
    for (let round = 0; round < 3; round++) {
      for (const [i, sock] of sockets.entries()) {
        const before = server.counters.datagramsIn;
        sock.send(`d${round}.${i}`, port, '::1');
        await waitFor(() => server.counters.datagramsIn === before + 1);
      }
    }
    const records = dataOf(server.timeline!.all());
    expect(records.length).toBe(8);
    for (const r of records) {
      const i = Number(r.bytes!.toString().split('.')[1]);
      expect(r.peer).toEqual([0, 0, 0, 0, 0, 0, 0, 1, sockets[i]!.address().port]);
    }
  });

  it("keeps a departed connection's timeline while its buffer lives, and a server's view gathers its connections", async () => {
    const np = engine();
    const server = (await np.makeNetworkProcess({ name: 'srv', server: true, host: '127.0.0.1', service: true }))!;
    const port = np.processContact(server, 'service') as number;
    const client = net.connect(port, '127.0.0.1');
    onCleanup(() => client.destroy());
    const accepted = await waitFor(() => np.processList().find((p) => p.kind === 'accepted'));
    client.write('short-lived');
    await waitFor(() => accepted.counters.bytesIn === 11);
    client.end();
    await waitFor(() => !np.processList().includes(accepted));

    const kept = np.traffic.timelineOf(accepted.id)!;
    expect(kept).toBe(accepted.timeline);
    expect(dataOf(kept.all()).map((r) => r.bytes?.toString())).toEqual(['short-lived']);
    expect(kept.all().at(-1)).toMatchObject({ kind: 'status', status: 'exit', event: 'connection broken by remote peer\n' });
    expect(np.traffic.viewTimelines(server)).toEqual([server.timeline, kept]);

    const before = server.timeline!.pool.records;
    const records = kept.length;
    np.killBuffer(accepted.buffer!);
    expect(np.traffic.timelineOf(accepted.id)).toBeNull();
    expect(accepted.timeline).toBeNull();
    expect(kept.all()).toEqual([]);
    expect(np.traffic.viewTimelines(server)).toEqual([server.timeline]);
    expect(server.timeline!.pool.records).toBe(before - records);
  });

  it("lets a departed process's timeline go at once when it has no buffer, and the oldest departed ones past the record budget", async () => {
    const np = engine({ timeline: { recordBudget: 12 } });
    const server = (await np.makeNetworkProcess({ name: 'srv', server: true, host: '127.0.0.1', service: true }))!;
    const port = np.processContact(server, 'service') as number;
    const departed: number[] = [];
    for (let i = 0; i < 4; i++) {
      const client = net.connect(port, '127.0.0.1');
      onCleanup(() => client.destroy());
      const accepted = await waitFor(() => np.processList().find((p) => p.kind === 'accepted'));
      client.write('x');
      await waitFor(() => accepted.counters.bytesIn === 1);
      np.deleteProcess(accepted);
      departed.push(accepted.id);
    }
    // Each departed connection holds 3 records (open, data, deleted) and the server 1: the oldest went first.
    const kept = departed.map((id) => np.traffic.timelineOf(id) !== null);
    expect(kept).toEqual([false, true, true, true]);
    expect(server.timeline!.pool.records).toBeLessThanOrEqual(12);

    const quiet = (await np.makeNetworkProcess({ name: 'q', host: '127.0.0.1', service: port, buffer: null as never }))!;
    expect(quiet.timeline).not.toBeNull();
    np.deleteProcess(quiet);
    expect(np.traffic.timelineOf(quiet.id)).toBeNull();
  });
});

describe('live timelines together', () => {
  it('a departed timeline that records past the budget is not let go while it adds that record', () => {
    // Emacs's sentinel idiom (delete-process proc) gives a process that already left the list a status record.
    const keeper = new TimelineKeeper({ recordBudget: 4 }, 4096);
    const buffer = { live: true } as NetprocBuffer;
    const made = (id: number) => ({ id, buffer, timeline: null, status: { kind: 'run' } }) as unknown as NetworkProcess;
    const [gone, live] = [made(1), made(2)];
    const errors: string[] = [];
    const [goneTimeline, liveTimeline] = [gone, live].map((p) => keeper.start(p, new Taps((text) => errors.push(text))));
    goneTimeline!.addStatus(2, 'exit', 256, 'connection broken by remote peer\n');
    liveTimeline!.addStatus(2, 'open', null, null);
    keeper.depart(gone);
    expect(keeper.pool.records).toBe(4);
    goneTimeline!.addStatus(3, 'exit', 0, 'deleted\n');
    expect(errors).toEqual([]);
    expect(keeper.pool.records).toBe(4);
    expect(goneTimeline!.all().map((r) => (r.kind === 'status' ? r.status : r.kind))).toEqual(['exit', 'exit']);
  });

  it('past the record budget with no departed timeline left, busy live rings stop growing and drop their own oldest', async () => {
    const np = engine({ timeline: { recordBudget: 32 } });
    const server = (await np.makeNetworkProcess({ name: 'srv', server: true, host: '127.0.0.1', service: true }))!;
    const port = np.processContact(server, 'service') as number;
    const connections: Array<{ client: net.Socket; accepted: NetworkProcess }> = [];
    for (let c = 0; c < 3; c++) {
      const client = net.connect(port, '127.0.0.1');
      onCleanup(() => client.destroy());
      const accepted = await waitFor(() =>
        np.processList().find((p) => p.kind === 'accepted' && !connections.some((k) => k.accepted === p)),
      );
      connections.push({ client, accepted });
    }
    for (let i = 0; i < 40; i++) {
      for (const { client, accepted } of connections) {
        const before = accepted.counters.bytesIn;
        client.write(`m${i}`);
        await waitFor(() => accepted.counters.bytesIn > before, 5000, `message ${i}`);
      }
    }
    // 3 × 41 records without the bound; a ring grown just below the budget may fill its new half, so at most twice it.
    expect(server.timeline!.pool.records).toBeLessThanOrEqual(2 * 32);
    for (const { accepted } of connections) {
      const own = np.traffic.readTimeline(accepted.id, 0, 1000);
      expect(own.dropped).toBeGreaterThan(0);
      // What is kept is the newest, in order.
      const last = own.records[own.records.length - 1]!.record!;
      expect(last.kind === 'data' && last.bytes!.toString()).toBe('m39');
    }
  });
});

describe('traffic views', () => {
  it('keep positions stable while records leave the rings: the front moves on, a place in the middle stays as dropped', async () => {
    const np = engine({ timeline: { capacity: 4 } });
    const server = (await np.makeNetworkProcess({ name: 'srv', server: true, host: '127.0.0.1', service: true }))!;
    const port = np.processContact(server, 'service') as number;
    const quiet = net.connect(port, '127.0.0.1');
    onCleanup(() => quiet.destroy());
    const first = await waitFor(() => np.processList().find((p) => p.kind === 'accepted'));
    quiet.write('quiet');
    await waitFor(() => first.counters.bytesIn === 5);
    const busy = net.connect(port, '127.0.0.1');
    onCleanup(() => busy.destroy());
    const second = await waitFor(() => np.processList().find((p) => p.kind === 'accepted' && p !== first));
    const send = async (text: string): Promise<void> => {
      const before = second.counters.bytesIn;
      busy.write(text);
      await waitFor(() => second.counters.bytesIn === before + text.length);
    };
    await send('b0');
    const read = () => np.traffic.readTimeline(server.id, 0, 100);
    const describe = (w: ReturnType<typeof read>) =>
      w.records.map((r) =>
        r.record === null ? `dropped ${r.index}` : r.record.kind === 'data' ? r.record.bytes!.toString() : r.record.status,
      );
    // listen, quiet's run and data, busy's run and data.
    expect(describe(read())).toEqual(['listen', 'run', 'quiet', 'run', 'b0']);
    for (const text of ['b1', 'b2', 'b3']) await send(text);
    // busy's ring (4) let its run go: that place in the middle stays; positions do not move.
    const after = read();
    expect(after).toMatchObject({ first: 0, end: 8, epoch: 0, dropped: 1 });
    expect(describe(after)).toEqual(['listen', 'run', 'quiet', 'dropped 0', 'b0', 'b1', 'b2', 'b3']);
    expect(describe(np.traffic.readTimeline(server.id, 5, 2))).toEqual(['b1', 'b2']);
    // A filter gives its own view, with its own positions.
    expect(describe(np.traffic.readTimeline(server.id, 0, 100, { contains: Buffer.from('b') }))).toEqual(['b0', 'b1', 'b2', 'b3']);
    expect(describe(np.traffic.readTimeline(server.id, 0, 100, { direction: 'out' }))).toEqual([]);
    // The connection's own view: its front left, so first moved on.
    await send('b4');
    expect(np.traffic.readTimeline(second.id, 0, 100)).toMatchObject({ first: 0, end: 4 });
    await send('b5');
    const own = np.traffic.readTimeline(second.id, 0, 100);
    expect(own).toMatchObject({ first: 1, end: 5, epoch: 0 });
    expect(describe(own)).toEqual(['b2', 'b3', 'b4', 'b5']);
    expect(() => np.traffic.readTimeline(999_999, 0, 1)).toThrow(/No process with id 999999/);
  });
});
