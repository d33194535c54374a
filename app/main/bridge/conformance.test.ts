import dgram from 'node:dgram';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  clip,
  LIMITS,
  METHODS,
  NetprocBridgeError,
  type BridgeEvent,
  type EventBatch,
  type Method,
  type NetprocApi,
  type OpenNetworkStreamList,
  type ProcessInfo,
} from '../../shared/api.js';
import { collect, freePort, onCleanup, plainClient, plainServer, sleep, waitFor } from '../netproc/test-support.js';
import { SMTP_PARAMETERS, smtpServer } from '../netproc/smtp-test-server.js';
import { followTcpStream } from '../capture/tshark-support.js';
import { harnesses, type TransportName } from './test-clients.js';

function record(api: NetprocApi): { batches: EventBatch[]; events: () => BridgeEvent[] } {
  const batches: EventBatch[] = [];
  onCleanup(api.onEvents((b) => batches.push(b)));
  return { batches, events: () => batches.flatMap((b) => b.events) };
}

/** A value nested `depth` arrays deep. */
function nested(depth: number): unknown {
  let value: unknown = 0;
  for (let i = 0; i < depth; i++) value = [value];
  return value;
}

async function rejection(promise: Promise<unknown>): Promise<NetprocBridgeError> {
  try {
    await promise;
  } catch (err) {
    expect(err).toBeInstanceOf(NetprocBridgeError);
    return err as NetprocBridgeError;
  }
  throw new Error('expected the request to be refused');
}

describe.each<TransportName>(['websocket', 'ipc'])('the contract over %s', (transport) => {
  const harness = harnesses[transport];

  it('starts from a snapshot, then relays process, buffer, sentinel and log events', async () => {
    const { client, np } = await harness();
    const api = await client();
    const snap = await api.snapshot({});
    expect(snap).toMatchObject({ processes: [], buffers: [], log: [] });
    const { events } = record(api);
    const srv = (await api.makeNetworkProcess({ name: 'srv', server: true, service: true, buffer: '*srv*' }))!;
    expect(srv).toMatchObject({
      name: 'srv',
      kind: 'stream-server',
      status: 'listen',
      buffer: '*srv*',
      filter: 'default',
      sentinel: 'default',
    });
    const port = (srv.local as number[])[4] as number;
    const peer = await plainClient(port);
    peer.write('hello bridge');
    const added = await waitFor(() =>
      events().find(
        (e): e is Extract<BridgeEvent, { type: 'process-added' }> => e.type === 'process-added' && e.process.kind === 'accepted',
      ),
    );
    expect(added.process.name).toBe(`srv <127.0.0.1:${peer.localPort}>`);
    expect(added.process.serverId).toBe(srv.id);
    const bufferName = added.process.buffer!;
    await waitFor(() => events().some((e) => e.type === 'buffer-changed' && e.buffer.name === bufferName && e.buffer.length === 12));
    expect(
      events()
        .filter((e) => e.type === 'line')
        .map((e) => (e as { line: { kind: string; text: string } }).line),
    ).toEqual([
      expect.objectContaining({ kind: 'log', text: 'accept from 127.0.0.1\n' }),
      expect.objectContaining({ kind: 'sentinel', text: 'open from 127.0.0.1\n' }),
    ]);
    const range = await api.readBuffer({ name: bufferName });
    expect(range).toMatchObject({ data: 'hello bridge', start: 0, end: 12, encoding: 'text' });
    await api.stopProcess({ id: added.process.id });
    await waitFor(() =>
      events().some((e) => e.type === 'process-changed' && e.process.id === added.process.id && e.process.status === 'stop'),
    );
    await api.deleteProcess({ ids: [added.process.id] });
    await waitFor(() => events().some((e) => e.type === 'process-removed' && e.id === added.process.id));
    np.killBuffer(bufferName);
    await waitFor(() => events().some((e) => e.type === 'buffer-killed' && e.name === bufferName));
    expect(events().some((e) => e.type === 'line' && e.line.text === 'deleted\n')).toBe(true);
    await waitFor(() => events().some((e) => e.type === 'counters' && e.id === srv.id && e.counters.accepted === 1), 2000);
  });

  it("reads a server's traffic timeline across its connections, filtered, in stable positions, after a connection left", async () => {
    const { client } = await harness();
    const api = await client();
    const srv = (await api.makeNetworkProcess({ name: 'tl', server: true, service: true, buffer: '*tl*' }))!;
    const port = (srv.local as number[])[4] as number;
    const one = await plainClient(port);
    one.write('GET /one\r\n');
    const all = async () => api.readTimeline({ id: srv.id, count: 100 });
    await waitFor(async () => (await all()).records.some((r) => r.kind === 'data'));
    const page = await all();
    const conn = page.records.find((r) => r.kind === 'data')!;
    expect(conn).toMatchObject({ direction: 'in', size: 10, preview: 'GET /one\r\n', bytesKept: true, bufferAt: 0, peer: null });
    expect(conn.processName).toBe(`tl <127.0.0.1:${one.localPort}>`);
    expect(conn.buffer).toBe(`*tl* <127.0.0.1:${one.localPort}>`);
    await api.sendString({ id: conn.processId, text: 'HTTP/1.0 200\r\n' });
    one.end();
    await waitFor(async () => (await all()).records.some((r) => r.kind === 'status' && r.event === 'connection broken by remote peer\n'));
    const after = await all();
    expect(after).toMatchObject({ first: 0, epoch: 0, dropped: 0, capacity: 100_000 });
    // The server's listen, the connection's open, in, out, its close: in time order, positions counting from 0,
    // each status as process-status says it (the engine's own run and exit read open and closed).
    expect(after.records.map((r) => [r.kind, r.direction ?? r.status])).toEqual([
      ['status', 'listen'],
      ['status', 'open'],
      ['data', 'in'],
      ['data', 'out'],
      ['status', 'closed'],
    ]);
    expect(after.records.map((r) => r.position)).toEqual([0, 1, 2, 3, 4]);
    expect(after.startUs).toBe(after.records[0]!.timeUs);
    // Filters: a direction, text, hex; a window from a position.
    expect((await api.readTimeline({ id: srv.id, direction: 'out' })).records.map((r) => r.preview)).toEqual(['HTTP/1.0 200\r\n']);
    expect((await api.readTimeline({ id: srv.id, text: '/one' })).records.map((r) => r.index)).toEqual([1]);
    expect((await api.readTimeline({ id: srv.id, hex: '32 30 30' })).records).toHaveLength(1);
    expect((await api.readTimeline({ id: srv.id, text: 'broken' })).records.map((r) => r.kind)).toEqual(['status']);
    const window = await api.readTimeline({ id: srv.id, from: 3, count: 1 });
    expect(window).toMatchObject({ first: 0, end: 5, records: [{ position: 3, direction: 'out' }] });
    // The departed connection's own timeline is still readable while its buffer lives.
    expect((await api.readTimeline({ id: conn.processId })).records.map((r) => r.kind)).toEqual(['status', 'data', 'data', 'status']);
  });

  it("exports a server's traffic as pcapng that tshark follows, and a buffer as text and as xxd's hex dump", async () => {
    const { client } = await harness();
    const api = await client();
    const dir = mkdtempSync(join(tmpdir(), 'netproc-export-'));
    onCleanup(() => rmSync(dir, { recursive: true, force: true }));
    const srv = (await api.makeNetworkProcess({ name: 'ex', server: true, service: true, buffer: '*ex*' }))!;
    const port = (srv.local as number[])[4] as number;
    const peer = await plainClient(port);
    peer.write('hello \x00\x01 server\n');
    const accepted = await waitFor(async () => {
      const p = (await api.snapshot({})).processes.find((x) => x.serverId === srv.id);
      return p && p.counters.bytesIn === 16 ? p : null;
    });
    await api.sendString({ id: accepted.id, text: 'hello client\n' });
    await waitFor(async () => (await api.readTimeline({ id: srv.id })).records.some((r) => r.direction === 'out'));

    const capture = join(dir, 'ex.pcapng');
    const result = await api.exportTraffic({ id: srv.id, format: 'pcapng', path: capture });
    expect(result).toMatchObject({ path: capture, packets: 5, missingBytes: 0, start: null });
    expect(result.bytes).toBe(readFileSync(capture).length);
    const stream = followTcpStream(capture, 0);
    expect(stream.client.toString('latin1')).toBe('hello \x00\x01 server\n');
    expect(stream.server.toString()).toBe('hello client\n');
    expect(stream.nodes).toEqual([`127.0.0.1:${peer.localPort}`, `127.0.0.1:${port}`]);

    const text = join(dir, 'ex.bin');
    const hex = join(dir, 'ex.hex');
    expect(await api.exportTraffic({ id: accepted.id, format: 'text', path: text, start: 6 })).toMatchObject({
      start: 6,
      end: 16,
      bytes: 10,
    });
    expect(readFileSync(text, 'latin1')).toBe('\x00\x01 server\n');
    await api.exportTraffic({ buffer: accepted.buffer!, format: 'hex', path: hex });
    await api.exportTraffic({ buffer: accepted.buffer!, format: 'text', path: text, overwrite: true });
    expect(readFileSync(hex, 'latin1')).toBe(execFileSync('/usr/bin/xxd', [text], { encoding: 'latin1' }));
    expect(readFileSync(hex, 'latin1')).toBe('00000000: 6865 6c6c 6f20 0001 2073 6572 7665 720a  hello .. server.\n');

    // An existing file is kept unless overwrite is asked for; a relative path is refused.
    expect(await rejection(api.exportTraffic({ id: srv.id, format: 'pcapng', path: capture }))).toMatchObject({
      code: 'EEXIST',
      field: 'path',
    });
    expect(await rejection(api.exportTraffic({ id: srv.id, format: 'pcapng', path: 'ex.pcapng' }))).toMatchObject({
      code: 'INVALID_ARGUMENT',
      field: 'path',
    });
    expect(existsSync(join(dir, 'ex.pcapng'))).toBe(true);
  });

  it('imports a capture as a closed, read-only process whose buffer and timeline read like any other', async () => {
    const { client } = await harness();
    const api = await client();
    const dir = mkdtempSync(join(tmpdir(), 'netproc-import-'));
    onCleanup(() => rmSync(dir, { recursive: true, force: true }));
    writeFileSync(join(dir, 'c.txt'), 'O 0000  47 45 54 20 2f 0d 0a\nI 0000  48 54 54 50 20 32 30 30 0d 0a\n');
    const path = join(dir, 'c.pcapng');
    execFileSync('/usr/bin/text2pcap', ['-q', '-D', '-T', '40000,80', '-4', '10.1.1.1,10.1.1.2', join(dir, 'c.txt'), path]);
    const imported = await api.importCapture({ path });
    expect(imported).toMatchObject({
      conversation: 0,
      conversations: 1,
      protocol: 'tcp',
      bytes: 17,
      missingBytes: 0,
      process: { name: 'c.pcapng', kind: 'stream-client', status: 'closed', buffer: '*c.pcapng*', remoteText: expect.any(String) },
    });
    expect((await api.readBuffer({ name: '*c.pcapng*' })).data).toBe('HTTP 200\r\n');
    expect((await api.readTimeline({ id: imported.process.id })).records.map((r) => [r.direction, r.preview])).toEqual([
      ['out', 'GET /\r\n'],
      ['in', 'HTTP 200\r\n'],
    ]);
    expect(await rejection(api.sendString({ id: imported.process.id, text: 'x' }))).toMatchObject({
      code: 'NOT_RUNNING',
      message: expect.stringContaining('read-only'),
    });
  });

  it('sends text, hex bytes and files, and EOF; the peer receives exactly those bytes', async () => {
    const { client } = await harness();
    const api = await client();
    let ended = false;
    const peer = await plainServer((s) => {
      s.allowHalfOpen = true;
      s.on('end', () => (ended = true));
    });
    const chunks: Buffer[] = [];
    peer.server.on('connection', (s) => s.on('data', (d: Buffer) => chunks.push(d)));
    const c = (await api.makeNetworkProcess({ name: 'c', host: '127.0.0.1', service: peer.port }))!;
    await api.sendString({ id: c.id, text: 'héllo\n' });
    await api.sendBytes({ id: c.id, hex: 'de ad BE ef' });
    const dir = mkdtempSync(join(tmpdir(), 'netproc-send-'));
    onCleanup(() => rmSync(dir, { recursive: true, force: true }));
    writeFileSync(join(dir, 'payload.bin'), Buffer.from([0, 1, 2, 255]));
    expect(await api.sendFile({ id: c.id, path: join(dir, 'payload.bin') })).toEqual({ bytes: 4 });
    // A library message of kind file: its name labels the send in the timeline.
    expect(await api.sendFile({ id: c.id, path: join(dir, 'payload.bin'), name: 'the payload' })).toEqual({ bytes: 4 });
    await api.sendEof({ id: c.id });
    await waitFor(() => ended);
    const payload = [0, 1, 2, 255];
    expect(Buffer.concat(chunks)).toEqual(
      Buffer.concat([Buffer.from('héllo\n'), Buffer.from([0xde, 0xad, 0xbe, 0xef, ...payload, ...payload])]),
    );
    const sent = (await api.readTimeline({ id: c.id, count: 100 })).records.filter((r) => r.direction === 'out');
    expect(sent.map((r) => [r.size, r.label])).toEqual([
      [Buffer.byteLength('héllo\n'), null],
      [4, null],
      [4, null],
      [4, 'the payload'],
    ]);
    const badName = await rejection(api.sendFile({ id: c.id, path: join(dir, 'payload.bin'), name: '' }));
    expect(badName).toMatchObject({ code: 'INVALID_ARGUMENT', field: 'name' });
    const info = (await api.snapshot({})).processes.find((p) => p.id === c.id)!;
    expect(info).toMatchObject({ eofSent: true, status: 'open' });
    expect(info.counters.bytesOut).toBe(Buffer.byteLength('héllo\n') + 12);
  });

  it('sends a library message once, repeats it with its progress as events, stops a repeat, and sends to every connection', async () => {
    const { client } = await harness();
    const api = await client();
    await api.snapshot({});
    const { events } = record(api);
    const peer = await plainServer();
    const c = (await api.makeNetworkProcess({ name: 'c', host: '127.0.0.1', service: peer.port }))!;
    expect(await api.sendMessage({ id: c.id, name: 'hello', template: 'hi\\x00{{hex:ff}}\\n' })).toBeNull();
    await waitFor(() => peer.received().length >= 5);
    const greeting = (await api.readTimeline({ id: c.id, count: 100 })).records.find((r) => r.direction === 'out');
    expect(greeting).toMatchObject({ size: 5, label: 'hello' });

    const started = (await api.sendMessage({ id: c.id, name: 'tick', template: '{{seq}};', repeat: { intervalMs: 2, count: 50 } }))!;
    expect(started).toMatchObject({ name: 'tick', processName: 'c', intervalMs: 2, count: 50, running: true, error: null });
    const last = (): BridgeEvent | undefined =>
      events().findLast((e) => e.type === 'repeat' && e.state.id === started.id && !e.state.running);
    await waitFor(() => last() !== undefined, 10_000, 'the repeat to end');
    expect(last()).toEqual({ type: 'repeat', state: { ...started, sent: 50, running: false } });
    expect(peer.received()).toBe('hi\u0000\ufffd\n' + Array.from({ length: 50 }, (_, i) => `${i + 1};`).join(''));
    expect(await api.listRepeats({})).toEqual([]);

    const forever = (await api.sendMessage({ id: c.id, name: 'forever', template: '.', repeat: { intervalMs: 5, count: null } }))!;
    expect((await api.listRepeats({})).map((r) => r.id)).toEqual([forever.id]);
    expect(await api.stopRepeat({ id: forever.id })).toBe(true);
    expect(await api.stopRepeat({ id: forever.id })).toBe(false);
    await waitFor(() => events().some((e) => e.type === 'repeat' && e.state.id === forever.id && !e.state.running));

    const bad = await rejection(api.sendMessage({ id: c.id, template: 'a\\qb' }));
    expect(bad).toMatchObject({ code: 'INVALID_ARGUMENT', field: 'template' });
    expect(bad.message).toContain('character 2');

    const srv = (await api.makeNetworkProcess({ name: 'srv', server: true, host: '127.0.0.1', service: true }))!;
    const port = (srv.local as number[])[4] as number;
    const [one, two] = [await plainClient(port), await plainClient(port)];
    const [got1, got2] = [collect(one!), collect(two!)];
    await waitFor(async () => (await api.snapshot({})).processes.filter((p) => p.serverId === srv.id).length === 2);
    expect(await api.sendMessage({ id: srv.id, name: 'all', template: 'to all {{seq}}\\n', everyConnection: true })).toBeNull();
    await waitFor(() => got1() === 'to all 1\n' && got2() === 'to all 1\n');
    expect((await rejection(api.sendMessage({ id: srv.id, template: 'x', everyConnection: false }))).code).toBe('NOT_RUNNING');
  });

  it('stops and continues, switches filters and sentinels, and keeps plists', async () => {
    const { client } = await harness();
    const api = await client();
    const srv = (await api.makeNetworkProcess({ name: 'echo', server: true, service: true, filter: 'echo', sentinel: 'silent' }))!;
    expect(srv).toMatchObject({ filter: 'echo', sentinel: 'silent' });
    const peer = await plainClient((srv.local as number[])[4] as number);
    const got = collect(peer);
    peer.write('ping');
    await waitFor(() => got() === 'ping');
    const acc = (await api.snapshot({})).processes.find((p) => p.kind === 'accepted')!;
    expect(acc.filter).toBe('echo');
    // A server whose filter is a function gives its connections no buffer [O-02 C].
    expect(acc.buffer).toBeNull();
    expect((await api.stopProcess({ id: acc.id })).status).toBe('stop');
    peer.write('held');
    await sleep(100);
    expect(got()).toBe('ping');
    expect((await api.continueProcess({ id: acc.id })).status).toBe('open');
    await waitFor(() => got() === 'pingheld');
    expect((await api.setFilter({ id: acc.id, filter: 'hold' })).filter).toBe('hold');
    expect((await api.setSentinel({ id: acc.id, sentinel: 'default' })).sentinel).toBe('default');
    expect(await api.processPut({ id: acc.id, key: 'note', value: { seen: [1, 2] } })).toEqual(['note', { seen: [1, 2] }]);
    expect(await api.processGet({ id: acc.id, key: 'note' })).toEqual({ seen: [1, 2] });
    expect(await api.processGet({ id: acc.id, key: 'missing' })).toBeNull();
    expect((await api.setQueryOnExitFlag({ id: acc.id, flag: false })).queryOnExit).toBe(false);
    const latin = await api.setCodingSystem({ id: acc.id, decoding: 'latin-1', encoding: 'utf-8' });
    expect([latin.coding, latin.filterMultibyte]).toEqual([['latin-1', 'utf-8-unix'], true]);
    // binary decoding makes the filter's strings unibyte, which the buffer view shows as octal escapes.
    expect((await api.setCodingSystem({ id: acc.id, decoding: 'binary', encoding: 'utf-8' })).filterMultibyte).toBe(false);
  });

  it('answers process-contact as nil, t or a keyword, list-processes and format-network-address', async () => {
    const { client } = await harness();
    const api = await client();
    const srv = (await api.makeNetworkProcess({ name: 'srv', server: true, host: '127.0.0.1', service: true, noquery: true }))!;
    const port = (srv.local as number[])[4];
    expect(await api.processContact({ id: srv.id, key: null })).toEqual(['127.0.0.1', port]);
    expect(await api.processContact({ id: srv.id, key: true })).toEqual({
      name: 'srv',
      server: true,
      host: '127.0.0.1',
      service: port,
      noquery: true,
      local: [127, 0, 0, 1, port],
    });
    expect(await api.processContact({ id: srv.id, key: 'local' })).toEqual([127, 0, 0, 1, port]);
    expect(await api.listProcesses({})).toEqual([
      expect.objectContaining({ process: 'srv', status: 'listen', command: `(network server on 127.0.0.1:${port})` }),
    ]);
    expect(await api.listProcesses({ queryOnly: true })).toEqual([]);
    expect(await api.formatNetworkAddress({ address: [0, 0, 0, 0, 0, 0, 0, 1, 80] })).toBe('[0:0:0:0:0:0:0:1]:80');
    expect(await api.formatNetworkAddress({ address: [127, 0, 0, 1, 80], omitPort: true })).toBe('127.0.0.1');
    expect(await api.formatNetworkAddress({ address: 'junk'.length })).toBeNull();
  });

  it('keeps Lisp symbols apart from strings in contact values: :type datagram, :family ipv4, :host local [spec §7.3]', async () => {
    const { client } = await harness();
    const api = await client();
    const d = (await api.makeNetworkProcess({
      name: 'dsym',
      type: 'datagram',
      server: true,
      host: '127.0.0.1',
      service: true,
      family: 'ipv4',
      coding: 'binary',
      filter: 'echo',
    }))!;
    const full = (await api.processContact({ id: d.id, key: true })) as Record<string, unknown>;
    expect(full).toMatchObject({
      type: { symbol: 'datagram' },
      family: { symbol: 'ipv4' },
      coding: { symbol: 'binary' },
      filter: { symbol: 'echo' },
      host: '127.0.0.1',
    });
    expect(await api.processContact({ id: d.id, key: 'type' })).toEqual({ symbol: 'datagram' });
    const s = (await api.makeNetworkProcess({ name: 'ssym', server: true, host: 'local', service: true }))!;
    expect(await api.processContact({ id: s.id, key: null })).toEqual([{ symbol: 'local' }, (s.local as number[])[4]]);
  });

  it('runs a self-signed TLS server, shows what clients negotiated, and pins, lists and forgets its certificate (beyond Emacs)', async () => {
    const { client } = await harness();
    const api = await client();
    const srv = (await api.makeNetworkProcess({
      name: 'tsrv',
      server: true,
      host: '127.0.0.1',
      service: true,
      tlsServer: { selfSigned: true, alpn: ['h2', 'http/1.1'] },
    }))!;
    const port = (srv.local as number[])[4] as number;
    expect(srv.tls).toMatchObject({ role: 'server', certificateSource: 'self-signed', alpnOffered: ['h2', 'http/1.1'] });
    const fingerprint = srv.tls!.localCertificate!.fingerprint256;
    expect(await api.processContact({ id: srv.id, key: 'tls' })).toMatchObject({
      source: 'self-signed',
      fingerprint,
      subject: 'CN=localhost',
    });

    // Unverified and not pinned: a :nowait client fails, keeping the certificate it was shown.
    const failed = (await api.makeNetworkProcess({
      name: 'nw',
      host: '127.0.0.1',
      service: port,
      nowait: true,
      tlsParameters: { alpn: ['h2'] },
    }))!;
    await waitFor(async () => (await api.snapshot({})).processes.find((p) => p.id === failed.id)?.status === 'failed');
    const failedInfo = (await api.snapshot({})).processes.find((p) => p.id === failed.id)!;
    expect(failedInfo.tls).toMatchObject({ authorized: false, pinned: false, pinTarget: { host: '127.0.0.1', port } });
    expect(failedInfo.tls?.peerCertificate?.fingerprint256).toBe(fingerprint);
    const refused = await rejection(api.openNetworkStream({ name: 'ons', buffer: null, host: '127.0.0.1', service: port, type: 'tls' }));
    expect(refused).toMatchObject({ code: 'TLS_HANDSHAKE', field: 'tlsParameters' });
    expect(refused.message).toContain(fingerprint);

    expect(await api.pinCertificate({ host: '127.0.0.1', port, fingerprint })).toMatchObject({ host: '127.0.0.1', port, fingerprint });
    expect(await api.listCertificatePins({})).toMatchObject([{ host: '127.0.0.1', port, fingerprint }]);
    const c = (await api.openNetworkStream({
      name: 'ons',
      buffer: null,
      host: '127.0.0.1',
      service: port,
      type: 'tls',
      alpn: ['http/1.1'],
    })) as ProcessInfo;
    expect(c.tls).toMatchObject({
      role: 'client',
      authorized: false,
      pinned: true,
      pinnedFingerprint: fingerprint,
      alpnProtocol: 'http/1.1',
    });
    expect(c.tls?.protocol).toMatch(/^TLSv1\.[23]$/);
    expect(await api.processContact({ id: c.id, key: 'tls' })).toMatchObject({
      alpn: 'http/1.1',
      pinned: true,
      verified: false,
      fingerprint,
    });
    await waitFor(async () => (await api.snapshot({})).processes.some((p) => p.serverId === srv.id && p.tls?.role === 'accepted'));

    expect(await api.forgetCertificatePin({ host: '127.0.0.1', port })).toBe(true);
    expect(await api.forgetCertificatePin({ host: '127.0.0.1', port })).toBe(false);
    expect(await api.listCertificatePins({})).toEqual([]);
  });

  it("keeps an error's Lisp condition, data and system call across the wire: a refused connect is (file-error ...)", async () => {
    const { client } = await harness();
    const api = await client();
    const port = await freePort();
    const refused = await rejection(api.makeNetworkProcess({ name: 'refused', host: '127.0.0.1', service: port }));
    expect(refused).toMatchObject({
      code: 'ECONNREFUSED',
      field: 'service',
      message: 'make client process failed: Connection refused',
      condition: 'file-error',
      syscall: 'connect',
      address: '127.0.0.1',
      port,
    });
    // Emacs's data: the context, strerror, then the contact plist with its keywords as symbols.
    expect(refused.data.slice(0, 4)).toEqual(['make client process failed', 'Connection refused', { symbol: ':name' }, 'refused']);
    expect(refused.data).toEqual(expect.arrayContaining([{ symbol: ':host' }, '127.0.0.1', { symbol: ':service' }, port]));
  });

  it('gives an unknown option the condition error, its message as the data, and no system call', async () => {
    const { client } = await harness();
    const api = await client();
    const unknown = await rejection(api.makeNetworkProcess({ name: 'x', dontroute: true } as never));
    expect(unknown).toMatchObject({ code: 'INVALID_ARGUMENT', field: 'dontroute', condition: 'error', data: [unknown.message] });
    expect(unknown.message).toBe('dontroute: is not a known field');
    expect(unknown.syscall).toBeUndefined();
    expect(unknown.port).toBeUndefined();
  });

  it('reads and sets datagram addresses', async () => {
    const { client } = await harness();
    const api = await client();
    const d = (await api.makeNetworkProcess({ name: 'd', type: 'datagram', server: true, host: '127.0.0.1', service: true }))!;
    expect(await api.processDatagramAddress({ id: d.id })).toEqual({ family: 0, data: new Array(14).fill(0) });
    const sender = dgram.createSocket('udp4');
    onCleanup(() => sender.close());
    await new Promise<void>((r) => sender.send('x', (d.local as number[])[4], '127.0.0.1', () => r()));
    await waitFor(async () => Array.isArray(await api.processDatagramAddress({ id: d.id })));
    expect(await api.setProcessDatagramAddress({ id: d.id, address: [127, 0, 0, 1, 9] })).toEqual([127, 0, 0, 1, 9]);
    expect(await api.setProcessDatagramAddress({ id: d.id, address: [0, 0, 0, 0, 0, 0, 0, 1, 9] })).toBeNull();
  });

  it('per-peer UDP: a splitting server lists each peer under it, a peer row replies to its peer only, off ends the rows (beyond Emacs)', async () => {
    const { client } = await harness();
    const api = await client();
    const d = (await api.makeNetworkProcess({
      name: 'split',
      buffer: '*split*',
      type: 'datagram',
      server: true,
      host: '127.0.0.1',
      service: true,
      splitPeers: true,
    }))!;
    expect(d.splitPeers).toBe(true);
    // Before any datagram the contact keeps Emacs's unspecified :remote, which is no peer to list ("<Family 0>").
    expect(d.remote).toMatchObject({ family: 0 });
    expect(d.remoteText).toBeNull();
    const port = (d.local as number[])[4] as number;
    const peers = [dgram.createSocket('udp4'), dgram.createSocket('udp4')];
    const received: string[][] = [[], []];
    for (const [i, socket] of peers.entries()) {
      onCleanup(() => socket.close());
      socket.on('message', (m, from) => received[i]!.push(`${m.toString()}@${from.port}`));
      await new Promise<void>((r) => socket.bind(0, '127.0.0.1', () => r()));
      await new Promise<void>((r) => socket.send(`from ${i}`, port, '127.0.0.1', () => r()));
    }
    const rows = await waitFor(async () => {
      const listed = (await api.snapshot({})).processes.filter((p) => p.serverId === d.id);
      return listed.length === 2 ? listed.sort((a, b) => a.id - b.id) : null;
    });
    const peerPorts = peers.map((s) => s.address().port);
    expect(rows.map((p) => [p.kind, p.name, p.buffer, p.remoteText, p.status])).toEqual(
      peerPorts.map((pp) => ['datagram-peer', `split <127.0.0.1:${pp}>`, `*split* <127.0.0.1:${pp}>`, `127.0.0.1:${pp}`, 'open']),
    );
    expect(rows[1]?.counters).toMatchObject({ datagramsIn: 1, bytesIn: 6 });
    const text = async (name: string) => (await api.readBuffer({ name })).data;
    await waitFor(async () => (await text('*split*')) === 'from 0from 1');
    expect(await text(`*split* <127.0.0.1:${peerPorts[0]}>`)).toBe('from 0');
    await api.sendString({ id: rows[0]!.id, text: 'to 0' });
    await waitFor(() => received[0]!.length === 1);
    expect(received).toEqual([[`to 0@${port}`], []]);
    // The workspace keeps the option; off ends the peer rows and is kept too.
    expect((await api.captureWorkspace({})).processes[0]).toMatchObject({ args: { name: 'split', splitPeers: true } });
    expect(await api.setSplitPeers({ id: d.id, split: false })).toMatchObject({ id: d.id, splitPeers: false });
    expect((await api.snapshot({})).processes.filter((p) => p.serverId === d.id)).toEqual([]);
    expect((await api.captureWorkspace({})).processes[0]?.args).not.toHaveProperty('splitPeers');
    const tcp = (await api.makeNetworkProcess({ name: 'tcp', server: true, host: '127.0.0.1', service: true }))!;
    expect(await rejection(api.setSplitPeers({ id: tcp.id, split: true }))).toMatchObject({ code: 'INVALID_ARGUMENT', field: 'id' });
  });

  it.runIf(process.platform === 'linux')(
    "reads a stopped connection's kernel queues filling while its peer floods, and says why a listening socket has none (beyond Emacs)",
    async () => {
      const { client } = await harness();
      const api = await client();
      const srv = (await api.makeNetworkProcess({ name: 'kq', server: true, host: '127.0.0.1', service: true, filter: 'discard' }))!;
      expect(await api.processKernelQueues({ id: srv.id })).toMatchObject({
        unavailable: 'a listening socket has no data queues',
        receiveQueue: null,
      });
      const peer = await plainClient((srv.local as number[])[4] as number);
      const accepted = await waitFor(async () => (await api.snapshot({})).processes.find((p) => p.kind === 'accepted'));
      await api.stopProcess({ id: accepted.id });
      const block = Buffer.alloc(64 * 1024, 0x78);
      // Write until the peer's own socket backs up: both kernels' buffers are then full (bounded: 400 blocks).
      for (let i = 0; i < 400 && peer.write(block); i++) await sleep(1);
      const queues = await waitFor(async () => {
        const q = await api.processKernelQueues({ id: accepted.id });
        return q.receiveQueue !== null && q.receiveQueue > 64 * 1024 ? q : null;
      });
      expect(queues).toMatchObject({ unavailable: null, heldByNode: 0, buffersUnavailable: null });
      expect(queues.receiveBuffer).toBeGreaterThan(queues.receiveQueue!);
      expect(queues.receiveFill).toBeCloseTo(queues.receiveQueue! / queues.receiveBuffer!, 6);
      // Continued, the process reads everything: the queue drains.
      await api.continueProcess({ id: accepted.id });
      await waitFor(
        async () => peer.writableLength === 0 && (await api.processKernelQueues({ id: accepted.id })).receiveQueue === 0,
        10_000,
        'the receive queue to drain',
      );
    },
  );

  it('set-network-process-option: t and the contact records it; :linger t makes delete-process reset; the kernel refuses :nodelay on UDP', async () => {
    const { client } = await harness();
    const api = await client();
    let peerError = '';
    const peer = await plainServer((s) => s.on('error', (e: NodeJS.ErrnoException) => (peerError = e.code ?? '')));
    const c = (await api.makeNetworkProcess({ name: 'opt', host: '127.0.0.1', service: peer.port }))!;
    expect(await api.setNetworkProcessOption({ id: c.id, option: 'keepalive', value: true })).toBe(true);
    expect(await api.setNetworkProcessOption({ id: c.id, option: 'nodelay', value: false })).toBe(true);
    expect(await api.setNetworkProcessOption({ id: c.id, option: 'linger', value: true })).toBe(true);
    expect(await api.processContact({ id: c.id, key: true })).toMatchObject({ keepalive: true, nodelay: false, linger: true });
    const unknown = await rejection(api.setNetworkProcessOption({ id: c.id, option: 'frob', value: true }));
    expect(unknown).toMatchObject({ message: 'Unknown or unsupported option', condition: 'error', field: 'option' });
    expect(await api.setNetworkProcessOption({ id: c.id, option: 'frob', value: true, noError: true })).toBe(false);
    await waitFor(() => peer.sockets.length === 1);
    await api.deleteProcess({ ids: [c.id] });
    await waitFor(() => peerError === 'ECONNRESET');

    const udp = (await api.makeNetworkProcess({ name: 'u', type: 'datagram', server: true, host: '127.0.0.1', service: true }))!;
    const refused = await rejection(api.setNetworkProcessOption({ id: udp.id, option: 'nodelay', value: true }));
    expect(refused).toMatchObject({
      code: 'ENOPROTOOPT',
      field: 'option',
      message: 'Cannot set network option: Protocol not available',
      condition: 'file-error',
      data: ['Cannot set network option', 'Protocol not available', { symbol: ':nodelay' }, true],
    });
    expect(await api.setNetworkProcessOption({ id: udp.id, option: 'reuseaddr', value: null })).toBe(true);
    expect(await api.processContact({ id: udp.id, key: 'reuseaddr' })).toBe(false);
  });

  it('auto-reply rules: a regex rule answers with its capture, hits reach the row live, bad rules name their field', async () => {
    const { client } = await harness();
    const api = await client();
    await api.snapshot({});
    const { events } = record(api);
    const srv = (await api.makeNetworkProcess({ name: 'ar', server: true, host: '127.0.0.1', service: true }))!;
    const spec = {
      framing: 'line' as const,
      rules: [
        { name: 'greet', match: 'regex' as const, pattern: '^HELLO (\\w+)', reply: 'hi {{1}}\\n' },
        { match: 'exact' as const, pattern: 'bye', reply: 'ciao\\n', close: true },
      ],
    };
    const state = await api.setAutoReplyRules({ id: srv.id, rules: spec });
    expect(state).toMatchObject({
      framing: 'line',
      lengthBytes: 2,
      rules: [
        { name: 'greet', hits: 0 },
        { name: 'rule 2', close: true },
      ],
    });
    const peer = await plainClient((srv.local as number[])[4] as number);
    const heard = collect(peer);
    peer.write('HELLO bob\r\n');
    await waitFor(() => heard() === 'hi bob\n');
    const row = await waitFor(() =>
      events().find((e) => e.type === 'process-changed' && e.process.id === srv.id && e.process.autoReplyHits?.[0] === 1),
    );
    expect(row).toMatchObject({ process: { autoReplyHits: [1, 0] } });
    expect(await api.autoReplyRules({ id: srv.id })).toMatchObject({ rules: [{ hits: 1 }, { hits: 0 }] });

    const badRegex = await rejection(
      api.setAutoReplyRules({ id: srv.id, rules: { framing: 'chunk', rules: [{ match: 'regex', pattern: '(a', reply: '' }] } }),
    );
    expect(badRegex).toMatchObject({ code: 'INVALID_ARGUMENT', field: 'rules.rules.0.pattern' });
    const badReply = await rejection(
      api.setAutoReplyRules({ id: srv.id, rules: { framing: 'chunk', rules: [{ match: 'exact', pattern: 'a', reply: '{{nope}}' }] } }),
    );
    expect(badReply).toMatchObject({ code: 'INVALID_ARGUMENT', field: 'rules.rules.0.reply' });
    // A refused change leaves the rules as they were.
    expect((await api.autoReplyRules({ id: srv.id }))?.rules).toHaveLength(2);

    expect(await api.setAutoReplyRules({ id: srv.id, rules: null })).toBeNull();
    expect(await api.autoReplyRules({ id: srv.id })).toBeNull();
    await waitFor(() => events().some((e) => e.type === 'process-changed' && e.process.id === srv.id && e.process.autoReplyHits === null));
  });

  it('reconnect: a client made again after its peer closes, its state on its row, its attempts in the log; cancel by name', async () => {
    const { client } = await harness();
    const api = await client();
    await api.snapshot({});
    const { events } = record(api);
    const peer = await plainServer();
    const c = (await api.makeNetworkProcess({ name: 'rc', host: '127.0.0.1', service: peer.port, buffer: '*rc*' }))!;
    // A minute's wait first, so that the waiting row is there to be seen however late events arrive on a loaded machine.
    const state = await api.setProcessReconnect({ id: c.id, policy: { initialMs: 60_000, maxMs: 60_000, jitter: 0, maxAttempts: 3 } });
    expect(state).toMatchObject({ name: 'rc', attempt: 0, policy: { initialMs: 60_000, maxAttempts: 3, multiplier: 2 } });
    await waitFor(() => peer.sockets.length === 1);
    peer.sockets[0]!.destroy();
    // Made, closed and waiting within one frame, the client's news is one process-added with its latest state.
    await waitFor(() =>
      events().some(
        (e) =>
          (e.type === 'process-changed' || e.type === 'process-added') &&
          e.process.id === c.id &&
          e.process.status === 'closed' &&
          e.process.reconnect?.attempt === 1,
      ),
    );
    // Then a short one, given to the waiting client, makes the attempt.
    expect(await api.setProcessReconnect({ id: c.id, policy: { initialMs: 50, maxMs: 50, jitter: 0, maxAttempts: 3 } })).toMatchObject({
      attempt: 1,
    });
    const again = await waitFor(() =>
      events().find(
        (e): e is Extract<BridgeEvent, { type: 'process-added' }> =>
          e.type === 'process-added' && e.process.name === 'rc' && e.process.id !== c.id,
      ),
    );
    expect(again.process.buffer).toBe('*rc*');
    // The attempt says whose place it took, so a view can follow the client to it.
    expect(again.process.reconnect?.replaces).toBe(c.id);
    await waitFor(() =>
      events().some(
        (e) =>
          (e.type === 'process-changed' || e.type === 'process-added') &&
          e.process.id === again.process.id &&
          e.process.reconnect?.attempt === 0 &&
          e.process.status === 'open',
      ),
    );
    await waitFor(() => events().some((e) => e.type === 'line' && e.line.text.includes('rc: reconnected after 1 attempt')));

    const server = (await api.makeNetworkProcess({ name: 'rs', server: true, host: '127.0.0.1', service: true }))!;
    expect(await rejection(api.setProcessReconnect({ id: server.id, policy: true }))).toMatchObject({
      code: 'INVALID_ARGUMENT',
      field: 'id',
    });
    expect(await rejection(api.setProcessReconnect({ id: again.process.id, policy: { initialMs: 500, maxMs: 100 } }))).toMatchObject({
      code: 'INVALID_ARGUMENT',
      field: 'policy.maxMs',
    });

    expect(await api.cancelReconnect({ name: 'rc' })).toBe(true);
    expect(await api.cancelReconnect({ name: 'rc' })).toBe(false);
    await waitFor(() =>
      events().some((e) => e.type === 'process-changed' && e.process.id === again.process.id && e.process.reconnect === null),
    );
  });

  it('reconnect with the make: a refused first connect is a failed client that retries; bad policies by field; none for servers', async () => {
    const { client } = await harness();
    const api = await client();
    const port = await freePort();
    const made = (await api.makeNetworkProcess({
      name: 'rm',
      host: '127.0.0.1',
      service: port,
      reconnect: { initialMs: 60_000, maxMs: 60_000, maxAttempts: 5 },
    }))!;
    expect(made.name).toBe('rm');
    await waitFor(async () => (await api.snapshot({})).processes.find((p) => p.id === made.id && p.status === 'failed'));
    const row = (await api.snapshot({})).processes.find((p) => p.id === made.id)!;
    expect(row.reconnect).toMatchObject({ attempt: 1, policy: { initialMs: 60_000, maxAttempts: 5 } });
    expect(await api.cancelReconnect({ name: 'rm' })).toBe(true);
    expect(
      await rejection(api.makeNetworkProcess({ name: 'rb', host: '127.0.0.1', service: port, reconnect: { initialMs: -1 } })),
    ).toMatchObject({ code: 'INVALID_ARGUMENT', field: 'reconnect.initialMs' });
    expect(
      await rejection(api.makeNetworkProcess({ name: 'rs', server: true, host: '127.0.0.1', service: true, reconnect: true })),
    ).toMatchObject({ code: 'INVALID_ARGUMENT', field: 'reconnect' });
    const names = (await api.snapshot({})).processes.map((p) => p.name);
    expect(names).not.toContain('rb');
    expect(names).not.toContain('rs');
  });

  it('a workspace: captured from what the contract made, applied whole or not at all, and made again the same', async () => {
    const { client, np } = await harness();
    const api = await client();
    // A port given, not chosen at run time, so that the client's definition still names the server's port when made again.
    const port = await freePort();
    await api.makeNetworkProcess({
      name: 'ws-srv',
      server: true,
      host: '127.0.0.1',
      service: port,
      filter: 'echo',
      plist: ['k', 1],
    });
    await api.makeNetworkProcess({ name: 'ws-cli', host: '127.0.0.1', service: port, buffer: '*ws-cli*', sentinel: 'silent' });
    await waitFor(() => np.processList().some((p) => p.kind === 'accepted'));
    const { processes } = await api.captureWorkspace({});
    // Accepted connections are their server's doing, not definitions; the builtin names and the plist are as set now.
    expect(processes).toEqual([
      {
        kind: 'make-network-process',
        args: { name: 'ws-srv', server: true, host: '127.0.0.1', service: port },
        filter: 'echo',
        plist: ['k', 1],
      },
      { kind: 'make-network-process', args: { name: 'ws-cli', host: '127.0.0.1', service: port, buffer: '*ws-cli*' }, sentinel: 'silent' },
    ]);
    const workspace = { format: 'netproc-workspace', version: 1, processes, messages: [], layout: {} };

    // A definition the engine refuses (its name is taken by nothing, but its port is in use) undoes the ones made before it.
    const busy = await plainServer(() => {});
    const failing = {
      ...workspace,
      processes: [
        { kind: 'make-network-process', args: { name: 'first', server: true, host: '127.0.0.1', service: 0 } },
        { kind: 'make-network-process', args: { name: 'second', server: true, host: '127.0.0.1', service: busy.port } },
      ],
    };
    const before = np.processList().length;
    const refused = await rejection(api.applyWorkspace({ text: JSON.stringify(failing), start: true }));
    expect(refused.field?.startsWith('processes[1]')).toBe(true);
    expect(refused.message).toMatch(/^processes\[1\] \(second\): /);
    await waitFor(() => np.processList().length === before);
    expect(np.getProcess('first')).toBeNull();

    // Checking only (start: false) makes nothing; applying skips the names in the list and makes the rest.
    const text = JSON.stringify(workspace);
    expect(await api.applyWorkspace({ text, start: false })).toEqual({ workspace, created: [], skipped: [] });
    expect((await api.applyWorkspace({ text, start: true })).skipped).toEqual(['ws-srv', 'ws-cli']);
    await api.deleteProcess({ ids: np.processList().map((p) => p.id) });
    await waitFor(() => np.processList().length === 0);
    const again = await api.applyWorkspace({ text, start: true });
    expect(again.created.map((p) => [p.name, p.kind, p.filter, p.sentinel])).toEqual([
      ['ws-srv', 'stream-server', 'echo', 'default'],
      ['ws-cli', 'stream-client', 'default', 'silent'],
    ]);
    expect((await api.captureWorkspace({})).processes.map((d) => d.args.name)).toEqual(['ws-srv', 'ws-cli']);
    // These hosts keep no workspace files: the renderer downloads and uploads instead.
    expect(await api.recentWorkspaces({})).toEqual({ available: false, paths: [] });
  });

  it('kills a buffer: its process is deleted first with "deleted\\n", then the buffer goes [spec §9]', async () => {
    const { client, np } = await harness();
    const api = await client();
    const { events } = record(api);
    await api.snapshot({});
    const peer = await plainServer((s) => s.write('hi'));
    const c = (await api.makeNetworkProcess({ name: 'kb', buffer: '*kb*', host: '127.0.0.1', service: peer.port }))!;
    await waitFor(async () => (await api.readBuffer({ name: '*kb*' })).length === 2);
    expect(await api.killBuffer({ name: '*kb*' })).toBe(true);
    expect(np.getBuffer('*kb*')).toBeNull();
    await waitFor(() => events().some((e) => e.type === 'buffer-killed' && e.name === '*kb*'));
    expect(events().some((e) => e.type === 'process-removed' && e.id === c.id)).toBe(true);
    expect(events().some((e) => e.type === 'line' && e.line.processName === 'kb' && e.line.text === 'deleted\n')).toBe(true);
    expect((await rejection(api.readBuffer({ name: '*kb*' }))).code).toBe('NO_SUCH_BUFFER');
    expect((await rejection(api.killBuffer({ name: '*kb*' }))).code).toBe('NO_SUCH_BUFFER');
  });

  it('a departed connection keeps its buffer: the buffer names it, the snapshot lists it, saveBuffer writes its bytes', async () => {
    const { client } = await harness();
    const api = await client();
    const { events } = record(api);
    await api.snapshot({});
    const srv = (await api.makeNetworkProcess({ name: 'keep', server: true, service: true, buffer: '*keep*' }))!;
    const peer = await plainClient((srv.local as number[])[4] as number);
    const port = peer.localPort;
    const name = `keep <127.0.0.1:${port}>`;
    const bufferName = `*keep* <127.0.0.1:${port}>`;
    peer.end('hello\n');
    const removed = await waitFor(() =>
      events().find((e): e is Extract<BridgeEvent, { type: 'process-removed' }> => e.type === 'process-removed' && e.name === name),
    );
    // The buffer said whose it was no later than the process was announced gone.
    const named = events().findIndex((e) => e.type === 'buffer-changed' && e.buffer.lastProcess?.id === removed.id);
    expect(named).toBeGreaterThanOrEqual(0);
    expect(named).toBeLessThan(events().indexOf(removed));
    const opened = events().find((e) => e.type === 'line' && e.line.processName === name);
    expect(opened).toMatchObject({ line: { processId: removed.id, buffer: bufferName } });

    const snap = await api.snapshot({});
    expect(snap.processes.map((p) => p.name)).toEqual(['keep']);
    expect(snap.departed).toEqual([
      expect.objectContaining({ id: removed.id, name, serverId: srv.id, status: 'closed', buffer: bufferName }),
    ]);
    const info = snap.buffers.find((b) => b.name === bufferName)!;
    expect(info).toMatchObject({
      process: null,
      lastProcess: { id: removed.id, name, kind: 'accepted', serverId: srv.id, serverName: 'keep', remoteText: `127.0.0.1:${port}` },
    });
    expect(info.lastProcess?.status).toBe('closed');
    expect(info.changedAt).toBeGreaterThan(0);
    expect(snap.buffers.find((b) => b.name === '*keep*')).toMatchObject({ process: { id: srv.id, name: 'keep' }, lastProcess: null });

    const dir = mkdtempSync(join(tmpdir(), 'netproc-save-'));
    onCleanup(() => rmSync(dir, { recursive: true, force: true }));
    const path = join(dir, 'keep.txt');
    expect(await api.saveBuffer({ name: bufferName, path })).toEqual({ bytes: info.length, path });
    const held = await api.readBuffer({ name: bufferName, encoding: 'base64' });
    expect(readFileSync(path)).toEqual(Buffer.from(held.data, 'base64'));
    expect(readFileSync(path, 'utf8')).toMatch(/^hello\n\nProcess keep <127\.0\.0\.1:\d+> connection broken by remote peer\n$/);

    expect(await api.killBuffer({ name: bufferName })).toBe(true);
    expect((await api.snapshot({})).departed).toEqual([]);
  });

  it('a departed server without a buffer comes in the snapshot with its departed connection, and goes with the connection’s buffer', async () => {
    const { client } = await harness();
    const api = await client();
    const srv = (await api.makeNetworkProcess({ name: 'nobuf', server: true, service: true }))!;
    expect(srv.buffer).toBeNull();
    const peer = await plainClient((srv.local as number[])[4] as number);
    const name = `nobuf <127.0.0.1:${peer.localPort}>`;
    peer.end('hi\n');
    // The closed connection leaves the table by itself (delete-exited-processes); its buffer names it.
    await waitFor(async () => (await api.snapshot({})).departed.some((p) => p.name === name), 5000, 'the connection to depart');
    await api.deleteProcess({ ids: [srv.id] });
    const snap = await api.snapshot({});
    expect(snap.processes).toEqual([]);
    expect(snap.departed.map((p) => [p.name, p.serverId, p.buffer])).toEqual([
      [name, srv.id, name],
      ['nobuf', null, null],
    ]);
    expect(await api.killBuffer({ name })).toBe(true);
    expect((await api.snapshot({})).departed).toEqual([]);
  });

  it('searches, reads as base64, and clears buffers; opens network streams', async () => {
    const { client } = await harness();
    const api = await client();
    const peer = await plainServer((s) => s.write('GET / HTTP/1.1\r\nHost: x\r\n\r\n'));
    const c = (await api.openNetworkStream({ name: 'ons', buffer: '*ons*', host: '127.0.0.1', service: peer.port })) as ProcessInfo;
    expect(c.name).toBe('ons');
    await waitFor(async () => (await api.readBuffer({ name: '*ons*' })).length === 27);
    expect(await api.searchBuffer({ name: '*ons*', query: 'HTTP', mode: 'text' })).toEqual({ start: 6, end: 10 });
    expect(await api.searchBuffer({ name: '*ons*', query: '0d 0a', mode: 'hex', direction: 'backward' })).toEqual({ start: 25, end: 27 });
    expect(await api.searchBuffer({ name: '*ons*', query: 'host: (\\w)', mode: 'regex', caseFold: true })).toEqual({ start: 16, end: 23 });
    expect(await api.searchBuffer({ name: '*ons*', query: 'nope', mode: 'text' })).toBeNull();
    // Linear-time RE2: a catastrophic-backtracking pattern answers at once; lookaround is refused by name.
    expect(await api.searchBuffer({ name: '*ons*', query: '(\\w+\\s?)+\\d$', mode: 'regex' })).toBeNull();
    expect(await api.searchBuffer({ name: '*ons*', query: 'h', mode: 'text', caseFold: true, direction: 'backward' })).toEqual({
      start: 16,
      end: 17,
    });
    const lookahead = await rejection(api.searchBuffer({ name: '*ons*', query: 'GET(?= )', mode: 'regex' }));
    expect(lookahead).toMatchObject({ code: 'INVALID_ARGUMENT', field: 'query' });
    expect(lookahead.message).toMatch(/^query: .*lookahead and lookbehind are not supported/);
    expect((await api.readBuffer({ name: '*ons*', start: 0, end: 3, encoding: 'base64' })).data).toBe(
      Buffer.from('GET').toString('base64'),
    );
    // What the default sentinel wrote comes with the bytes, so a view can set it apart.
    await api.deleteProcess({ ids: [c.id] });
    const text = '\nProcess ons deleted\n';
    expect(await api.readBuffer({ name: '*ons*', start: 22 })).toMatchObject({
      data: 'x\r\n\r\n' + text,
      sentinels: [[27, 27 + text.length]],
    });
    expect((await api.readBuffer({ name: '*ons*', end: 27 })).sentinels).toEqual([]);
    const cleared = await api.clearBuffer({ name: '*ons*' });
    expect(cleared).toMatchObject({ length: 0, origin: 27 + text.length });
  });

  it('a reloaded renderer starts from a snapshot and loses nothing of a stream in flight', async () => {
    const { client } = await harness();
    const first = await client();
    await first.snapshot({});
    const srv = (await first.makeNetworkProcess({ name: 'flood', server: true, service: true, buffer: '*flood*' }))!;
    const peer = await plainClient((srv.local as number[])[4] as number);
    const total = 4 * 1024 * 1024;
    let sent = 0;
    const writer = (async () => {
      while (sent < total) {
        const block = Buffer.alloc(64 * 1024, 48 + ((sent / 65536) % 10));
        sent += block.length;
        if (!peer.write(block)) await new Promise((r) => peer.once('drain', r));
        // Paced, so the stream is still flowing when the second client arrives.
        await sleep(3);
      }
    })();
    await waitFor(async () => (await first.snapshot({})).buffers.some((b) => b.length > 0), 15_000);
    // "Reload": a new client takes a snapshot mid-stream and follows the events from there.
    const second = await client();
    const seen = record(second);
    const snap = await second.snapshot({});
    const bufferName = snap.processes.find((p) => p.kind === 'accepted')!.buffer!;
    const atSnapshot = snap.buffers.find((b) => b.name === bufferName)!;
    expect(atSnapshot.length).toBeGreaterThan(0);
    expect(atSnapshot.end).toBeLessThan(total);
    await writer;
    // What the client knows is the snapshot plus the events after it; together they must reach the end.
    await waitFor(
      () => seen.events().some((e) => e.type === 'buffer-changed' && e.buffer.name === bufferName && e.buffer.end === total),
      15_000,
      'the last buffer change',
    );
    expect(seen.batches.every((b) => b.seq > snap.seq)).toBe(true);
    let text = '';
    for (let at = 0; at < total;) {
      const range = await second.readBuffer({ name: bufferName, start: at });
      text += range.data;
      at = range.end;
    }
    let expected = '';
    for (let i = 0; i < total / 65536; i++) expected += String.fromCharCode(48 + (i % 10)).repeat(65536);
    expect(text.length).toBe(total);
    expect(text === expected).toBe(true);
  });

  it('batches events: at most about one per frame, buffer changes coalesced', async () => {
    const { client } = await harness();
    const api = await client();
    await api.snapshot({});
    const { batches } = record(api);
    const srv = (await api.makeNetworkProcess({ name: 'fast', server: true, service: true, buffer: '*fast*' }))!;
    const peer = await plainClient((srv.local as number[])[4] as number);
    const started = Date.now();
    for (let i = 0; i < 2000; i++) {
      peer.write(`line ${i}\n`);
      if (i % 50 === 0) await sleep(1);
    }
    await sleep(200);
    const elapsed = (Date.now() - started) / 1000;
    expect(batches.length).toBeLessThanOrEqual(Math.ceil(elapsed * 65) + 2);
    for (const batch of batches) {
      const names = batch.events.filter((e) => e.type === 'buffer-changed').map((e) => (e as { buffer: { name: string } }).buffer.name);
      expect(new Set(names).size).toBe(names.length);
    }
  });

  describe('bad input changes nothing and names the field', () => {
    const cases: Array<[Method, unknown, string | null, string]> = [
      ['makeNetworkProcess', { name: 'x', service: 70000 }, 'service', 'INVALID_ARGUMENT'],
      ['makeNetworkProcess', { name: 'x', service: -1 }, 'service', 'INVALID_ARGUMENT'],
      ['makeNetworkProcess', { name: '', service: 1 }, 'name', 'INVALID_ARGUMENT'],
      ['makeNetworkProcess', { name: 'x', service: 1, frobnicate: true }, 'frobnicate', 'INVALID_ARGUMENT'],
      ['makeNetworkProcess', { name: 'x', service: 1, filter: 'eval' }, 'filter', 'INVALID_ARGUMENT'],
      ['makeNetworkProcess', { name: 'x', service: true, server: true, nowait: true }, 'nowait', 'INVALID_ARGUMENT'],
      ['makeNetworkProcess', { name: 'x', service: 1, priority: 2 }, 'priority', 'INVALID_ARGUMENT'],
      ['makeNetworkProcess', { name: 'x', tlsParameters: { caFile: '/ca.pem', pin: 1 } }, 'tlsParameters.pin', 'INVALID_ARGUMENT'],
      ['makeNetworkProcess', { name: 'x', plist: new Array(LIMITS.plistEntries + 1).fill(0) }, 'plist', 'INVALID_ARGUMENT'],
      ['makeNetworkProcess', { name: 'x', plist: ['k', nested(1000)] }, 'plist', 'INVALID_ARGUMENT'],
      ['makeNetworkProcess', { name: 'x', server: true, tlsServer: 'yes' }, 'tlsServer', 'INVALID_ARGUMENT'],
      ['makeNetworkProcess', { name: 'x', server: true, tlsServer: { cert: '/c.pem' } }, 'tlsServer.key', 'INVALID_ARGUMENT'],
      [
        'makeNetworkProcess',
        { name: 'x', server: true, tlsServer: { selfSigned: true, cert: '/c.pem' } },
        'tlsServer.cert',
        'INVALID_ARGUMENT',
      ],
      [
        'makeNetworkProcess',
        { name: 'x', server: true, tlsServer: { selfSigned: true, alpn: [''] } },
        'tlsServer.alpn.0',
        'INVALID_ARGUMENT',
      ],
      [
        'makeNetworkProcess',
        { name: 'x', server: true, service: true, tlsServer: { cert: '/nowhere/c.pem', key: '/nowhere/k.pem' } },
        'tlsServer.cert',
        'ENOENT',
      ],
      ['makeNetworkProcess', { name: 'x', service: 1, tlsServer: 'self-signed' }, 'tlsServer', 'INVALID_ARGUMENT'],
      ['makeNetworkProcess', { name: 'x', tlsParameters: { fingerprint: 'AB:CD' } }, 'tlsParameters.fingerprint', 'INVALID_ARGUMENT'],
      ['makeNetworkProcess', { name: 'x', tlsParameters: { alpn: new Array(17).fill('h2') } }, 'tlsParameters.alpn', 'INVALID_ARGUMENT'],
      ['makeNetworkProcess', { name: 'x', tlsParameters: { servername: '' } }, 'tlsParameters.servername', 'INVALID_ARGUMENT'],
      ['openNetworkStream', { name: 'x', buffer: null, host: '127.0.0.1', service: 99999 }, 'service', 'INVALID_ARGUMENT'],
      ['openNetworkStream', { name: 'x', buffer: null, host: 'h', service: 1, type: 'shell' }, 'type', 'UNSUPPORTED'],
      [
        'openNetworkStream',
        { name: 'x', buffer: null, host: 'h', service: 1, type: 'starttls', endOfCommand: '\\(a\\)\\1' },
        'endOfCommand',
        'INVALID_ARGUMENT',
      ],
      [
        'openNetworkStream',
        { name: 'x', buffer: null, host: 'h', service: 1, success: 'x'.repeat(LIMITS.exchangeText + 1) },
        'success',
        'INVALID_ARGUMENT',
      ],
      [
        'openNetworkStream',
        { name: 'x', buffer: null, host: 'h', service: 1, starttlsFunction: { match: 'STARTTLS' } },
        'starttlsFunction.command',
        'INVALID_ARGUMENT',
      ],
      [
        'openNetworkStream',
        { name: 'x', buffer: null, host: 'h', service: 1, clientCertificate: ['/key.pem'] },
        'clientCertificate',
        'INVALID_ARGUMENT',
      ],
      ['openNetworkStream', { name: 'x', buffer: '*absent*', host: 'h', service: 1, type: 'starttls' }, 'buffer', 'INVALID_ARGUMENT'],
      [
        'openNetworkStream',
        { name: 'x', buffer: null, host: 'h', service: 1, type: 'tls', alpn: ['x'.repeat(256)] },
        'alpn.0',
        'INVALID_ARGUMENT',
      ],
      [
        'openNetworkStream',
        { name: 'x', buffer: null, host: 'h', service: 1, type: 'tls', fingerprint: 'zz'.repeat(32) },
        'fingerprint',
        'INVALID_ARGUMENT',
      ],
      [
        'openNetworkStream',
        { name: 'x', buffer: null, host: 'h', service: 1, type: 'plain', servername: 'x' },
        'servername',
        'INVALID_ARGUMENT',
      ],
      ['pinCertificate', { host: 'localhost', port: 443, fingerprint: 'not hex' }, 'fingerprint', 'INVALID_ARGUMENT'],
      ['pinCertificate', { host: 'localhost', port: 70000, fingerprint: 'AB'.repeat(32) }, 'port', 'INVALID_ARGUMENT'],
      ['forgetCertificatePin', { host: '', port: 443 }, 'host', 'INVALID_ARGUMENT'],
      ['listCertificatePins', { host: 'localhost' }, 'host', 'INVALID_ARGUMENT'],
      ['sendString', { id: 999999, text: 'x' }, 'id', 'NO_SUCH_PROCESS'],
      ['sendString', { id: 1, text: 'x'.repeat(LIMITS.sendBytes + 1) }, 'text', 'INVALID_ARGUMENT'],
      ['sendBytes', { id: 1, hex: 'zz' }, 'hex', 'INVALID_ARGUMENT'],
      ['sendBytes', { id: 1, hex: 'de ad b' }, 'hex', 'INVALID_ARGUMENT'],
      ['sendBytes', { id: 1, hex: 'ab'.repeat(LIMITS.sendBytes + 1) }, 'hex', 'INVALID_ARGUMENT'],
      ['sendFile', { id: 999999, path: '/etc/hostname' }, 'id', 'NO_SUCH_PROCESS'],
      ['sendFile', { id: 1, path: '/etc/hostname', name: 'x'.repeat(LIMITS.name + 1) }, 'name', 'INVALID_ARGUMENT'],
      ['sendEof', { id: 'one' }, 'id', 'INVALID_ARGUMENT'],
      ['stopProcess', { id: 0 }, 'id', 'INVALID_ARGUMENT'],
      ['continueProcess', {}, 'id', 'INVALID_ARGUMENT'],
      ['deleteProcess', { ids: [] }, 'ids', 'INVALID_ARGUMENT'],
      ['deleteProcess', { ids: [1, 'two'] }, 'ids.1', 'INVALID_ARGUMENT'],
      ['setFilter', { id: 1, filter: 'rm -rf' }, 'filter', 'INVALID_ARGUMENT'],
      ['setSentinel', { id: 1, sentinel: 42 }, 'sentinel', 'INVALID_ARGUMENT'],
      ['setQueryOnExitFlag', { id: 1, flag: 'yes' }, 'flag', 'INVALID_ARGUMENT'],
      ['setCodingSystem', { id: 1, decoding: '', encoding: 'utf-8' }, 'decoding', 'INVALID_ARGUMENT'],
      ['processGet', { id: 1 }, 'key', 'INVALID_ARGUMENT'],
      ['processPut', { id: 1, key: 'k' }, 'value', 'INVALID_ARGUMENT'],
      ['processPut', { id: 1, key: 'k', value: nested(1000) }, 'value', 'INVALID_ARGUMENT'],
      ['processPut', { id: 1, key: 'k', value: { a: [1, { b: 'x'.repeat(LIMITS.valueBytes) }] } }, 'value', 'INVALID_ARGUMENT'],
      ['processContact', { id: 1, key: 42 }, 'key', 'INVALID_ARGUMENT'],
      ['readBuffer', { name: '*none*' }, 'name', 'NO_SUCH_BUFFER'],
      ['readBuffer', { name: '*x*', start: -5 }, 'start', 'INVALID_ARGUMENT'],
      ['readBuffer', { name: '*x*', start: 0, tail: 10 }, 'tail', 'INVALID_ARGUMENT'],
      ['searchBuffer', { name: '*x*', query: 'a', mode: 'glob' }, 'mode', 'INVALID_ARGUMENT'],
      ['searchBuffer', { name: '*x*', query: '0d 0', mode: 'hex' }, 'query', 'INVALID_ARGUMENT'],
      ['clearBuffer', { name: 7 }, 'name', 'INVALID_ARGUMENT'],
      ['killBuffer', { name: '*none*' }, 'name', 'NO_SUCH_BUFFER'],
      ['saveBuffer', { name: '*none*', path: join(tmpdir(), 'netproc-never-written.txt') }, 'name', 'NO_SUCH_BUFFER'],
      ['saveBuffer', { name: '*x*', path: 'relative.txt' }, 'path', 'INVALID_ARGUMENT'],
      ['saveBuffer', { name: '*x*', path: tmpdir() }, 'path', 'INVALID_ARGUMENT'],
      ['saveBuffer', { name: '*x*', path: '' }, 'path', 'INVALID_ARGUMENT'],
      ['saveBuffer', { name: '*x*', path: '/netproc-no-such-directory/x.txt' }, 'path', 'ENOENT'],
      ['saveBuffer', { name: '*x*', path: '/tmp/x.txt', append: true }, 'append', 'INVALID_ARGUMENT'],
      ['listProcesses', { queryOnly: 'no' }, 'queryOnly', 'INVALID_ARGUMENT'],
      ['formatNetworkAddress', { address: [1], extra: 1 }, 'extra', 'INVALID_ARGUMENT'],
      ['formatNetworkAddress', { address: nested(1000) }, 'address', 'INVALID_ARGUMENT'],
      ['processDatagramAddress', { id: 999999 }, 'id', 'NO_SUCH_PROCESS'],
      ['setProcessDatagramAddress', { id: 1, address: [1, 2] }, 'address', 'INVALID_ARGUMENT'],
      ['snapshot', { please: true }, 'please', 'INVALID_ARGUMENT'],
      ['processKernelQueues', { id: 999999 }, 'id', 'NO_SUCH_PROCESS'],
      ['processKernelQueues', { id: 1.5 }, 'id', 'INVALID_ARGUMENT'],
      ['processKernelQueues', { id: 1, socket: 3 }, 'socket', 'INVALID_ARGUMENT'],
      ['setNetworkProcessOption', { id: 1, option: ':keepalive', value: true }, 'option', 'INVALID_ARGUMENT'],
      ['setNetworkProcessOption', { id: 1, option: 'linger', value: 70000 }, 'value', 'INVALID_ARGUMENT'],
      ['setNetworkProcessOption', { id: 1, option: 'bindtodevice', value: 'eth0' }, 'value', 'INVALID_ARGUMENT'],
      ['setNetworkProcessOption', { id: 1, option: 'keepalive' }, 'value', 'INVALID_ARGUMENT'],
      ['setNetworkProcessOption', { id: 1, option: 'keepalive', value: true, noError: 'yes' }, 'noError', 'INVALID_ARGUMENT'],
      ['setNetworkProcessOption', { id: 999999, option: 'keepalive', value: true }, 'id', 'NO_SUCH_PROCESS'],
      ['captureWorkspace', { all: true }, 'all', 'INVALID_ARGUMENT'],
      ['applyWorkspace', { text: '{}' }, 'start', 'INVALID_ARGUMENT'],
      ['applyWorkspace', { text: 'x'.repeat(LIMITS.workspaceBytes + 1), start: false }, 'text', 'INVALID_ARGUMENT'],
      ['applyWorkspace', { text: 'not json', start: true }, null, 'INVALID_WORKSPACE'],
      [
        'applyWorkspace',
        { text: JSON.stringify({ format: 'netproc-workspace', version: 9 }), start: true },
        'version',
        'INVALID_WORKSPACE',
      ],
      [
        'applyWorkspace',
        {
          text: JSON.stringify({
            format: 'netproc-workspace',
            version: 1,
            processes: [
              { kind: 'make-network-process', args: { name: 'a', server: true, service: 0 } },
              { kind: 'make-network-process', args: { name: 'b', service: -1 } },
            ],
            messages: [],
            layout: {},
          }),
          start: true,
        },
        'processes[1].args.service',
        'INVALID_WORKSPACE',
      ],
      ['openWorkspaceFile', {}, 'path', 'INVALID_ARGUMENT'],
      ['openWorkspaceFile', { path: null }, null, 'NOT_AVAILABLE'],
      ['saveWorkspaceFile', { text: '{}', path: null }, 'name', 'INVALID_ARGUMENT'],
      [
        'saveWorkspaceFile',
        { text: '{"format": "netproc-workspace", "version": 0}', path: null, name: 'w' },
        'version',
        'INVALID_WORKSPACE',
      ],
      ['recentWorkspaces', { all: true }, 'all', 'INVALID_ARGUMENT'],
      ['sendMessage', { id: 999999, template: 'x' }, 'id', 'NO_SUCH_PROCESS'],
      ['sendMessage', { id: 1, template: '' }, 'template', 'INVALID_ARGUMENT'],
      ['sendMessage', { id: 1, template: 'x'.repeat(LIMITS.template + 1) }, 'template', 'INVALID_ARGUMENT'],
      ['sendMessage', { id: 1, template: 'x', repeat: { intervalMs: 0, count: 1 } }, 'repeat.intervalMs', 'INVALID_ARGUMENT'],
      ['sendMessage', { id: 1, template: 'x', repeat: { intervalMs: 5 } }, 'repeat.count', 'INVALID_ARGUMENT'],
      ['sendMessage', { id: 1, template: 'x', repeat: { intervalMs: 5, count: 0.5 } }, 'repeat.count', 'INVALID_ARGUMENT'],
      ['sendMessage', { id: 1, template: 'x', everyConnection: 'yes' }, 'everyConnection', 'INVALID_ARGUMENT'],
      ['stopRepeat', { id: 'one' }, 'id', 'INVALID_ARGUMENT'],
      ['listRepeats', { all: true }, 'all', 'INVALID_ARGUMENT'],
      ['setAutoReplyRules', { id: 999999, rules: null }, 'id', 'NO_SUCH_PROCESS'],
      ['setAutoReplyRules', { id: 1 }, 'rules', 'INVALID_ARGUMENT'],
      ['setAutoReplyRules', { id: 1, rules: { framing: 'word', rules: [] } }, 'rules.framing', 'INVALID_ARGUMENT'],
      [
        'setAutoReplyRules',
        { id: 1, rules: { framing: 'length-prefixed', lengthBytes: 3, rules: [] } },
        'rules.lengthBytes',
        'INVALID_ARGUMENT',
      ],
      [
        'setAutoReplyRules',
        { id: 1, rules: { framing: 'chunk', rules: [{ match: 'glob', pattern: 'a', reply: 'b' }] } },
        'rules.rules.0.match',
        'INVALID_ARGUMENT',
      ],
      [
        'setAutoReplyRules',
        { id: 1, rules: { framing: 'chunk', rules: [{ match: 'exact', pattern: '', reply: 'b' }] } },
        'rules.rules.0.pattern',
        'INVALID_ARGUMENT',
      ],
      [
        'setAutoReplyRules',
        { id: 1, rules: { framing: 'chunk', rules: [{ match: 'exact', pattern: 'a', reply: 'b', delayMs: 60_001 }] } },
        'rules.rules.0.delayMs',
        'INVALID_ARGUMENT',
      ],
      [
        'setAutoReplyRules',
        { id: 1, rules: { framing: 'chunk', rules: [{ match: 'exact', pattern: 'a', reply: 'b', eval: '(x)' }] } },
        'rules.rules.0.eval',
        'INVALID_ARGUMENT',
      ],
      ['autoReplyRules', { id: 999999 }, 'id', 'NO_SUCH_PROCESS'],
      ['autoReplyRules', { name: 'x' }, 'name', 'INVALID_ARGUMENT'],
      ['setProcessReconnect', { id: 999999, policy: true }, 'id', 'NO_SUCH_PROCESS'],
      ['setProcessReconnect', { id: 1, policy: false }, 'policy', 'INVALID_ARGUMENT'],
      ['setProcessReconnect', { id: 1, policy: { jitter: 2 } }, 'policy.jitter', 'INVALID_ARGUMENT'],
      ['setProcessReconnect', { id: 1, policy: { maxAttempts: 0 } }, 'policy.maxAttempts', 'INVALID_ARGUMENT'],
      ['setProcessReconnect', { id: 1, policy: { initialMs: 1.5 } }, 'policy.initialMs', 'INVALID_ARGUMENT'],
      ['cancelReconnect', { name: '' }, 'name', 'INVALID_ARGUMENT'],
      ['cancelReconnect', { id: 1 }, 'id', 'INVALID_ARGUMENT'],
      ['makeNetworkProcess', { name: 'x', server: true, service: true, splitPeers: true }, 'splitPeers', 'INVALID_ARGUMENT'],
      ['makeNetworkProcess', { name: 'x', type: 'datagram', service: 9, splitPeers: true }, 'splitPeers', 'INVALID_ARGUMENT'],
      ['makeNetworkProcess', { name: 'x', type: 'datagram', server: true, splitPeers: 'yes' }, 'splitPeers', 'INVALID_ARGUMENT'],
      ['setSplitPeers', { id: 999999, split: true }, 'id', 'NO_SUCH_PROCESS'],
      ['setSplitPeers', { id: 1, split: 'on' }, 'split', 'INVALID_ARGUMENT'],
      ['setSplitPeers', { id: 1 }, 'split', 'INVALID_ARGUMENT'],
      ['readTimeline', { id: 999999 }, 'id', 'NO_SUCH_PROCESS'],
      ['readTimeline', { id: 1, count: LIMITS.timelineRecords + 1 }, 'count', 'INVALID_ARGUMENT'],
      ['readTimeline', { id: 1, direction: 'sideways' }, 'direction', 'INVALID_ARGUMENT'],
      ['readTimeline', { id: 1, hex: '0d 0' }, 'hex', 'INVALID_ARGUMENT'],
      ['readTimeline', { id: 1, text: 'a', hex: '61' }, 'hex', 'INVALID_ARGUMENT'],
      ['readTimeline', { id: 1, text: '' }, 'text', 'INVALID_ARGUMENT'],
      ['exportTraffic', { id: 999999, format: 'pcapng', path: '/tmp/x.pcapng' }, 'id', 'NO_SUCH_PROCESS'],
      ['exportTraffic', { format: 'pcapng', path: '/tmp/x.pcapng' }, 'id', 'INVALID_ARGUMENT'],
      ['exportTraffic', { id: 1, format: 'pcapng', path: '/tmp/x.pcapng', start: 0 }, 'start', 'INVALID_ARGUMENT'],
      ['exportTraffic', { buffer: '*x*', format: 'gif', path: '/tmp/x' }, 'format', 'INVALID_ARGUMENT'],
      ['exportTraffic', { buffer: '*x*', id: 1, format: 'text', path: '/tmp/x' }, 'buffer', 'INVALID_ARGUMENT'],
      ['exportTraffic', { buffer: '*x*', format: 'text', path: '/tmp/x', start: 5, end: 4 }, 'end', 'INVALID_ARGUMENT'],
      ['exportTraffic', { buffer: '*none*', format: 'hex', path: '/tmp/x' }, 'buffer', 'NO_SUCH_BUFFER'],
      ['exportTraffic', { buffer: '*x*', format: 'hex', path: 'relative/x' }, 'path', 'INVALID_ARGUMENT'],
      ['exportTraffic', { buffer: '*x*', format: 'hex', path: '/tmp' }, 'path', 'INVALID_ARGUMENT'],
      ['exportTraffic', { buffer: '*x*', format: 'hex', path: '/nonexistent-netproc-dir/x' }, 'path', 'ENOENT'],
      ['importCapture', { path: 'relative.pcap' }, 'path', 'INVALID_ARGUMENT'],
      ['importCapture', { path: '/etc/hostname' }, 'path', 'INVALID_ARGUMENT'],
      ['importCapture', { path: '/nonexistent-netproc-dir/x.pcap' }, 'path', 'ENOENT'],
      ['importCapture', { path: '/x.pcap', side: 'both' }, 'side', 'INVALID_ARGUMENT'],
      ['importCapture', { path: '/x.pcap', conversation: -1 }, 'conversation', 'INVALID_ARGUMENT'],
    ];

    it('covers every method', () => {
      expect(new Set(cases.map(([m]) => m))).toEqual(new Set(METHODS));
    });

    // Titles quote params cut short: some are megabytes.
    it.each(cases.map(([method, params, field, code]) => [method, clip(JSON.stringify(params)), field, code, params] as const))(
      '%s %s → field %s',
      async (method, _title, field, code, params) => {
        const { client, np } = await harness();
        const api = await client();
        np.getBufferCreate('*x*');
        const before = np.processList().length;
        const err = await rejection((api[method] as (p: unknown) => Promise<unknown>)(params));
        expect(err.code).toBe(code);
        expect(err.field).toBe(field);
        expect(err.message.length).toBeGreaterThan(0);
        expect(np.processList()).toHaveLength(before);
      },
    );

    it('open-network-stream with STARTTLS: the list comes back, the process is TLS; no STARTTLS is a clear error and no process', async () => {
      const { client, np } = await harness();
      const api = await client();
      const peer = await smtpServer('starttls', onCleanup);
      np.getBufferCreate('*smtp*');
      const list = (await api.openNetworkStream({
        name: 'smtp',
        buffer: '*smtp*',
        host: 'localhost',
        service: peer.port,
        type: 'starttls',
        returnList: true,
        ...SMTP_PARAMETERS,
      })) as OpenNetworkStreamList;
      expect(list).toMatchObject({ greeting: '220 test.example ESMTP ready\r\n', type: 'tls', error: null });
      expect(list.process).toMatchObject({ name: 'smtp', status: 'open', tls: { authorized: true, role: 'client' } });
      expect(list.process?.tls?.peerCertificate?.subject).toContain('localhost');
      const plainPeer = await smtpServer('no-starttls', onCleanup);
      const err = await rejection(
        api.openNetworkStream({
          name: 'p',
          buffer: '*smtp*',
          host: 'localhost',
          service: plainPeer.port,
          type: 'starttls',
          ...SMTP_PARAMETERS,
        }),
      );
      expect(err).toMatchObject({ code: 'STARTTLS_UNAVAILABLE', field: 'type' });
      expect(err.message).toMatch(/^Server does not support TLS: /);
      expect(np.processList().map((p) => p.name)).toEqual(['smtp']);
    });

    it('engine errors come back with their code, message and field', async () => {
      const { client } = await harness();
      const api = await client();
      const port = await freePort();
      const err = await rejection(api.makeNetworkProcess({ name: 'refused', host: '127.0.0.1', service: port }));
      expect(err).toMatchObject({ code: 'ECONNREFUSED', field: 'service', message: 'make client process failed: Connection refused' });
    });
  });
});
