/** Values as Emacs prints them, for the contact inspector and the Lisp forms. */
import { isLispSymbol, type JsonValue } from '../shared/api.js';

export { formatBytes } from '../shared/byte-counts.js';

import { keyword } from '../shared/words.js';

export { keyword };

export function lispText(value: unknown): string {
  if (value === null || value === undefined || value === false) return 'nil';
  if (value === true) return 't';
  if (typeof value === 'number') return String(value);
  if (typeof value === 'string') return JSON.stringify(value);
  if (Array.isArray(value)) return `[${value.map(lispText).join(' ')}]`;
  if (typeof value === 'object') {
    // A symbol prints bare (`:type datagram`); characters the reader would take apart get a backslash, as prin1 does.
    if (isLispSymbol(value)) return value.symbol.replace(/[\s()[\]";'`,\\]/g, '\\$&');
    const o = value as { family?: unknown; data?: unknown };
    if (typeof o.family === 'number' && Array.isArray(o.data)) return `(${o.family} . ${lispText(o.data)})`;
    return `(${Object.entries(value as Record<string, JsonValue>)
      .map(([k, v]) => `${keyword(k)} ${lispText(v)}`)
      .join(' ')})`;
  }
  return String(value);
}

/**
 * A request's field as the Lisp form that made it writes it:
 * `tlsParameters.servername` → `:tls-parameters :servername`, an element by
 * its place (`alpn.0` → `:alpn item 1`), and POSITIONAL fields, which are
 * arguments rather than keywords, by their name in the documentation
 * (open-network-stream's `host` → `HOST`).
 */
export function lispFieldPath(field: string, positional: readonly string[] = []): string {
  return field
    .split('.')
    .map((part, i) =>
      /^\d+$/.test(part) ? `item ${Number(part) + 1}` : i === 0 && positional.includes(part) ? part.toUpperCase() : keyword(part),
    )
    .join(' ');
}

/**
 * A failed request as Emacs's echo area shows the signal, the condition and
 * its data: `(file-error "make client process failed" "Connection refused")`.
 */
export function signalText(error: { condition: string; data: readonly unknown[] }): string {
  return `(${[error.condition, ...error.data.map(lispText)].join(' ')})`;
}

/** The whole contact plist, `(:name "srv" :server t ...)`. */
export function plistText(contact: Record<string, unknown>): string {
  return `(${Object.entries(contact)
    .map(([k, v]) => `${keyword(k)} ${lispText(v)}`)
    .join(' ')})`;
}
