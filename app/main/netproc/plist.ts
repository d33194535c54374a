/**
 * Process property lists, bounded. Emacs puts no limit on a plist, but ours
 * travels to every window in each snapshot and process change: 400 puts of
 * 60 KB once made each put take 0.7 s and a snapshot 23 MiB. So one bound
 * holds however the plist grows (creation, process-put, set-process-plist):
 * at most LIMITS.plistEntries elements, no value over LIMITS.plistValueBytes,
 * all of it within LIMITS.plistBytes, nested no deeper than LIMITS.jsonDepth.
 */
import { LIMITS } from '../../shared/api.js';
import { invalidArgument } from './errors.js';

/** Approximate serialised size of a value in bytes; throws past the nesting limit rather than overflow the stack. */
function sizeOf(value: unknown, field: string, depth = 0): number {
  if (depth > LIMITS.jsonDepth) throw invalidArgument(field, `${field}: nested deeper than ${LIMITS.jsonDepth} levels`);
  if (typeof value === 'string') return Buffer.byteLength(value, 'utf8') + 2;
  if (Array.isArray(value)) return value.reduce<number>((sum, item) => sum + sizeOf(item, field, depth + 1) + 1, 2);
  if (value !== null && typeof value === 'object') {
    let sum = 2;
    for (const [key, item] of Object.entries(value)) sum += Buffer.byteLength(key, 'utf8') + 4 + sizeOf(item, field, depth + 1);
    return sum;
  }
  return 8;
}

/** Checks a whole plist against the bounds; `field` names it in the error. */
export function checkPlist(plist: readonly unknown[], field = 'plist'): void {
  if (plist.length > LIMITS.plistEntries) {
    throw invalidArgument(
      field,
      `${field}: at most ${LIMITS.plistEntries} elements (${LIMITS.plistEntries / 2} properties); this has ${plist.length}`,
    );
  }
  let total = 0;
  for (const item of plist) {
    const size = sizeOf(item, field);
    if (size > LIMITS.plistValueBytes)
      throw invalidArgument(field, `${field}: a value of about ${size} bytes; at most ${LIMITS.plistValueBytes}`);
    total += size;
  }
  if (total > LIMITS.plistBytes) throw invalidArgument(field, `${field}: about ${total} bytes in all; at most ${LIMITS.plistBytes}`);
}

/** `process-put` on a copy: the new plist, checked before it replaces the old one. */
export function plistPut(plist: readonly unknown[], property: unknown, value: unknown): unknown[] {
  const next = plist.slice();
  let i = 0;
  while (i + 1 < next.length && next[i] !== property) i += 2;
  if (i + 1 < next.length) next[i + 1] = value;
  else next.push(property, value);
  checkPlist(next, 'value');
  return next;
}

/** `process-get`: properties compare with `eq` (===). */
export function plistGet(plist: readonly unknown[], property: unknown): unknown {
  for (let i = 0; i + 1 < plist.length; i += 2) if (plist[i] === property) return plist[i + 1];
  return null;
}
