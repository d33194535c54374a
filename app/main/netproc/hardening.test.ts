/**
 * Hostile and careless inputs to the engine: peers that never read, deletes
 * in mid-connect, plists that grow without end, buffers that pile up.
 * Each test pins a defence that once was missing.
 */
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import net from 'node:net';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { LIMITS } from '../../shared/wire.js';
import { errnoNumber, fromSystemError, type NetprocError } from './errors.js';
import type { NetworkProcess } from './process.js';
import { engine, onCleanup, plainClient, sleep, waitFor } from './test-support.js';

type Np = ReturnType<typeof engine>;

/** Sockets in SYN_SENT towards `port` on 127.0.0.1, from the kernel's own table (Linux). */
function synSentTo(port: number): number {
  const rows = readFileSync('/proc/net/tcp', 'utf8').split('\n').slice(1);
  const wanted = `0100007F:${port.toString(16).toUpperCase().padStart(4, '0')}`;
  return rows.filter((row) => {
    const cols = row.trim().split(/\s+/);
    return cols[2] === wanted && cols[3] === '02';
  }).length;
}

async function stoppedServerWithFullBacklog(np: Np): Promise<{ server: NetworkProcess; port: number }> {
  // Backlog 1: the kernel completes two handshakes, then leaves later clients in SYN_SENT.
  const server = (await np.makeNetworkProcess({ name: 'full', server: 1, service: true, stop: true }))!;
  const port = np.processContact(server, 'service') as number;
  for (let i = 0; i < 3; i++) {
    const filler = net.connect(port, '127.0.0.1');
    filler.on('error', () => undefined);
    onCleanup(() => filler.destroy());
  }
  await waitFor(() => synSentTo(port) >= 1, 15_000, 'a client left in SYN_SENT');
  return { server, port };
}

describe('delete-process of a :nowait client still connecting', () => {
  it.runIf(process.platform === 'linux')(
    'closes its socket at once: no SYN_SENT left, the server never sees it',
    async () => {
      const np = engine();
      const { server, port } = await stoppedServerWithFullBacklog(np);
      const before = synSentTo(port);
      const client = (await np.makeNetworkProcess({ name: 'late', host: '127.0.0.1', service: port, nowait: true }))!;
      await waitFor(() => synSentTo(port) === before + 1, 15_000, 'the :nowait client in SYN_SENT');
      np.deleteProcess(client);
      expect(np.processStatus(client)).toBe('closed');
      await waitFor(() => synSentTo(port) === before, 2000, 'the deleted client to leave SYN_SENT');
      // Accept everything queued: only the three fillers may arrive, never the deleted client.
      await np.continueProcess(server);
      await sleep(1500);
      const accepted = np.processList().filter((p) => p.kind === 'accepted');
      expect(accepted.length).toBeLessThanOrEqual(3);
      expect(np.processList()).not.toContain(client);
    },
    45_000,
  );
});

describe('a peer that sends without reading', () => {
  it('holds the peer back instead of queueing echoes without bound, and loses nothing once it reads', async () => {
    const np = engine();
    const echo = function echo(p: NetworkProcess, text: string): void {
      void np.processSendString(p, Buffer.from(text, 'latin1')).catch(() => undefined);
    };
    const server = (await np.makeNetworkProcess({ name: 'echo', server: true, service: true, coding: 'binary', filter: echo }))!;
    const port = np.processContact(server, 'service') as number;
    const peer = await plainClient(port);
    peer.pause();
    const connection = await waitFor(() => np.processList().find((p) => p.kind === 'accepted'));
    const total = 48 * 1024 * 1024;
    const piece = Buffer.alloc(64 * 1024);
    for (let i = 0; i < piece.length; i++) piece[i] = (i * 7) & 0xff;
    let written = 0;
    let peak = 0;
    const sampler = setInterval(() => (peak = Math.max(peak, connection.socket?.writableLength ?? 0)), 5);
    onCleanup(() => clearInterval(sampler));
    const pump = (): void => {
      while (written < total) {
        written += piece.length;
        if (!peer.write(piece)) {
          peer.once('drain', pump);
          return;
        }
      }
    };
    pump();
    // Wait until the flow stops: the engine has stopped reading, so the peer's writes pile up on its side.
    let last = -1;
    await waitFor(
      () => {
        const now = connection.counters.bytesIn;
        const still = now === last;
        last = now;
        return still && now > 0;
      },
      20_000,
      'the flow to stop',
    );
    await sleep(300);
    expect(connection.counters.bytesIn).toBe(last);
    expect(connection.counters.bytesIn).toBeLessThan(total);
    expect(peak).toBeLessThan(8 * 1024 * 1024);
    // Now the peer reads: every byte comes back, in order.
    const back: Buffer[] = [];
    let backLength = 0;
    peer.on('data', (d: Buffer) => {
      back.push(d);
      backLength += d.length;
    });
    peer.resume();
    await waitFor(() => backLength === total, 30_000, 'every byte echoed');
    const all = Buffer.concat(back);
    for (let offset = 0; offset < total; offset += piece.length) {
      if (!all.subarray(offset, offset + piece.length).equals(piece)) throw new Error(`echoed bytes differ at ${offset}`);
    }
  }, 60_000);
});

describe('descriptor exhaustion', () => {
  interface Report {
    logs: string[];
    messages: string[];
    accepted: number;
    descriptors: number;
  }

  it.runIf(process.platform === 'linux')(
    'connections refused for want of descriptors are logged as Emacs logs them, and accepting resumes once they are free',
    async () => {
      const childPath = fileURLToPath(new URL('./descriptor-exhaustion.child.ts', import.meta.url));
      const child = spawn('bash', ['-c', `ulimit -n 128 && exec "${process.execPath}" --import tsx "${childPath}"`], {
        stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
      });
      onCleanup(() => child.kill('SIGKILL'));
      const replies: unknown[] = [];
      child.on('message', (m) => replies.push(m));
      const { port } = (await waitFor(() => replies.shift(), 15_000, 'the child engine to listen')) as { port: number };
      const ask = async (): Promise<Report> => {
        child.send('report');
        return (await waitFor(() => replies.shift(), 5000, 'a report')) as Report;
      };

      const clients: net.Socket[] = [];
      onCleanup(() => clients.forEach((c) => c.destroy()));
      for (let i = 0; i < 200; i++) {
        const c = net.connect(port, '127.0.0.1');
        c.on('error', () => undefined);
        clients.push(c);
      }
      const refused = await waitFor(
        async () => {
          const report = await ask();
          return report.logs.includes('accept failed with code24\n') ? report : null;
        },
        10_000,
        'an "accept failed" line in the server log',
      );
      expect(refused.accepted).toBeLessThan(128);
      expect(refused.descriptors).toBeLessThan(128);
      expect(refused.messages.some((m) => m.includes('srv') && m.includes('EMFILE'))).toBe(true);

      for (const c of clients.splice(0)) c.destroy();
      const before = (await ask()).accepted;
      const late = await waitFor(
        async () => {
          const c = await plainClient(port);
          await sleep(100);
          const { accepted } = await ask();
          c.destroy();
          return accepted > before;
        },
        10_000,
        'a new connection accepted once descriptors are free',
      );
      expect(late).toBe(true);
      child.send('quit');
    },
    40_000,
  );
});

describe('system error codes', () => {
  it('keep their errno name and strerror text (EMFILE, not SYSTEM), with the errno number where Emacs prints one', () => {
    const err = fromSystemError(Object.assign(new Error('connect EMFILE'), { code: 'EMFILE' }), 'make client process failed', 'host');
    expect(err.code).toBe('EMFILE');
    expect(err.message).toBe('make client process failed: Too many open files');
    expect(errnoNumber({ code: 'EMFILE' })).toBe(24);
    expect(fromSystemError(Object.assign(new Error('x'), { code: 'ENFILE' }), 'accept', undefined).code).toBe('ENFILE');
  });
});

describe('process plists are bounded however they grow (the engine API, not only the contract)', () => {
  async function client(np: Np): Promise<NetworkProcess> {
    const server = (await np.makeNetworkProcess({ name: 'p', server: true, service: true }))!;
    return (await np.makeNetworkProcess({ name: 'c', host: '127.0.0.1', service: np.processContact(server, 'service') as number }))!;
  }

  it('process-put refuses past the size and entry bounds, changing nothing; replacing a value stays possible', async () => {
    const np = engine();
    const c = await client(np);
    expect(() => np.processPut(c, 'k', 'x'.repeat(LIMITS.valueBytes))).toThrow(/^value: a plist holds at most 65536 bytes as JSON/);
    expect(np.processPlist(c)).toEqual([]);
    let refused: NetprocError | null = null;
    for (let i = 0; i < LIMITS.plistEntries / 2 && refused === null; i++) {
      try {
        np.processPut(c, i, 1);
      } catch (err) {
        refused = err as NetprocError;
      }
    }
    expect(refused).toBeNull();
    expect(() => np.processPut(c, 'one-more', 1)).toThrow(/^key: a plist holds at most 256 entries/);
    expect(np.processPlist(c)).toHaveLength(LIMITS.plistEntries);
    np.processPut(c, 0, 2);
    expect(np.processGet(c, 0)).toBe(2);
  });

  it('a value nested past the depth bound, or a cycle, is refused with an error, never a stack overflow', async () => {
    const np = engine();
    const c = await client(np);
    let deep: unknown = 'bottom';
    for (let i = 0; i < 100_000; i++) deep = [deep];
    expect(() => np.processPut(c, 'deep', deep)).toThrow(/more than 32 deep/);
    expect(() => np.setProcessPlist(c, ['deep', deep])).toThrow(/more than 32 deep/);
    const cycle: unknown[] = [];
    cycle.push(cycle);
    expect(() => np.processPut(c, 'cycle', cycle)).toThrow(/more than 32 deep/);
    expect(np.processPlist(c)).toEqual([]);
  });

  it('creation and set-process-plist obey the same bounds', async () => {
    const np = engine();
    const plist = Array.from({ length: LIMITS.plistEntries + 2 }, (_, i) => i);
    await expect(np.makeNetworkProcess({ name: 's', server: true, service: true, plist })).rejects.toThrow(/at most 256 entries/);
    expect(np.processList()).toEqual([]);
    const c = await client(np);
    expect(() => np.setProcessPlist(c, ['a', 'x'.repeat(LIMITS.valueBytes)])).toThrow(/at most 65536 bytes/);
    expect(np.processPlist(c)).toEqual([]);
  });
});

describe('all buffers together stay within a budget', () => {
  async function flood(np: Np, name: string, bytes: number, close: boolean): Promise<NetworkProcess> {
    let peerSocket: net.Socket | null = null;
    const peer = net.createServer((s) => (peerSocket = s));
    await new Promise<void>((resolve) => peer.listen(0, '127.0.0.1', resolve));
    onCleanup(() => new Promise<void>((resolve) => peer.close(() => resolve())));
    const port = (peer.address() as net.AddressInfo).port;
    const p = (await np.makeNetworkProcess({ name, buffer: `*${name}*`, host: '127.0.0.1', service: port, coding: 'binary' }))!;
    const s = await waitFor(() => peerSocket);
    s.write(Buffer.alloc(bytes, 0x61));
    await waitFor(() => p.counters.bytesIn === bytes, 5000, `${bytes} bytes into ${name}`);
    if (close) {
      s.end();
      await waitFor(() => np.processStatus(p) === 'closed');
    } else onCleanup(() => s.destroy());
    return p;
  }

  it('kills the stalest buffers of departed processes first, saying so in the event log', async () => {
    const np = engine({ bufferBudget: 1024 * 1024 });
    const messages: string[] = [];
    np.on('message', (m) => messages.push(m));
    for (let i = 0; i < 6; i++) await flood(np, `gone${i}`, 150 * 1024, true);
    expect(np.getBuffer('*gone0*')).not.toBeNull();
    const live = await flood(np, 'live', 400 * 1024, false);
    // 6 × 150 KiB (+ sentinel lines) + 400 KiB passes 1 MiB: the oldest departed buffers go until 90% is left.
    expect(np.getBuffer('*gone0*')).toBeNull();
    expect(np.getBuffer('*gone1*')).toBeNull();
    expect(np.getBuffer('*gone5*')).not.toBeNull();
    expect(np.getBuffer('*live*')!.length).toBe(400 * 1024);
    expect(np.processStatus(live)).toBe('open');
    expect(messages.filter((m) => m.startsWith('Killed buffer *gone'))).toHaveLength(
      [0, 1, 2, 3, 4, 5].filter((i) => np.getBuffer(`*gone${i}*`) === null).length,
    );
    expect(messages[0]).toMatch(/^Killed buffer \*gone0\* \(150\.\d KiB, no process\): all buffers together passed the 1\.0 MiB budget$/);
    const total = np.bufferList().reduce((sum, b) => sum + b.length, 0);
    expect(total).toBeLessThanOrEqual(1024 * 1024);
  });

  it('trims the oldest bytes of live buffers when no departed buffer is left to kill', async () => {
    const np = engine({ bufferBudget: 1024 * 1024 });
    const messages: string[] = [];
    np.on('message', (m) => messages.push(m));
    const first = await flood(np, 'first', 600 * 1024, false);
    await flood(np, 'second', 600 * 1024, false);
    const firstBuffer = np.getBuffer('*first*')!;
    const secondBuffer = np.getBuffer('*second*')!;
    expect(firstBuffer.length + secondBuffer.length).toBeLessThanOrEqual(1024 * 1024);
    // The stalest buffer gave up its oldest bytes first; the newer one kept its text.
    expect(firstBuffer.trimmedBytes).toBeGreaterThan(0);
    expect(secondBuffer.length).toBe(600 * 1024);
    expect(np.processStatus(first)).toBe('open');
    expect(messages.some((m) => /^Trimmed the oldest .* of live buffers: all buffers together passed the 1\.0 MiB budget$/.test(m))).toBe(
      true,
    );
  });

  it('refuses a budget that is not a positive number of bytes', () => {
    expect(() => engine({ bufferBudget: 0 })).toThrow(/buffer budget/);
    expect(() => engine({ processlessBufferLimit: 0 })).toThrow(/without a process/);
    expect(() => engine({ bufferCap: -1 })).toThrow(expect.objectContaining({ field: 'bufferCap' }));
  });

  it('never kills the buffer being made, which has no process yet and no text: the stalest buffers with text go', () => {
    const np = engine({ processlessBufferLimit: 10 });
    const messages: string[] = [];
    np.on('message', (m) => messages.push(m));
    for (let i = 0; i < 10; i++) np.getBufferCreate(`b${i}`).insert(0, Buffer.from('x'), true);
    const fresh = np.getBufferCreate('fresh');
    expect(fresh.live).toBe(true);
    expect(np.getBuffer('fresh')).toBe(fresh);
    expect(np.getBuffer('b0')).toBeNull();
    expect(np.getBuffer('b9')).not.toBeNull();
    expect(np.getBuffer('b1')).not.toBeNull();
    expect(messages).toEqual(['Killed the 1 stalest buffer without a process: more than 10 buffers had none']);
  });

  it('a flood of connections that close at once keeps at most the limit of buffers without a process, stalest killed first', async () => {
    const np = engine({ processlessBufferLimit: 20 });
    const messages: string[] = [];
    np.on('message', (m) => messages.push(m));
    const server = (await np.makeNetworkProcess({ name: 'srv', server: true, host: '127.0.0.1', service: true, buffer: '*srv*' }))!;
    const port = np.processContact(server, 'service') as number;
    let accepted = 0;
    np.on('process-added', (p) => {
      if (p.server === server) accepted++;
    });
    // A client of the server's own, with a buffer of its own: in use, like the connection it makes.
    const shared = (await np.makeNetworkProcess({ name: 'keeper', buffer: '*kept*', host: '127.0.0.1', service: port }))!;
    await waitFor(() => accepted === 1, 5000, "the keeper's connection");
    const connectionsOpen = () => np.processList().filter((p) => p.server === server).length;
    for (let i = 0; i < 45; i++) {
      const socket = await plainClient(port);
      socket.end();
      await waitFor(() => accepted === i + 2 && connectionsOpen() === 1, 5000, `connection ${i} accepted and closed`);
    }
    const processless = np.bufferList().filter((b) => !np.getBufferProcess(b));
    // Checked as each buffer is made: the last connection left after the last one was made.
    expect(processless.length).toBeLessThanOrEqual(20 + 1);
    expect(processless.length).toBeGreaterThanOrEqual(18);
    // The server's, the keeper's and its accepted connection's buffers are in use and stay.
    expect(np.getBuffer('*srv*')).not.toBeNull();
    expect(np.getBufferProcess('*kept*')).toBe(shared);
    // Stalest first: the newest departed connection keeps its buffer (and its last process).
    const newest = processless.reduce((a, b) => (a.changedAt > b.changedAt ? a : b));
    expect(newest.lastProcess?.server).toBe(server);
    const kills = messages.filter((m) => m.startsWith('Killed the '));
    expect(kills.length).toBeGreaterThan(0);
    expect(kills[0]).toMatch(/^Killed the \d+ stalest buffers without a process: more than 20 buffers had none$/);
  });
});
