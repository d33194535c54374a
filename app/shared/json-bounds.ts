/**
 * How big a JSON value or a process plist is, and whether a plist is within
 * its bounds: one rule for the contract (before a request reaches the engine)
 * and the engine (however a plist grows). No dependencies, so the renderer,
 * the contract and the engine can all use it.
 */
import { LIMITS } from './api.js';

/**
 * Length of a string in UTF-8 bytes (a lone surrogate counts as the 3 bytes
 * of U+FFFD it is sent as), counted without building the bytes: this module
 * runs in the renderer too, where there is no Buffer. Stops counting once
 * past `stopAbove`.
 */
export function utf8Length(text: string, stopAbove = Infinity): number {
  let bytes = 0;
  for (let i = 0; i < text.length && bytes <= stopAbove; i++) {
    const unit = text.charCodeAt(i);
    if (unit < 0x80) bytes += 1;
    else if (unit < 0x800) bytes += 2;
    else if (unit >= 0xd800 && unit <= 0xdbff && i + 1 < text.length && (text.charCodeAt(i + 1) & 0xfc00) === 0xdc00) {
      bytes += 4;
      i++;
    } else bytes += 3;
  }
  return bytes;
}

/** The size that counts, in UTF-8 bytes of JSON text; only for values the schema has accepted (no cycle, no BigInt). */
export function jsonBytes(value: unknown): number {
  return utf8Length(JSON.stringify(value) ?? 'null');
}

/**
 * Why a plist is too big, or null. One rule however the plist grows: checked
 * on the plist given at creation and on the plist a processPut would leave.
 */
export function plistOverflow(plist: readonly unknown[]): { exceeds: 'entries' | 'bytes'; message: string } | null {
  if (plist.length > LIMITS.plistEntries) {
    return {
      exceeds: 'entries',
      message: `a plist holds at most ${LIMITS.plistEntries} entries (keys and values); this one would hold ${plist.length}`,
    };
  }
  const bytes = jsonBytes(plist);
  if (bytes > LIMITS.valueBytes) {
    return { exceeds: 'bytes', message: `a plist holds at most ${LIMITS.valueBytes} bytes as JSON; this one would hold ${bytes}` };
  }
  return null;
}
