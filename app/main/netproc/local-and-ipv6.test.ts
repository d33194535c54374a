import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { collect, engine, onCleanup, plainClient, sleep, waitFor } from './test-support.js';

function socketPath(name: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'netproc-'));
  onCleanup(() => rmSync(dir, { recursive: true, force: true }));
  return join(dir, name);
}

function unixClient(path: string): Promise<net.Socket> {
  return new Promise((resolve, reject) => {
    const s = net.connect(path, () => resolve(s));
    s.on('error', reject);
    onCleanup(() => s.destroy());
  });
}

describe('Unix-domain sockets (:family local)', () => {
  it('a server on a path: contact (nil PATH), accepted connections named SERVER <N> with contact (t PATH) [O-02, spec §7.3]', async () => {
    const np = engine();
    const path = socketPath('usrv.sock');
    const srv = (await np.makeNetworkProcess({ name: 'usrv', server: true, family: 'local', service: path, host: 'ignored' }))!;
    expect(np.processContact(srv)).toEqual([null, path]);
    expect(np.processContact(srv, 'local')).toBe(path);
    expect(np.listProcessesRows()[0]?.command).toBe(`(network server on ${path})`);
    const peer = await unixClient(path);
    const acc = await waitFor(() => np.processList().find((p) => p.kind === 'accepted'));
    expect(acc.name).toBe('usrv <1>');
    expect(acc.buffer?.name).toBe('usrv <1>');
    expect(np.processContact(acc)).toEqual([true, path]);
    expect(np.processContact(acc, 'remote')).toBe('');
    peer.write('over unix');
    await waitFor(() => np.bufferString('usrv <1>') === 'over unix');
    await unixClient(path);
    await waitFor(() => np.getProcess('usrv <2>'));
  });

  it('the accept log says "accept from -" and the sentinel "open from -"', async () => {
    const np = engine();
    const path = socketPath('log.sock');
    const seen: string[] = [];
    await np.makeNetworkProcess({
      name: 'ul',
      server: true,
      family: 'local',
      service: path,
      log: (_s: unknown, _c: unknown, m: string) => seen.push(`log:${m}`),
      sentinel: (_p: unknown, e: string) => seen.push(`sentinel:${e}`),
    });
    await unixClient(path);
    await waitFor(() => seen.length === 2);
    expect(seen).toEqual(['log:accept from -\n', 'sentinel:open from -\n']);
  });

  it('a client connects by path; its contact has :local "" and sending works', async () => {
    const np = engine();
    const path = socketPath('c.sock');
    const received: string[] = [];
    const server = net.createServer((s) => s.on('data', (d) => received.push(d.toString())));
    await new Promise<void>((r) => server.listen(path, r));
    onCleanup(() => new Promise<void>((r) => server.close(() => r())));
    const c = (await np.makeNetworkProcess({ name: 'u', family: 'local', service: path }))!;
    expect(np.processContact(c, 'local')).toBe('');
    expect(np.processContact(c, 'remote')).toBe(path);
    await np.processSendString(c, 'hi');
    await waitFor(() => received.join('') === 'hi');
    np.deleteProcess(c);
  });

  it('a missing path is file-missing "No such file or directory" and leaves no process', async () => {
    const np = engine();
    const path = socketPath('missing.sock');
    await expect(np.makeNetworkProcess({ name: 'u', family: 'local', service: path })).rejects.toMatchObject({
      code: 'ENOENT',
      condition: 'file-missing',
      message: 'make client process failed: No such file or directory',
    });
    expect(np.processList()).toEqual([]);
  });

  it('a path of 108 bytes or more is "Service name too long"', async () => {
    const np = engine();
    await expect(np.makeNetworkProcess({ name: 'u', family: 'local', service: '/tmp/' + 'x'.repeat(110) })).rejects.toThrow(
      'Service name too long',
    );
  });

  it('a stopped Unix server keeps its path: clients queue, and are accepted on continue', async () => {
    const np = engine();
    const path = socketPath('stop.sock');
    const srv = (await np.makeNetworkProcess({ name: 'us', server: true, family: 'local', service: path }))!;
    await np.stopProcess(srv);
    expect(existsSync(path)).toBe(true);
    const peer = await unixClient(path);
    const got = collect(peer);
    await sleep(100);
    expect(np.processList()).toEqual([srv]);
    await np.continueProcess(srv);
    const acc = await waitFor(() => np.processList().find((p) => p.kind === 'accepted'));
    await np.processSendString(acc, 'after continue');
    await waitFor(() => got() === 'after continue');
    // Deleting removes the socket file (Emacs leaves it behind; see README).
    np.deleteProcess(srv);
    await np.settled(srv);
    expect(existsSync(path)).toBe(false);
  });
});

describe('IPv6 on ::1', () => {
  it("a server with :family 'ipv6 and no host listens on ::1; accepted names show Emacs's byte-swapped groups (quirk 2) [O-02 E]", async () => {
    const np = engine();
    const srv = (await np.makeNetworkProcess({ name: 'srv6', server: true, family: 'ipv6', service: true }))!;
    const port = np.processContact(srv, 'service') as number;
    expect(np.processContact(srv, 'local')).toEqual([0, 0, 0, 0, 0, 0, 0, 1, port]);
    const client = await plainClient(port, '::1');
    const acc = await waitFor(() => np.processList().find((p) => p.kind === 'accepted'));
    expect(acc.name).toBe(`srv6 <[0:0:0:0:0:0:0:100]:${client.localPort}>`);
    expect(np.processContact(acc, 'host')).toBe('0:0:0:0:0:0:0:100');
    expect(np.processContact(acc, 'remote')).toEqual([0, 0, 0, 0, 0, 0, 0, 1, client.localPort]);
    expect(np.formatNetworkAddress(np.processContact(acc, 'remote'))).toBe(`[0:0:0:0:0:0:0:1]:${client.localPort}`);
  });

  it('a client connects to ::1 and a datagram pair works over IPv6', async () => {
    const np = engine();
    const srv = (await np.makeNetworkProcess({ name: 's6', server: true, host: '::1', service: true }))!;
    const port = np.processContact(srv, 'service') as number;
    const c = (await np.makeNetworkProcess({ name: 'c6', host: '::1', service: port }))!;
    expect(np.processContact(c, 'remote')).toEqual([0, 0, 0, 0, 0, 0, 0, 1, port]);
    const texts: string[] = [];
    const d = (await np.makeNetworkProcess({
      name: 'd6',
      type: 'datagram',
      server: true,
      host: '::1',
      service: true,
      filter: (_p: unknown, t: string) => texts.push(t),
    }))!;
    const dc = (await np.makeNetworkProcess({
      name: 'dc6',
      type: 'datagram',
      host: '::1',
      service: np.processContact(d, 'service') as number,
    }))!;
    expect(np.processContact(dc, 'local')).toEqual([0, 0, 0, 0, 0, 0, 0, 0, 0]);
    await np.processSendString(dc, 'v6');
    await waitFor(() => texts.length === 1);
    expect(np.setProcessDatagramAddress(dc, [127, 0, 0, 1, 9])).toBeNull();
  });
});
