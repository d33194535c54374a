/**
 * Descriptor exhaustion, made visible. When accept(2) fails with EMFILE,
 * libuv quietly accepts and closes the waiting connections with a reserved
 * descriptor (its "EMFILE trick") and Node is never told, so peers were reset
 * with no line anywhere. Emacs logs "accept failed with code 24" to the
 * server's :log instead. So the engine refuses connections itself a little
 * before the limit — Node's `maxConnections` closes them and emits `drop`,
 * which the engine reports as Emacs does — and accepts again once
 * descriptors are free.
 *
 * Counting descriptors means reading /proc/self/fd, so it is done only when
 * the accepts since the last count could have used up the headroom: far from
 * the limit this costs one decrement per accept. Where the limit cannot be
 * read (no /proc), the watch is off and libuv's behaviour stands.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import type net from 'node:net';

/** Descriptors kept free for everything else the app opens (files, DNS, child processes). */
const RESERVE = 48;
/** How often a refusing watch looks again for freed descriptors. */
const RECHECK_MS = 200;

/**
 * Node drops a connection when `maxConnections` is set and the server's
 * connection count has reached it. Node 20 tests it for truthiness (so 0
 * means no cap there) and later versions for null, so -1 refuses in both and
 * undefined caps nothing in both.
 */
function capConnections(server: net.Server, refuse: boolean): void {
  server.maxConnections = (refuse ? -1 : undefined) as number;
}

export function openFileLimit(): number | null {
  try {
    const line = readFileSync('/proc/self/limits', 'utf8')
      .split('\n')
      .find((l) => l.startsWith('Max open files'));
    const soft = line ? Number(line.split(/\s+/)[3]) : NaN;
    return Number.isFinite(soft) ? soft : null;
  } catch {
    return null;
  }
}

function openDescriptors(): number | null {
  try {
    // Linux 6.2 and later give the count as the directory's size, without listing (and making a string for) each
    // descriptor: near the limit, with 15,000 open, the watch counts a dozen times. Earlier kernels say 0.
    const size = statSync('/proc/self/fd').size;
    return size > 0 ? size : readdirSync('/proc/self/fd').length;
  } catch {
    return null;
  }
}

export class DescriptorWatch {
  private readonly servers = new Set<net.Server>();
  /** Accepts allowed before the next count. */
  private headroom = 0;
  private refusing = false;
  private timer: NodeJS.Timeout | null = null;

  constructor(
    private readonly limit: number | null = openFileLimit(),
    private readonly reserve = RESERVE,
  ) {}

  get active(): boolean {
    return this.refusing;
  }

  watch(server: net.Server): void {
    this.servers.add(server);
    capConnections(server, this.refusing);
  }

  unwatch(server: net.Server): void {
    this.servers.delete(server);
  }

  /** Called for each descriptor the engine opens (accepted or connected sockets). */
  opened(): void {
    if (this.limit === null || --this.headroom > 0) return;
    this.count();
  }

  private count(): void {
    const open = this.limit === null ? null : openDescriptors();
    if (open === null || this.limit === null) return;
    const free = this.limit - this.reserve - open;
    // Count again once half of what is free could be used: descriptors the engine does not open
    // (files, the web host, workers) use it up too.
    this.headroom = Math.floor(free / 2);
    if (free <= 0 && !this.refusing) this.setRefusing(true);
    else if (this.refusing && free > this.reserve) this.setRefusing(false);
  }

  private setRefusing(on: boolean): void {
    this.refusing = on;
    for (const server of this.servers) capConnections(server, on);
    if (on) {
      this.timer = setInterval(() => this.count(), RECHECK_MS);
      this.timer.unref();
    } else if (this.timer) {
      clearInterval(this.timer);
      this.timer = null;
    }
  }

  close(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    this.servers.clear();
  }
}
