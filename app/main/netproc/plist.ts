/**
 * Process property lists, bounded. Emacs puts no limit on a plist, but ours
 * travels to every window in each snapshot and process change: 400 puts of
 * 60 KB once made each put take 0.7 s and a snapshot 23 MiB. So one bound
 * holds however the plist grows (creation, process-put, set-process-plist):
 * the shared rule in app/shared/json-bounds.ts (LIMITS.plistEntries elements,
 * LIMITS.valueBytes as JSON), with values nested no deeper than
 * LIMITS.valueDepth — checked first, because JSON.stringify recurses.
 */
import { LIMITS } from '../../shared/wire.js';
import { plistOverflow } from '../../shared/json-bounds.js';
import { invalidArgument } from './errors.js';

/** Throws past the nesting bound (a cycle ends here too), walking with its own stack. */
function checkNesting(plist: readonly unknown[], field: string): void {
  const pending: Array<{ node: unknown; depth: number }> = plist.map((node) => ({ node, depth: 0 }));
  for (let next = pending.pop(); next; next = pending.pop()) {
    const { node, depth } = next;
    if (node === null || typeof node !== 'object') continue;
    if (depth >= LIMITS.valueDepth) throw invalidArgument(field, `${field}: nests arrays or objects more than ${LIMITS.valueDepth} deep`);
    for (const child of Array.isArray(node) ? node : Object.values(node)) pending.push({ node: child, depth: depth + 1 });
  }
}

/** Checks a whole plist against the bounds; `field` names it in the error (entries past the bound name `entriesField`). */
export function checkPlist(plist: readonly unknown[], field = 'plist', entriesField = field): void {
  checkNesting(plist, field);
  const overflow = plistOverflow(plist);
  if (overflow) {
    const at = overflow.exceeds === 'entries' ? entriesField : field;
    throw invalidArgument(at, `${at}: ${overflow.message}`);
  }
}

/** `process-put` on a copy: the new plist, checked before it replaces the old one (a new key past the bound names `key`). */
export function plistPut(plist: readonly unknown[], property: unknown, value: unknown): unknown[] {
  const next = plist.slice();
  let i = 0;
  while (i + 1 < next.length && next[i] !== property) i += 2;
  if (i + 1 < next.length) next[i + 1] = value;
  else next.push(property, value);
  checkPlist(next, 'value', 'key');
  return next;
}

/** `process-get`: properties compare with `eq` (===). */
export function plistGet(plist: readonly unknown[], property: unknown): unknown {
  for (let i = 0; i + 1 < plist.length; i += 2) if (plist[i] === property) return plist[i + 1];
  return null;
}
