import { describe, expect, it } from 'vitest';
import { EmacsRegexp, emacsToRe2 } from './emacs-regexp.js';

describe('Emacs regexps in RE2', () => {
  it.each([
    // The patterns smtpmail, pop3 and nnimap pass to open-network-stream.
    ['^[0-9]+ .*\r\n', '^[0-9]+ .*\r\n'],
    ['^\\(-ERR\\|+OK\\).*\n', '^(-ERR|\\+OK).*\n'],
    ['^\\.\r?\n\\|^-ERR', '^\\.\r?\n|^-ERR'],
    ['[ -]STARTTLS', '[ -]STARTTLS'],
    // Groups, intervals, literal parentheses and braces, anchors only where Emacs reads them so.
    ['\\(?:ab\\)\\{2,\\}c\\{,3\\}', '(?:ab){2,}c{0,3}'],
    ['(a|b){1}', '\\(a\\|b\\)\\{1\\}'],
    ['a$b', 'a\\$b'],
    ['a^b', 'a\\^b'],
    ['^*a', '^\\*a'],
    ["\\`220\\'", '\\A220\\z'],
    // Backslash is ordinary inside brackets, and a leading ] is a member.
    ['[]a\\]', '[\\]a\\\\]'],
    ['[[:digit:]]+', '[[:digit:]]+'],
    ['a*?b+?', 'a*?b+?'],
  ])('%j → %j', (emacs, re2) => {
    expect(emacsToRe2(emacs, 'f')).toBe(re2);
  });

  it.each([
    ['\\1', 'backreferences'],
    ['\\(.\\)\\1', 'backreferences'],
    ['a\\<', '\\< (start of word)'],
    ['\\_<x', 'symbol boundaries'],
    ['\\sw', 'syntax classes'],
    ['\\cg', 'category classes'],
    ['[[:nonascii:]]', '[:nonascii:]'],
    ['\\(?1:a\\)', 'numbered groups'],
    ['a\\{x\\}', 'interval'],
    ['[abc', 'unmatched ['],
    ['\\(a', 'invalid regexp'],
  ])('refuses %j, saying why', (emacs, why) => {
    expect(() => new EmacsRegexp(emacs, 'endOfCommand')).toThrow(
      expect.objectContaining({ field: 'endOfCommand', message: expect.stringContaining(why) }),
    );
  });

  it('matches at line starts, folds case, and stops where re-search-forward would', () => {
    const eoc = new EmacsRegexp('^[0-9]+ .*\r\n', 'f');
    expect(eoc.matchEnd('250-a\r\n250 STARTTLS\r\nmore')).toBe('250-a\r\n250 STARTTLS\r\n'.length);
    expect(eoc.matchEnd('250-a\r\n')).toBe(-1);
    expect(new EmacsRegexp(' OK ', 'f').test('* ok done')).toBe(true);
  });

  it('stays linear on a pattern that makes backtracking engines explode', () => {
    const started = performance.now();
    expect(new EmacsRegexp('\\(a+\\)+$', 'f').test(`${'a'.repeat(50_000)}!`)).toBe(false);
    expect(performance.now() - started).toBeLessThan(2000);
  });
});
