import { describe, expect, it } from 'vitest';
import { engine, plainClient, waitFor, collect } from './test-support.js';

describe('smoke', () => {
  it('server accepts, echoes into buffer', async () => {
    const np = engine();
    const srv = await np.makeNetworkProcess({ name: 'srv', server: true, service: true, buffer: '*srv*' });
    expect(srv).not.toBeNull();
    const port = np.processContact(srv!, 'service') as number;
    const c = await plainClient(port);
    const got = collect(c);
    c.write('hello');
    const acc = await waitFor(() => np.processList().find((p) => p.kind === 'accepted'));
    await waitFor(() => np.bufferString(acc.buffer!.name) === 'hello');
    await np.processSendString(acc, 'world');
    await waitFor(() => got() === 'world');
    console.log(acc.name, acc.buffer?.name, np.processContact(acc, true), np.listProcessesRows());
  });
});
