import { describe, expect, it } from 'vitest';
import { engine, onCleanup, plainServer, waitFor } from '../netproc/test-support.js';
import { createBuiltins } from './builtins.js';
import { createDefinitions } from './definitions.js';

function setup() {
  const np = engine();
  const builtins = createBuiltins(np);
  return { np, builtins, definitions: createDefinitions(np, builtins) };
}

describe('process definitions', () => {
  it('capture what a process is now: rules, reconnect, filter and plist set after it was made, and only what the contract made', async () => {
    const { np, builtins, definitions } = setup();
    const peer = await plainServer(() => {});
    const c = (await definitions.makeNetworkProcess({ name: 'c', host: '127.0.0.1', service: peer.port }))!;
    np.autoReplies.set(c, { framing: 'line', rules: [{ match: 'exact', pattern: 'PING', reply: 'PONG' }] });
    np.reconnects.set(c, { initialMs: 10, maxAttempts: 3 });
    np.setProcessFilter(c, builtins.filter('discard'));
    np.processPut(c, 'role', 'probe');
    // Made on the engine directly: no definition.
    await np.makeNetworkProcess({ name: 'direct', host: '127.0.0.1', service: peer.port });
    expect(definitions.capture()).toEqual([
      {
        kind: 'make-network-process',
        args: { name: 'c', host: '127.0.0.1', service: peer.port },
        filter: 'discard',
        plist: ['role', 'probe'],
        rules: {
          framing: 'line',
          rules: [{ name: 'rule 1', match: 'exact', pattern: 'PING', reply: 'PONG', caseFold: false, delayMs: 0, close: false }],
        },
        reconnect: { initialMs: 10, maxMs: 30_000, multiplier: 2, jitter: 0.2, maxAttempts: 3 },
      },
    ]);
  });

  it('follow a reconnecting client to the process each attempt makes', async () => {
    const { np, definitions } = setup();
    // The first connection is closed by the peer; the next is kept.
    let accepted = 0;
    const peer = await plainServer((s) => {
      if (accepted++ === 0) s.destroy();
    });
    const first = (await definitions.makeNetworkProcess({ name: 'again', host: '127.0.0.1', service: peer.port }))!;
    np.reconnects.set(first, { initialMs: 0, jitter: 0, maxAttempts: 5 });
    await waitFor(() => accepted === 2 && np.getProcess('again') !== null && np.getProcess('again') !== first);
    expect(definitions.capture().map((d) => d.args.name)).toEqual(['again']);
    np.reconnects.cancel('again');
  });

  it('capture open-network-stream processes by their own arguments', async () => {
    const { np, definitions } = setup();
    const peer = await plainServer(() => {});
    await definitions.openNetworkStream({
      name: 'ons',
      buffer: '*ons*',
      createBuffer: true,
      host: '127.0.0.1',
      service: peer.port,
      type: 'plain',
    });
    expect(definitions.capture()).toEqual([
      {
        kind: 'open-network-stream',
        args: { name: 'ons', buffer: '*ons*', createBuffer: true, host: '127.0.0.1', service: peer.port, type: 'plain' },
      },
    ]);
    onCleanup(() => np.getProcess('ons') && void np.deleteProcess('ons'));
  });

  it('apply makes each definition with its rules and reconnect policy, and undoes all of them when one fails', async () => {
    const { np, definitions } = setup();
    const peer = await plainServer(() => {});
    const { created, skipped } = await definitions.apply([
      {
        kind: 'make-network-process',
        args: { name: 'a', host: '127.0.0.1', service: peer.port },
        rules: { framing: 'chunk', rules: [{ match: 'contains', pattern: 'x', reply: 'y' }] },
        reconnect: true,
      },
      {
        kind: 'open-network-stream',
        args: { name: 'b', buffer: null, host: '127.0.0.1', service: peer.port },
        sentinel: 'silent',
        plist: ['k', 1],
      },
    ]);
    expect(created.map((p) => p.name)).toEqual(['a', 'b']);
    expect(skipped).toEqual([]);
    expect(np.autoReplies.rules('a')?.rules).toHaveLength(1);
    expect(np.reconnects.state('a')?.policy.maxAttempts).toBe(10);
    expect(np.processPlist('b')).toEqual(['k', 1]);

    const before = np.processList().length;
    await expect(
      definitions.apply([
        { kind: 'make-network-process', args: { name: 'fresh', host: '127.0.0.1', service: peer.port }, reconnect: true },
        // The engine refuses this one: reconnect is for make-network-process clients only, not servers.
        { kind: 'make-network-process', args: { name: 'srv', server: true, host: '127.0.0.1', service: 0 }, reconnect: true },
      ]),
    ).rejects.toMatchObject({ field: 'processes[1].process', message: expect.stringMatching(/^processes\[1\] \(srv\): /) });
    await waitFor(() => np.processList().length === before);
    expect(np.getProcess('fresh')).toBeNull();
    expect(np.getProcess('srv')).toBeNull();
    expect(np.reconnects.state('fresh')).toBeNull();
  });
});
