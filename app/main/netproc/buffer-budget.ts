/**
 * The budget all buffers together keep to (default 1 GiB, set by the host
 * from NETPROC_BUFFER_BUDGET_MIB): what goes first when it is passed. And
 * how many buffers without a process are kept (default 10,000), which bytes
 * alone never bound: a flood of connections that close at once leaves an
 * empty buffer, holding its departed process, per connection.
 */
import { formatBytes } from '../../shared/byte-counts.js';
import { counted } from '../../shared/words.js';
import type { BufferRegistry, NetprocBuffer } from './buffers.js';
import type { ProcessTable } from './process-table.js';

/** The buffers some process uses, those still being made included (a buffer a process is being made onto must stay). */
function buffersInUse(table: ProcessTable): Set<NetprocBuffer | null> {
  const inUse = new Set<NetprocBuffer | null>();
  for (const process of table.everyProcess()) inUse.add(process.buffer);
  return inUse;
}

export class BufferBudget {
  private lastTrimReport = 0;

  constructor(
    readonly limit: number,
    private readonly report: (text: string) => void,
    readonly processlessLimit: number,
  ) {}

  /**
   * Called as a buffer is made: past the limit of buffers without a process,
   * kills the stalest of them back to 90% of it, said in one line. Buffers
   * less processes is at most the processless count, so the check is O(1)
   * until the limit is really passed.
   */
  keepProcesslessWithin(
    table: ProcessTable,
    buffers: BufferRegistry,
    made: NetprocBuffer,
    killBuffer: (buffer: NetprocBuffer) => void,
  ): void {
    if (buffers.size - table.size <= this.processlessLimit) return;
    const inUse = buffersInUse(table);
    // The buffer being made has no process yet (and, never changed, would sort stalest of all): it is for one.
    inUse.add(made);
    const processless = buffers.all().filter((buffer) => !inUse.has(buffer));
    const excess = processless.length - Math.floor(this.processlessLimit * 0.9);
    if (excess <= 0) return;
    processless.sort((a, b) => a.changedAt - b.changedAt);
    for (const buffer of processless.slice(0, excess)) killBuffer(buffer);
    this.report(
      `Killed the ${counted(excess, 'stalest buffer')} without a process: more than ${counted(this.processlessLimit, 'buffer')} had none`,
    );
  }

  exceeded(buffers: BufferRegistry): boolean {
    return buffers.totalBytes > this.limit;
  }

  /**
   * Emacs keeps every buffer until it is killed; thousands of closed
   * connections, each with a flood's worth, would exhaust memory. Brings the
   * total back to 90% of the budget (so the next insert does not start over):
   * first killing the buffers no process owns, stalest first, then trimming
   * the oldest bytes of the stalest live ones.
   */
  keepWithin(table: ProcessTable, buffers: BufferRegistry, killBuffer: (buffer: NetprocBuffer) => void): void {
    const target = Math.floor(this.limit * 0.9);
    const owned = buffersInUse(table);
    const stalestFirst = buffers.all().sort((a, b) => a.changedAt - b.changedAt);
    for (const buffer of stalestFirst) {
      if (buffers.totalBytes <= target) return;
      if (owned.has(buffer)) continue;
      const size = buffer.length;
      killBuffer(buffer);
      this.report(
        `Killed buffer ${buffer.name} (${formatBytes(size)}, no process): all buffers together passed the ${formatBytes(this.limit)} budget`,
      );
    }
    let trimmed = 0;
    for (const buffer of stalestFirst) {
      const excess = buffers.totalBytes - target;
      if (excess <= 0) break;
      if (!buffer.live || buffer.length === 0) continue;
      const before = buffer.length;
      buffer.trimHead(before - excess);
      trimmed += before - buffer.length;
    }
    // Trimming recurs while a flood goes on; one line every few seconds says so without burying the log.
    const now = Date.now();
    if (trimmed > 0 && now - this.lastTrimReport > 5000) {
      this.lastTrimReport = now;
      this.report(
        `Trimmed the oldest ${formatBytes(trimmed)} of live buffers: all buffers together passed the ${formatBytes(this.limit)} budget`,
      );
    }
  }
}
