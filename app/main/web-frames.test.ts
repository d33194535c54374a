/**
 * Hostile and careless WebSocket clients of the loopback web host: frames
 * that are not requests, frames the protocol forbids, floods of requests, and
 * clients that stop reading. None may crash or wedge the host, or make main
 * hold an unbounded amount for them.
 */
import net from 'node:net';
import { describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import type { EventBatch, Response } from '../shared/api.js';
import { Bridge } from './bridge/bridge.js';
import { rendererFixture } from './bridge/test-clients.js';
import type { SessionSource } from './bridge/websocket-transport.js';
import { engine, onCleanup, sleep, waitFor } from './netproc/test-support.js';
import { startWebHost, type WebHost } from './web.js';

interface Reply {
  id: unknown;
  response?: Response;
  events?: EventBatch;
}

/** A web host on a real bridge; `sessions` sees every request and every readiness answer of the transport. */
async function hostWithProbe(bridgeOptions: ConstructorParameters<typeof Bridge>[1] = {}) {
  const np = engine();
  const bridge = new Bridge(np, bridgeOptions);
  onCleanup(() => bridge.close());
  const probe = { requests: 0, notReady: 0 };
  const sessions: SessionSource = {
    connect: (sink) => {
      const session = bridge.connect({
        send: (batch) => sink.send(batch),
        ready: () => {
          const ready = sink.ready();
          if (!ready) probe.notReady++;
          return ready;
        },
      });
      return {
        request: (method, params) => {
          probe.requests++;
          return session.request(method, params);
        },
        close: () => session.close(),
      };
    },
  };
  const host = await startWebHost({ bridge: sessions, rendererDir: rendererFixture() });
  onCleanup(() => host.close());
  return { np, bridge, host, probe };
}

async function client(host: WebHost): Promise<WebSocket & { replies: Reply[] }> {
  const ws = new WebSocket(`ws://127.0.0.1:${host.port}/ws?token=${host.token}`, { origin: `http://127.0.0.1:${host.port}` });
  onCleanup(() => ws.terminate());
  const replies: Reply[] = [];
  ws.on('message', (d) => replies.push(JSON.parse(d.toString()) as Reply));
  await new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve());
    ws.once('error', reject);
  });
  return Object.assign(ws, { replies });
}

/** Sends one frame and waits for the next answer to a request (event batches are skipped). */
async function roundTrip(ws: WebSocket & { replies: Reply[] }, data: string | Buffer, binary = false): Promise<Reply> {
  const before = ws.replies.filter((r) => !r.events).length;
  ws.send(data, { binary });
  return waitFor(() => ws.replies.filter((r) => !r.events)[before], 5000, 'an answer');
}

/** A raw socket that has completed the WebSocket handshake, for frames `ws` would never send. */
async function rawClient(host: WebHost): Promise<{ socket: net.Socket; received: () => Buffer; closed: Promise<void> }> {
  const socket = net.connect(host.port, '127.0.0.1');
  onCleanup(() => socket.destroy());
  let received = Buffer.alloc(0);
  socket.on('data', (d: Buffer) => (received = Buffer.concat([received, d])));
  socket.on('error', () => undefined);
  const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
  await new Promise<void>((resolve) => socket.once('connect', () => resolve()));
  socket.write(
    `GET /ws?token=${host.token} HTTP/1.1\r\nHost: 127.0.0.1:${host.port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n` +
      'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n',
  );
  await waitFor(() => received.includes('\r\n\r\n'), 5000, 'the handshake');
  expect(received.toString('latin1')).toMatch(/^HTTP\/1\.1 101 /);
  const headEnd = received.indexOf('\r\n\r\n') + 4;
  received = received.subarray(headEnd);
  return { socket, received: () => received, closed };
}

/** One client frame; `length` may claim more payload than is sent. */
function frame(opcode: number, payload: Buffer, options: { masked?: boolean; length?: number } = {}): Buffer {
  const { masked = true, length = payload.length } = options;
  const head: number[] = [0x80 | opcode];
  const maskBit = masked ? 0x80 : 0;
  if (length < 126) head.push(maskBit | length);
  else if (length < 65536) head.push(maskBit | 126, length >> 8, length & 0xff);
  else {
    head.push(maskBit | 127);
    const big = Buffer.alloc(8);
    big.writeBigUInt64BE(BigInt(length));
    head.push(...big);
  }
  if (!masked) return Buffer.concat([Buffer.from(head), payload]);
  const mask = Buffer.from([0x12, 0x34, 0x56, 0x78]);
  return Buffer.concat([Buffer.from(head), mask, Buffer.from(payload.map((b, i) => b ^ (mask[i % 4] as number)))]);
}

/** The status code of the first close frame the server sent, or null if it sent none. */
function closeCode(received: Buffer): number | null {
  for (let at = 0; at + 2 <= received.length;) {
    const opcode = (received[at] as number) & 0x0f;
    let length = (received[at + 1] as number) & 0x7f;
    let start = at + 2;
    if (length === 126) {
      length = received.readUInt16BE(start);
      start += 2;
    } else if (length === 127) {
      length = Number(received.readBigUInt64BE(start));
      start += 8;
    }
    if (opcode === 0x8) return length >= 2 ? received.readUInt16BE(start) : null;
    at = start + length;
  }
  return null;
}

describe('WebSocket clients of the web host', () => {
  it('answers frames that are not requests with BAD_MESSAGE saying why, and keeps the connection', async () => {
    const { host } = await hostWithProbe();
    const ws = await client(host);
    const bad = async (data: string | Buffer, binary = false): Promise<{ id: unknown; code?: string; field?: unknown }> => {
      const reply = await roundTrip(ws, data, binary);
      const error = reply.response && !reply.response.ok ? reply.response.error : undefined;
      return { id: reply.id, code: error?.code, field: error?.field };
    };
    expect(await bad('not json')).toEqual({ id: null, code: 'BAD_MESSAGE', field: null });
    for (const notAnObject of ['[]', '[{"id":1,"method":"listProcesses"}]', '"listProcesses"', '42', 'null', 'true']) {
      expect(await bad(notAnObject), notAnObject).toEqual({ id: null, code: 'BAD_MESSAGE', field: null });
    }
    for (const oddId of ['{"a":1}', '[1]', 'true', `"${'x'.repeat(65)}"`, '1e400']) {
      expect(await bad(`{"id":${oddId},"method":"listProcesses"}`), oddId).toEqual({ id: null, code: 'BAD_MESSAGE', field: 'id' });
    }
    expect(await bad(Buffer.from('{"id":1,"method":"listProcesses"}'), true)).toEqual({ id: null, code: 'BAD_MESSAGE', field: null });
    // Without an id the request is still served; its answer carries id null.
    expect(await roundTrip(ws, '{"method":"listProcesses"}')).toEqual({ id: null, response: { ok: true, result: [] } });
    expect(await roundTrip(ws, '{"id":"a-1","method":"listProcesses"}')).toEqual({ id: 'a-1', response: { ok: true, result: [] } });
    expect(await roundTrip(ws, '{"id":-2.5,"method":"listProcesses","params":{}}')).toEqual({
      id: -2.5,
      response: { ok: true, result: [] },
    });
    expect(ws.readyState).toBe(WebSocket.OPEN);
  });

  it.each([
    { name: 'a frame claiming more than maxPayload', bytes: () => frame(0x1, Buffer.alloc(0), { length: 2 ** 40 }), code: 1009 },
    { name: 'an unmasked client frame', bytes: () => frame(0x1, Buffer.from('{}'), { masked: false }), code: 1002 },
    { name: 'text that is not UTF-8', bytes: () => frame(0x1, Buffer.from([0xff, 0xfe, 0x7b])), code: 1007 },
    { name: 'a reserved opcode', bytes: () => frame(0x3, Buffer.from('x')), code: 1002 },
    { name: 'a fragmented control frame', bytes: () => Buffer.from([0x09, 0x80, 0, 0, 0, 0]), code: 1002 },
  ])('closes the connection on $name with code $code, and serves everyone else', async ({ bytes, code }) => {
    const { host } = await hostWithProbe();
    const bystander = await client(host);
    const raw = await rawClient(host);
    raw.socket.write(bytes());
    await raw.closed;
    expect(closeCode(raw.received())).toBe(code);
    expect(await roundTrip(bystander, '{"id":1,"method":"listProcesses"}')).toEqual({ id: 1, response: { ok: true, result: [] } });
    expect((await client(host)).readyState).toBe(WebSocket.OPEN);
  });

  it('answers thousands of requests in flight from one client, each under its own id', async () => {
    const { host } = await hostWithProbe();
    const ws = await client(host);
    const count = 3000;
    for (let id = 1; id <= count; id++)
      ws.send(JSON.stringify({ id, method: 'formatNetworkAddress', params: { address: [127, 0, 0, 1, id] } }));
    await waitFor(() => ws.replies.length >= count, 15_000, `${count} answers`);
    const results = new Map(ws.replies.map((r) => [r.id, r.response]));
    expect(results.size).toBe(count);
    for (const id of [1, 1500, count]) expect(results.get(id)).toEqual({ ok: true, result: `127.0.0.1:${id}` });
  });

  it('stops taking requests from a client that does not read its answers, and loses none when it reads again', async () => {
    const { np, host, probe } = await hostWithProbe();
    // About 100 KB per answer: the snapshot carries the last 1,000 event-log lines.
    for (let i = 0; i < 1000; i++) np.emit('message', `${i} ${'m'.repeat(90)}`);
    const ws = await client(host);
    ws.pause();
    const count = 200;
    for (let id = 1; id <= count; id++) ws.send(JSON.stringify({ id, method: 'snapshot', params: {} }));
    // Wait until the host stops taking requests (the count holds still) or has taken them all.
    let last = -1;
    for (let tries = 0; tries < 100 && probe.requests !== last && probe.requests < count; tries++) {
      last = probe.requests;
      await sleep(300);
    }
    // What the kernel's socket buffers hold, plus the transport's own bound; far from all of them.
    expect(probe.requests).toBeLessThan(count / 2);
    ws.resume();
    await waitFor(() => ws.replies.filter((r) => !r.events).length >= count, 30_000, `${count} answers`);
    const ids = ws.replies.filter((r) => !r.events).map((r) => r.id);
    expect(new Set(ids).size).toBe(count);
    expect(probe.requests).toBe(count);
  });

  it('still takes a delete while many sends wait on a peer that never reads', { timeout: 60_000 }, async () => {
    const { np, host } = await hostWithProbe();
    const held: net.Socket[] = [];
    const stuck = net.createServer((s) => {
      s.pause();
      held.push(s);
    });
    await new Promise<void>((resolve) => stuck.listen(0, '127.0.0.1', resolve));
    onCleanup(() => {
      for (const s of held) s.destroy();
      return new Promise<void>((resolve) => stuck.close(() => resolve()));
    });
    const port = (stuck.address() as net.AddressInfo).port;
    const sender = (await np.makeNetworkProcess({ name: 'to-stuck', host: '127.0.0.1', service: port }))!;
    const ws = await client(host);
    const sends = 100;
    const text = 'x'.repeat(256 * 1024);
    for (let id = 1; id <= sends; id++) ws.send(JSON.stringify({ id, method: 'sendString', params: { id: sender.id, text } }));
    await waitFor(() => (sender.socket?.writableLength ?? 0) > 8 * 1024 * 1024, 20_000, 'sends queued behind the stuck peer');
    ws.send(JSON.stringify({ id: 'delete', method: 'deleteProcess', params: { ids: [sender.id] } }));
    const answer = await waitFor(() => ws.replies.find((r) => r.id === 'delete'), 10_000, 'the delete to be answered');
    expect(answer.response).toEqual({ ok: true, result: null });
    // The sends that were waiting fail once the process is gone, and all are answered.
    await waitFor(() => ws.replies.filter((r) => typeof r.id === 'number').length === sends, 20_000, 'every send answered');
  });

  it('tells a client that does not read its events to resync instead of queueing them', async () => {
    const maxPendingLines = 20;
    const { np, host, probe } = await hostWithProbe({ maxPendingLines });
    const ws = await client(host);
    expect((await roundTrip(ws, '{"id":1,"method":"snapshot"}')).response?.ok).toBe(true);
    ws.pause();
    const line = 'e'.repeat(32 * 1024);
    // Fewer lines per frame than the limit, so only a transport that reports being backed up
    // can make them pile up.
    for (let tick = 0; tick < 200 && probe.notReady === 0; tick++) {
      for (let i = 0; i < maxPendingLines / 2; i++) np.emit('message', line);
      await sleep(20);
    }
    expect(probe.notReady).toBeGreaterThan(0);
    for (let i = 0; i <= maxPendingLines; i++) np.emit('message', line);
    ws.resume();
    await waitFor(() => ws.replies.some((r) => r.events?.resync), 15_000, 'a resync');
  });
});
