import { describe, expect, it } from 'vitest';
import { compileTemplate, parseHexBytes, patternBytes, TemplateError } from './templates.js';

const utf8 = (text: string): Uint8Array => new TextEncoder().encode(text);
const latin1 = (text: string): Uint8Array => Uint8Array.from(text, (c) => c.charCodeAt(0) & 0xff);
const hex = (bytes: Uint8Array): string => Buffer.from(bytes).toString('hex');
const render = (source: string, context: Partial<Parameters<ReturnType<typeof compileTemplate>['render']>[0]> = {}): string =>
  hex(compileTemplate(source).render({ seq: 1, now: 0, ...context }, utf8));

describe('message templates', () => {
  it('turn escapes into bytes, raw bytes staying raw whatever encodes the text around them', () => {
    expect(render('GET / HTTP/1.0\\r\\n\\r\\n')).toBe(hex(utf8('GET / HTTP/1.0\r\n\r\n')));
    expect(render('a\\tb\\0c\\ed\\\\e\\{{')).toBe(hex(utf8('a\tb\0c\x1bd\\e{{')));
    // é is encoded by the process's coding (here latin-1: one byte); \xff stays the one byte ff, never c3 bf.
    expect(hex(compileTemplate('é\\xff\\x00').render({ seq: 1, now: 0 }, latin1))).toBe('e9ff00');
    expect(render('é\\xff')).toBe('c3a9ff');
  });

  it('fill variables at each send: seq, time three ways, random below N, hex bytes, and captures', () => {
    const now = Date.UTC(2026, 11, 2, 6, 30, 0, 123);
    const t = compileTemplate('#{{seq}} {{time}} {{time:unix}} {{time:ms}} r={{random:10}} {{hex:de ad}}|{{1}}|{{2}}|{{0}}');
    expect(t.constant).toBe(false);
    expect(t.usesCaptures).toBe(true);
    const out = t.render({ seq: 7, now, random: (below) => below - 1, captures: ['whole', 'one', null] }, utf8);
    const expected = Buffer.concat([
      Buffer.from(`#7 2026-12-02T06:30:00.123Z ${Math.floor(now / 1000)} ${now} r=9 `),
      Buffer.from([0xde, 0xad]),
      Buffer.from('|one||whole'),
    ]);
    expect(hex(out)).toBe(expected.toString('hex'));
    // Without a random of its own, a number below N.
    for (let i = 0; i < 50; i++)
      expect(Number(Buffer.from(compileTemplate('{{random:3}}').render({ seq: 1, now }, utf8)).toString())).toBeLessThan(3);
    expect(compileTemplate('plain\\n').constant).toBe(true);
  });

  it('refuse what they cannot send, saying what and where', () => {
    const error = (source: string): TemplateError => {
      try {
        compileTemplate(source);
      } catch (err) {
        if (err instanceof TemplateError) return err;
        throw err;
      }
      throw new Error(`no error for ${source}`);
    };
    expect(error('ab\\q').message).toBe('unknown escape \\q: use \\r \\n \\t \\0 \\e \\\\ \\{ or \\xHH at character 3');
    expect(error('\\x4').message).toMatch(/^\\x needs two hex digits/);
    expect(error('\\xZZ').at).toBe(0);
    expect(error('end\\').message).toMatch(/^a backslash at the end escapes nothing/);
    expect(error('x {{seq').message).toMatch(/^\{\{ is not closed by \}\} .* at character 3$/);
    expect(error('{{nope}}').message).toMatch(/^unknown variable \{\{nope\}\}/);
    expect(error('{{random:0}}').message).toMatch(/random needs a whole number from 1 to 4294967296/);
    expect(error('{{random:1.5}}').message).toMatch(/random needs/);
    expect(error('{{hex:abc}}').message).toMatch(/hex needs whole bytes/);
    expect(error('{{hex:}}').message).toMatch(/hex needs whole bytes/);
    expect(error('x'.repeat(70_000)).message).toMatch(/at most 65536 characters/);
  });

  it('give match patterns the same escapes but no variables', () => {
    expect(hex(patternBytes('PING\\r\\n\\x00', utf8))).toBe(hex(utf8('PING\r\n\0')));
    expect(() => patternBytes('id {{seq}}', utf8)).toThrow(/cannot use \{\{variables\}\} .* at character 4/);
  });

  it('read hex bytes with or without spaces, refusing half bytes and other digits', () => {
    expect(parseHexBytes('48 65 6C')).toEqual(Uint8Array.from([0x48, 0x65, 0x6c]));
    expect(parseHexBytes('48656c')).toEqual(Uint8Array.from([0x48, 0x65, 0x6c]));
    expect(parseHexBytes('486')).toBeNull();
    expect(parseHexBytes('4g')).toBeNull();
  });
});
