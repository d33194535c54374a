import net from 'node:net';
import { describe, expect, it } from 'vitest';
import type { NetworkProcess } from './process.js';
import { checkReconnectPolicy, reconnectDelay, RECONNECT_DEFAULTS } from './reconnect.js';
import { engine, freePort, onCleanup, sleep, waitFor } from './test-support.js';

/** A loopback server on a fixed port that can be stopped and started again, as a restarting peer. */
function restartablePeer(port: number) {
  let server: net.Server | null = null;
  const sockets = new Set<net.Socket>();
  let connections = 0;
  const start = (): Promise<void> =>
    new Promise((resolve, reject) => {
      server = net.createServer((s) => {
        connections++;
        sockets.add(s);
        s.on('error', () => undefined);
        s.on('close', () => sockets.delete(s));
        s.write(`hello ${connections}\n`);
      });
      server.once('error', reject);
      server.listen(port, '127.0.0.1', () => resolve());
    });
  const stop = (): Promise<void> =>
    new Promise((resolve) => {
      for (const s of sockets) s.destroy();
      if (!server) return resolve();
      server.close(() => resolve());
      server = null;
    });
  onCleanup(stop);
  return { start, stop, connections: () => connections };
}

const fast = { initialMs: 20, maxMs: 80, multiplier: 2, jitter: 0 };

describe('reconnect', () => {
  it('makes a client again under its name and buffer after the peer restarts, each attempt in the event log', async () => {
    const np = engine();
    const lines: string[] = [];
    np.on('message', (m) => lines.push(m));
    const port = await freePort();
    const peer = restartablePeer(port);
    await peer.start();
    const first = (await np.makeNetworkProcess({ name: 'c', host: '127.0.0.1', service: port, buffer: '*c*' }))!;
    expect(np.reconnects.set(first, { ...fast, maxAttempts: 50 })).toMatchObject({
      name: 'c',
      attempt: 0,
      nextAttemptAt: null,
      replaces: null,
    });
    // Every process the client had, in order: each attempt names the one it took the place of.
    const ids = [first.id];
    const replaced: Array<number | null> = [];
    np.on('process-added', (p) => {
      if (p.name !== 'c') return;
      ids.push(p.id);
      replaced.push(np.reconnects.state('c')?.replaces ?? null);
    });
    await waitFor(() => np.bufferString('*c*')?.includes('hello 1'));
    await peer.stop();
    // The peer is gone: attempts fail (connection refused) and are retried with growing delays.
    await waitFor(() => (np.reconnects.state('c')?.attempt ?? 0) >= 3, 5000, 'three attempts');
    expect(np.reconnects.state('c')?.lastError).toMatch(/refused/i);
    await peer.start();
    await waitFor(() => np.bufferString('*c*')?.includes('hello 2'), 5000, 'the new connection');
    const again = np.getProcess('c')!;
    expect(again).not.toBe(first);
    expect(again.id).toBeGreaterThan(first.id);
    expect(np.processStatus(again)).toBe('open');
    // One buffer reads as one conversation, with the sentinel's line between the two connections.
    expect(np.bufferString('*c*')).toMatch(/^hello 1\n\nProcess c connection broken by remote peer\n[\s\S]*hello 2\n$/);
    await waitFor(() => np.reconnects.state('c')?.attempt === 0);
    expect(lines).toContain('c: connection broken by remote peer; reconnecting in 20 ms (attempt 1 of 50)');
    expect(lines.some((l) => /^c: reconnected after \d+ attempts?$/.test(l))).toBe(true);
    // Only one process of that name is listed: the old one left as the new one came.
    expect(np.processList().filter((p) => p.name.startsWith('c'))).toEqual([again]);
    expect(ids.at(-1)).toBe(again.id);
    expect(replaced).toEqual(ids.slice(0, -1));
    expect(np.reconnects.state('c')?.replaces).toBe(ids.at(-2));
  });

  it('stops when the user deletes the client, when cancelled between attempts, and when the attempts run out', async () => {
    const np = engine();
    const lines: string[] = [];
    np.on('message', (m) => lines.push(m));
    const port = await freePort();
    const peer = restartablePeer(port);
    await peer.start();
    const c = (await np.makeNetworkProcess({ name: 'd', host: '127.0.0.1', service: port }))!;
    np.reconnects.set(c, fast);
    np.deleteProcess(c);
    await sleep(150);
    expect(np.reconnects.state('d')).toBeNull();
    expect(np.getProcess('d')).toBeNull();
    expect(peer.connections()).toBe(1);

    const e = (await np.makeNetworkProcess({ name: 'e', host: '127.0.0.1', service: port }))!;
    np.reconnects.set(e, { ...fast, initialMs: 200, maxMs: 200 });
    await peer.stop();
    await waitFor(() => np.reconnects.state('e')?.nextAttemptAt !== null, 5000, 'a waiting attempt');
    // While it waits, the ended client keeps its row (its status says why); cancelling lets it leave the list.
    expect(np.processStatus(np.getProcess('e')!)).toMatch(/closed|failed/);
    expect(np.reconnects.cancel('e')).toBe(true);
    expect(np.getProcess('e')).toBeNull();
    await peer.start();
    await sleep(300);
    expect(peer.connections()).toBe(2);
    expect(lines).toContain('e: reconnect cancelled');

    const f = (await np.makeNetworkProcess({ name: 'f', host: '127.0.0.1', service: port }))!;
    np.reconnects.set(f, { ...fast, maxAttempts: 2 });
    await peer.stop();
    await waitFor(() => lines.some((l) => l.startsWith('f: gave up reconnecting after 2 attempts')), 5000, 'giving up');
    expect(np.reconnects.state('f')).toBeNull();
    expect(np.getProcess('f')).toBeNull();
    // Refused attempts run in the background: each is a failed process whose reason is told.
    expect(lines.some((l) => /^f: failed with code \d+ \(connection refused\); reconnecting/i.test(l))).toBe(true);
  });

  it('stops when the user deletes the client while it waits between attempts', async () => {
    const np = engine();
    const lines: string[] = [];
    np.on('message', (m) => lines.push(m));
    const port = await freePort();
    const peer = restartablePeer(port);
    await peer.start();
    const w = (await np.makeNetworkProcess({ name: 'w', host: '127.0.0.1', service: port }))!;
    np.reconnects.set(w, { ...fast, initialMs: 150, maxMs: 150 });
    await peer.stop();
    await waitFor(() => np.reconnects.state('w')?.nextAttemptAt !== null, 5000, 'a waiting attempt');
    np.deleteProcess(np.getProcess('w')!);
    expect(np.reconnects.state('w')).toBeNull();
    await peer.start();
    await sleep(400);
    // No attempt after the delete: the peer saw only the first connection, and the name stays free.
    expect(peer.connections()).toBe(1);
    expect(np.getProcess('w')).toBeNull();
    expect(lines).toContain('w: reconnect cancelled');
  });

  it('is made reconnecting from the start: a refused first connect is retried, a peer that closes at once is too', async () => {
    const np = engine();
    const lines: string[] = [];
    np.on('message', (m) => lines.push(m));
    const port = await freePort();
    const peer = restartablePeer(port);
    // Nobody listens yet: without reconnect this make would signal "connection refused" and make nothing.
    const first = (await np.makeNetworkProcess({ name: 'r', host: '127.0.0.1', service: port, buffer: '*r*', reconnect: fast }))!;
    expect(np.reconnects.state('r')).toMatchObject({ policy: { initialMs: 20 } });
    await waitFor(() => (np.reconnects.state('r')?.attempt ?? 0) >= 1, 5000, 'a refused attempt');
    expect(first.status.kind).toBe('failed');
    await peer.start();
    await waitFor(() => np.bufferString('*r*')?.includes('hello 1'), 5000, 'the connection once the peer listens');
    // The policy is no keyword of make-network-process: the contact does not show it, and attempts are made without it.
    expect(np.processContact(np.getProcess('r')!, true)).not.toContain(':reconnect');

    // A peer that closes the moment it accepts: the client made reconnecting is never without its policy.
    const closer = net.createServer((s) => s.destroy());
    await new Promise<void>((resolve) => closer.listen(0, '127.0.0.1', resolve));
    onCleanup(() => new Promise<void>((resolve) => closer.close(() => resolve())));
    const closerPort = (closer.address() as net.AddressInfo).port;
    await np.makeNetworkProcess({ name: 'q', host: '127.0.0.1', service: closerPort, reconnect: fast });
    // Each connection opens, so each close starts a fresh count of attempts: it goes on until cancelled.
    await waitFor(() => lines.filter((l) => l === 'q: reconnected after 1 attempt').length >= 2, 5000, 'two reconnections');
    expect(lines).toContain('q: connection broken by remote peer; reconnecting in 20 ms (attempt 1 of 10)');
    expect(np.reconnects.cancel('q')).toBe(true);

    await expect(
      np.makeNetworkProcess({ name: 's', server: true, host: '127.0.0.1', service: true, reconnect: true }),
    ).rejects.toMatchObject({ field: 'reconnect' });
    await expect(
      np.makeNetworkProcess({ name: 't', host: '127.0.0.1', service: port, reconnect: { initialMs: 50, maxMs: 10 } }),
    ).rejects.toMatchObject({ field: 'reconnect.maxMs' });
    // Refused before anything was made.
    expect(np.getProcess('s')).toBeNull();
    expect(np.getProcess('t')).toBeNull();
  });

  it('takes a new policy while it waits, keeping the waiting row, and attempts by the new one', async () => {
    const np = engine();
    const port = await freePort();
    const peer = restartablePeer(port);
    await peer.start();
    const g = (await np.makeNetworkProcess({ name: 'g', host: '127.0.0.1', service: port, buffer: '*g*' }))!;
    np.reconnects.set(g, { initialMs: 60_000, maxMs: 60_000, jitter: 0 });
    await waitFor(() => np.bufferString('*g*')?.includes('hello 1'));
    await peer.stop();
    await waitFor(() => np.reconnects.state('g')?.nextAttemptAt !== null, 5000, 'a waiting attempt');
    await peer.start();
    // A minute to wait is too long: the new policy replaces it, and the row stays until the attempt it schedules.
    expect(np.reconnects.set(g, { initialMs: 30, maxMs: 30, jitter: 0 })).toMatchObject({ attempt: 1 });
    expect(np.getProcess('g')).toBe(g);
    await waitFor(() => np.bufferString('*g*')?.includes('hello 2'), 5000, 'the new connection');
    expect(np.getProcess('g')).not.toBe(g);
    expect(np.processList().filter((p) => p.name.startsWith('g'))).toHaveLength(1);
  });

  it('grows the delay by the multiplier up to the maximum, varied by the jitter either way', () => {
    const policy = { initialMs: 100, maxMs: 1000, multiplier: 3, jitter: 0.5, maxAttempts: null };
    const middle = (): number => 0.5;
    expect([1, 2, 3, 4].map((n) => reconnectDelay(policy, n, middle))).toEqual([100, 300, 900, 1000]);
    expect(reconnectDelay(policy, 1, () => 0)).toBe(50);
    expect(reconnectDelay(policy, 1, () => 0.999999)).toBe(150);
    expect(reconnectDelay(policy, 4, () => 0.999999)).toBe(1000);
  });

  it('refuses bad policies by field, and processes that cannot be made again', async () => {
    expect(checkReconnectPolicy(true)).toEqual(RECONNECT_DEFAULTS);
    expect(checkReconnectPolicy({ initialMs: 5 })).toEqual({ ...RECONNECT_DEFAULTS, initialMs: 5 });
    const field = (value: unknown): string | undefined => {
      try {
        checkReconnectPolicy(value);
      } catch (err) {
        return (err as { field?: string }).field;
      }
      return 'accepted';
    };
    expect(field('soon')).toBe('reconnect');
    expect(field({ initialMs: -1 })).toBe('reconnect.initialMs');
    expect(field({ initialMs: 1.5 })).toBe('reconnect.initialMs');
    expect(field({ initialMs: 5000, maxMs: 100 })).toBe('reconnect.maxMs');
    expect(field({ multiplier: 0.5 })).toBe('reconnect.multiplier');
    expect(field({ jitter: 2 })).toBe('reconnect.jitter');
    expect(field({ maxAttempts: 0 })).toBe('reconnect.maxAttempts');
    expect(field({ maxAttempts: null })).toBe('accepted');
    // No limit and no delay would retry a dead peer in a tight loop.
    expect(field({ initialMs: 0, maxMs: 0, maxAttempts: null })).toBe('reconnect.maxMs');
    expect(field({ initialMs: 0, maxMs: 99, maxAttempts: null })).toBe('reconnect.maxMs');
    expect(field({ initialMs: 0, maxMs: 100, maxAttempts: null })).toBe('accepted');
    expect(field({ initialMs: 0, maxMs: 0, maxAttempts: 3 })).toBe('accepted');
    const np = engine();
    const srv: NetworkProcess = (await np.makeNetworkProcess({ name: 's', server: true, host: '127.0.0.1', service: true }))!;
    expect(() => np.reconnects.set(srv, true)).toThrow(expect.objectContaining({ field: 'process' }));
  });
});
