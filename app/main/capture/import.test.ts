import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { engine, plainServer, waitFor } from '../netproc/test-support.js';
import type { TimelineData, TimelineRecord } from '../netproc/timeline.js';
import { exportPcapng } from './export.js';
import { writeExportFile } from './export-file.js';
import { importCapture } from './import.js';

const dir = mkdtempSync(join(tmpdir(), 'netproc-import-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const MAX = 64 * 1024 * 1024;

const data = (records: TimelineRecord[]): TimelineData[] => records.filter((r): r is TimelineData => r.kind === 'data');

describe('importing a capture', () => {
  it('our own export, as pcapng and as classic pcap (editcap): a closed, read-only process with the buffer and timeline it had', async () => {
    const np = engine();
    let peerSocket: net.Socket | null = null;
    const peer = await plainServer((s) => (peerSocket = s));
    const c = (await np.makeNetworkProcess({ name: 'web', buffer: '*web*', host: '127.0.0.1', service: peer.port }))!;
    await np.processSendString(c, 'GET / HTTP/1.0\r\n\r\n');
    const ps = await waitFor(() => peerSocket);
    await waitFor(() => peer.received() === 'GET / HTTP/1.0\r\n\r\n');
    ps.write('HTTP/1.0 200 OK\r\n\r\n');
    await waitFor(() => np.bufferString('*web*') === 'HTTP/1.0 200 OK\r\n\r\n');
    ps.end('body');
    await waitFor(() => c.status.kind === 'exit');
    const original = data(c.timeline!.all());
    const capture = join(dir, 'web.pcapng');
    await writeExportFile({ path: capture }, (out) => exportPcapng([c.timeline!], out));
    const classic = join(dir, 'web.pcap');
    execFileSync('/usr/bin/editcap', ['-F', 'pcap', capture, classic]);

    for (const path of [capture, classic]) {
      const summary = await importCapture(np, { path, maxBytes: MAX });
      const p = summary.process;
      expect(summary).toMatchObject({ index: 0, count: 1, protocol: 'tcp', server: `127.0.0.1:${peer.port}`, missingBytes: 0 });
      expect(p.kind).toBe('stream-client');
      expect(np.processStatus(p)).toBe('closed');
      expect(np.bufferString(p.buffer!.name)).toBe('HTTP/1.0 200 OK\r\n\r\nbody');
      expect(np.processContact(p, 'remote')).toEqual([127, 0, 0, 1, peer.port]);
      expect(np.processContact(p, 'imported')).toBe(path);
      const records = p.timeline!.all();
      expect(records[0]).toMatchObject({ kind: 'status', status: 'run' });
      expect(records.at(-1)).toMatchObject({ kind: 'status', status: 'exit', event: 'connection broken by remote peer\n' });
      // The same chunks each way, at the same microseconds (pcapng keeps µs; classic pcap too).
      expect(data(records).map((r) => [r.direction, r.bytes!.toString(), r.timeUs])).toEqual(
        original.map((r) => [r.direction, r.bytes!.toString(), r.timeUs]),
      );
      await expect(np.processSendString(p, 'x')).rejects.toThrow(`${p.name} is a conversation imported from ${path}: read-only`);
      await expect(np.stopProcess(p)).rejects.toThrow(`${p.name} is a conversation imported from ${path}: read-only, it cannot be stopped`);
      await expect(np.continueProcess(p)).rejects.toThrow('read-only, it cannot be continued');
      // list-processes deletes closed processes, but not a record of one.
      np.listProcessesRows();
      expect(np.processList()).toContain(p);
    }
    // Each import its own process and buffer, named as Emacs names a second one.
    expect(np.processList().map((p) => p.name)).toEqual(expect.arrayContaining(['web.pcapng', 'web.pcap']));
    const again = await importCapture(np, { path: capture, maxBytes: MAX, side: 'server', name: 'web.pcapng' });
    expect(again.process.name).toBe('web.pcapng<1>');
    expect(again.process.buffer!.name).toBe('*web.pcapng*<2>');
    // From the server's side: the buffer holds what the client sent.
    expect(np.bufferString(again.process.buffer!.name)).toBe('GET / HTTP/1.0\r\n\r\n');
  });

  it('a TCP conversation text2pcap made, and a UDP one, each with its peer; the conversation is chosen by number', async () => {
    const np = engine();
    const tcpText = join(dir, 'tcp.txt');
    writeFileSync(tcpText, 'O 0000  47 45 54 20 2f 0d 0a\nI 0000  48 54 54 50 20 32 30 30 0d 0a\nO 0000  62 79 65\n');
    const tcp = join(dir, 'tcp.pcapng');
    execFileSync('/usr/bin/text2pcap', ['-q', '-D', '-T', '40000,80', '-4', '10.1.1.1,10.1.1.2', tcpText, tcp]);
    const udpText = join(dir, 'udp.txt');
    writeFileSync(udpText, '0000  70 69 6e 67\n\n0000  70 6f 6e 67\n');
    const udp = join(dir, 'udp.pcap');
    execFileSync('/usr/bin/text2pcap', ['-q', '-F', 'pcap', '-u', '5000,6000', '-6', '::1,::2', udpText, udp]);
    const both = join(dir, 'both.pcapng');
    execFileSync('/usr/bin/mergecap', ['-a', '-w', both, tcp, udp]);

    const first = await importCapture(np, { path: both, maxBytes: MAX });
    expect(first).toMatchObject({ index: 0, count: 2, protocol: 'tcp' });
    const records = data(first.process.timeline!.all());
    expect(records.map((r) => [r.direction, r.bytes!.toString()])).toEqual([
      ['out', 'GET /\r\n'],
      ['in', 'HTTP 200\r\n'],
      ['out', 'bye'],
    ]);
    expect(np.bufferString(first.process.buffer!.name)).toBe('HTTP 200\r\n');

    const second = await importCapture(np, { path: both, maxBytes: MAX, conversation: 1, side: 'server' });
    expect(second).toMatchObject({ index: 1, count: 2, protocol: 'udp', client: '[::1]:5000', server: '[::2]:6000' });
    expect(second.process.kind).toBe('datagram-client');
    expect(np.bufferString(second.process.buffer!.name)).toBe('pingpong');
    expect(data(second.process.timeline!.all()).map((r) => [r.direction, r.peer])).toEqual([
      ['in', [0, 0, 0, 0, 0, 0, 0, 1, 5000]],
      ['in', [0, 0, 0, 0, 0, 0, 0, 1, 5000]],
    ]);
  });

  it('refuses what it cannot read, naming the field', async () => {
    const np = engine();
    const junk = join(dir, 'junk.bin');
    writeFileSync(junk, 'not a capture at all');
    await expect(importCapture(np, { path: junk, maxBytes: MAX })).rejects.toMatchObject({ field: 'path', message: /not a capture/ });
    await expect(importCapture(np, { path: 'relative.pcap', maxBytes: MAX })).rejects.toMatchObject({ field: 'path' });
    const udpText = join(dir, 'one.txt');
    writeFileSync(udpText, '0000  70 69 6e 67\n');
    const one = join(dir, 'one.pcapng');
    execFileSync('/usr/bin/text2pcap', ['-q', '-u', '5000,6000', udpText, one]);
    await expect(importCapture(np, { path: one, maxBytes: MAX, conversation: 3 })).rejects.toMatchObject({
      field: 'conversation',
      message: /holds 1 \(0 to 0\): 0: udp 1\.1\.1\.1:5000 → 2\.2\.2\.2:6000/,
    });
    await expect(importCapture(np, { path: one, maxBytes: 10 })).rejects.toMatchObject({ field: 'path', message: /at most 10/ });
    expect(np.processList()).toEqual([]);
  });
});
