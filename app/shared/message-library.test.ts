import { describe, expect, it } from 'vitest';
import { MESSAGE_LIBRARY, messageSource, messageTemplate } from './message-library.js';

const utf8 = (text: string): Uint8Array => new TextEncoder().encode(text);
const firstSend = (kind: 'text' | 'hex', body: string): number[] => {
  const compiled = messageTemplate(kind, body);
  if (!('template' in compiled)) throw new Error(compiled.problem.message);
  return [...compiled.template.render({ seq: 1, now: 0 }, utf8)];
};

describe('library messages', () => {
  it('a text message is its template; a hex message is its bytes, whatever the spacing', () => {
    expect(firstSend('text', 'n={{seq}}\\r\\n')).toEqual([...utf8('n=1\r\n')]);
    expect(firstSend('hex', 'de ad\nBE ef')).toEqual([0xde, 0xad, 0xbe, 0xef]);
    expect(messageSource('hex', 'de ad\nBE ef')).toBe('{{hex:deadBEef}}');
    expect(messageSource('text', 'x{{seq}}')).toBe('x{{seq}}');
  });

  it('a mistake is reported with the character where it is, as the editor shows it', () => {
    expect(messageTemplate('text', 'ab\\q')).toEqual({ problem: { message: expect.stringContaining('at character 3'), at: 2 } });
    expect(messageTemplate('text', 'x {{1}}')).toEqual({ problem: { message: expect.stringContaining('auto-reply'), at: 2 } });
    expect(messageTemplate('text', '')).toMatchObject({ problem: { at: null } });
    expect(messageTemplate('hex', 'de a')).toMatchObject({ problem: { message: expect.stringContaining('pairs of hex digits') } });
    expect(messageTemplate('hex', '  ')).toMatchObject({ problem: { message: 'Give at least one byte' } });
  });

  it('the saved library is checked when read back: unknown fields, kinds and bad repeats are refused', () => {
    const good = { messages: [{ name: 'tick', kind: 'text', body: '{{seq}}', repeat: { intervalMs: 10, count: null } }] };
    expect(MESSAGE_LIBRARY.safeParse(good).success).toBe(true);
    expect(MESSAGE_LIBRARY.safeParse({ messages: [{ name: 'x', kind: 'lisp', body: '' }] }).success).toBe(false);
    expect(MESSAGE_LIBRARY.safeParse({ messages: [{ name: 'x', kind: 'text', body: '', extra: 1 }] }).success).toBe(false);
    expect(
      MESSAGE_LIBRARY.safeParse({ messages: [{ name: 'x', kind: 'text', body: '', repeat: { intervalMs: 0, count: 1 } }] }).success,
    ).toBe(false);
    expect(MESSAGE_LIBRARY.safeParse({ version: 2, messages: [] }).success).toBe(false);
  });
});
