import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { NetprocError } from './errors.js';
import type { MakeNetworkProcessOptions } from './netproc.js';
import { engine, freePort, onCleanup, plainServer, waitFor } from './test-support.js';

const noDns = {
  lookup: async (host: string) => {
    if (host === 'localhost') return [{ address: '127.0.0.1', family: 4 as const }];
    throw Object.assign(new Error(`getaddrinfo ENOTFOUND ${host}`), { code: 'ENOTFOUND' });
  },
};

async function failure(options: Record<string, unknown>, np = engine(noDns)): Promise<NetprocError> {
  try {
    await np.makeNetworkProcess(options as MakeNetworkProcessOptions);
  } catch (err) {
    expect(err).toBeInstanceOf(NetprocError);
    return err as NetprocError;
  }
  throw new Error('expected make-network-process to fail');
}

describe('make-network-process errors (spec §14)', () => {
  it('returns nil with no arguments [O-08 E]', async () => {
    const np = engine();
    expect(await np.makeNetworkProcess()).toBeNull();
    expect(await np.makeNetworkProcess({})).toBeNull();
  });

  it('refused, blocking: file-error with the contact; no process is left but the buffer exists [O-09 A]', async () => {
    const np = engine(noDns);
    const port = await freePort();
    const err = await failure({ name: 'refused', buffer: '*refused*', host: '127.0.0.1', service: port }, np);
    expect(err).toMatchObject({ code: 'ECONNREFUSED', condition: 'file-error', field: 'service' });
    expect(err.message).toBe('make client process failed: Connection refused');
    expect(err.data).toEqual([
      'make client process failed',
      'Connection refused',
      ':name',
      'refused',
      ':buffer',
      '*refused*',
      ':host',
      '127.0.0.1',
      ':service',
      port,
    ]);
    expect(np.processList()).toEqual([]);
    expect(np.getProcess('refused')).toBeNull();
    expect(np.getBuffer('*refused*')).not.toBeNull();
    // The reserved name is free again.
    const peer = await plainServer();
    expect((await np.makeNetworkProcess({ name: 'refused', host: '127.0.0.1', service: peer.port }))?.name).toBe('refused');
  });

  it('unknown host, blocking: "HOST/SERVICE Name or service not known"; no process and no buffer', async () => {
    const np = engine(noDns);
    const err = await failure({ name: 'x', buffer: '*x*', host: 'no-such-host.invalid', service: 80 }, np);
    expect(err).toMatchObject({ code: 'ENOTFOUND', field: 'host', message: 'no-such-host.invalid/80 Name or service not known' });
    expect(np.getBuffer('*x*')).toBeNull();
  });

  it('port in use: "Cannot bind server socket: Address already in use", also with :reuseaddr nil', async () => {
    const np = engine();
    const peer = await plainServer();
    for (const extra of [{}, { reuseaddr: false }]) {
      const err = await failure({ name: 'busy', server: true, host: '127.0.0.1', service: peer.port, ...extra }, np);
      expect(err).toMatchObject({
        code: 'EADDRINUSE',
        condition: 'file-error',
        data: ['Cannot bind server socket', 'Address already in use'],
      });
    }
    // A datagram server on the same port number works.
    const udp = await np.makeNetworkProcess({ name: 'udp-same', type: 'datagram', server: true, host: '127.0.0.1', service: peer.port });
    expect(np.processContact(udp!, 'service')).toBe(peer.port);
  });

  it('bad service names and values', async () => {
    expect((await failure({ name: 'x', host: '127.0.0.1', service: 'no-such-service' })).message).toBe(
      '127.0.0.1/no-such-service Servname not supported for ai_socktype',
    );
    expect((await failure({ name: 'x', service: '-1' })).message).toBe('127.0.0.1/-1 Servname not supported for ai_socktype');
    expect((await failure({ name: 'x', host: '127.0.0.1' })).message).toBe('Wrong type argument: stringp, nil');
    expect((await failure({ name: 'x', host: '127.0.0.1', service: 1.5 })).message).toBe('Wrong type argument: stringp, 1.5');
    // Emacs wraps 70000 to 4464 (quirk 17); we refuse instead.
    expect(await failure({ name: 'x', host: '127.0.0.1', service: 70000 })).toMatchObject({
      code: 'INVALID_ARGUMENT',
      field: 'service',
      message: 'Port 70000 is outside 0–65535',
    });
    expect((await failure({ name: 'x', service: -5 })).field).toBe('service');
  });

  it(':service t on a client connects to port 0, so Connection refused', async () => {
    expect((await failure({ name: 'x', host: '127.0.0.1', service: true })).message).toBe('make client process failed: Connection refused');
  });

  it('a service name from the services table resolves, and the client keeps the name [spec §2.1]', async () => {
    const err = await failure({ name: 'echo-client', host: '127.0.0.1', service: 'echo' });
    expect(err.code).toBe('ECONNREFUSED');
    expect(err.data).toContain('echo');
  });

  it('host errors: not a string, non-ASCII, family mismatch', async () => {
    expect((await failure({ name: 'x', host: 12345, service: 80 })).message).toBe('Wrong type argument: stringp, 12345');
    expect((await failure({ name: 'x', host: 'hést', service: 80 })).message).toBe(
      'Non-ASCII hostname hést detected, please use puny-encode-domain',
    );
    expect((await failure({ name: 'x', host: '::1', service: 80, family: 'ipv4' })).message).toBe(
      '::1/80 Address family for hostname not supported',
    );
  });

  it('bad :type, :family, :name and :server with :nowait', async () => {
    expect(await failure({ name: 'x', type: 'raw', service: 1 })).toMatchObject({ field: 'type', message: 'Unsupported connection type' });
    expect(await failure({ name: 'x', family: 'appletalk', service: 1 })).toMatchObject({
      field: 'family',
      message: 'Unknown address family',
    });
    expect(await failure({ name: 42, service: 1 })).toMatchObject({ field: 'name', message: 'Wrong type argument: stringp, 42' });
    expect(await failure({ name: 'x', server: true, nowait: true, service: true })).toMatchObject({
      field: 'nowait',
      message: '‘:server’ is incompatible with ‘:nowait’',
    });
  });

  it('malformed :remote and :local are "Malformed :address"', async () => {
    expect(await failure({ name: 'x', remote: [1, 2, 3] })).toMatchObject({ field: 'remote', message: 'Malformed :address' });
    expect(await failure({ name: 'x', server: true, local: 'nope'.length })).toMatchObject({
      field: 'local',
      message: 'Malformed :address',
    });
  });

  it('seqpacket on inet is "Socket type not supported" [O-09 J]', async () => {
    const err = await failure({ name: 'sp', type: 'seqpacket', server: true, service: true });
    expect(err).toMatchObject({
      code: 'ESOCKTNOSUPPORT',
      condition: 'file-error',
      message: 'make server process failed: Socket type not supported',
    });
  });

  it('option errors: bad values, and options Node cannot set are refused rather than ignored', async () => {
    expect(await failure({ name: 'x', server: true, service: true, linger: -1 })).toMatchObject({
      field: 'linger',
      message: 'Bad option value for :linger',
    });
    expect(await failure({ name: 'x', server: true, service: true, linger: 1.5 })).toMatchObject({ field: 'linger' });
    expect(await failure({ name: 'x', server: true, service: true, priority: 3 })).toMatchObject({
      code: 'UNSUPPORTED',
      field: 'priority',
    });
    expect(await failure({ name: 'x', server: true, service: true, plist: 'x' })).toMatchObject({
      message: 'Wrong type argument: listp, "x"',
    });
    expect(await failure({ name: 'x', server: true, service: true, coding: 'martian' })).toMatchObject({ field: 'coding' });
  });

  it('unknown keywords are kept in the contact [O-09 G]', async () => {
    const np = engine();
    const srv = await np.makeNetworkProcess({ name: 'kw', server: true, service: true, frobnicate: 42 });
    expect(np.processContact(srv!, 'frobnicate')).toBe(42);
  });

  it('a closed engine refuses new processes', async () => {
    const np = engine();
    await np.close();
    await expect(np.makeNetworkProcess({ name: 'late', server: true, service: true })).rejects.toThrow('Netproc has been closed');
  });
});

describe('network options (spec §2.2)', () => {
  it('records options in the contact and applies keepalive and nodelay to the socket', async () => {
    const np = engine();
    const peer = await plainServer();
    const c = (await np.makeNetworkProcess({ name: 'opt', host: '127.0.0.1', service: peer.port, keepalive: true, nodelay: true }))!;
    expect(np.processContact(c, 'keepalive')).toBe(true);
    expect(np.processContact(c, 'nodelay')).toBe(true);
  });

  it('any non-nil value turns a boolean option on, and the contact keeps the value as given, as Emacs tests them with NILP', async () => {
    const np = engine();
    const peer = await plainServer();
    const c = (await np.makeNetworkProcess({ name: 'on', host: '127.0.0.1', service: peer.port, keepalive: 1, linger: 'yes' }))!;
    expect(np.processContact(c, 'keepalive')).toBe(1);
    expect(np.processContact(c, 'linger')).toBe('yes');
    expect(await np.setNetworkProcessOption(c, 'nodelay', 'on')).toBe(true);
    expect(np.processContact(c, 'nodelay')).toBe('on');
    expect(await np.setNetworkProcessOption(c, 'keepalive', null)).toBe(true);
    expect(np.processContact(c, 'keepalive')).toBe(false);
    // :linger other than a number is on with 0 seconds, so delete-process resets the connection.
    await waitFor(() => peer.sockets.length === 1);
    const reset = new Promise<string | undefined>((resolve) =>
      peer.sockets[0]!.on('error', (err: NodeJS.ErrnoException) => resolve(err.code)),
    );
    np.deleteProcess(c);
    expect(await reset).toBe('ECONNRESET');
  });

  it('set-network-process-option returns t and records; unknown options signal or give nil with no-error; dead processes signal [O-03 C, O-13 A]', async () => {
    const np = engine();
    const peer = await plainServer((s) => s.end());
    const srv = (await np.makeNetworkProcess({ name: 'so', server: true, service: true }))!;
    expect(await np.setNetworkProcessOption(srv, 'keepalive', true)).toBe(true);
    expect(np.processContact(srv, 'keepalive')).toBe(true);
    expect(await np.setNetworkProcessOption(srv, 'reuseaddr', true)).toBe(true);
    await expect(np.setNetworkProcessOption(srv, 'frob', 1)).rejects.toThrow('Unknown or unsupported option');
    expect(await np.setNetworkProcessOption(srv, 'frob', 1, true)).toBe(false);
    const c = (await np.makeNetworkProcess({ name: 'dead', host: '127.0.0.1', service: peer.port }))!;
    np.deleteProcess(c);
    await expect(np.setNetworkProcessOption(c, 'keepalive', true)).rejects.toThrow('Process is not running');
  });

  it("set-network-process-option :nodelay on a UDP or Unix-domain socket signals the kernel's refusal, and records nothing [spec §2.2]", async () => {
    const np = engine();
    const udp = (await np.makeNetworkProcess({ name: 'u', type: 'datagram', server: true, host: '127.0.0.1', service: true }))!;
    const refused = (await np.setNetworkProcessOption(udp, 'nodelay', true).catch((e: unknown) => e)) as NetprocError;
    expect(refused).toBeInstanceOf(NetprocError);
    expect(refused).toMatchObject({
      code: 'ENOPROTOOPT',
      message: 'Cannot set network option: Protocol not available',
      condition: 'file-error',
      field: 'option',
    });
    expect(refused.data).toEqual(['Cannot set network option', 'Protocol not available', ':nodelay', true]);
    // NO-ERROR covers only unknown options: a failing setsockopt signals anyway, as in Emacs.
    await expect(np.setNetworkProcessOption(udp, 'nodelay', null, true)).rejects.toThrow('Protocol not available');
    expect(Object.keys(np.processContact(udp, true)!)).not.toContain('nodelay');
    // The socket-level options apply to every socket.
    for (const option of ['keepalive', 'linger', 'reuseaddr']) expect(await np.setNetworkProcessOption(udp, option, true)).toBe(true);
    const dir = mkdtempSync(join(tmpdir(), 'netproc-options-'));
    onCleanup(() => rmSync(dir, { recursive: true, force: true }));
    const unix = (await np.makeNetworkProcess({ name: 'us', server: true, family: 'local', service: join(dir, 's') }))!;
    await expect(np.setNetworkProcessOption(unix, 'nodelay', true)).rejects.toMatchObject({
      code: 'ENOTSUP',
      message: 'Cannot set network option: Operation not supported',
      condition: 'file-error',
    });
    expect(await np.setNetworkProcessOption(unix, 'keepalive', true)).toBe(true);
    const peer = await plainServer();
    const tcp = (await np.makeNetworkProcess({ name: 't', host: '127.0.0.1', service: peer.port }))!;
    expect(await np.setNetworkProcessOption(tcp, 'nodelay', true)).toBe(true);
    expect(np.processContact(tcp, 'nodelay')).toBe(true);
  });
});

describe('open-network-stream (spec §3)', () => {
  it('the plain path calls make-network-process with :nowait nil :tls-parameters nil :coding nil visible in the contact [O-12 A]', async () => {
    const np = engine();
    const peer = await plainServer();
    const p = await np.openNetworkStream('ons', '*ons*', '127.0.0.1', peer.port);
    expect(Object.keys(np.processContact(p, true)!)).toEqual([
      'name',
      'buffer',
      'host',
      'service',
      'nowait',
      'tlsParameters',
      'coding',
      'remote',
      'local',
    ]);
    expect(np.processContact(p, 'nowait')).toBeNull();
    expect(np.getBuffer('*ons*')).not.toBeNull();
  });

  it('connection errors are those of make-network-process, and bad types are refused', async () => {
    const np = engine();
    const port = await freePort();
    await expect(np.openNetworkStream('ons', null, '127.0.0.1', port)).rejects.toThrow('make client process failed: Connection refused');
    await expect(np.openNetworkStream('ons', null, '127.0.0.1', port, { type: 'gopher' as never })).rejects.toThrow(
      'Invalid connection type gopher',
    );
    await expect(np.openNetworkStream('ons', null, '127.0.0.1', port, { type: 'starttls' })).rejects.toThrow(
      'make client process failed: Connection refused',
    );
    await expect(np.openNetworkStream('ons', null, '127.0.0.1', port, { type: 'shell' })).rejects.toMatchObject({ code: 'UNSUPPORTED' });
  });
});
