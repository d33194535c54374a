/**
 * The budget all buffers together keep to (default 1 GiB, set by the host
 * from NETPROC_BUFFER_BUDGET_MIB): what goes first when it is passed.
 */
import { formatBytes } from '../../shared/byte-counts.js';
import type { BufferRegistry, NetprocBuffer } from './buffers.js';
import type { ProcessTable } from './process-table.js';

export class BufferBudget {
  private lastTrimReport = 0;

  constructor(
    readonly limit: number,
    private readonly report: (text: string) => void,
  ) {}

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
    const owned = new Set(table.list().map((p) => p.buffer));
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
