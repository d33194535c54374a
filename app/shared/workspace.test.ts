import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { LIMITS } from './wire.js';
import { emptyWorkspace, parseWorkspace, serializeWorkspace, WORKSPACE_VERSION, type Workspace } from './workspace.js';

const sample: Workspace = {
  format: 'netproc-workspace',
  version: 1,
  processes: [
    { kind: 'make-network-process', args: { name: 'srv', server: true, host: '127.0.0.1', service: 0, family: 'ipv4' }, filter: 'echo' },
    {
      kind: 'make-network-process',
      args: { service: 7000, name: 'cli', host: 'localhost' },
      plist: ['note', { b: 1, a: [2] }],
      reconnect: { initialMs: 10 },
      rules: { framing: 'line', rules: [{ match: 'exact', pattern: 'PING', reply: 'PONG' }] },
    },
    {
      kind: 'open-network-stream',
      args: { name: 'web', buffer: 'web', host: 'localhost', service: 80, type: 'plain' },
      sentinel: 'silent',
    },
  ],
  messages: [{ name: 'hello', kind: 'text', body: 'hi\r\n' }],
  layout: { columns: 30, tabNames: ['srv'] },
};

const text = (value: unknown): string => JSON.stringify(value);
const bad = (value: unknown) => {
  const parsed = parseWorkspace(typeof value === 'string' ? value : text(value));
  if (parsed.ok) throw new Error('expected a refusal');
  return parsed.error;
};

describe('workspace files', () => {
  it('reads what it writes, and writing again gives the same text', () => {
    const written = serializeWorkspace(sample);
    const read = parseWorkspace(written);
    expect(read).toEqual({ ok: true, workspace: sample });
    expect(serializeWorkspace(read.ok ? read.workspace : emptyWorkspace())).toBe(written);
  });

  it('writes keys in a stable order with two-space indentation, whatever order they came in', () => {
    const written = serializeWorkspace(sample);
    expect(written.startsWith('{\n  "format": "netproc-workspace",\n  "version": 1,\n  "processes": [\n')).toBe(true);
    expect(written.endsWith('\n')).toBe(true);
    // args: name first, then code-point order; nested plist objects sorted too.
    expect(written).toContain('"args": {\n        "name": "cli",\n        "host": "localhost",\n        "service": 7000\n      }');
    expect(written).toContain('{\n          "a": [\n            2\n          ],\n          "b": 1\n        }');
    const shuffled = JSON.parse(written, (_key, value: unknown) =>
      value && typeof value === 'object' && !Array.isArray(value) ? Object.fromEntries(Object.entries(value).reverse()) : value,
    ) as Workspace;
    expect(serializeWorkspace(shuffled)).toBe(written);
  });

  it('round-trips any valid workspace to a fixed point', () => {
    const name = fc.string({ minLength: 1, maxLength: 8 });
    const def = fc.record(
      {
        kind: fc.constant('make-network-process' as const),
        args: fc.record({
          name,
          host: fc.constantFrom('127.0.0.1', 'localhost'),
          service: fc.integer({ min: 0, max: 65535 }),
          server: fc.boolean(),
        }),
        filter: fc.constantFrom('default' as const, 'echo' as const, 'discard' as const, 'hold' as const),
      },
      { requiredKeys: ['kind', 'args'] },
    );
    fc.assert(
      fc.property(fc.uniqueArray(def, { selector: (d) => d.args.name, maxLength: 5 }), (processes) => {
        const once = serializeWorkspace({ ...emptyWorkspace(), processes });
        const read = parseWorkspace(once);
        expect(read.ok).toBe(true);
        if (read.ok) expect(serializeWorkspace(read.workspace)).toBe(once);
      }),
      { numRuns: 100 },
    );
  });

  it('names the first bad field by its path, with the reason', () => {
    const withBadService = structuredClone(sample) as unknown as { processes: Array<{ args: Record<string, unknown> }> };
    withBadService.processes[1]!.args.service = 70000;
    expect(bad(withBadService)).toEqual({
      field: 'processes[1].args.service',
      message: 'processes[1].args.service: must be a port from 0 to 65535',
    });
    const unknownField = structuredClone(sample) as unknown as { processes: Array<Record<string, unknown>> };
    unknownField.processes[2]!.pid = 4;
    expect(bad(unknownField)).toEqual({ field: 'processes[2].pid', message: 'processes[2].pid: is not a known field' });
    expect(bad({ ...sample, processes: [{ kind: 'spawn', args: {} }] }).field).toBe('processes[0].kind');
    expect(bad({ ...sample, messages: [{ name: 'm', kind: 'text' }] }).field).toBe('messages[0].body');
    // Messages are checked by the library's own schema, and known by their names, which are unique.
    expect(bad({ ...sample, messages: [{ name: 'm', kind: 'text', body: '', repeat: { intervalMs: 0, count: 3 } }] })).toEqual({
      field: 'messages[0].repeat.intervalMs',
      message: `messages[0].repeat.intervalMs: must be whole milliseconds from 1 to ${LIMITS.repeatIntervalMs}`,
    });
    expect(bad({ ...sample, messages: [sample.messages[0], sample.messages[0]] })).toEqual({
      field: 'messages[1].name',
      message: 'messages[1].name: repeats the name of messages[0]',
    });
    expect(bad({ ...sample, layout: { columns: 'wide' } }).field).toBe('layout.columns');
    expect(bad({ ...sample, processes: [sample.processes[0], sample.processes[0]] })).toEqual({
      field: 'processes[1].args.name',
      message: 'processes[1].args.name: repeats the name of processes[0]',
    });
  });

  it('keeps a message repeated until stopped (count null), as the library holds it', () => {
    const messages = [{ name: 'beat', kind: 'text' as const, body: '.', repeat: { intervalMs: 20, count: null } }];
    const parsed = parseWorkspace(serializeWorkspace({ ...sample, messages }));
    expect(parsed.ok && parsed.workspace.messages).toEqual(messages);
  });

  it('refuses what is not a workspace: not JSON, another format, too big', () => {
    expect(bad('{"format": ')).toMatchObject({ field: null, message: expect.stringMatching(/^The file is not JSON: /) });
    expect(bad([1, 2])).toMatchObject({ field: 'format' });
    expect(bad({ format: 'other', version: 1 })).toMatchObject({ field: 'format' });
    expect(bad({ format: 'netproc-workspace', version: '1' })).toMatchObject({ field: 'version' });
    expect(bad(' '.repeat(LIMITS.workspaceBytes + 1))).toMatchObject({ field: null, message: expect.stringMatching(/larger than/) });
  });

  it('refuses a newer version with a message saying so', () => {
    expect(bad({ ...sample, version: 3 })).toEqual({
      field: 'version',
      message: `This workspace was made by a newer Netproc: version 3; this one reads up to ${WORKSPACE_VERSION}`,
    });
  });

  it('migrates an older version through the registry, then checks the result', () => {
    // Version 1 is the first Netproc wrote; the registry is injected here as a later Netproc's would hold its steps.
    const toCurrent = parseWorkspace(text({ format: 'netproc-workspace', version: 0, old: sample.processes }), {
      0: ({ old, ...rest }) => ({ ...rest, processes: old, messages: [], layout: {} }),
    });
    expect(toCurrent).toEqual({ ok: true, workspace: { ...emptyWorkspace(), processes: sample.processes } });
    expect(bad({ format: 'netproc-workspace', version: 0 })).toEqual({
      field: 'version',
      message: 'version: 0 is not a version this Netproc can read or migrate',
    });
  });
});
