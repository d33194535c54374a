import dgram from 'node:dgram';
import { mkdtempSync, rmSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { findQueues, parseSkmem, procAddress } from './kernel-queues.js';
import { engine, onCleanup, plainServer, waitFor } from './test-support.js';

describe('the kernel queues of a socket', () => {
  it('spells addresses as /proc/net does and finds a socket by its ends, skipping TIME_WAIT', () => {
    expect(procAddress('127.0.0.1')).toBe('0100007F');
    expect(procAddress('::1')).toBe('00000000000000000000000001000000');
    const table = [
      '  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode',
      '   0: 0100007F:1F90 0100007F:C350 06 00000000:00000000 03:00000000 00000000     0        0 0 3 0',
      '   1: 0100007F:1F90 0100007F:C350 01 0000000A:0001E240 00:00000000 00000000     0        0 1 1 0',
    ].join('\n');
    const ends = {
      protocol: 'tcp' as const,
      v6: false,
      localAddress: '127.0.0.1',
      localPort: 8080,
      remoteAddress: '127.0.0.1',
      remotePort: 50000,
    };
    expect(findQueues(table, ends)).toEqual({ sendQueue: 10, receiveQueue: 123456 });
    expect(findQueues(table, { ...ends, remotePort: 50001 })).toBeNull();
    expect(parseSkmem('ESTAB 0 0 127.0.0.1:8080 127.0.0.1:50000 skmem:(r0,rb131072,t0,tb2626560,f0,w0,o0,bl0,d0)')).toEqual({
      receiveBuffer: 131072,
      sendBuffer: 2626560,
    });
  });

  it.runIf(process.platform === 'linux')('a stopped connection shows its receive queue filling, and the peer held back', async () => {
    const np = engine();
    const server = (await np.makeNetworkProcess({ name: 'srv', server: true, host: '127.0.0.1', service: true, filter: true }))!;
    const port = np.processContact(server, 'service') as number;
    const client = net.connect(port, '127.0.0.1');
    onCleanup(() => client.destroy());
    const accepted = await waitFor(() => np.processList().find((p) => p.kind === 'accepted'));
    await np.stopProcess(accepted);
    const chunk = Buffer.alloc(64 * 1024, 0x61);
    // Write until the client's own queue backs up: the kernel buffers on both sides are full.
    for (let i = 0; i < 400 && client.write(chunk); i++) await new Promise((r) => setImmediate(r));
    const queues = await waitFor(async () => {
      const q = await np.processKernelQueues(accepted);
      return q.receiveQueue !== null && q.receiveQueue > 64 * 1024 ? q : null;
    });
    expect(queues.unavailable).toBeNull();
    expect(queues.receiveBuffer).toBeGreaterThan(0);
    expect(queues.receiveFill).toBeGreaterThan(0.2);
    expect(queues.receiveFill).toBeLessThanOrEqual(1);
    // Netproc holds nothing of its own for the stopped side: all of it waits in the kernel.
    expect(queues.heldByNode).toBe(0);
  });

  it.runIf(process.platform === 'linux')(
    'says why when there is nothing to read: a listening socket, a Unix socket; UDP gives its buffer sizes',
    async () => {
      const np = engine();
      const server = (await np.makeNetworkProcess({ name: 'srv', server: true, host: '127.0.0.1', service: true }))!;
      expect((await np.processKernelQueues(server)).unavailable).toMatch(/listening socket/);
      const udp = (await np.makeNetworkProcess({
        name: 'u',
        type: 'datagram',
        server: true,
        host: '127.0.0.1',
        service: true,
        filter: true,
      }))!;
      await np.stopProcess(udp);
      const sock = dgram.createSocket('udp4');
      onCleanup(() => sock.close());
      const udpPort = np.processContact(udp, 'service') as number;
      sock.send(Buffer.alloc(1000), udpPort, '127.0.0.1');
      const q = await waitFor(async () => {
        const got = await np.processKernelQueues(udp);
        return (got.receiveQueue ?? 0) > 0 ? got : null;
      });
      expect(q.receiveBuffer).toBeGreaterThan(0);
      expect(q.datagramDrops).toBe(0);
      const peer = await plainServer();
      const c = (await np.makeNetworkProcess({ name: 'c', host: '127.0.0.1', service: peer.port }))!;
      const stream = await np.processKernelQueues(c);
      expect(stream.unavailable).toBeNull();
      expect(stream.sendQueue).toBe(0);
      expect(stream.datagramDrops).toBeNull();
      const path = join(mkdtempSync(join(tmpdir(), 'netproc-queues-')), 's');
      onCleanup(() => rmSync(dirname(path), { recursive: true, force: true }));
      await np.makeNetworkProcess({ name: 'usrv', server: true, family: 'local', service: path });
      const unix = (await np.makeNetworkProcess({ name: 'ucli', family: 'local', service: path }))!;
      expect((await np.processKernelQueues(unix)).unavailable).toMatch(/Unix-domain/);
    },
  );

  it.runIf(process.platform === 'linux')(
    'without ss the queues are still read, and the buffer sizes say why they are missing',
    async () => {
      const np = engine();
      const peer = await plainServer();
      const c = (await np.makeNetworkProcess({ name: 'c', host: '127.0.0.1', service: peer.port }))!;
      expect(await np.processKernelQueues(c)).toMatchObject({ unavailable: null, buffersUnavailable: null });
      const path = process.env.PATH;
      onCleanup(() => (process.env.PATH = path));
      process.env.PATH = mkdtempSync(join(tmpdir(), 'netproc-no-ss-'));
      onCleanup(() => rmSync(process.env.PATH!, { recursive: true, force: true }));
      const queues = await np.processKernelQueues(c);
      expect(queues).toMatchObject({ unavailable: null, sendQueue: 0, receiveBuffer: null, sendBuffer: null, receiveFill: null });
      expect(queues.buffersUnavailable).toMatch(/ss \(iproute2\) is not installed/);
    },
  );
});
