import { describe, expect, it } from 'vitest';
import type { RepeatState } from './message-send.js';
import type { TapRecord } from './taps.js';
import { collect, engine, plainClient, plainServer, sleep, waitFor } from './test-support.js';

describe('library messages', () => {
  it('send once, rendering variables and escapes at send time, labelled with the name in the taps', async () => {
    const np = engine();
    const peer = await plainServer();
    const c = (await np.makeNetworkProcess({ name: 'c', host: '127.0.0.1', service: peer.port }))!;
    const taps: TapRecord[] = [];
    np.traffic.tap(c, (r) => taps.push(r));
    expect(await np.messages.send(c, { name: 'hello', template: 'HELLO {{seq}}\\r\\n{{hex:00 ff}}' })).toBeNull();
    await waitFor(() => peer.received().length > 0);
    const out = taps.find((t) => t.kind === 'data' && t.direction === 'out');
    expect(out).toMatchObject({ label: 'hello' });
    expect(out?.kind === 'data' && out.bytes).toEqual(Buffer.concat([Buffer.from('HELLO 1\r\n'), Buffer.from([0, 0xff])]));
  });

  it('repeat at an interval a given number of times, with a count that rises and an end in the events', async () => {
    const np = engine();
    const peer = await plainServer();
    const c = (await np.makeNetworkProcess({ name: 'c', host: '127.0.0.1', service: peer.port }))!;
    const states: RepeatState[] = [];
    np.on('repeat', (s) => states.push(s));
    const started = (await np.messages.send(c, { name: 'tick', template: '{{seq}};', repeat: { intervalMs: 2, count: 100 } }))!;
    expect(started).toMatchObject({ name: 'tick', processName: 'c', count: 100, running: true });
    await waitFor(() => states.some((s) => !s.running), 10_000, 'the repeat to end');
    expect(states.at(-1)).toMatchObject({ sent: 100, running: false, error: null });
    const expected = Array.from({ length: 100 }, (_, i) => `${i + 1};`).join('');
    await waitFor(() => peer.received() === expected, 5000, 'all hundred, in order');
    expect(np.messages.list()).toEqual([]);
  });

  it('repeat until stopped, and stop when the process goes away, saying why', async () => {
    const np = engine();
    const lines: string[] = [];
    np.on('message', (m) => lines.push(m));
    const peer = await plainServer();
    const c = (await np.makeNetworkProcess({ name: 'c', host: '127.0.0.1', service: peer.port }))!;
    const run = (await np.messages.send(c, { name: 'forever', template: 'x', repeat: { intervalMs: 5, count: null } }))!;
    await waitFor(() => peer.received().length >= 5);
    expect(np.messages.list().map((r) => r.id)).toEqual([run.id]);
    expect(np.messages.stop(run.id)).toBe(true);
    expect(np.messages.stop(run.id)).toBe(false);
    // A send written just before the stop may still be on its way over loopback.
    await sleep(30);
    const stoppedAt = peer.received().length;
    await sleep(60);
    expect(peer.received().length).toBe(stoppedAt);
    expect(lines.some((l) => /^c: message "forever" stopped after \d+ sends$/.test(l))).toBe(true);

    await np.messages.send(c, { name: 'doomed', template: 'y', repeat: { intervalMs: 5, count: null } });
    np.deleteProcess(c);
    await waitFor(() => np.messages.list().length === 0, 5000, 'the repeat to stop');
    expect(lines.some((l) => /^c: message "doomed" stopped after \d+ sends: Process c not running$/.test(l))).toBe(true);
  });

  it('send to every open connection of a server, each with its own encoding', async () => {
    const np = engine();
    const srv = (await np.makeNetworkProcess({ name: 'srv', server: true, host: '127.0.0.1', service: true }))!;
    const port = np.processContact(srv, 'service') as number;
    const a = await plainClient(port);
    const b = await plainClient(port);
    const gotA = collect(a);
    const gotB = collect(b);
    await waitFor(() => np.processList().filter((p) => p.server === srv).length === 2);
    await np.messages.send(srv, { name: 'all', template: 'to all #{{seq}}\\n', everyConnection: true });
    await waitFor(() => gotA() === 'to all #1\n' && gotB() === 'to all #1\n', 5000, 'both connections');
    await expect(np.messages.send(srv, { template: 'x' })).rejects.toThrow();
  });

  it('refuse bad messages with the field and the reason', async () => {
    const np = engine();
    const srv = (await np.makeNetworkProcess({ name: 'srv', server: true, host: '127.0.0.1', service: true }))!;
    const peer = await plainServer();
    const c = (await np.makeNetworkProcess({ name: 'c', host: '127.0.0.1', service: peer.port }))!;
    const field = async (spec: unknown, target = c): Promise<string | undefined> => {
      try {
        await np.messages.send(target, spec as never);
      } catch (err) {
        return (err as { field?: string }).field;
      }
      return 'accepted';
    };
    expect(await field(null)).toBe('message');
    expect(await field({ template: 5 })).toBe('template');
    expect(await field({ template: 'a {{nope}}' })).toBe('template');
    expect(await field({ template: 'a {{1}}' })).toBe('template');
    expect(await field({ template: 'a', repeat: { intervalMs: 0, count: 1 } })).toBe('repeat.intervalMs');
    expect(await field({ template: 'a', repeat: { intervalMs: 1.5, count: 1 } })).toBe('repeat.intervalMs');
    expect(await field({ template: 'a', repeat: { intervalMs: 10, count: 0 } })).toBe('repeat.count');
    expect(await field({ template: 'a', repeat: 'often' })).toBe('repeat');
    expect(await field({ template: 'a', everyConnection: true })).toBe('everyConnection');
    expect(await field({ template: 'a' }, srv)).toBe('process');
    expect(np.messages.list()).toEqual([]);
  });
});
