/**
 * The contact plist (spec §7.2): the creation arguments in the order given,
 * updated in place like plist-put, so updated keys keep their place and new
 * keys go at the end.
 */
export type ContactValue = unknown;

export class ContactPlist {
  /** Takes ownership of `entries`. */
  constructor(private entries: Array<[string, ContactValue]> = []) {}

  has(key: string): boolean {
    return this.entries.some(([k]) => k === key);
  }

  get(key: string): ContactValue {
    return this.entries.find(([k]) => k === key)?.[1] ?? null;
  }

  put(key: string, value: ContactValue): void {
    const entry = this.entries.find(([k]) => k === key);
    if (entry) entry[1] = value;
    else this.entries.push([key, value]);
  }

  copy(): ContactPlist {
    return new ContactPlist(this.entries.map(([k, v]) => [k, copyValue(v)]));
  }

  /** A fresh plain object in Emacs's key order; callers may keep or change it freely. */
  toObject(): Record<string, ContactValue> {
    const out: Record<string, ContactValue> = {};
    for (const [k, v] of this.entries) out[k] = copyValue(v);
    return out;
  }

  /** The plist as a signal's trailing data, `:key value …`, as Emacs appends it to a failed creation's error. */
  signalData(): unknown[] {
    return this.entries.flatMap(([k, v]) => [`:${k}`, copyValue(v)]);
  }

  keys(): string[] {
    return this.entries.map(([k]) => k);
  }
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

/** How a keyword reads in Lisp: `tlsParameters` → `:tls-parameters`. */
export function keywordName(key: string): string {
  return ':' + key.replace(/[A-Z]/g, (c) => '-' + c.toLowerCase());
}
