import net from 'node:net';
import { describe, expect, it } from 'vitest';
import type { NetworkProcess } from './process.js';
import { collect, engine, freePort, onCleanup, plainClient, plainServer, sleep, waitFor } from './test-support.js';

type Np = ReturnType<typeof engine>;

async function server(np: Np, options: Record<string, unknown> = {}): Promise<{ srv: NetworkProcess; port: number }> {
  const srv = (await np.makeNetworkProcess({ name: 'srv', server: true, service: true, ...options })) as NetworkProcess;
  return { srv, port: np.processContact(srv, 'service') as number };
}

function accepted(np: Np, index = 0): Promise<NetworkProcess> {
  return waitFor(() => np.processList().filter((p) => p.kind === 'accepted')[index], 5000, 'an accepted connection');
}

/** Every byte a plain peer receives, from its first; `exactly(n)` waits for n bytes, then checks no more come. */
function rawPeerBytes(): { record: (socket: net.Socket) => void; exactly: (count: number) => Promise<Buffer> } {
  const chunks: Buffer[] = [];
  const received = (): Buffer => Buffer.concat(chunks);
  return {
    record: (socket) => socket.on('data', (d: Buffer) => chunks.push(d)),
    exactly: async (count) => {
      await waitFor(() => received().length >= count, 5000, `${count} bytes at the peer`);
      // A short quiet spell so that a longer (wrongly encoded) message shows up whole.
      await sleep(50);
      return received();
    },
  };
}

function sentinelLog(np: Np): Array<[string, string]> {
  const log: Array<[string, string]> = [];
  np.on('sentinel', ({ process, event }) => log.push([process.name, event]));
  return log;
}

describe('stream clients', () => {
  it('connects, reads as open, and calls no sentinel on a blocking success [O-01 B]', async () => {
    const np = engine();
    const peer = await plainServer();
    const events = sentinelLog(np);
    const c = await np.makeNetworkProcess({ name: 'c1', buffer: '*c1*', host: '127.0.0.1', service: peer.port });
    expect(c).not.toBeNull();
    expect(np.processStatus(c!)).toBe('open');
    expect(np.processLiveP(c!)).toEqual(['open', 'listen', 'connect', 'stop']);
    expect(np.processExitStatus(c!)).toBe(0);
    expect(np.processCommand(c!)).toBe(false);
    expect(np.processType(c!)).toBe('network');
    expect(np.processId(c!)).toBeNull();
    await sleep(50);
    expect(events).toEqual([]);
  });

  it('keeps the host and service as given in the contact, and adds :remote then :local [spec §7.3]', async () => {
    const np = engine();
    const peer = await plainServer();
    const c = (await np.makeNetworkProcess({ name: 'cli', host: 'localhost', service: String(peer.port), noquery: true }))!;
    expect(np.processContact(c)).toEqual(['localhost', String(peer.port)]);
    const full = np.processContact(c, true)!;
    expect(Object.keys(full)).toEqual(['name', 'host', 'service', 'noquery', 'remote', 'local']);
    expect(full.remote).toEqual([127, 0, 0, 1, peer.port]);
    expect(full.local).toEqual([127, 0, 0, 1, (peer.sockets[0] ?? (await waitFor(() => peer.sockets[0]))).remotePort]);
    expect(np.processContact(c, 'family')).toBeNull();
    full.name = 'changed';
    expect(np.processContact(c, 'name')).toBe('cli');
  });

  it('a client with no :host connects to 127.0.0.1 and its contact keeps nil [O-03 D]', async () => {
    const np = engine();
    const peer = await plainServer();
    const c = (await np.makeNetworkProcess({ name: 'nohost', service: peer.port }))!;
    expect(np.processContact(c)).toEqual([null, peer.port]);
    expect(np.processContact(c, 'remote')).toEqual([127, 0, 0, 1, peer.port]);
  });

  it('a client given only :remote has (nil nil) as its contact [O-03 E]', async () => {
    const np = engine();
    const peer = await plainServer();
    const c = (await np.makeNetworkProcess({ name: 'remcli', remote: [127, 0, 0, 1, peer.port] }))!;
    expect(np.processContact(c)).toEqual([null, null]);
    expect(np.processStatus(c)).toBe('open');
  });

  it('inserts what the peer writes at the process mark, then reports the close after the last bytes [O-01 A/B]', async () => {
    const np = engine();
    const peer = await plainServer((s) => s.end('last words'));
    const order: string[] = [];
    let listedInSentinel: unknown = 'unset';
    const c = (await np.makeNetworkProcess({
      name: 'c1',
      host: '127.0.0.1',
      service: peer.port,
      filter: (_p, text) => order.push(`filter:${text}`),
      sentinel: (p, event) => {
        order.push(`sentinel:${event}`);
        listedInSentinel = np.getProcess(p.name);
      },
    }))!;
    await waitFor(() => order.length === 2);
    expect(order).toEqual(['filter:last words', 'sentinel:connection broken by remote peer\n']);
    expect(listedInSentinel).toBeNull();
    expect(np.processStatus(c)).toBe('closed');
    expect(np.processExitStatus(c)).toBe(256);
    expect(np.processLiveP(c)).toBeNull();
    expect(np.processList()).not.toContain(c);
  });

  it('the default sentinel writes "\\nProcess NAME EVENT" into the buffer', async () => {
    const np = engine();
    const peer = await plainServer((s) => s.end('bye'));
    await np.makeNetworkProcess({ name: 'c1', buffer: '*c1*', host: '127.0.0.1', service: peer.port });
    await waitFor(() => np.bufferString('*c1*')?.includes('Process'));
    expect(np.bufferString('*c1*')).toBe('bye\nProcess c1 connection broken by remote peer\n');
  });

  it('sends text encoded with the coding system, and bytes as they are', async () => {
    const np = engine();
    const peerBytes = rawPeerBytes();
    const peer = await plainServer(peerBytes.record);
    const c = (await np.makeNetworkProcess({ name: 'c', host: '127.0.0.1', service: peer.port, coding: 'latin-1' }))!;
    await np.processSendString(c, 'é');
    await np.processSendString(c, new Uint8Array([0xde, 0xad]));
    expect(await peerBytes.exactly(3)).toEqual(Buffer.from([0xe9, 0xde, 0xad]));
    expect(c.counters.bytesOut).toBe(3);
    expect(np.processCodingSystem(c)).toEqual(['latin-1', 'latin-1']);
  });

  it('encodes with the encoding half of the coding system, never the decoding one [spec §12]', async () => {
    const np = engine();
    const peerBytes = rawPeerBytes();
    const peer = await plainServer(peerBytes.record);
    // Decoding utf-8, encoding latin-1: 'é' must leave as the one byte E9, not utf-8's C3 A9.
    const c = (await np.makeNetworkProcess({ name: 'split', host: '127.0.0.1', service: peer.port, coding: ['utf-8', 'latin-1'] }))!;
    await np.processSendString(c, 'é');
    expect(await peerBytes.exactly(1)).toEqual(Buffer.from([0xe9]));
    // And the other way round after set-process-coding-system: decoding latin-1, encoding utf-8.
    np.setProcessCodingSystem(c, 'latin-1', 'utf-8');
    await np.processSendString(c, 'é');
    expect(await peerBytes.exactly(3)).toEqual(Buffer.from([0xe9, 0xc3, 0xa9]));
  });

  it('process-send-eof half-closes: the peer sees EOF, the process stays open and keeps reading [O-01 D]', async () => {
    const np = engine();
    let peerSocket: net.Socket | null = null;
    let peerSawEnd = false;
    const peer = await plainServer((s) => {
      peerSocket = s;
      s.on('end', () => {
        peerSawEnd = true;
      });
    });
    // The plain peer must keep its side open after our FIN.
    peer.server.on('connection', () => undefined);
    const c = (await np.makeNetworkProcess({ name: 'eof', buffer: '*eof*', host: '127.0.0.1', service: peer.port }))!;
    await waitFor(() => peerSocket);
    (peerSocket as unknown as net.Socket).allowHalfOpen = true;
    const returned = await np.processSendEof(c);
    expect(returned).toBe(c);
    await waitFor(() => peerSawEnd);
    expect(np.processStatus(c)).toBe('open');
    // Quirk 15 (R): later sends succeed and send nothing.
    await np.processSendString(c, 'vanishes');
    expect(c.counters.bytesOut).toBe(0);
  });

  it('an accepted connection treats EOF as a full close [O-01 E]', async () => {
    const np = engine();
    const { port } = await server(np);
    const client = await plainClient(port);
    const acc = await accepted(np);
    client.end();
    await waitFor(() => np.processStatus(acc) === 'closed');
    expect(np.processExitStatus(acc)).toBe(256);
  });

  it('a filter gets at most read-process-output-max bytes per call [O-05 B]', async () => {
    const np = engine({ readProcessOutputMax: 4096 });
    const sizes: number[] = [];
    const payload = 'x'.repeat(20_000);
    const peer = await plainServer((s) => s.write(payload));
    await np.makeNetworkProcess({ name: 'chunks', host: '127.0.0.1', service: peer.port, filter: (_p, t) => sizes.push(t.length) });
    await waitFor(() => sizes.reduce((a, b) => a + b, 0) === payload.length);
    expect(Math.max(...sizes)).toBeLessThanOrEqual(4096);
    expect(sizes.length).toBeGreaterThanOrEqual(5);
  });

  it('a throwing filter or sentinel is reported and the engine goes on [O-11]', async () => {
    const np = engine();
    const messages: string[] = [];
    np.on('message', (m) => messages.push(m));
    const peer = await plainServer((s) => s.end('boom'));
    await np.makeNetworkProcess({
      name: 'thrower',
      host: '127.0.0.1',
      service: peer.port,
      filter: () => {
        throw new Error('filter broke');
      },
      sentinel: () => {
        throw new Error('sentinel broke');
      },
    });
    await waitFor(() => messages.length === 2);
    expect(messages).toEqual(['error in process filter: filter broke', 'error in process sentinel: sentinel broke']);
  });

  it('sending on a closed process signals "Process NAME not running"', async () => {
    const np = engine();
    const peer = await plainServer((s) => s.end());
    const c = (await np.makeNetworkProcess({ name: 'gone', host: '127.0.0.1', service: peer.port }))!;
    await waitFor(() => np.processStatus(c) === 'closed');
    await expect(np.processSendString(c, 'x')).rejects.toMatchObject({ code: 'NOT_RUNNING', message: 'Process gone not running' });
    await expect(np.processSendEof(c)).rejects.toThrow('Process gone not running');
  });

  it('a write to a peer that is gone closes the process with EPIPE and reports the break [O-15 A]', async () => {
    const np = engine();
    const peer = await plainServer();
    const events = sentinelLog(np);
    const c = (await np.makeNetworkProcess({ name: 'pipe', host: '127.0.0.1', service: peer.port }))!;
    // Stopped: the close is not seen by reading, only by writing.
    await np.stopProcess(c);
    (await waitFor(() => peer.sockets[0])).destroy();
    await sleep(50);
    let error: unknown = null;
    for (let i = 0; i < 20 && !error; i++) {
      try {
        await np.processSendString(c, 'data\n');
        await sleep(20);
      } catch (err) {
        error = err;
      }
    }
    expect(error).toMatchObject({ code: 'EPIPE', message: 'process pipe no longer connected to pipe; closed it' });
    expect(np.processStatus(c)).toBe('closed');
    expect(np.processExitStatus(c)).toBe(256);
    await waitFor(() => events.length === 1);
    expect(events).toEqual([['pipe', 'connection broken by remote peer\n']]);
  });
});

describe('delete-process (spec §9)', () => {
  it('runs the sentinel with "deleted\\n" before returning, then closes the socket [O-07 A]', async () => {
    const np = engine();
    let peerEnded = false;
    const peer = await plainServer((s) => s.on('end', () => (peerEnded = true)));
    const c = (await np.makeNetworkProcess({ name: 'd', buffer: '*d*', host: '127.0.0.1', service: peer.port }))!;
    const events = sentinelLog(np);
    expect(np.deleteProcess(c)).toBeNull();
    expect(events).toEqual([['d', 'deleted\n']]);
    expect(np.bufferString('*d*')).toBe('\nProcess d deleted\n');
    expect(np.processStatus(c)).toBe('closed');
    expect(np.processExitStatus(c)).toBe(0);
    expect(np.getProcess('d')).toBeNull();
    await waitFor(() => peerEnded);
    // Deleting again does nothing visible.
    np.deleteProcess(c);
    expect(events).toHaveLength(1);
  });

  it('accepts a name or a buffer name, and says when neither exists [O-07 C]', async () => {
    const np = engine();
    const peer = await plainServer();
    await np.makeNetworkProcess({ name: 'byname', buffer: '*bybuf*', host: '127.0.0.1', service: peer.port });
    np.getBufferCreate('*lonely*');
    expect(() => np.deleteProcess('nosuch')).toThrow('Process nosuch does not exist');
    expect(() => np.deleteProcess('*lonely*')).toThrow('Buffer *lonely* has no process');
    np.deleteProcess('*bybuf*');
    expect(np.getProcess('byname')).toBeNull();
  });

  it('keeps process-command t after deleting a stopped process [O-05 E]', async () => {
    const np = engine();
    const peer = await plainServer();
    const c = (await np.makeNetworkProcess({ name: 's', host: '127.0.0.1', service: peer.port }))!;
    await np.stopProcess(c);
    np.deleteProcess(c);
    expect(np.processCommand(c)).toBe(true);
    expect(np.processStatus(c)).toBe('closed');
  });

  it('with :linger t the peer sees a reset instead of EOF [O-13 H]', async () => {
    const np = engine();
    let peerError = '';
    const peer = await plainServer((s) => s.on('error', (e: NodeJS.ErrnoException) => (peerError = e.code ?? '')));
    const c = (await np.makeNetworkProcess({ name: 'rst', host: '127.0.0.1', service: peer.port, linger: true }))!;
    expect(np.processContact(c, 'linger')).toBe(true);
    await waitFor(() => peer.sockets[0]);
    np.deleteProcess(c);
    await waitFor(() => peerError);
    expect(peerError).toBe('ECONNRESET');
  });

  it('with delete-exited-processes off a closed process stays listed; deleting it fires "deleted" and exit 256 → 0 [O-07 E]', async () => {
    const np = engine({ deleteExitedProcesses: false });
    const peer = await plainServer((s) => s.end());
    const events = sentinelLog(np);
    const c = (await np.makeNetworkProcess({ name: 'kept', host: '127.0.0.1', service: peer.port }))!;
    await waitFor(() => np.processStatus(c) === 'closed');
    expect(np.processList()).toContain(c);
    expect(np.processExitStatus(c)).toBe(256);
    np.deleteProcess(c);
    expect(np.processExitStatus(c)).toBe(0);
    expect(events.map((e) => e[1])).toEqual(['connection broken by remote peer\n', 'deleted\n']);
  });

  it('kill-buffer deletes its processes with "deleted" [O-07 D]', async () => {
    const np = engine();
    const peer = await plainServer();
    const events = sentinelLog(np);
    const c = (await np.makeNetworkProcess({ name: 'kb', buffer: '*kb*', host: '127.0.0.1', service: peer.port }))!;
    expect(np.killBuffer('*kb*')).toBe(true);
    expect(events).toEqual([['kb', 'deleted\n']]);
    expect(np.processBuffer(c)?.live).toBe(false);
    expect(np.getBuffer('*kb*')).toBeNull();
  });
});

describe('stream servers and accepted connections (spec §4.2, §5)', () => {
  it('reports the real port in :service and :local, and listens on 127.0.0.1 without :host [O-03 D, K]', async () => {
    const np = engine();
    const { srv, port } = await server(np, { buffer: '*srv*', family: 'ipv4', noquery: true });
    expect(port).toBeGreaterThan(0);
    expect(np.processStatus(srv)).toBe('listen');
    expect(np.processLiveP(srv)).toEqual(['listen', 'connect', 'stop']);
    expect(np.processContact(srv)).toEqual([null, port]);
    expect(np.processContact(srv, 'local')).toEqual([127, 0, 0, 1, port]);
    expect(np.processContact(srv, 'remote')).toBeNull();
    expect(Object.keys(np.processContact(srv, true)!)).toEqual(['name', 'server', 'service', 'buffer', 'family', 'noquery', 'local']);
    expect(srv.listener?.address()).toMatchObject({ address: '127.0.0.1' });
  });

  it("gives an accepted connection the server's contact as it was at the accept, with its peer and its own end [spec §7.3]", async () => {
    for (const host of ['127.0.0.1', '0.0.0.0']) {
      const np = engine();
      const { srv, port } = await server(np, { host, noquery: true });
      const first = await plainClient(port);
      const acc = await accepted(np);
      // A change to the server after the accept is not the accepted connection's; the next accept takes it.
      np.setProcessSentinel(srv, function watch() {});
      const second = await plainClient(port);
      const acc2 = await waitFor(() => np.processList().find((p) => p.kind === 'accepted' && p !== acc));
      const ends = (client: net.Socket): Record<string, unknown> => ({
        host: '127.0.0.1',
        remote: [127, 0, 0, 1, client.localPort],
        local: [127, 0, 0, 1, port],
      });
      expect(acc.name).toBe(`srv <127.0.0.1:${first.localPort}>`);
      expect(np.processContact(acc)).toEqual(['127.0.0.1', first.localPort]);
      expect(np.processContact(acc, true)).toEqual({
        name: 'srv',
        server: null,
        service: first.localPort,
        host: '127.0.0.1',
        noquery: true,
        ...ends(first),
      });
      expect(Object.keys(np.processContact(acc, true)!)).toEqual(['name', 'server', 'service', 'host', 'noquery', 'local', 'remote']);
      expect(np.processContact(acc2, 'sentinel')).toBe('watch');
      expect(np.processContact(acc2, true)).toMatchObject({ service: second.localPort, ...ends(second) });
      // What a caller does with an answer does not reach the plist.
      (np.processContact(acc, 'remote') as number[])[0] = 10;
      expect(np.processContact(acc, 'remote')).toEqual([127, 0, 0, 1, first.localPort]);
    }
  });

  it("keeps :host 'local as given and a numeric string service becomes the port [O-03 A, K]", async () => {
    const np = engine();
    const wanted = await freePort();
    const srv = (await np.makeNetworkProcess({ name: 'srv', server: true, host: 'local', service: String(wanted) }))!;
    expect(np.processContact(srv)).toEqual(['local', wanted]);
    expect(np.listProcessesRows()[0]?.command).toBe(`(network server on local:${wanted})`);
  });

  it('names accepted connections SERVER <HOST:PORT> and their buffers BUFFER <HOST:PORT> [O-02 A]', async () => {
    const np = engine();
    const { srv, port } = await server(np, { buffer: '*srv-log*' });
    const client = await plainClient(port);
    const acc = await accepted(np);
    const id = `127.0.0.1:${client.localPort}`;
    expect(acc.name).toBe(`srv <${id}>`);
    expect(acc.buffer?.name).toBe(`*srv-log* <${id}>`);
    expect(acc.server).toBe(srv);
    expect(np.processStatus(acc)).toBe('open');
    client.write('into the buffer');
    await waitFor(() => np.bufferString(`*srv-log* <${id}>`) === 'into the buffer');
  });

  it('uses the server name as buffer base when the server has no buffer, and no buffer for a custom filter [O-02 B, C]', async () => {
    const np = engine();
    const { port } = await server(np, { name: 'nsrv' });
    const c1 = await plainClient(port);
    const acc = await accepted(np);
    expect(acc.buffer?.name).toBe(`nsrv <127.0.0.1:${c1.localPort}>`);
    const got: string[] = [];
    const { port: port2 } = await server(np, { name: 'fsrv', buffer: '*f*', filter: (_p: NetworkProcess, t: string) => got.push(t) });
    const c2 = await plainClient(port2);
    const acc2 = await waitFor(() => np.getProcess(`fsrv <127.0.0.1:${c2.localPort}>`));
    expect(acc2.buffer).toBeNull();
    c2.write('to the filter');
    await waitFor(() => got.join('') === 'to the filter');
  });

  it('inherits filter, sentinel, coding and a copy of the plist, but not noquery, log or stop [O-02 A, O-04 E, O-13 C]', async () => {
    const np = engine();
    const shared = { v: 1 };
    const sentinel = (): void => undefined;
    const { srv, port } = await server(np, {
      coding: 'binary',
      noquery: true,
      plist: ['k', shared],
      sentinel,
      log: () => undefined,
      stop: true,
    });
    expect(np.processStatus(srv)).toBe('stop');
    await np.continueProcess(srv);
    await plainClient(port);
    const acc = await accepted(np);
    expect(acc.sentinel).toBe(sentinel);
    expect(np.processCodingSystem(acc)).toEqual(['binary', 'binary']);
    expect(np.processQueryOnExitFlag(acc)).toBe(true);
    expect(np.processQueryOnExitFlag(srv)).toBe(false);
    expect(np.processCommand(acc)).toBe(false);
    expect(acc.log).toBeNull();
    expect(np.processPlist(acc)).toEqual(['k', shared]);
    expect(np.processGet(acc, 'k')).toBe(shared);
    np.processPut(acc, 'k', 2);
    expect(np.processGet(srv, 'k')).toBe(shared);
  });

  it('calls :log with "accept from HOST\\n" before the sentinel gets "open from HOST\\n" [O-02 A]', async () => {
    const np = engine();
    const order: string[] = [];
    const { port } = await server(np, {
      log: (_s: NetworkProcess, client: NetworkProcess | null, message: string) => order.push(`log:${client?.name}:${message}`),
      sentinel: (p: NetworkProcess, event: string) => order.push(`sentinel:${p.name}:${event}`),
    });
    const client = await plainClient(port);
    await waitFor(() => order.length === 2);
    const name = `srv <127.0.0.1:${client.localPort}>`;
    expect(order).toEqual([`log:${name}:accept from 127.0.0.1\n`, `sentinel:${name}:open from 127.0.0.1\n`]);
  });

  it('gives the accepted connection a copy of the server contact with its own addresses [O-02, O-03 B]', async () => {
    const np = engine();
    const { port } = await server(np, { family: 'ipv4', noquery: true, buffer: '*srv*' });
    const client = await plainClient(port);
    const acc = await accepted(np);
    expect(np.processContact(acc)).toEqual(['127.0.0.1', client.localPort]);
    const contact = np.processContact(acc, true)!;
    expect(contact).toEqual({
      name: 'srv',
      server: null,
      service: client.localPort,
      buffer: '*srv*',
      family: 'ipv4',
      noquery: true,
      local: [127, 0, 0, 1, port],
      host: '127.0.0.1',
      remote: [127, 0, 0, 1, client.localPort],
    });
    expect(np.listProcessesRows().find((r) => r.process === acc.name)?.command).toBe(
      `(network connection to 127.0.0.1:${client.localPort})`,
    );
  });

  it('uniquifies a colliding connection name and reuses an existing buffer with its text [O-02 D]', async () => {
    const np = engine();
    const { port } = await server(np, { name: 'csrv' });
    const localPort = await freePort();
    const peer = await plainServer();
    await np.makeNetworkProcess({ name: `csrv <127.0.0.1:${localPort}>`, host: '127.0.0.1', service: peer.port });
    np.getBufferCreate(`csrv <127.0.0.1:${localPort}>`).insert(0, Buffer.from('old text|'), true);
    const socket = net.connect({ port, host: '127.0.0.1', localPort });
    onCleanup(() => socket.destroy());
    const acc = await waitFor(() => np.getProcess(`csrv <127.0.0.1:${localPort}><1>`));
    socket.write('new');
    await waitFor(() => np.bufferString(acc.buffer!.name) === 'old text|new');
  });

  it('deleting a server leaves accepted connections alone [O-02 A2]', async () => {
    const np = engine();
    const { srv, port } = await server(np);
    const client = await plainClient(port);
    const got = collect(client);
    const acc = await accepted(np);
    np.deleteProcess(srv);
    await np.settled(srv);
    await np.processSendString(acc, 'still here');
    await waitFor(() => got() === 'still here');
    expect(np.processStatus(acc)).toBe('open');
  });

  it('a server with filter t still accepts; its connections read nothing until the filter is reset [O-02 G]', async () => {
    const np = engine();
    const { port } = await server(np, { filter: true, buffer: '*ft*' });
    const client = await plainClient(port);
    const acc = await accepted(np);
    expect(acc.filter).toBe(true);
    expect(acc.buffer?.name).toBe(`*ft* <127.0.0.1:${client.localPort}>`);
    client.write('held');
    await sleep(100);
    expect(np.bufferString(acc.buffer!.name)).toBe('');
    expect(np.processStatus(acc)).toBe('open');
    np.setProcessFilter(acc, null);
    await waitFor(() => np.bufferString(acc.buffer!.name) === 'held');
  });
});

describe(':nowait clients (spec §6.3)', () => {
  it('return at once in connect, then "open\\n" [O-14]', async () => {
    const np = engine();
    const peer = await plainServer();
    const events = sentinelLog(np);
    const c = (await np.makeNetworkProcess({ name: 'nw', host: '127.0.0.1', service: peer.port, nowait: true }))!;
    expect(np.processStatus(c)).toBe('connect');
    expect(np.processLiveP(c)).toEqual(['connect', 'stop']);
    expect(np.processExitStatus(c)).toBe(0); // quirk 8 (D): Emacs crashes here
    expect(np.processContact(c, true, true)).toBeNull();
    await waitFor(() => events.length === 1);
    expect(events).toEqual([['nw', 'open\n']]);
    expect(np.processStatus(c)).toBe('open');
    expect(np.processContact(c, true, true)).not.toBeNull();
  });

  it('report a refusal as failed, "failed with code 111\\n", exit status 111, and stay listed [O-09 B]', async () => {
    const np = engine();
    const port = await freePort();
    const events = sentinelLog(np);
    const c = (await np.makeNetworkProcess({ name: 'nwref2', buffer: '*nwref2*', host: '127.0.0.1', service: port, nowait: true }))!;
    await waitFor(() => events.length === 1);
    expect(events).toEqual([['nwref2', 'failed with code 111\n']]);
    expect(np.processStatus(c)).toBe('failed');
    expect(np.processExitStatus(c)).toBe(111);
    expect(np.processList()).toContain(c);
    expect(np.bufferString('*nwref2*')).toBe('\nProcess nwref2 failed with code 111\n');
    expect(np.listProcessesRows()[0]?.command).toBe('(network connection to nil:nil)');
    np.deleteProcess(c);
    expect(events.at(-1)).toEqual(['nwref2', 'deleted\n']);
    expect(np.processExitStatus(c)).toBe(0);
  });

  it('a failed name lookup sets failed with a string exit status and calls no sentinel (quirk 6) [O-14 D]', async () => {
    const np = engine({
      lookup: async () => {
        throw Object.assign(new Error('getaddrinfo ENOTFOUND'), { code: 'ENOTFOUND' });
      },
    });
    const events = sentinelLog(np);
    const c = (await np.makeNetworkProcess({ name: 'dns', host: 'no-such-host.invalid', service: 80, nowait: true }))!;
    await waitFor(() => np.processStatus(c) === 'failed');
    expect(np.processExitStatus(c)).toBe('Name lookup of no-such-host.invalid failed');
    await sleep(30);
    expect(events).toEqual([]);
  });

  it('sending waits for the connection to open [O-09 C]', async () => {
    const np = engine();
    const peer = await plainServer();
    const c = (await np.makeNetworkProcess({ name: 'early', host: '127.0.0.1', service: peer.port, nowait: true }))!;
    await np.processSendString(c, 'queued');
    await waitFor(() => peer.received() === 'queued');
  });

  it('deleting while connecting gives "deleted\\n" and closed', async () => {
    const np = engine();
    const peer = await plainServer();
    const events = sentinelLog(np);
    const c = (await np.makeNetworkProcess({ name: 'gone', host: '127.0.0.1', service: peer.port, nowait: true }))!;
    np.deleteProcess(c);
    expect(np.processStatus(c)).toBe('closed');
    await sleep(50);
    expect(events).toEqual([['gone', 'deleted\n']]);
  });
});

describe('buffers, marks and the process table', () => {
  it('output goes in at the mark even when text was added after it; the sentinel text goes there too [O-16 C, O-07]', async () => {
    const np = engine();
    let peerSocket: net.Socket | null = null;
    const peer = await plainServer((s) => (peerSocket = s));
    const c = (await np.makeNetworkProcess({ name: 'c1', buffer: '*m*', host: '127.0.0.1', service: peer.port }))!;
    const ps = await waitFor(() => peerSocket);
    ps.write('one ');
    await waitFor(() => np.bufferString('*m*') === 'one ');
    const buffer = np.getBuffer('*m*')!;
    buffer.insert(buffer.end, Buffer.from('[typed]'), false);
    ps.write('two ');
    await waitFor(() => np.bufferString('*m*') === 'one two [typed]');
    np.deleteProcess(c);
    expect(np.bufferString('*m*')).toBe('one two \nProcess c1 deleted\n[typed]');
  });

  it('set-process-buffer moves the mark to the end of the new buffer; nil discards output; a name is a type error [O-16 C]', async () => {
    const np = engine();
    let peerSocket: net.Socket | null = null;
    const peer = await plainServer((s) => (peerSocket = s));
    const c = (await np.makeNetworkProcess({ name: 'cli', buffer: '*a*', host: '127.0.0.1', service: peer.port }))!;
    const target = np.getBufferCreate('*b*');
    target.insert(0, Buffer.from('existing:'), true);
    expect(np.setProcessBuffer(c, target)).toBe(target);
    expect(np.processContact(c, 'buffer')).toBe('*b*');
    const ps = await waitFor(() => peerSocket);
    ps.write('x');
    await waitFor(() => np.bufferString('*b*') === 'existing:x');
    np.setProcessBuffer(c, null);
    ps.write('lost');
    await sleep(50);
    expect(np.bufferString('*b*')).toBe('existing:x');
    expect(() => np.setProcessBuffer(c, '*cli*' as never)).toThrow('Wrong type argument: bufferp, "*cli*"');
  });

  it('several processes can share a buffer; get-buffer-process gives the newest; process-list is newest first [O-08 D]', async () => {
    const np = engine();
    const peer = await plainServer();
    const a = (await np.makeNetworkProcess({ name: 'a', buffer: '*shared*', host: '127.0.0.1', service: peer.port }))!;
    const b = (await np.makeNetworkProcess({ name: 'b', buffer: '*shared*', host: '127.0.0.1', service: peer.port }))!;
    const a2 = (await np.makeNetworkProcess({ name: 'a', host: '127.0.0.1', service: peer.port }))!;
    expect(a2.name).toBe('a<1>');
    expect(np.getBufferProcess('*shared*')).toBe(b);
    expect(np.processList()).toEqual([a2, b, a]);
    np.deleteProcess(a);
    const a3 = (await np.makeNetworkProcess({ name: 'a', host: '127.0.0.1', service: peer.port }))!;
    expect(a3.name).toBe('a');
  });

  it('process-put and process-get compare with eq; set-process-plist needs a list; :plist in the contact never changes [O-13 D]', async () => {
    const np = engine();
    const peer = await plainServer();
    const c = (await np.makeNetworkProcess({ name: 'pl', host: '127.0.0.1', service: peer.port, plist: [':k', 1] }))!;
    expect(np.processPut(c, 'foo', 'bar')).toEqual([':k', 1, 'foo', 'bar']);
    expect(np.processGet(c, ':k')).toBe(1);
    expect(np.processGet(c, 'missing')).toBeNull();
    np.processPut(c, ':k', 2);
    expect(np.processPlist(c)).toEqual([':k', 2, 'foo', 'bar']);
    expect(np.processContact(c, 'plist')).toEqual([':k', 1]);
    expect(() => np.setProcessPlist(c, 'nope')).toThrow('Wrong type argument: listp, "nope"');
    expect(np.setProcessPlist(c, ['x', 1])).toEqual(['x', 1]);
  });

  it('the query flag: noquery clears it, set-process-query-on-exit-flag stores (not (null F)) [O-13 E]', async () => {
    const np = engine();
    const peer = await plainServer();
    const c = (await np.makeNetworkProcess({ name: 'q', host: '127.0.0.1', service: peer.port, noquery: true }))!;
    expect(np.processQueryOnExitFlag(c)).toBe(false);
    expect(np.processesNeedingQuery()).toEqual([]);
    expect(np.setProcessQueryOnExitFlag(c, 'yes')).toBe('yes');
    expect(np.processQueryOnExitFlag(c)).toBe(true);
    expect(np.processesNeedingQuery()).toEqual([c]);
  });

  it('set-process-coding-system and set-process-filter-multibyte [spec §12]', async () => {
    const np = engine();
    const peer = await plainServer();
    const c = (await np.makeNetworkProcess({ name: 'cs', host: '127.0.0.1', service: peer.port }))!;
    expect(np.processCodingSystem(c)).toEqual(['utf-8-unix', 'utf-8-unix']);
    expect(np.processFilterMultibyteP(c)).toBe(true);
    np.setProcessCodingSystem(c, 'latin-1', 'utf-8');
    expect(np.processCodingSystem(c)).toEqual(['latin-1', 'utf-8-unix']);
    np.setProcessCodingSystem(c, 'utf-8-unix', 'utf-8-unix');
    np.setProcessFilterMultibyte(c, false);
    expect(np.processCodingSystem(c)).toEqual(['raw-text-unix', 'utf-8-unix']);
    expect(np.processFilterMultibyteP(c)).toBe(false);
    expect(() => np.setProcessCodingSystem(c, 'klingon', 'utf-8')).toThrow('Invalid coding system: klingon');
  });

  it('process-status takes a process name, gives nil for unknown names and buffer names [O-16 A]', async () => {
    const np = engine();
    const peer = await plainServer();
    await np.makeNetworkProcess({ name: 'st', buffer: '*st-buf*', host: '127.0.0.1', service: peer.port });
    expect(np.processStatus('st')).toBe('open');
    expect(np.processStatus('*st-buf*')).toBeNull();
    expect(np.processStatus('nobody')).toBeNull();
    expect(np.processStatus(np.getBuffer('*st-buf*')!)).toBe('open');
  });

  it('emits buffer changes with length and revision, not text', async () => {
    const np = engine();
    const peer = await plainServer((s) => s.write('abc'));
    const changes: Array<{ name: string; length: number; revision: number }> = [];
    np.on('buffer-changed', (e) => changes.push(e));
    await np.makeNetworkProcess({ name: 'ev', buffer: '*ev*', host: '127.0.0.1', service: peer.port });
    await waitFor(() => changes.some((c) => c.length === 3));
    // Announced when made, empty; then each insert.
    expect(changes[0]).toMatchObject({ name: '*ev*', length: 0, revision: 0 });
    expect(changes.find((c) => c.length === 3)).toMatchObject({ name: '*ev*', revision: 1 });
    for (const change of changes) expect(Object.keys(change)).not.toContain('text');
  });

  it('bounds a buffer by its cap and counts what was trimmed', async () => {
    const np = engine({ bufferCap: 1000 });
    const peer = await plainServer((s) => s.write('y'.repeat(5000)));
    await np.makeNetworkProcess({ name: 'cap', buffer: '*cap*', host: '127.0.0.1', service: peer.port });
    const b = np.getBuffer('*cap*')!;
    await waitFor(() => b.end === 5000);
    expect(b.length).toBe(1000);
    expect(b.trimmedBytes).toBe(4000);
  });
});
