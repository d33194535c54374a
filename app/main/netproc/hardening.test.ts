/**
 * Hostile and careless inputs to the engine: peers that never read, deletes
 * in mid-connect, plists that grow without end, buffers that pile up.
 * Each test pins a defence that once was missing.
 */
import { readFileSync } from 'node:fs';
import net from 'node:net';
import { describe, expect, it } from 'vitest';
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
  await waitFor(() => synSentTo(port) >= 1, 5000, 'a client left in SYN_SENT');
  return { server, port };
}

describe('delete-process of a :nowait client still connecting', () => {
  it.runIf(process.platform === 'linux')('closes its socket at once: no SYN_SENT left, the server never sees it', async () => {
    const np = engine();
    const { server, port } = await stoppedServerWithFullBacklog(np);
    const before = synSentTo(port);
    const client = (await np.makeNetworkProcess({ name: 'late', host: '127.0.0.1', service: port, nowait: true }))!;
    await waitFor(() => synSentTo(port) === before + 1, 5000, 'the :nowait client in SYN_SENT');
    np.deleteProcess(client);
    expect(np.processStatus(client)).toBe('closed');
    await waitFor(() => synSentTo(port) === before, 2000, 'the deleted client to leave SYN_SENT');
    // Accept everything queued: only the three fillers may arrive, never the deleted client.
    await np.continueProcess(server);
    await sleep(1500);
    const accepted = np.processList().filter((p) => p.kind === 'accepted');
    expect(accepted.length).toBeLessThanOrEqual(3);
    expect(np.processList()).not.toContain(client);
  });
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
