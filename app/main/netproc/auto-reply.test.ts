import dgram from 'node:dgram';
import type net from 'node:net';
import { describe, expect, it } from 'vitest';
import type { AutoReplySpec } from './auto-reply.js';
import type { NetworkProcess } from './process.js';
import { engine, onCleanup, plainClient, sleep, waitFor } from './test-support.js';

type Np = ReturnType<typeof engine>;

async function server(np: Np, name = 'srv', extra: Record<string, unknown> = {}): Promise<{ srv: NetworkProcess; port: number }> {
  const srv = (await np.makeNetworkProcess({ name, server: true, host: '127.0.0.1', service: true, buffer: `*${name}*`, ...extra }))!;
  return { srv, port: np.processContact(srv, 'service') as number };
}

/** A client that gathers what it receives, as bytes, and whether the server closed it. */
async function client(port: number): Promise<{ socket: net.Socket; got: () => Buffer; ended: () => boolean }> {
  const socket = await plainClient(port);
  const chunks: Buffer[] = [];
  let ended = false;
  socket.on('data', (d: Buffer) => chunks.push(d));
  socket.on('end', () => (ended = true));
  socket.on('error', () => undefined);
  return { socket, got: () => Buffer.concat(chunks), ended: () => ended };
}

const text = (c: { got: () => Buffer }): string => c.got().toString('utf8');

describe('auto-reply rules', () => {
  it('answer a line by a regex with groups; connections inherit the server’s rules, share hit counts, and the buffer still shows everything', async () => {
    const np = engine();
    const { srv, port } = await server(np);
    const spec: AutoReplySpec = {
      framing: 'line',
      rules: [{ name: 'get', match: 'regex', pattern: '^GET (/\\S*)', reply: 'HTTP/1.0 200 OK {{1}} #{{seq}}\\r\\n' }],
    };
    expect(np.autoReplies.set(srv, spec)?.rules[0]).toMatchObject({ name: 'get', hits: 0, delayMs: 0, close: false });
    const a = await client(port);
    a.socket.write('GET /one HTTP/1.0\r\n');
    await waitFor(() => text(a) === 'HTTP/1.0 200 OK /one #1\r\n', 5000, 'the first reply');
    const b = await client(port);
    // A line split across writes is one frame; a line that does not match is not answered.
    b.socket.write('POST /x\r\nGET /tw');
    await sleep(30);
    b.socket.write('o\r\n');
    await waitFor(() => text(b) === 'HTTP/1.0 200 OK /two #2\r\n', 5000, 'the second reply');
    expect(np.autoReplies.rules(srv)?.rules[0]?.hits).toBe(2);
    const conn = np.processList().find((p) => p.server === srv && np.bufferString(p.buffer!.name)?.includes('POST'))!;
    expect(np.autoReplies.rules(conn)?.rules[0]?.hits).toBe(2);
    // The filter and buffer are untouched: the connection's buffer holds what the peer sent, the replies are not in it.
    expect(np.bufferString(conn.buffer!.name)).toBe('POST /x\r\nGET /two\r\n');
  });

  it('take the first rule that matches, by every kind of match, with case folding where asked', async () => {
    const np = engine();
    const { srv, port } = await server(np);
    np.autoReplies.set(srv, {
      framing: 'line',
      rules: [
        { match: 'exact', pattern: 'PING', reply: 'PONG\\n' },
        { match: 'prefix', pattern: 'echo ', caseFold: true, reply: 'echoed\\n' },
        { match: 'hex', pattern: 'de ad ?? ef', reply: '{{hex:ca fe}}\\n' },
        { match: 'contains', pattern: 'needle', reply: 'found\\n' },
        { match: 'contains', pattern: 'needle', reply: 'never: the rule above wins\\n' },
      ],
    });
    const c = await client(port);
    c.socket.write('PING\r\nPINGX\nECHO hi\nhay needle hay\n');
    c.socket.write(Buffer.from([0x00, 0xde, 0xad, 0x42, 0xef, 0x0a]));
    await waitFor(() => c.got().length >= 'PONG\nechoed\nfound\n'.length + 3, 5000, 'four replies');
    await sleep(50);
    expect(c.got()).toEqual(Buffer.concat([Buffer.from('PONG\nechoed\nfound\n'), Buffer.from([0xca, 0xfe, 0x0a])]));
    expect(np.autoReplies.rules(srv)?.rules.map((r) => r.hits)).toEqual([1, 1, 1, 1, 0]);
  });

  it('frame length-prefixed messages across reads, and stop matching a stream that announces a message too long', async () => {
    const np = engine();
    const lines: string[] = [];
    np.on('message', (m) => lines.push(m));
    const { srv, port } = await server(np);
    np.autoReplies.set(srv, {
      framing: 'length-prefixed',
      lengthBytes: 2,
      rules: [{ match: 'regex', pattern: '^hello (\\w+)$', reply: 'hi {{1}};' }],
    });
    const c = await client(port);
    const frame = (body: string): Buffer => Buffer.concat([Buffer.from([0, body.length]), Buffer.from(body)]);
    const two = Buffer.concat([frame('hello ann'), frame('hello bob')]);
    c.socket.write(two.subarray(0, 5));
    await sleep(30);
    c.socket.write(two.subarray(5));
    await waitFor(() => text(c) === 'hi ann;hi bob;', 5000, 'both replies');
    // With a 4-byte prefix a peer can announce more than the 1 MiB a frame may hold: reported once, nothing more matched.
    np.autoReplies.set(srv, {
      framing: 'length-prefixed',
      lengthBytes: 4,
      rules: [{ match: 'contains', pattern: 'hello', reply: 'hi' }],
    });
    const big = await client(port);
    big.socket.write(Buffer.from([0x7f, 0xff, 0xff, 0xff]));
    big.socket.write(Buffer.concat([Buffer.from([0, 0, 0, 5]), Buffer.from('hello')]));
    await waitFor(() => lines.some((l) => l.includes('announced 2147483647 bytes')), 5000, 'the report');
    await sleep(50);
    expect(text(big)).toBe('');
    expect(text(c)).toBe('hi ann;hi bob;');
  });

  it('wait the delay, then close the connection after the reply; deleting a process drops a reply still waiting', async () => {
    const np = engine();
    const events: string[] = [];
    const { srv, port } = await server(np, 'srv', { sentinel: (p: NetworkProcess, e: string) => events.push(`${p.name} ${e}`) });
    np.autoReplies.set(srv, {
      framing: 'chunk',
      rules: [{ match: 'contains', pattern: 'bye', reply: 'ciao', delayMs: 150, close: true }],
    });
    const c = await client(port);
    const sent = Date.now();
    c.socket.write('bye');
    await waitFor(() => c.ended(), 5000, 'the server to close');
    expect(Date.now() - sent).toBeGreaterThanOrEqual(140);
    expect(text(c)).toBe('ciao');
    await waitFor(() => events.some((e) => e.endsWith('deleted\n')), 5000, 'the deleted sentinel');

    np.autoReplies.set(srv, { framing: 'chunk', rules: [{ match: 'contains', pattern: 'later', reply: 'too late', delayMs: 200 }] });
    const d = await client(port);
    d.socket.write('later');
    const conn = await waitFor(() =>
      np.processList().find((p) => p.server === srv && p.status.kind === 'run' && np.autoReplies.rules(p)?.rules[0]?.hits === 1),
    );
    np.deleteProcess(conn);
    await sleep(300);
    expect(text(d)).toBe('');
  });

  it('leave existing connections alone when the server’s rules change, and stop answering once removed', async () => {
    const np = engine();
    const { srv, port } = await server(np);
    np.autoReplies.set(srv, { framing: 'chunk', rules: [{ match: 'contains', pattern: 'q', reply: 'old' }] });
    const before = await client(port);
    await waitFor(() => np.processList().some((p) => p.server === srv));
    np.autoReplies.set(srv, { framing: 'chunk', rules: [{ match: 'contains', pattern: 'q', reply: 'new' }] });
    const after = await client(port);
    before.socket.write('q');
    after.socket.write('q');
    await waitFor(() => text(before) === 'old' && text(after) === 'new', 5000, 'each by its own rules');
    const conn = np.processList().find((p) => p.server === srv && np.autoReplies.rules(p)?.rules[0]?.reply === 'new')!;
    expect(np.autoReplies.set(conn, null)).toBeNull();
    after.socket.write('q');
    await sleep(100);
    expect(text(after)).toBe('new');
    expect(np.autoReplies.rules(conn)).toBeNull();
  });

  it('answer each datagram’s own sender on a datagram server, and refuse "close" there', async () => {
    const np = engine();
    const srv = (await np.makeNetworkProcess({
      name: 'u',
      type: 'datagram',
      server: true,
      host: '127.0.0.1',
      service: true,
      family: 'ipv4',
    }))!;
    const port = np.processContact(srv, 'service') as number;
    expect(() =>
      np.autoReplies.set(srv, { framing: 'chunk', rules: [{ match: 'prefix', pattern: 'x', reply: 'y', close: true }] }),
    ).toThrow(expect.objectContaining({ field: 'rules[0].close' }));
    np.autoReplies.set(srv, { framing: 'chunk', rules: [{ match: 'regex', pattern: '^id=(\\d+)', reply: 'ack {{1}}' }] });
    const peers = [0, 1].map(() => {
      const socket = dgram.createSocket('udp4');
      const got: string[] = [];
      socket.on('message', (m) => got.push(m.toString()));
      onCleanup(() => socket.close());
      return { socket, got };
    });
    for (const [i, peer] of peers.entries()) {
      await new Promise<void>((resolve) => peer.socket.bind(0, '127.0.0.1', () => resolve()));
      await new Promise<void>((resolve) => peer.socket.send(`id=${i + 7}`, port, '127.0.0.1', () => resolve()));
    }
    await waitFor(() => peers.every((p) => p.got.length === 1), 5000, 'a reply to each sender');
    expect(peers.map((p) => p.got[0])).toEqual(['ack 7', 'ack 8']);
  });

  it('give a binary process its captured bytes back as they came', async () => {
    const np = engine();
    const { srv, port } = await server(np, 'bin', { coding: 'binary' });
    np.autoReplies.set(srv, { framing: 'chunk', rules: [{ match: 'regex', pattern: '^K(.*)$', reply: 'V{{1}}\\xff' }] });
    const c = await client(port);
    c.socket.write(Buffer.from([0x4b, 0xc3, 0xa9, 0x80, 0x00]));
    await waitFor(() => c.got().length === 6, 5000, 'the reply');
    expect(c.got()).toEqual(Buffer.from([0x56, 0xc3, 0xa9, 0x80, 0x00, 0xff]));
  });

  it('refuse bad rules with the field and the reason, and keep the rules the process had', async () => {
    const np = engine();
    const { srv } = await server(np);
    const good: AutoReplySpec = { framing: 'line', rules: [{ match: 'exact', pattern: 'a', reply: 'b' }] };
    np.autoReplies.set(srv, good);
    const refusal = (spec: unknown): { field?: string; message: string } => {
      try {
        np.autoReplies.set(srv, spec as AutoReplySpec);
      } catch (err) {
        return err as { field?: string; message: string };
      }
      throw new Error('accepted');
    };
    const rule = (extra: Record<string, unknown>): unknown => ({
      framing: 'line',
      rules: [{ match: 'exact', pattern: 'a', reply: 'b', ...extra }],
    });
    expect(refusal({ framing: 'words', rules: [] })).toMatchObject({ field: 'framing' });
    expect(refusal({ framing: 'length-prefixed', lengthBytes: 3, rules: [] })).toMatchObject({ field: 'lengthBytes' });
    expect(refusal({ framing: 'line', rules: 'x' })).toMatchObject({ field: 'rules' });
    expect(refusal(rule({ match: 'glob' }))).toMatchObject({ field: 'rules[0].match' });
    expect(refusal(rule({ pattern: '' }))).toMatchObject({ field: 'rules[0].pattern' });
    expect(refusal(rule({ match: 'regex', pattern: '(a' }))).toMatchObject({
      field: 'rules[0].pattern',
      message: expect.stringMatching(/Invalid regular expression/),
    });
    expect(refusal(rule({ match: 'regex', pattern: '(a)\\1' }))).toMatchObject({
      field: 'rules[0].pattern',
      message: expect.stringMatching(/no lookaround or backreferences/),
    });
    expect(refusal(rule({ match: 'hex', pattern: 'de a' }))).toMatchObject({ field: 'rules[0].pattern' });
    expect(refusal(rule({ match: 'hex', pattern: 'zz' }))).toMatchObject({ field: 'rules[0].pattern' });
    expect(refusal(rule({ pattern: 'id {{seq}}' }))).toMatchObject({ field: 'rules[0].pattern' });
    expect(refusal(rule({ reply: 'x {{nope}}' }))).toMatchObject({
      field: 'rules[0].reply',
      message: expect.stringMatching(/unknown variable/),
    });
    expect(refusal(rule({ delayMs: -1 }))).toMatchObject({ field: 'rules[0].delayMs' });
    expect(refusal(rule({ delayMs: 60_001 }))).toMatchObject({ field: 'rules[0].delayMs' });
    expect(
      refusal({ framing: 'line', rules: Array.from({ length: 101 }, () => ({ match: 'exact', pattern: 'a', reply: 'b' })) }),
    ).toMatchObject({
      field: 'rules',
    });
    expect(refusal([1, 2])).toMatchObject({ field: 'rules' });
    expect(np.autoReplies.rules(srv)?.rules).toHaveLength(1);
  });
});
