/**
 * The engine and the wire agree on every shape that crosses: at compile time
 * (expectTypeOf fails to type-check on drift) and on a real process on
 * loopback, whose serialized info and row carry exactly the wire's keys.
 */
import { describe, expect, expectTypeOf, it } from 'vitest';
import {
  KERNEL_QUEUES_KEYS,
  BUFFER_INFO_KEYS,
  LAST_PROCESS_INFO_KEYS,
  LIST_PROCESSES_ROW_KEYS,
  MESSAGE_CHARS,
  PROCESS_COUNTERS_KEYS,
  PROCESS_INFO_KEYS,
  TLS_STATE_KEYS,
  WIRE_ERROR_LIMITS,
  LIMITS,
  type AddressFamily,
  type AutoReplySpec,
  type AutoReplyState,
  type ReconnectState,
  type CodingPair,
  type KernelQueues,
  type LispAddress,
  type ListProcessesRow,
  type ProcessCounters,
  type ProcessInfo,
  type ProcessKind,
  type ProcessStatus,
  type WireError,
} from '../../shared/wire.js';
import { NetprocError, type Netproc, type NetworkProcess } from '../netproc/index.js';
import { AUTO_REPLY_LIMITS } from '../netproc/auto-reply.js';
import { TEMPLATE_MAX_CHARS } from '../../shared/templates.js';
import { mappedStatus, type InternalStatus } from '../netproc/status.js';
import { engine, freePort, onCleanup, plainClient, waitFor } from '../netproc/test-support.js';
import { createBuiltins } from './builtins.js';
import { bufferInfo, errorJson, processInfo } from './serialize.js';

describe('the engine and the wire agree on shapes', () => {
  it("the contract's auto-reply limits are the engine's", () => {
    expect(LIMITS.autoReplyRules).toBe(AUTO_REPLY_LIMITS.rules);
    expect(LIMITS.autoReplyPattern).toBe(AUTO_REPLY_LIMITS.pattern);
    expect(LIMITS.autoReplyReply).toBe(TEMPLATE_MAX_CHARS);
  });

  it('at compile time', () => {
    expectTypeOf<NetworkProcess['kind']>().toEqualTypeOf<ProcessKind>();
    expectTypeOf<NetworkProcess['family']>().toEqualTypeOf<AddressFamily>();
    expectTypeOf<NetworkProcess['counters']>().toEqualTypeOf<ProcessCounters>();
    expectTypeOf<NetworkProcess['tls']>().toEqualTypeOf<ProcessInfo['tls']>();
    expectTypeOf<ReturnType<Netproc['processStatus']>>().toEqualTypeOf<ProcessStatus | null>();
    expectTypeOf<ReturnType<typeof mappedStatus>>().toEqualTypeOf<ProcessStatus>();
    expectTypeOf<ReturnType<Netproc['processCodingSystem']>>().toEqualTypeOf<[string, string]>();
    expectTypeOf<CodingPair>().toEqualTypeOf<[string, string]>();
    expectTypeOf<ReturnType<Netproc['listProcessesRows']>>().toEqualTypeOf<ListProcessesRow[]>();
    expectTypeOf<ReturnType<Netproc['processDatagramAddress']>>().toEqualTypeOf<LispAddress | null>();
    expectTypeOf<NetprocError['condition']>().toEqualTypeOf<WireError['condition']>();
    expectTypeOf<Awaited<ReturnType<Netproc['processKernelQueues']>>>().toEqualTypeOf<KernelQueues>();
    expectTypeOf<ReturnType<Netproc['autoReplies']['rules']>>().toEqualTypeOf<AutoReplyState | null>();
    expectTypeOf<Parameters<Netproc['autoReplies']['set']>[1]>().toEqualTypeOf<AutoReplySpec | null>();
    expectTypeOf<ReturnType<Netproc['reconnects']['state']>>().toEqualTypeOf<ReconnectState | null>();
    // The engine's richer status stays its own: `run` and `exit` never reach the wire.
    expectTypeOf<'run' | 'exit'>().not.toExtend<ProcessStatus>();
    expectTypeOf<InternalStatus['kind']>().not.toEqualTypeOf<ProcessStatus>();
  });

  it("on a real connection: its info, counters, TLS state and list-processes row have exactly the wire's keys", async () => {
    const np = engine();
    const builtins = createBuiltins(np);
    const server = (await np.makeNetworkProcess({ name: 'srv', server: true, host: '127.0.0.1', service: true }))!;
    const peer = await plainClient((server.contact.get('local') as number[])[4] as number);
    onCleanup(() => peer.destroy());
    const accepted = await waitFor(() => np.processList().find((p) => p.kind === 'accepted'));
    for (const p of [server, accepted]) {
      const info = processInfo(np, builtins, p);
      expect(Object.keys(info).sort()).toEqual([...PROCESS_INFO_KEYS].sort());
      expect(Object.keys(info.counters).sort()).toEqual([...PROCESS_COUNTERS_KEYS].sort());
      // The engine's own counters go out as they are.
      expect(Object.keys(p.counters).sort()).toEqual([...PROCESS_COUNTERS_KEYS].sort());
      expect(JSON.parse(JSON.stringify(info))).toEqual(info);
    }
    const rows = np.listProcessesRows();
    expect(rows).toHaveLength(2);
    for (const row of rows) expect(Object.keys(row).sort()).toEqual([...LIST_PROCESSES_ROW_KEYS].sort());
    // A TLS state has the wire's keys too (set by hand: no TLS peer is needed to check a shape).
    accepted.tls = {
      role: 'accepted',
      verify: false,
      caFile: null,
      servername: null,
      alpnOffered: [],
      authorized: false,
      authorizationError: null,
      pinned: false,
      pinTarget: null,
      pinnedFingerprint: null,
      protocol: null,
      cipher: null,
      alpnProtocol: null,
      peerCertificate: null,
      localCertificate: null,
      certificateSource: null,
      savedTo: null,
    };
    expect(Object.keys(processInfo(np, builtins, accepted).tls!).sort()).toEqual([...TLS_STATE_KEYS].sort());
    // Kernel queues, read or not (a listening socket has none), carry the same keys.
    for (const p of [server, accepted]) expect(Object.keys(await np.processKernelQueues(p)).sort()).toEqual([...KERNEL_QUEUES_KEYS].sort());
  });

  it("on a departed connection's buffer: its info and its last process have exactly the wire's keys", async () => {
    const np = engine();
    const server = (await np.makeNetworkProcess({ name: 'srv', server: true, host: '127.0.0.1', service: true, buffer: '*srv*' }))!;
    const peer = await plainClient((server.contact.get('local') as number[])[4] as number);
    onCleanup(() => peer.destroy());
    const accepted = await waitFor(() => np.processList().find((p) => p.kind === 'accepted'));
    np.deleteProcess(accepted);
    const info = bufferInfo(np, accepted.buffer!);
    expect(Object.keys(info).sort()).toEqual([...BUFFER_INFO_KEYS].sort());
    expect(Object.keys(info.lastProcess!).sort()).toEqual([...LAST_PROCESS_INFO_KEYS].sort());
    expect(JSON.parse(JSON.stringify(info))).toEqual(info);
  });
});

describe('an engine error on the wire', () => {
  async function refusal(np: Netproc, options: Parameters<Netproc['makeNetworkProcess']>[0]): Promise<NetprocError> {
    try {
      await np.makeNetworkProcess(options);
    } catch (err) {
      expect(err).toBeInstanceOf(NetprocError);
      return err as NetprocError;
    }
    throw new Error('expected the engine to refuse');
  }

  it('keeps the Node system error it wraps: errno, syscall, address, port', async () => {
    const np = engine();
    const port = await freePort();
    const err = await refusal(np, { name: 'c', host: '127.0.0.1', service: port });
    expect(err).toMatchObject({ code: 'ECONNREFUSED', syscall: 'connect', address: '127.0.0.1', port, condition: 'file-error' });
    expect(typeof err.errno).toBe('number');
  });

  it('cuts a runaway message at the wire, whole characters only', () => {
    const long = errorJson(new NetprocError({ code: 'SYSTEM', message: 'x'.repeat(MESSAGE_CHARS - 1) + '😀'.repeat(5000) }));
    expect(long.message.length).toBeLessThanOrEqual(MESSAGE_CHARS + 1);
    expect(long.message.endsWith('…')).toBe(true);
    expect(long.message).not.toMatch(/[\uD800-\uDBFF]…$/);
    const short = errorJson(new NetprocError({ code: 'SYSTEM', message: 'fine' }));
    expect(short.message).toBe('fine');
  });

  it('tags keywords and predicates as symbols, as Emacs prints them', async () => {
    const np = engine();
    const unsupported = errorJson(
      await refusal(np, { name: 'u', server: true, host: '127.0.0.1', service: true, dontroute: true } as never),
    );
    expect(unsupported).toMatchObject({
      condition: 'error',
      data: ['Unknown or unsupported option', { symbol: ':dontroute' }, expect.any(String)],
    });
    expect(unsupported.syscall).toBeUndefined();
    const wrong = errorJson(
      new NetprocError({
        code: 'WRONG_TYPE',
        message: 'Wrong type argument: stringp, 5',
        condition: 'wrong-type-argument',
        data: ['stringp', 5],
      }),
    );
    expect(wrong.data).toEqual([{ symbol: 'stringp' }, 5]);
    // A contact value that is a symbol stays one after its keyword; a string stays a string.
    const contact = errorJson(
      new NetprocError({
        code: 'ECONNREFUSED',
        message: 'm',
        condition: 'file-error',
        data: ['m', 'r', ':type', 'datagram', ':host', 'local', ':name', ':type'],
      }),
    );
    expect(contact.data).toEqual([
      'm',
      'r',
      { symbol: ':type' },
      { symbol: 'datagram' },
      { symbol: ':host' },
      { symbol: 'local' },
      { symbol: ':name' },
      ':type',
    ]);
  });

  it('bounds what it carries: the number of data, long strings, long or deep values', () => {
    const long = 'x'.repeat(10_000);
    const deep = [[[[[['bottom']]]]]];
    const wide = Array.from({ length: 1000 }, (_, i) => i);
    const data = [long, deep, wide, ...Array.from({ length: 500 }, (_, i) => `datum ${i}`)];
    const wire = errorJson(new NetprocError({ code: 'SYSTEM', message: 'boom', condition: 'error', data }));
    expect(wire.data).toHaveLength(WIRE_ERROR_LIMITS.dataItems);
    expect((wire.data[0] as string).length).toBeLessThanOrEqual(65);
    expect(JSON.stringify(wire.data[1])).not.toContain('bottom');
    expect(wire.data[2]).toBe('an array');
    expect(JSON.stringify(wire).length).toBeLessThan(4096);
  });
});
