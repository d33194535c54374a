/**
 * Emacs regular expressions (the `:end-of-command`, `:success` kind that
 * network-stream.el takes) run by RE2 (re2js), so a user's pattern is matched
 * in time linear in the text whatever it is: a hostile server cannot make a
 * pattern backtrack for ever.
 *
 * The supported subset, translated to RE2 syntax:
 * - literal characters; `.` (any character but newline); `*`, `+`, `?` and
 *   their non-greedy forms `*?`, `+?`, `??` (literal at the start of the
 *   pattern or of a group or alternative, as in Emacs);
 * - bracket expressions `[...]`, `[^...]` with ranges and the character
 *   classes RE2 knows (`[:alpha:]`, `[:digit:]`, `[:space:]`, …); backslash
 *   is an ordinary character inside brackets, as in Emacs;
 * - `^` and `$`, at the start or end of the pattern, a group or an
 *   alternative, matching at line boundaries (elsewhere they are literal);
 * - `\(…\)`, shy groups `\(?:…\)`, `\|`, intervals `\{M\}`, `\{M,N\}`,
 *   `\{,N\}`, `\{M,\}`;
 * - `` \` `` and `\'` (start and end of the text), `\b`, `\B`, `\w`, `\W`,
 *   `\s-` (or `\s `) and `\S-`, and a backslash before any other
 *   punctuation, which quotes it.
 * Refused with a reason: backreferences `\1`…`\9`, `\=`, `\<`, `\>`, `\_<`,
 * `\_>`, other syntax and category classes (`\sC`, `\cC`), numbered groups
 * `\(?N:…\)`.
 *
 * Matching folds case, as Emacs does with `case-fold-search` at its default.
 */
import { RE2JS, RE2JSSyntaxException } from 're2js';
import { invalidArgument, type NetprocError } from './errors.js';

/** Why a construct is missing: RE2 matches in linear time, and these need backtracking or Emacs's syntax tables. */
const REFUSED: Record<string, string> = {
  '=': '\\= (point) has no meaning outside a buffer',
  '<': '\\< (start of word) is not supported; use \\b',
  '>': '\\> (end of word) is not supported; use \\b',
  _: '\\_< and \\_> (symbol boundaries) are not supported',
  c: 'category classes (\\c) are not supported',
  C: 'category classes (\\C) are not supported',
};

/** Translates an Emacs regexp to RE2 syntax; throws an INVALID_ARGUMENT naming `field` when it uses what RE2 cannot do. */
export function emacsToRe2(source: string, field: string): string {
  const refuse = (why: string): NetprocError => invalidArgument(field, `${field}: ${why} (patterns run in RE2, in linear time)`);
  let out = '';
  // True where a repetition operator or `^` would be at the start of a context, so Emacs reads it literally / as an anchor.
  let atContextStart = true;
  let i = 0;
  while (i < source.length) {
    const c = source[i] as string;
    if (c === '\\') {
      const next = source[i + 1];
      if (next === undefined) throw refuse('the pattern ends with a lone backslash');
      i += 2;
      switch (next) {
        case '(':
          if (source.startsWith('?:', i)) {
            out += '(?:';
            i += 2;
          } else if (source[i] === '?') throw refuse('numbered groups \\(?N: are not supported');
          else out += '(';
          atContextStart = true;
          continue;
        case ')':
          out += ')';
          break;
        case '|':
          out += '|';
          atContextStart = true;
          continue;
        case '{': {
          const close = source.indexOf('\\}', i);
          const body = close < 0 ? null : source.slice(i, close);
          if (body === null || !/^\d*(,\d*)?$/.test(body)) throw refuse('an interval must look like \\{M\\} or \\{M,N\\}');
          out += `{${body.startsWith(',') ? `0${body}` : body}}`;
          i = close + 2;
          break;
        }
        case '`':
          out += '\\A';
          break;
        case "'":
          out += '\\z';
          break;
        case 'b':
        case 'B':
        case 'w':
        case 'W':
          out += `\\${next}`;
          break;
        case 's':
        case 'S': {
          const cls = source[i];
          if (cls !== '-' && cls !== ' ') throw refuse(`syntax classes other than \\${next}- (white space) are not supported`);
          out += next === 's' ? '\\s' : '\\S';
          i++;
          break;
        }
        default:
          if (/[1-9]/.test(next)) throw refuse(`backreferences (\\${next}) are not supported`);
          if (REFUSED[next]) throw refuse(REFUSED[next]);
          if (/[A-Za-z0-9]/.test(next)) throw refuse(`\\${next} is not an Emacs regexp construct`);
          out += RE2JS.quote(next);
      }
      atContextStart = false;
      continue;
    }
    if (c === '[') {
      const [bracket, end] = translateBracket(source, i, refuse);
      out += bracket;
      i = end;
      atContextStart = false;
      continue;
    }
    if (c === '^') {
      out += atContextStart ? '^' : '\\^';
      i++;
      // `^*` in Emacs: the star is literal.
      continue;
    }
    if (c === '$') {
      const rest = source.slice(i + 1);
      out += rest === '' || rest.startsWith('\\)') || rest.startsWith('\\|') ? '$' : '\\$';
      i++;
      atContextStart = false;
      continue;
    }
    if (c === '*' || c === '+' || c === '?') {
      if (atContextStart) out += `\\${c}`;
      else {
        out += c;
        // Emacs's non-greedy forms, and no repetition of a repetition (`a**` means `a*` in Emacs).
        if (source[i + 1] === '?') {
          out += '?';
          i++;
        }
        while (source[i + 1] === '*' || source[i + 1] === '+' || source[i + 1] === '?') i++;
      }
      i++;
      atContextStart = false;
      continue;
    }
    out += '(){}|'.includes(c) ? `\\${c}` : c === '.' ? '.' : RE2JS.quote(c);
    i++;
    atContextStart = false;
  }
  return out;
}

/** `[...]` from `start`; returns the RE2 class and the index after `]`. Backslash and `[` are ordinary inside, as in Emacs. */
function translateBracket(source: string, start: number, refuse: (why: string) => NetprocError): [string, number] {
  let i = start + 1;
  let out = '[';
  if (source[i] === '^') {
    out += '^';
    i++;
  }
  // A `]` right after `[` or `[^` is a member.
  if (source[i] === ']') {
    out += '\\]';
    i++;
  }
  for (;;) {
    const c = source[i];
    if (c === undefined) throw refuse('unmatched [');
    if (c === ']') return [`${out}]`, i + 1];
    if (c === '[' && source[i + 1] === ':') {
      const close = source.indexOf(':]', i + 2);
      const name = close < 0 ? '' : source.slice(i + 2, close);
      if (!/^(alnum|alpha|ascii|blank|cntrl|digit|graph|lower|print|punct|space|upper|word|xdigit)$/.test(name))
        throw refuse(`the character class [:${name}:] is not supported`);
      out += `[:${name}:]`;
      i = close + 2;
      continue;
    }
    out += c === '\\' || c === '[' ? `\\${c}` : c;
    i++;
  }
}

/** A compiled Emacs regexp, matched with case folding and `^`/`$` at line boundaries. */
export class EmacsRegexp {
  private readonly re: RE2JS;

  constructor(
    readonly source: string,
    field: string,
  ) {
    const translated = emacsToRe2(source, field);
    try {
      this.re = RE2JS.compile(translated, RE2JS.CASE_INSENSITIVE | RE2JS.MULTILINE);
    } catch (err) {
      if (err instanceof RE2JSSyntaxException) throw invalidArgument(field, `${field}: invalid regexp: ${err.message}`);
      throw err;
    }
  }

  /** The end of the first match in `text`, or -1 (the `re-search-forward` point). */
  matchEnd(text: string): number {
    const matcher = this.re.matcher(text);
    return matcher.find() ? matcher.end() : -1;
  }

  test(text: string): boolean {
    return this.re.matcher(text).find();
  }
}
