/**
 * The contact plist (spec §7.2): the creation arguments in the order given,
 * updated in place like plist-put, so updated keys keep their place and new
 * keys go at the end.
 */
import { keyword } from '../../shared/words.js';
import type { NetworkProcess } from './process.js';

export type ContactValue = unknown;
export type ContactEntries = Array<[string, ContactValue]>;

/** What a lazy plist is built from (an object rather than a closure: a few fields cost less than a closure's context). */
export interface ContactSource {
  build(): ContactPlist;
}

export class ContactPlist {
  /** Null until the source has built them (see `lazy`). */
  private entries: ContactEntries | null;
  private source: ContactSource | null = null;
  /** A copy of the entries shared by every `snapshot` call until the next put. */
  private shared: ReadonlyArray<readonly [string, ContactValue]> | null = null;

  /** Takes ownership of `entries`. */
  constructor(entries: ContactEntries = []) {
    this.entries = entries;
  }

  /**
   * A plist whose entries are built on first use: an accepted connection's
   * contact is rarely read, and building it for each accept cost more than
   * the rest of the accept (issue: engine performance). `source` must build
   * what the plist would have held had it been built at once.
   */
  static lazy(source: ContactSource): ContactPlist {
    const contact = new ContactPlist();
    contact.entries = null;
    contact.source = source;
    return contact;
  }

  private get list(): ContactEntries {
    if (this.entries === null) {
      this.entries = (this.source as ContactSource).build().list;
      this.source = null;
    }
    return this.entries;
  }

  has(key: string): boolean {
    return this.list.some(([k]) => k === key);
  }

  /** The value for KEY, as a copy: the plist changes only through put. */
  get(key: string): ContactValue {
    return copyValue(this.list.find(([k]) => k === key)?.[1] ?? null);
  }

  put(key: string, value: ContactValue): void {
    this.shared = null;
    const entry = this.list.find(([k]) => k === key);
    if (entry) entry[1] = value;
    else this.list.push([key, value]);
  }

  /**
   * The entries as they are now, for building other plists from (with
   * `copyEntries`): one copy, shared by every caller until the next put, so
   * a server's thousand accepts copy its contact once, not a thousand times.
   */
  snapshot(): ReadonlyArray<readonly [string, ContactValue]> {
    return (this.shared ??= copyEntries(this.list));
  }

  /** A fresh plain object in Emacs's key order; callers may keep or change it freely. */
  toObject(): Record<string, ContactValue> {
    const out: Record<string, ContactValue> = {};
    for (const [k, v] of this.list) out[k] = copyValue(v);
    return out;
  }

  /** The plist as a signal's trailing data, `:key value …`, as Emacs appends it to a failed creation's error. */
  signalData(): unknown[] {
    return this.list.flatMap(([k, v]) => [keyword(k), copyValue(v)]);
  }

  keys(): string[] {
    return this.list.map(([k]) => k);
  }
}

/** Entries that share nothing with `entries`, so either may change without the other. */
export function copyEntries(entries: ReadonlyArray<readonly [string, ContactValue]>): ContactEntries {
  return entries.map(([k, v]) => [k, copyValue(v)]);
}

function copyValue(value: ContactValue): ContactValue {
  if (Array.isArray(value)) return value.map(copyValue);
  if (value && typeof value === 'object' && !(value instanceof Function)) return { ...(value as object) };
  return value;
}

/** Keys whose string values are Lisp symbols: the socket type, family, coding systems and function names. */
const SYMBOL_KEYS = new Set(['type', 'family', 'coding', 'filter', 'sentinel', 'log']);

/**
 * The engine passes Lisp symbols as strings (`'datagram'`, `'ipv4'`, host
 * `'local'`), as its API does for arguments. Whoever prints or carries a
 * contact value on must still tell `:host local` from `:host "localhost"`:
 * this maps each symbol in VALUE, the contact's value for KEY, through SYMBOL
 * and leaves every other value as it is.
 */
export function markContactSymbols<S>(key: string, value: ContactValue, symbol: (name: string) => S): ContactValue {
  if (typeof value === 'string') return SYMBOL_KEYS.has(key) || (key === 'host' && value === 'local') ? symbol(value) : value;
  // A (DECODE . ENCODE) coding pair.
  if (key === 'coding' && Array.isArray(value)) return value.map((v: unknown) => (typeof v === 'string' ? symbol(v) : v));
  return value;
}

/**
 * What `process-contact` answers for PROCESS: no KEY, [host, service]; true,
 * the whole plist; a key, its value (lists copied). A datagram process's
 * `:remote` is its current peer. NOBLOCK: null unless it runs or listens.
 */
export function contactOf(process: NetworkProcess, key: string | true | null | undefined, noBlock: boolean): unknown {
  const kind = process.status.kind;
  // Emacs would wait for a connecting process; we answer at once from what is known.
  if (noBlock && kind !== 'run' && kind !== 'listen') return null;
  const contact = process.contact;
  if (process.isDatagram && (key === true || key === 'remote') && process.datagramAddress) {
    contact.put('remote', Array.isArray(process.datagramAddress) ? process.datagramAddress.slice() : { ...process.datagramAddress });
  }
  if (key === undefined || key === null) return [contact.get('host'), contact.get('service')];
  if (key === true) return contact.toObject();
  const value = contact.get(key);
  return Array.isArray(value) ? value.slice() : value;
}
