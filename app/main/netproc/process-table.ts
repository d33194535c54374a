/**
 * The process table: one namespace of unique names, newest first
 * (spec §1, §4.1), and stable numeric ids for the bridge.
 */
import { uniqueProcessName } from './names.js';
import type { NetworkProcess } from './process.js';

export class ProcessTable {
  private readonly byName = new Map<string, NetworkProcess>();
  /**
   * Also the order of entry, oldest first (a Map keeps insertion order), so
   * that entering and removing a process costs the same with 15,000 in the
   * table as with one; `list` turns it round. Includes processes still being
   * created (hidden).
   */
  private readonly byId = new Map<number, NetworkProcess>();

  /** Picks the unique name for `requested` and enters the process under it. */
  add(process: NetworkProcess, requested: string): string {
    const name = uniqueProcessName(requested, (n) => this.byName.has(n));
    process.name = name;
    this.byName.set(name, process);
    this.byId.set(process.id, process);
    return name;
  }

  remove(process: NetworkProcess): boolean {
    if (this.byName.get(process.name) !== process) return false;
    this.byName.delete(process.name);
    this.byId.delete(process.id);
    return true;
  }

  has(process: NetworkProcess): boolean {
    return this.byName.get(process.name) === process;
  }

  getByName(name: string): NetworkProcess | undefined {
    const p = this.byName.get(name);
    return p && !p.hidden ? p : undefined;
  }

  getById(id: number): NetworkProcess | undefined {
    const p = this.byId.get(id);
    return p && !p.hidden ? p : undefined;
  }

  /** Every process entered, those still being made (hidden) included, oldest first. */
  everyProcess(): IterableIterator<NetworkProcess> {
    return this.byId.values();
  }

  get size(): number {
    return this.byId.size;
  }

  /** process-list: every visible process, newest first. */
  list(): NetworkProcess[] {
    const newestFirst: NetworkProcess[] = [];
    for (const p of this.byId.values()) if (!p.hidden) newestFirst.push(p);
    return newestFirst.reverse();
  }
}
