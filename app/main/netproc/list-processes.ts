/**
 * The `list-processes` table (spec §11): rows sorted by name, the Command
 * column's text for network processes, and the tabulated text layout.
 */
import type { NetworkProcess } from './process.js';
import type { ProcessStatus } from './status.js';
import type { ListProcessesRow } from '../../shared/wire.js';

export type { ListProcessesRow };

/** How `format "%s"` prints a contact value. */
export function princ(value: unknown): string {
  if (value === null || value === undefined || value === false) return 'nil';
  if (value === true) return 't';
  if (Array.isArray(value)) return `[${value.map(princ).join(' ')}]`;
  if (typeof value === 'object') {
    const { family, data } = value as { family: number; data: number[] };
    return `(${family} . [${data.join(' ')}])`;
  }
  return String(value);
}

/** The Command column; `contact` is (process-contact p t t): null while connecting or after failure. */
export function commandText(contact: Record<string, unknown> | null): string {
  const get = (key: string): unknown => (contact ? (contact[key] ?? null) : null);
  const kind = get('type') ? 'datagram' : 'network';
  const host = get('host');
  const service = get('service');
  if (get('server')) {
    return `(${kind} server on ${host ? `${princ(host)}:${princ(service)}` : princ(get('local'))})`;
  }
  return `(${kind} connection to ${princ(host)}:${princ(service)})`;
}

export function listProcessesRows(
  processes: NetworkProcess[],
  describe: (p: NetworkProcess) => { status: ProcessStatus; contact: Record<string, unknown> | null },
): ListProcessesRow[] {
  const rows = processes.map((p) => {
    const { status, contact } = describe(p);
    return {
      id: p.id,
      process: p.name,
      pid: '--',
      status,
      buffer: p.buffer?.live ? p.buffer.name : '--',
      tty: '--',
      thread: 'Main',
      command: commandText(contact),
    };
  });
  return rows.sort((a, b) => (a.process < b.process ? -1 : a.process > b.process ? 1 : 0));
}

const WIDTHS = [15, 7, 7, 25, 12, 12] as const;

/** One row as `*Process List*` lays it out: each cell padded to its width plus one space, never truncated. */
export function formatListProcessesLine(row: ListProcessesRow): string {
  const cells = [row.process, row.pid, row.status, row.buffer, row.tty, row.thread];
  let line = '';
  cells.forEach((cell, i) => {
    line += cell.padEnd(WIDTHS[i] as number) + ' ';
  });
  return line + row.command;
}
