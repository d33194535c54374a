import { monitorEventLoopDelay } from 'node:perf_hooks';
import { Worker } from 'node:worker_threads';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { NetprocBuffer } from './buffers.js';
import { NetprocError } from './errors.js';
import { findMatch, type ByteRange, type SearchPattern } from './search-matcher.js';
import { endIdleSearchThreads, setSearchThreadFactoryForTests } from './search.js';

const MiB = 1024 * 1024;

afterAll(() => endIdleSearchThreads());

function bufferOf(...pieces: Buffer[]): NetprocBuffer {
  const b = new NetprocBuffer('*search*', 64 * MiB, () => {});
  for (const piece of pieces) b.insert(b.end, piece, true);
  return b;
}

/** `head`, 64 MiB of "a" (the default cap) from 1 MiB socket-sized chunks, then `tail`. */
function bigBuffer(head = '', tail = ''): NetprocBuffer {
  const chunk = Buffer.alloc(MiB, 'a');
  const b = new NetprocBuffer('*big*', 65 * MiB, () => {});
  if (head) b.insert(b.end, Buffer.from(head), true);
  for (let i = 0; i < 64; i++) b.insert(b.end, chunk, true);
  if (tail) b.insert(b.end, Buffer.from(tail), true);
  return b;
}

/** Runs `work` while measuring the longest stall of the main event loop, in ms. */
async function longestStall<T>(work: () => Promise<T>): Promise<{ result: T; stallMs: number }> {
  const histogram = monitorEventLoopDelay({ resolution: 5 });
  histogram.enable();
  try {
    const result = await work();
    return { result, stallMs: histogram.max / 1e6 };
  } finally {
    histogram.disable();
  }
}

const regex = (source: string, caseFold = false): SearchPattern => ({ kind: 'regex', source, caseFold });
const text = (t: string, caseFold = false): SearchPattern => ({ kind: 'text', text: t, caseFold });

describe('buffer search', () => {
  it('answers a catastrophic-backtracking pattern at once: (a+)+$ over 30 × "a" + "!"', async () => {
    const b = bufferOf(Buffer.from('a'.repeat(30) + '!'));
    const { result, stallMs } = await longestStall(() => b.search(regex('(a+)+$'), 0));
    expect(result).toBeNull();
    // Backtracking on the main thread would take minutes; a second only allows for a loaded machine's pauses.
    expect(stallMs).toBeLessThan(1000);
  });

  it('searches 64 MiB every way without stalling the main thread, and finds the right offsets', { timeout: 300_000 }, async () => {
    const b = bigBuffer('Head', 'Zz!');
    const end = b.end;
    const cases: Array<[string, SearchPattern, number, boolean, ByteRange | null]> = [
      ['text forward', text('z!'), 0, false, { start: end - 2, end }],
      ['hex forward, absent', { kind: 'bytes', bytes: Buffer.from([0x0d, 0x0a]) }, 0, false, null],
      ['case-folded forward, absent', text('q', true), 0, false, null],
      ['case-folded backward, match near the end', text('A', true), end, true, { start: end - 4, end: end - 3 }],
      ['case-folded backward, absent', text('q', true), end, true, null],
      ['case-folded backward, only match at the far start', text('HEAD', true), end, true, { start: 0, end: 4 }],
      ['regex forward, absent', regex('[0-9]+'), 0, false, null],
      ['regex backward', regex('a[A-Z]z'), end, true, { start: end - 4, end: end - 1 }],
      ['catastrophic regex forward', regex('(a+)+$'), 0, false, null],
      ['catastrophic regex backward', regex('(a+)+!'), end, true, null],
    ];
    const stalls: string[] = [];
    let worst = 0;
    for (const [label, pattern, from, backward, expected] of cases) {
      const started = performance.now();
      // A deadline far beyond the default: this test is about answers and stalls, on a machine others share.
      const { result, stallMs } = await longestStall(() => b.search(pattern, from, backward, { deadlineMs: 300_000 }));
      expect(result, label).toEqual(expected);
      worst = Math.max(worst, stallMs);
      stalls.push(`${label}: ${Math.round(performance.now() - started)} ms, longest stall ${stallMs.toFixed(1)} ms`);
    }
    console.log(`64 MiB searches:\n  ${stalls.join('\n  ')}`);
    // The aim is under 50 ms; the bound is generous because the 2 cores are shared with other suites (a stall of
    // 350 ms was seen under load), and the old search, on the main thread, stalled for many seconds.
    expect(worst).toBeLessThan(1000);
  });

  it('runs two searches at once, each with its own answer', { timeout: 60_000 }, async () => {
    const b = bigBuffer('', 'needle');
    const [forward, backward] = await Promise.all([b.search(text('NEEDLE', true), 0), b.search(regex('a{3}n'), b.end, true)]);
    expect(forward).toEqual({ start: 64 * MiB, end: 64 * MiB + 6 });
    expect(backward).toEqual({ start: 64 * MiB - 3, end: 64 * MiB + 1 });
  });

  it('stops a search past its deadline with "search stopped after N s", and searches again afterwards', { timeout: 60_000 }, async () => {
    const b = bigBuffer();
    const err = await b.search(regex('[b-z]', true), 0, false, { deadlineMs: 50 }).then(
      () => null,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(NetprocError);
    expect(err).toMatchObject({ code: 'ETIMEDOUT', message: 'search stopped after 0.05 s' });
    expect(await b.search(text('aaa'), 0)).toEqual({ start: 0, end: 3 });
  });

  it('ends a thread still scanning when the deadline passes (not only a search still copying)', { timeout: 60_000 }, async () => {
    // Backward and case-folded with the only match at the far start: seconds of scanning after a copy of well under a second.
    const b = bigBuffer('Head');
    const err = await b.search(text('HEAD', true), b.end, true, { deadlineMs: 2500 }).then(
      () => null,
      (e: unknown) => e,
    );
    expect(err).toMatchObject({ code: 'ETIMEDOUT', message: 'search stopped after 2.5 s' });
  });

  it('reports a search thread that fails to start as a failed search; the process lives on', { timeout: 60_000 }, async () => {
    setSearchThreadFactoryForTests(() => new Worker('throw new Error("cannot load the search worker")', { eval: true }));
    try {
      // 64 MiB: the thread fails while the search is still copying, before any job reaches it.
      const b = bigBuffer();
      await expect(b.search(regex('[b-z]'), 0)).rejects.toMatchObject({
        code: 'SYSTEM',
        message: 'search failed: cannot load the search worker',
      });
    } finally {
      setSearchThreadFactoryForTests(null);
    }
    expect(await bufferOf(Buffer.from('still searching')).search(text('search'), 0)).toEqual({ start: 6, end: 12 });
  });

  it(
    'fails a search of a buffer killed meanwhile, and searches the text as it was when trimmed meanwhile',
    { timeout: 60_000 },
    async () => {
      const killed = bigBuffer();
      const pending = killed.search(regex('[b-z]', true), 0);
      killed.kill();
      await expect(pending).rejects.toMatchObject({
        code: 'INVALID_ARGUMENT',
        field: 'buffer',
        message: 'Buffer *big* was killed during the search',
      });

      const trimmed = bigBuffer('Head');
      const search = trimmed.search(text('HEAD', true), trimmed.end, true);
      trimmed.insert(trimmed.end, Buffer.alloc(32 * MiB, 'b'), true);
      expect(trimmed.origin).toBeGreaterThan(4);
      expect(await search).toEqual({ start: 0, end: 4 });
    },
  );

  it('names the missing RE2 feature when a pattern uses lookaround or backreferences', async () => {
    const b = bufferOf(Buffer.from('abcabc'));
    await expect(b.search(regex('a(?=b)'), 0)).rejects.toMatchObject({
      code: 'INVALID_ARGUMENT',
      field: 'query',
      message: expect.stringContaining('lookahead and lookbehind are not supported'),
    });
    await expect(b.search(regex('(abc)\\1'), 0)).rejects.toMatchObject({
      field: 'query',
      message: expect.stringContaining('backreferences are not supported'),
    });
    await expect(b.search(regex('(abc'), 0)).rejects.toMatchObject({
      field: 'query',
      message: expect.stringContaining('missing closing )'),
    });
  });
});

// ───────────── offsets against a simple reference, on random small inputs ─────────────

/** Well-formed UTF-8 sequences read as one character; any other byte as U+FFFD, one byte wide (RE2's reading). */
function decodeAsRe2(bytes: Uint8Array): { text: string; byteAt: number[] } {
  const fatal = new TextDecoder('utf-8', { fatal: true });
  let text = '';
  const byteAt: number[] = [];
  for (let i = 0; i < bytes.length;) {
    let width = 1;
    let char = '\uFFFD';
    for (let n = 1; n <= 4 && i + n <= bytes.length; n++) {
      try {
        const decoded = fatal.decode(bytes.subarray(i, i + n));
        if ([...decoded].length === 1) {
          width = n;
          char = decoded;
        }
        break;
      } catch {
        // not complete or not well formed yet: try one byte more
      }
    }
    for (let k = 0; k < char.length; k++) byteAt.push(i);
    text += char;
    i += width;
  }
  byteAt.push(bytes.length);
  return { text, byteAt };
}

/** Tries the pattern at every character start, one by one: slow, obviously right. */
function referenceRegex(bytes: Uint8Array, source: string, caseFold: boolean, from: number, backward: boolean): ByteRange | null {
  const whole = decodeAsRe2(bytes);
  const starts = whole.byteAt.filter((p, i) => i === 0 || p !== whole.byteAt[i - 1]);
  if (backward) {
    const end = Math.max(...starts.filter((p) => p <= from));
    const { text, byteAt } = decodeAsRe2(bytes.subarray(0, end));
    const sticky = new RegExp(source, caseFold ? 'iuy' : 'uy');
    for (let i = byteAt.length - 1; i >= 0; i--) {
      if (i > 0 && byteAt[i] === byteAt[i - 1]) continue;
      sticky.lastIndex = i;
      const m = sticky.exec(text);
      if (m) return { start: byteAt[i] as number, end: byteAt[i + m[0].length] as number };
    }
    return null;
  }
  const sticky = new RegExp(source, caseFold ? 'iuy' : 'uy');
  for (let i = 0; i < whole.byteAt.length; i++) {
    if ((whole.byteAt[i] as number) < from || (i > 0 && whole.byteAt[i] === whole.byteAt[i - 1])) continue;
    sticky.lastIndex = i;
    const m = sticky.exec(whole.text);
    if (m) return { start: whole.byteAt[i] as number, end: whole.byteAt[i + m[0].length] as number };
  }
  return null;
}

function referenceBytes(bytes: Uint8Array, needle: Uint8Array, from: number, backward: boolean): ByteRange | null {
  const at = (i: number) => needle.every((v, k) => bytes[i + k] === v);
  if (backward) {
    for (let i = from - needle.length; i >= 0; i--) if (at(i)) return { start: i, end: i + needle.length };
  } else for (let i = from; i + needle.length <= bytes.length; i++) if (at(i)) return { start: i, end: i + needle.length };
  return null;
}

/** Characters of one to four bytes, and bytes that are not UTF-8 (lone lead, stray continuation, 0xff, a cut-off sequence). */
const piece = fc.oneof(
  fc.constantFrom('a', 'b', 'A', 'B', 'é', 'É', '€', '😀', ' ', '\n', '1').map((c) => Buffer.from(c)),
  fc.constantFrom([0xff], [0x80], [0xc3], [0xe2, 0x82], [0xed, 0xa0, 0x80]).map((b) => Buffer.from(b)),
);
const haystack = fc.array(piece, { maxLength: 24 }).map((pieces) => Buffer.concat(pieces));
/** Patterns on which JavaScript's (backtracking, leftmost-first) and RE2's matching agree. */
const atom = fc.constantFrom('a', 'b', 'é', '€', '😀', '.', '[ab]', '[^a]', '\\d', ' ', '\\b', '^', '$', '(?:a|é)', '(?:ab|b)');
const assertions = ['^', '$', '\\b'];
const quantified = fc
  .tuple(atom, fc.constantFrom('', '', '*', '+', '?', '*?', '{1,2}'))
  .map(([a, q]) => (assertions.includes(a) ? a : a + q));
const source = fc.array(quantified, { minLength: 1, maxLength: 4 }).map((parts) => parts.join(''));

describe('search offsets agree with a plain reference', () => {
  it('for regular expressions forward and backward, over multibyte and non-UTF-8 text', () => {
    fc.assert(
      fc.property(haystack, source, fc.boolean(), fc.nat(), fc.boolean(), (bytes, src, caseFold, fromSeed, backward) => {
        const from = fromSeed % (bytes.length + 1);
        expect(findMatch(bytes, regex(src, caseFold), from, backward)).toEqual(referenceRegex(bytes, src, caseFold, from, backward));
      }),
      { numRuns: 3000 },
    );
  });

  it('for text, case-folded text and bytes, forward and backward', () => {
    const needle = fc.array(piece, { minLength: 1, maxLength: 3 }).map((pieces) => Buffer.concat(pieces));
    const word = fc.array(fc.constantFrom('a', 'b', 'A', 'é', 'É', '😀'), { minLength: 1, maxLength: 3 }).map((cs) => cs.join(''));
    fc.assert(
      fc.property(haystack, needle, word, fc.nat(), fc.boolean(), (bytes, hex, query, fromSeed, backward) => {
        const from = fromSeed % (bytes.length + 1);
        expect(findMatch(bytes, { kind: 'bytes', bytes: hex }, from, backward)).toEqual(referenceBytes(bytes, hex, from, backward));
        expect(findMatch(bytes, text(query), from, backward)).toEqual(referenceBytes(bytes, Buffer.from(query), from, backward));
        const escaped = query.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
        expect(findMatch(bytes, text(query, true), from, backward)).toEqual(referenceRegex(bytes, escaped, true, from, backward));
      }),
      { numRuns: 3000 },
    );
  });

  it('through the worker, in absolute offsets of a buffer whose head was trimmed', { timeout: 60_000 }, async () => {
    await fc.assert(
      fc.asyncProperty(
        haystack.filter((bytes) => bytes.length > 0),
        source,
        fc.nat(),
        fc.boolean(),
        async (bytes, src, fromSeed, backward) => {
          const b = new NetprocBuffer('*p*', bytes.length, () => {});
          b.insert(0, Buffer.from('xyz'), true);
          b.insert(b.end, bytes, true);
          const base = b.origin;
          const from = base + (fromSeed % (bytes.length + 1));
          const expected = referenceRegex(bytes, src, false, from - base, backward);
          const shifted = expected && { start: expected.start + base, end: expected.end + base };
          expect(await b.search(regex(src), from, backward)).toEqual(shifted);
        },
      ),
      { numRuns: 200 },
    );
  });
});
