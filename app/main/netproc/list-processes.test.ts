import { describe, expect, it } from 'vitest';
import { commandText, formatListProcessesLine, princ } from './list-processes.js';
import { engine, plainServer, waitFor } from './test-support.js';

describe('list-processes (spec §11) [O-10]', () => {
  it.each<[Record<string, unknown> | null, string]>([
    [{ server: true, host: 'local', service: 41701 }, '(network server on local:41701)'],
    [{ server: true, host: '127.0.0.1', service: 37049 }, '(network server on 127.0.0.1:37049)'],
    [{ server: true, host: null, service: 32951, local: [127, 0, 0, 1, 32951] }, '(network server on [127 0 0 1 32951])'],
    [{ server: true, service: '/tmp/s', local: '/tmp/s' }, '(network server on /tmp/s)'],
    [{ host: '127.0.0.1', service: 41701 }, '(network connection to 127.0.0.1:41701)'],
    [{ host: 'localhost', service: 37049 }, '(network connection to localhost:37049)'],
    [{ type: 'datagram', server: true, host: '127.0.0.1', service: 43636 }, '(datagram server on 127.0.0.1:43636)'],
    [{ type: 'datagram', host: '127.0.0.1', service: 43636 }, '(datagram connection to 127.0.0.1:43636)'],
    [null, '(network connection to nil:nil)'],
  ])('contact %j gives %s', (contact, text) => {
    expect(commandText(contact)).toBe(text);
  });

  it('prints values as format %s does', () => {
    expect(princ(null)).toBe('nil');
    expect(princ(true)).toBe('t');
    expect(princ({ family: 0, data: [0, 0] })).toBe('(0 . [0 0])');
  });

  it('lays rows out padded to the column widths, never truncating', () => {
    const row = {
      id: 1,
      process: 'client',
      pid: '--',
      status: 'open' as const,
      buffer: '*client*',
      tty: '--',
      thread: 'Main',
      command: '(network connection to 127.0.0.1:41701)',
    };
    expect(formatListProcessesLine(row)).toBe(
      'client          --      open    *client*                  --           Main         (network connection to 127.0.0.1:41701)',
    );
    const long = { ...row, process: 'srv-local <127.0.0.1:53028>' };
    expect(formatListProcessesLine(long).startsWith('srv-local <127.0.0.1:53028> --      open    ')).toBe(true);
  });

  it('sorts by name, honours query-only, and deletes closed processes while building the list [O-07 E, O-10 B/C]', async () => {
    const np = engine({ deleteExitedProcesses: false });
    const closer = await plainServer((s) => s.end());
    const keeper = await plainServer();
    const events: string[] = [];
    np.on('sentinel', ({ process, event }) => events.push(`${process.name}:${event}`));
    const closed = (await np.makeNetworkProcess({ name: 'zz-closed', host: '127.0.0.1', service: closer.port }))!;
    await np.makeNetworkProcess({ name: 'b-open', host: '127.0.0.1', service: keeper.port, noquery: true });
    await np.makeNetworkProcess({ name: 'a-open', buffer: '*a*', host: '127.0.0.1', service: keeper.port });
    await waitFor(() => np.processStatus(closed) === 'closed');
    const rows = np.listProcessesRows();
    expect(rows.map((r) => r.process)).toEqual(['a-open', 'b-open']);
    expect(rows[0]).toMatchObject({ pid: '--', status: 'open', buffer: '*a*', tty: '--', thread: 'Main' });
    expect(rows[1]?.buffer).toBe('--');
    expect(events).toContain('zz-closed:deleted\n');
    expect(np.listProcessesRows(true).map((r) => r.process)).toEqual(['a-open']);
  });
});
