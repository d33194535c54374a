import net from 'node:net';
import { describe, expect, it } from 'vitest';
import { engine, onCleanup, sleep, waitFor } from '../netproc/test-support.js';
import { createBuiltins } from './builtins.js';

describe('the built-in echo filter', () => {
  it('echoes each chunk back', async () => {
    const np = engine();
    const server = (await np.makeNetworkProcess({ name: 'e', server: true, service: true, filter: createBuiltins(np).filter('echo') }))!;
    const peer = net.connect(np.processContact(server, 'service') as number, '127.0.0.1');
    onCleanup(() => peer.destroy());
    const back: Buffer[] = [];
    peer.on('data', (d: Buffer) => back.push(d));
    peer.write('ping\n');
    await waitFor(() => Buffer.concat(back).toString() === 'ping\n');
  });

  it('says once, not once per queued chunk, that echoing to a vanished peer failed', async () => {
    const np = engine();
    const messages: string[] = [];
    np.on('message', (m) => messages.push(m));
    const server = (await np.makeNetworkProcess({
      name: 'e',
      server: true,
      service: true,
      coding: 'binary',
      filter: createBuiltins(np).filter('echo'),
    }))!;
    const peer = net.connect(np.processContact(server, 'service') as number, '127.0.0.1');
    peer.on('error', () => undefined);
    onCleanup(() => peer.destroy());
    peer.pause();
    for (let i = 0; i < 256; i++) peer.write(Buffer.alloc(16 * 1024, 0x62));
    const connection = await waitFor(() => np.processList().find((p) => p.kind === 'accepted'));
    await waitFor(() => connection.counters.bytesIn > 2 * 1024 * 1024, 10_000, 'echoes queued');
    peer.resetAndDestroy();
    await waitFor(() => messages.some((m) => m.startsWith('echo to')), 5000, 'the failure to be reported');
    await sleep(200);
    expect(messages.filter((m) => m.startsWith('echo to'))).toHaveLength(1);
  });
});
