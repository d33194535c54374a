/**
 * The part of buffer search that does the work: find a pattern in one byte
 * array and answer byte offsets into it. Free of threads and buffers, so the
 * search worker runs it and tests call it directly.
 *
 * Exact bytes (text without case folding, hex) use Buffer's native indexOf.
 * Case-folded text and regular expressions use RE2 (re2js): it never
 * backtracks, so its time is linear in the input whatever the pattern, and a
 * pattern such as `(a+)+$` cannot explode. Its price is RE2's syntax: no
 * lookaround and no backreferences. RE2 reads the bytes as UTF-8 itself, so
 * offsets are byte offsets with no decoding to a JS string; a byte that is not
 * UTF-8 reads as one U+FFFD character, one byte wide.
 */
import { Buffer } from 'node:buffer';
import { RE2JS, RE2JSSyntaxException, RE2Set } from 're2js';

export type SearchPattern =
  /** Exact bytes (the hex mode). */
  | { kind: 'bytes'; bytes: Uint8Array }
  /** Text, as its UTF-8 bytes, or as characters with Unicode case folding. */
  | { kind: 'text'; text: string; caseFold: boolean }
  | { kind: 'regex'; source: string; caseFold: boolean };

export interface ByteRange {
  start: number;
  end: number;
}

/** A regular expression RE2 cannot parse; the message says why, in terms a user can act on. */
export class SearchSyntaxError extends Error {}

/**
 * Forward: the first match starting at or after `from`. Backward: as Emacs's
 * re-search-backward, the match that starts latest among those lying wholly
 * before `from` (the text is read as ending at `from`).
 */
export function findMatch(haystack: Uint8Array, pattern: SearchPattern, from: number, backward: boolean): ByteRange | null {
  const at = Math.min(Math.max(from, 0), haystack.length);
  if (pattern.kind === 'bytes') return findBytes(haystack, pattern.bytes, at, backward);
  if (pattern.kind === 'text' && !pattern.caseFold) return findBytes(haystack, Buffer.from(pattern.text, 'utf8'), at, backward);
  const source = pattern.kind === 'text' ? RE2JS.quote(pattern.text) : pattern.source;
  const re2 = compile(source, pattern.caseFold).re2();
  // A pattern that is one literal string: native byte search is much faster than RE2's own literal scan.
  if (re2.prefixComplete) return findBytes(haystack, Uint8Array.from(re2.prefixUTF8 as ArrayLike<number>), at, backward);
  return backward ? findRegexBackward(re2, haystack, at) : findRegexForward(re2, haystack, at);
}

export function compile(source: string, caseFold: boolean): RE2JS {
  try {
    return RE2JS.compile(source, caseFold ? RE2JS.CASE_INSENSITIVE : 0);
  } catch (err) {
    if (err instanceof RE2JSSyntaxException) throw new SearchSyntaxError(`${err.message}${unsupportedHint(err.input ?? '')}`);
    throw err;
  }
}

/** RE2's own message for `(?=` or `\1` says only "invalid"; say which Perl feature is missing and why. */
function unsupportedHint(at: string): string {
  const why = 'searches use RE2 syntax, which keeps every search linear in the buffer size';
  if (/^\(\?<?[=!]/.test(at)) return ` (lookahead and lookbehind are not supported: ${why})`;
  if (/^\\([1-9]|k)/.test(at)) return ` (backreferences are not supported: ${why})`;
  if (/^\(\?>|^[*+?}]\+/.test(at)) return ` (atomic groups and possessive quantifiers are not supported: ${why})`;
  return '';
}

function findBytes(haystack: Uint8Array, needle: Uint8Array, at: number, backward: boolean): ByteRange | null {
  if (needle.length === 0) return { start: at, end: at };
  const bytes = Buffer.from(haystack.buffer, haystack.byteOffset, haystack.length);
  let i: number;
  if (backward) {
    // lastIndexOf reads a negative offset as counted from the end: a needle longer than the text before `at` cannot match.
    if (at < needle.length) return null;
    i = bytes.lastIndexOf(needle, at - needle.length);
  } else i = bytes.indexOf(needle, at);
  return i < 0 ? null : { start: i, end: i + needle.length };
}

type Re2 = ReturnType<RE2JS['re2']>;

/** Is there a match starting at or after `start` and ending by `end`? Asking for no positions lets RE2 use its DFA, several times faster than the NFA that finds positions. */
function matchesFrom(re2: Re2, haystack: Uint8Array, start: number, end: number): boolean {
  return (re2.matchWithGroup(haystack, start, end, RE2Set.UNANCHORED, 0) as [boolean, unknown])[0];
}

/** The leftmost match starting at or after `start`, ending by `end`, with its positions. */
function leftmostFrom(re2: Re2, haystack: Uint8Array, start: number, end: number): ByteRange | null {
  const [found, groups] = re2.matchWithGroup(haystack, start, end, RE2Set.UNANCHORED, 1) as [boolean, number[] | null];
  return found && groups ? { start: groups[0] as number, end: groups[1] as number } : null;
}

function findRegexForward(re2: Re2, haystack: Uint8Array, at: number): ByteRange | null {
  const start = characterStartAtOrAfter(haystack, at);
  // The DFA pass first, so a pattern that is not there costs one fast scan.
  if (!matchesFrom(re2, haystack, start, haystack.length)) return null;
  return leftmostFrom(re2, haystack, start, haystack.length);
}

/** First probe of the backward search: most backward searches find something close to where they start. */
const FIRST_BACKWARD_WINDOW = 64 * 1024;
/** What one NFA call costs beyond the bytes it reads, counted in bytes, so a run of tiny matches still ends. */
const NFA_CALL_COST = 256;

/**
 * RE2 only searches forward. "Some match starts at or after p" is monotone in
 * p, and the DFA answers it fast (without positions), so the latest start is
 * found by narrowing: windows doubling back from `end` until one holds a
 * match (linear in the distance to it, O(n) when there is none), then steps
 * inside the last window. A DFA probe that finds nothing scans to `end`, so
 * bisection alone costs O(d log d) in the distance d to the match: seconds for
 * a lone match at the far end of 64 MiB. So bisection steps alternate with
 * runs of jumps, where the NFA finds the next match after `lo` within a
 * bounded stretch and `lo` moves past its start if a match still starts
 * there; a run spends about what a bisection probe does. Jumps settle a
 * sparse window in a few steps, bisection a dense one. Probes stand on
 * character starts, so a match never begins inside a UTF-8 sequence.
 */
function findRegexBackward(re2: Re2, haystack: Uint8Array, at: number): ByteRange | null {
  const end = characterStartAtOrBefore(haystack, at);
  const startsAtOrAfter = (p: number): boolean => matchesFrom(re2, haystack, p, end);
  // Invariant once found: a match starts in [lo, end] and none starts in [hi, end].
  let hi = end + 1;
  let lo = -1;
  for (let width = FIRST_BACKWARD_WINDOW; lo < 0; width *= 2) {
    const probe = characterStartAtOrBefore(haystack, Math.max(0, end - width));
    if (startsAtOrAfter(probe)) lo = probe;
    else if (probe === 0) return null;
    else hi = probe;
  }
  while (hi - lo > 8) {
    const budget = Math.max(FIRST_BACKWARD_WINDOW, (end - lo) >> 3);
    for (let spent = 0; spent < budget && hi - lo > 8;) {
      // Read no further than the budget. A match ending before that bound is a match; one
      // ending on it may exist only because the text was cut there, so it is not trusted.
      const bound = Math.min(end, lo + budget);
      const next = leftmostFrom(re2, haystack, lo, bound);
      if (!next) break;
      spent += next.end - lo + NFA_CALL_COST;
      const after = characterStartAtOrAfter(haystack, next.start + 1);
      if (after >= hi) break;
      if (startsAtOrAfter(after)) lo = after;
      else {
        hi = after;
        if (next.end < bound || bound === end) lo = next.start;
      }
    }
    if (hi - lo <= 8) break;
    // More than 8 bytes apart, so the middle stepped back to a character start still lies strictly between.
    const mid = characterStartAtOrBefore(haystack, lo + ((hi - lo) >> 1));
    if (startsAtOrAfter(mid)) lo = mid;
    else hi = mid;
  }
  for (let p = hi - 1; p > lo; p--) {
    if (isCharacterStart(haystack, p) && startsAtOrAfter(p)) {
      lo = p;
      break;
    }
  }
  return leftmostFrom(re2, haystack, lo, end);
}

/**
 * Length of the well-formed UTF-8 sequence at `i`, or 0. Written out rather
 * than taken from TextDecoder because it must agree byte for byte with how RE2
 * steps through input (Go's rules: any other byte is one U+FFFD, one byte wide).
 */
function utf8SequenceLength(bytes: Uint8Array, i: number): number {
  const c = bytes[i] as number;
  if (c < 0x80) return 1;
  let size: number;
  let lo = 0x80;
  let hi = 0xbf;
  if (c >= 0xc2 && c <= 0xdf) size = 2;
  else if (c >= 0xe0 && c <= 0xef) {
    size = 3;
    if (c === 0xe0) lo = 0xa0;
    else if (c === 0xed) hi = 0x9f;
  } else if (c >= 0xf0 && c <= 0xf4) {
    size = 4;
    if (c === 0xf0) lo = 0x90;
    else if (c === 0xf4) hi = 0x8f;
  } else return 0;
  if (i + size > bytes.length) return 0;
  const c1 = bytes[i + 1] as number;
  if (c1 < lo || c1 > hi) return 0;
  for (let k = 2; k < size; k++) if (((bytes[i + k] as number) & 0xc0) !== 0x80) return 0;
  return size;
}

/**
 * Whether a character starts at `p` as RE2 reads the bytes from the start. A
 * lead byte can never sit inside another well-formed sequence, so only the
 * three bytes before `p` need a look.
 */
export function isCharacterStart(bytes: Uint8Array, p: number): boolean {
  for (let k = 1; k <= 3 && p - k >= 0; k++) if (utf8SequenceLength(bytes, p - k) > k) return false;
  return true;
}

function characterStartAtOrBefore(bytes: Uint8Array, p: number): number {
  for (let k = 1; k <= 3 && p - k >= 0; k++) if (utf8SequenceLength(bytes, p - k) > k) return p - k;
  return p;
}

function characterStartAtOrAfter(bytes: Uint8Array, p: number): number {
  for (let k = 1; k <= 3 && p - k >= 0; k++) {
    const size = utf8SequenceLength(bytes, p - k);
    if (size > k) return p - k + size;
  }
  return p;
}
