/**
 * Auto-reply rules: a process answers what it receives without a filter of
 * the user's own. They listen on the process's taps, beside its filter, so the
 * buffer still shows everything the peer sent and the timeline shows each
 * reply as output. Accepted connections inherit their server's rules when
 * they are accepted, as they inherit its filter in Emacs; changing the
 * server's rules later leaves existing connections alone, as
 * set-process-filter on a server does. A rule's hit count is shared by the
 * server and every connection that inherited it.
 *
 * Matching: the incoming bytes are cut into frames (each chunk as read, each
 * line, or each length-prefixed message), and the first rule whose pattern
 * matches a frame answers it. Regular expressions are RE2 (re2js), linear in
 * the frame's length whatever the pattern, with groups for the reply.
 */
import { RE2JS, RE2JSSyntaxException } from 're2js';
import { DisposableStore, disposableTimeout, type Disposable } from '../../shared/lifecycle.js';
import { compileTemplate, parseHexBytes, patternBytes, TemplateError, type Template } from '../../shared/templates.js';
import {
  AUTO_REPLY_FRAMINGS,
  AUTO_REPLY_MATCH_KINDS,
  type AutoReplyFraming,
  type AutoReplyMatch,
  type AutoReplyRuleSpec,
  type AutoReplySpec,
  type AutoReplyState,
} from '../../shared/wire.js';
import type { LispAddress } from './address.js';
import type { CodingSystem } from './coding.js';
import { encodeForSending } from './coding.js';
import { invalidArgument } from './errors.js';
import type { TapRecord, TapSink } from './taps.js';

// The shapes are the wire's (a request gives the spec, the inspector shows the state).
export const MATCH_KINDS = AUTO_REPLY_MATCH_KINDS;
export type MatchKind = AutoReplyMatch;
export const FRAMINGS = AUTO_REPLY_FRAMINGS;
export type Framing = AutoReplyFraming;
export type { AutoReplyRuleSpec, AutoReplySpec, AutoReplyState };

export const AUTO_REPLY_LIMITS = {
  rules: 100,
  pattern: 4096,
  delayMs: 60_000,
  /** A line or message longer than this is matched as it stands (line) or dropped (length-prefixed). */
  frameBytes: 1024 * 1024,
} as const;

type Captures = Array<string | null>;
type Matcher = (frame: Buffer, text: () => string) => Captures | null;

/** One rule, compiled once; its hit count is shared by every process using it. */
export class AutoReplyRule {
  hits = 0;
  constructor(
    readonly spec: AutoReplyState['rules'][number],
    readonly matches: Matcher,
    readonly reply: Template,
  ) {}
}

function asciiFold(bytes: Buffer): Buffer {
  const out = Buffer.from(bytes);
  for (let i = 0; i < out.length; i++) {
    const b = out[i] as number;
    if (b >= 0x41 && b <= 0x5a) out[i] = b + 32;
  }
  return out;
}

/** `de ad ?? ef`: a byte pattern with wildcards, found anywhere in the frame. */
function hexMatcher(pattern: string, field: string): Matcher {
  const tokens = pattern.trim().split(/\s+/).filter(Boolean);
  const expanded = tokens.flatMap((t) => (t === '??' ? ['??'] : (t.match(/.{1,2}/g) ?? [])));
  const wanted = expanded.map((t) => (t === '??' ? -1 : (parseHexBytes(t)?.[0] ?? Number.NaN)));
  if (wanted.length === 0 || wanted.some((b) => Number.isNaN(b)) || expanded.some((t) => t.length !== 2))
    throw invalidArgument(field, 'A hex pattern is whole bytes of hex digits, ?? for any byte, e.g. "de ad ?? ef"');
  return (frame) => {
    outer: for (let at = 0; at + wanted.length <= frame.length; at++) {
      for (let k = 0; k < wanted.length; k++) {
        const w = wanted[k] as number;
        if (w >= 0 && frame[at + k] !== w) continue outer;
      }
      return [frame.subarray(at, at + wanted.length).toString('latin1')];
    }
    return null;
  };
}

function regexMatcher(pattern: string, caseFold: boolean, field: string): Matcher {
  let re: RE2JS;
  try {
    re = RE2JS.compile(pattern, caseFold ? RE2JS.CASE_INSENSITIVE : 0);
  } catch (err) {
    if (err instanceof RE2JSSyntaxException)
      throw invalidArgument(field, `Invalid regular expression: ${err.message} (RE2 syntax: no lookaround or backreferences)`);
    throw err;
  }
  const groups = Math.min(re.groupCount(), 9);
  return (_frame, text) => {
    const m = re.matcher(text());
    if (!m.find()) return null;
    const captures: Captures = [];
    for (let g = 0; g <= groups; g++) captures.push(m.group(g));
    return captures;
  };
}

function bytesMatcher(
  kind: 'exact' | 'prefix' | 'contains',
  pattern: string,
  caseFold: boolean,
  encodeText: (t: string) => Uint8Array,
  field: string,
): Matcher {
  let wanted: Buffer;
  try {
    wanted = Buffer.from(patternBytes(pattern, encodeText));
  } catch (err) {
    if (err instanceof TemplateError) throw invalidArgument(field, `Invalid pattern: ${err.message}`);
    throw err;
  }
  if (caseFold) wanted = asciiFold(wanted);
  const found = (frame: Buffer): boolean =>
    kind === 'exact' ? frame.equals(wanted) : kind === 'prefix' ? frame.subarray(0, wanted.length).equals(wanted) : frame.includes(wanted);
  return (frame) => (found(caseFold ? asciiFold(frame) : frame) ? [frame.toString('latin1')] : null);
}

/** A process's rules, compiled: shared by a server and the connections that inherit them. */
export class AutoReplyRules {
  private constructor(
    readonly framing: Framing,
    readonly lengthBytes: 1 | 2 | 4,
    readonly rules: readonly AutoReplyRule[],
  ) {}

  /** Checks and compiles SPEC for a process with these codings; errors name the field, e.g. rules[2].pattern. */
  static compile(spec: AutoReplySpec, coding: { encoder: CodingSystem; datagram: boolean }): AutoReplyRules {
    if (!FRAMINGS.includes(spec.framing)) throw invalidArgument('framing', `Framing must be one of ${FRAMINGS.join(', ')}`);
    const lengthBytes = spec.lengthBytes ?? 2;
    if (![1, 2, 4].includes(lengthBytes)) throw invalidArgument('lengthBytes', 'The length prefix is 1, 2 or 4 bytes');
    if (!Array.isArray(spec.rules) || spec.rules.length > AUTO_REPLY_LIMITS.rules)
      throw invalidArgument('rules', `Rules must be a list of at most ${AUTO_REPLY_LIMITS.rules}`);
    const encodeText = (text: string): Uint8Array => encodeForSending(text, coding.encoder);
    const rules = spec.rules.map((rule, i) => {
      const field = (name: string): string => `rules[${i}].${name}`;
      if (!MATCH_KINDS.includes(rule.match)) throw invalidArgument(field('match'), `Match must be one of ${MATCH_KINDS.join(', ')}`);
      if (typeof rule.pattern !== 'string' || rule.pattern.length === 0 || rule.pattern.length > AUTO_REPLY_LIMITS.pattern)
        throw invalidArgument(field('pattern'), `A pattern is 1 to ${AUTO_REPLY_LIMITS.pattern} characters`);
      const delayMs = rule.delayMs ?? 0;
      if (!Number.isInteger(delayMs) || delayMs < 0 || delayMs > AUTO_REPLY_LIMITS.delayMs)
        throw invalidArgument(field('delayMs'), `The delay is a whole number of milliseconds from 0 to ${AUTO_REPLY_LIMITS.delayMs}`);
      if (rule.close && coding.datagram)
        throw invalidArgument(field('close'), 'A datagram process has no connection to close after replying');
      const caseFold = rule.caseFold === true;
      const matches =
        rule.match === 'regex'
          ? regexMatcher(rule.pattern, caseFold, field('pattern'))
          : rule.match === 'hex'
            ? hexMatcher(rule.pattern, field('pattern'))
            : bytesMatcher(rule.match, rule.pattern, caseFold, encodeText, field('pattern'));
      let reply: Template;
      try {
        reply = compileTemplate(typeof rule.reply === 'string' ? rule.reply : '');
      } catch (err) {
        if (err instanceof TemplateError) throw invalidArgument(field('reply'), `Invalid reply: ${err.message}`);
        throw err;
      }
      const name = typeof rule.name === 'string' && rule.name.trim() ? rule.name.trim() : `rule ${i + 1}`;
      return new AutoReplyRule(
        { name, match: rule.match, pattern: rule.pattern, caseFold, reply: rule.reply, delayMs, close: rule.close === true, hits: 0 },
        matches,
        reply,
      );
    });
    return new AutoReplyRules(spec.framing, lengthBytes as 1 | 2 | 4, rules);
  }

  state(): AutoReplyState {
    return { framing: this.framing, lengthBytes: this.lengthBytes, rules: this.rules.map((r) => ({ ...r.spec, hits: r.hits })) };
  }
}

/** What a responder does to its process: given by the engine, so this module needs no more of it. */
export interface ResponderActions {
  /** Writes REPLY to the process (to PEER, for a datagram server's sender); rejects as process-send-string does. */
  send(reply: Uint8Array, peer: LispAddress | null, label: string): Promise<unknown>;
  /** delete-process, for "close after reply". */
  close(): void;
  /** A line for the event log. */
  report(text: string): void;
  /** True when a datagram from PEER is answered by another process (a splitting server's peer process), not this one. */
  answeredElsewhere?: ((peer: LispAddress | null) => boolean) | undefined;
  /** A rule's hit count grew: what shows the counts should show it. */
  hit(): void;
  /** How the process decodes, for regular expressions: UTF-8 text, or one character per byte. */
  readonly utf8: boolean;
  readonly encodeText: (text: string) => Uint8Array;
}

/** Cuts a byte stream into frames; what is left over waits for the next chunk. */
class Framer {
  private pending: Buffer | null = null;
  private reportedLong = false;
  /** Length-prefixed framing that lost its place cannot find it again. */
  dead = false;
  constructor(
    private readonly rules: AutoReplyRules,
    private readonly report: (text: string) => void,
  ) {}

  frames(chunk: Buffer): Buffer[] {
    const { framing } = this.rules;
    if (framing === 'chunk') return [chunk];
    let data = this.pending ? Buffer.concat([this.pending, chunk]) : chunk;
    this.pending = null;
    const out: Buffer[] = [];
    if (framing === 'line') {
      let start = 0;
      for (let nl = data.indexOf(10, start); nl >= 0; nl = data.indexOf(10, start)) {
        const end = nl > start && data[nl - 1] === 13 ? nl - 1 : nl;
        out.push(data.subarray(start, end));
        start = nl + 1;
      }
      data = data.subarray(start);
      if (data.length > AUTO_REPLY_LIMITS.frameBytes) {
        this.once(`a line passed ${AUTO_REPLY_LIMITS.frameBytes} bytes without a newline; matched as it stands`);
        out.push(data);
        data = Buffer.alloc(0);
      }
    } else {
      const n = this.rules.lengthBytes;
      while (data.length >= n) {
        const length = n === 1 ? data.readUInt8(0) : n === 2 ? data.readUInt16BE(0) : data.readUInt32BE(0);
        if (length > AUTO_REPLY_LIMITS.frameBytes) {
          this.once(
            `a message announced ${length} bytes, more than ${AUTO_REPLY_LIMITS.frameBytes}; the rest of the stream is not matched`,
          );
          data = Buffer.alloc(0);
          this.dead = true;
          break;
        }
        if (data.length < n + length) break;
        out.push(data.subarray(n, n + length));
        data = data.subarray(n + length);
      }
      if (this.dead) return out;
    }
    // Copied: the chunk's memory belongs to the socket's read.
    if (data.length > 0) this.pending = Buffer.from(data);
    return out;
  }

  private once(text: string): void {
    if (this.reportedLong) return;
    this.reportedLong = true;
    this.report(text);
  }
}

/**
 * Answers one process's input by its rules: a tap sink. Pending delayed
 * replies are cancelled when the process exits or the rules are replaced.
 */
export class Responder implements TapSink, Disposable {
  private readonly framer: Framer | null;
  private readonly timers = new DisposableStore();
  private stopped = false;
  private reportedSendFailure = false;

  constructor(
    readonly rules: AutoReplyRules,
    private readonly actions: ResponderActions,
    private readonly datagram: boolean,
    private readonly processName: string,
  ) {
    this.framer = datagram ? null : new Framer(rules, (text) => actions.report(`${processName}: auto-reply: ${text}`));
  }

  recordData(direction: 'in' | 'out', timeUs: number, bytes: Buffer, peer: LispAddress | null): void {
    this.record({ kind: 'data', direction, timeUs, bytes, peer });
  }

  record(tap: TapRecord): void {
    if (this.stopped) return;
    if (tap.kind === 'status') {
      if (tap.status === 'exit' || tap.status === 'failed') this.dispose();
      return;
    }
    if (tap.direction !== 'in') return;
    if (this.framer?.dead) return;
    if (this.actions.answeredElsewhere?.(tap.peer)) return;
    // A datagram is its own frame source: lines never run on from one sender's datagram into another's.
    const frames = this.framer ? this.framer.frames(tap.bytes) : new Framer(this.rules, () => undefined).frames(tap.bytes);
    for (const frame of frames) this.answer(frame, tap.peer);
  }

  private answer(frame: Buffer, peer: LispAddress | null): void {
    let text: string | null = null;
    const asText = (): string => (text ??= frame.toString(this.actions.utf8 ? 'utf8' : 'latin1'));
    for (const rule of this.rules.rules) {
      const captures = rule.matches(frame, asText);
      if (!captures) continue;
      rule.hits++;
      this.actions.hit();
      const reply = rule.reply.render({ seq: rule.hits, now: Date.now(), captures }, this.actions.encodeText);
      if (rule.spec.delayMs === 0) this.send(rule, reply, peer);
      else {
        const timer = this.timers.add(
          disposableTimeout(() => {
            this.timers.release(timer);
            this.send(rule, reply, peer);
          }, rule.spec.delayMs),
        );
      }
      return;
    }
  }

  private send(rule: AutoReplyRule, reply: Uint8Array, peer: LispAddress | null): void {
    if (this.stopped) return;
    this.actions.send(reply, peer, `auto-reply: ${rule.spec.name}`).then(
      () => {
        if (rule.spec.close && !this.stopped) this.actions.close();
      },
      (err: Error) => {
        if (this.reportedSendFailure) return;
        this.reportedSendFailure = true;
        this.actions.report(`${this.processName}: auto-reply "${rule.spec.name}" could not be sent: ${err.message}`);
      },
    );
  }

  dispose(): void {
    this.stopped = true;
    this.timers.dispose();
  }
}
