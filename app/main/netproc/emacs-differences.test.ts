/**
 * Behaviour where the engine differed from the recorded Emacs 28.2 facts
 * (issue 10, "Emacs differences to close"). Each test names the spec's fact.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { NetprocError } from './errors.js';
import type { MakeNetworkProcessOptions } from './netproc.js';
import { engine, freePort, onCleanup, plainClient, plainServer, waitFor } from './test-support.js';

async function failure(np: ReturnType<typeof engine>, options: MakeNetworkProcessOptions): Promise<NetprocError> {
  try {
    await np.makeNetworkProcess(options);
  } catch (err) {
    expect(err).toBeInstanceOf(NetprocError);
    return err as NetprocError;
  }
  throw new Error('expected make-network-process to signal');
}

function socketPath(name: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'netproc-diff-'));
  onCleanup(() => rmSync(dir, { recursive: true, force: true }));
  return join(dir, name);
}

describe('Emacs 28.2 differences, closed', () => {
  it('delete-process on a connection already gone after its peer closed makes exit status 0, with no event [spec §9, O-01 A, O-07 A]', async () => {
    const np = engine();
    const peer = await plainServer((s) => s.end());
    const events: string[] = [];
    const c = (await np.makeNetworkProcess({
      name: 'gone',
      host: '127.0.0.1',
      service: peer.port,
      sentinel: (_p, event) => events.push(event),
    }))!;
    await waitFor(() => np.processStatus(c) === 'closed');
    expect(np.processList()).not.toContain(c);
    expect(np.processExitStatus(c)).toBe(256);
    expect(np.deleteProcess(c)).toBeNull();
    expect(np.processExitStatus(c)).toBe(0);
    expect(np.processStatus(c)).toBe('closed');
    expect(events).toEqual(['connection broken by remote peer\n']);
  });

  it('an accepted Unix connection is numbered by the count of all connections accepted so far, TCP included: usrv <8> after seven TCP accepts [spec §4.2]', async () => {
    const np = engine();
    const tcp = (await np.makeNetworkProcess({ name: 'tsrv', server: true, service: true }))!;
    const port = np.processContact(tcp, 'service') as number;
    for (let i = 1; i <= 7; i++) {
      await plainClient(port);
      await waitFor(() => tcp.counters.accepted === i, 5000, `TCP accept ${i}`);
    }
    const path = socketPath('usrv.sock');
    await np.makeNetworkProcess({ name: 'usrv', server: true, family: 'local', service: path });
    const unix = net.connect(path);
    onCleanup(() => unix.destroy());
    unix.on('error', () => undefined);
    const acc = await waitFor(() => np.processList().find((p) => p.kind === 'accepted' && p.family === 'local'));
    expect(acc.name).toBe('usrv <8>');
  });

  it('set-network-process-option with an unknown option signals exactly "Unknown or unsupported option" [spec §2.2, O-03 C]', async () => {
    const np = engine();
    const srv = (await np.makeNetworkProcess({ name: 'so', server: true, service: true }))!;
    for (const option of ['frob', 'priority']) {
      const err = await np.setNetworkProcessOption(srv, option, 1).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(NetprocError);
      expect(err).toMatchObject({ message: 'Unknown or unsupported option', condition: 'error', field: 'option' });
      // The detail travels in the data, after the message.
      expect((err as NetprocError).data[0]).toBe('Unknown or unsupported option');
      expect((err as NetprocError).data).toContain(`:${option}`);
    }
  });

  it('process-contact t of a failed :nowait client includes :remote and :local [spec §7.2, O-09 B]', async () => {
    const np = engine();
    const port = await freePort();
    const c = (await np.makeNetworkProcess({ name: 'nwfail', host: '127.0.0.1', service: port, nowait: true }))!;
    await waitFor(() => np.processStatus(c) === 'failed');
    const contact = np.processContact(c, true)!;
    expect(Object.keys(contact)).toEqual(['name', 'host', 'service', 'nowait', 'remote', 'local']);
    expect(contact.remote).toEqual([127, 0, 0, 1, port]);
    const local = contact.local as number[];
    expect(local.slice(0, 4)).toEqual([127, 0, 0, 1]);
    expect(local[4]).toBeGreaterThan(0);
    // No-block asks still get nil for a failed process [spec §7.1].
    expect(np.processContact(c, true, true)).toBeNull();
  });

  it(':service -1 signals "HOST/-1 Servname not supported for ai_socktype" with the host as given [spec §14]', async () => {
    const np = engine();
    expect(await failure(np, { name: 'x', service: -1 })).toMatchObject({
      message: '127.0.0.1/-1 Servname not supported for ai_socktype',
      field: 'service',
    });
    expect((await failure(np, { name: 'x', host: 'localhost', service: -1 })).message).toBe(
      'localhost/-1 Servname not supported for ai_socktype',
    );
    expect((await failure(np, { name: 'x', host: '127.0.0.1', service: -1, type: 'datagram', server: true })).message).toBe(
      '127.0.0.1/-1 Servname not supported for ai_socktype',
    );
  });

  it(':family local with a :host says ":family local ignores the :host property" and the contact has :host nil [spec §2.1, O-09 I]', async () => {
    const np = engine();
    const messages: string[] = [];
    np.on('message', (m) => messages.push(m));
    const path = socketPath('host.sock');
    const srv = (await np.makeNetworkProcess({ name: 'uh', server: true, family: 'local', host: 'example.org', service: path }))!;
    expect(messages).toEqual([':family local ignores the :host property']);
    expect(np.processContact(srv, 'host')).toBeNull();
    expect(np.processContact(srv)).toEqual([null, path]);
  });

  it('seqpacket on IPv4 signals a file-error whose data ends with the contact plist [spec §14, O-09 J]', async () => {
    const np = engine();
    const err = await failure(np, { name: 'sp', type: 'seqpacket', server: true, service: true, family: 'ipv4' });
    expect(err).toMatchObject({ code: 'ESOCKTNOSUPPORT', condition: 'file-error' });
    expect(err.data).toEqual([
      'make server process failed',
      'Socket type not supported',
      ':name',
      'sp',
      ':type',
      'seqpacket',
      ':server',
      true,
      ':service',
      true,
      ':family',
      'ipv4',
    ]);
  });

  it('set-process-filter-multibyte nil gives raw-text for a coding without an explicit EOL type [spec §12]', async () => {
    const np = engine();
    const peer = await plainServer((s) => s.write('h\xe9'));
    const texts: string[] = [];
    const c = (await np.makeNetworkProcess({
      name: 'mb',
      host: '127.0.0.1',
      service: peer.port,
      coding: ['utf-8', 'utf-8-unix'],
      stop: true,
      filter: (_p, text) => texts.push(text),
    }))!;
    np.setProcessFilterMultibyte(c, false);
    expect(np.processCodingSystem(c)).toEqual(['raw-text', 'utf-8-unix']);
    expect(np.processFilterMultibyteP(c)).toBe(false);
    await np.continueProcess(c);
    // Unibyte strings: each byte of "hé" in UTF-8 is one character.
    await waitFor(() => texts.join('') === 'h\xc3\xa9');
    const dos = (await np.makeNetworkProcess({ name: 'mbd', host: '127.0.0.1', service: peer.port, coding: 'latin-1-dos' }))!;
    np.setProcessFilterMultibyte(dos, false);
    expect(np.processCodingSystem(dos)[0]).toBe('raw-text-dos');
  });
});
