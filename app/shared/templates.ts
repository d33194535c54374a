/**
 * Message templates: what a library message or an auto-reply rule sends,
 * written as text with escapes and variables and rendered to bytes at send
 * time. Shared by the engine (which renders) and the renderer (which checks
 * what the user types as they type it). Pure code: no Node, no DOM.
 *
 * Hand-written because what it yields is bytes, not a string: `\xff` must go
 * out as the one byte 0xff whatever the process's coding, while the text
 * around it is encoded by the process's coding like any process-send-string.
 * Template libraries (Mustache, Handlebars) render strings and would also
 * bring their own escaping rules into a protocol payload.
 *
 * Syntax:
 *   \r \n \t \0 \e \\      CR, LF, TAB, NUL, ESC, a backslash
 *   \xHH                   the byte HH (two hex digits)
 *   \{                     a literal "{" (so "{{" can be sent as it is)
 *   {{seq}}                1 for the first send, 2 for the next, …
 *   {{time}}               the time of sending, ISO 8601 UTC with milliseconds
 *   {{time:unix}}          the time of sending, seconds since the epoch
 *   {{time:ms}}            the time of sending, milliseconds since the epoch
 *   {{random:N}}           a random whole number from 0 to N−1 (N from 1 to 2^32)
 *   {{hex:48 65 6c}}       raw bytes given in hex (spaces optional)
 *   {{0}} {{1}} … {{9}}    a regular expression's match and its groups (rules only; empty when a group did not take part)
 */

import { LIMITS } from './wire.js';

export class TemplateError extends Error {
  /** The character (0-based) where the problem starts. */
  readonly at: number;
  constructor(message: string, at: number) {
    super(`${message} at character ${at + 1}`);
    this.at = at;
  }
}

type Part =
  | { kind: 'text'; text: string }
  | { kind: 'bytes'; bytes: Uint8Array }
  | { kind: 'seq' }
  | { kind: 'time'; format: 'iso' | 'unix' | 'ms' }
  | { kind: 'random'; below: number }
  | { kind: 'capture'; index: number };

export interface RenderContext {
  /** The send's number, from 1. */
  seq: number;
  /** Milliseconds since the epoch. */
  now: number;
  /** A regular expression's match and groups; absent outside rules. */
  captures?: ReadonlyArray<string | null>;
  /** A whole number from 0 to below−1; Math.random by default (tests give their own). */
  random?: (below: number) => number;
}

export interface Template {
  readonly source: string;
  /** True when it uses {{0}}…{{9}}: only a regular-expression rule can fill those. */
  readonly usesCaptures: boolean;
  /** True when every send is the same bytes (no variables): they can be rendered once. */
  readonly constant: boolean;
  /** The bytes to send: text parts encoded by `encodeText` (the process's coding), raw parts as they are. */
  render(context: RenderContext, encodeText: (text: string) => Uint8Array): Uint8Array;
}

const SIMPLE_ESCAPES: Record<string, string> = { r: '\r', n: '\n', t: '\t', '0': '\0', e: '\x1b', '\\': '\\', '{': '{' };
const MAX_RANDOM = 2 ** 32;
/** Longest source accepted: longer payloads are files or hex, not templates. */
export const TEMPLATE_MAX_CHARS = LIMITS.template;

/** Parses "48 65 6c" / "48656c" into bytes; null when it is not whole bytes of hex. */
export function parseHexBytes(text: string): Uint8Array | null {
  const digits = text.replace(/\s+/g, '');
  if (digits.length % 2 !== 0 || !/^[0-9a-fA-F]*$/.test(digits)) return null;
  const out = new Uint8Array(digits.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(digits.slice(i * 2, i * 2 + 2), 16);
  return out;
}

function parseVariable(body: string, at: number): Part {
  if (body === 'seq') return { kind: 'seq' };
  if (body === 'time') return { kind: 'time', format: 'iso' };
  if (body === 'time:unix') return { kind: 'time', format: 'unix' };
  if (body === 'time:ms') return { kind: 'time', format: 'ms' };
  if (/^[0-9]$/.test(body)) return { kind: 'capture', index: Number(body) };
  if (body.startsWith('random:')) {
    const below = Number(body.slice('random:'.length));
    if (!Number.isInteger(below) || below < 1 || below > MAX_RANDOM)
      throw new TemplateError(`{{${body}}}: random needs a whole number from 1 to ${MAX_RANDOM}`, at);
    return { kind: 'random', below };
  }
  if (body.startsWith('hex:')) {
    const bytes = parseHexBytes(body.slice('hex:'.length));
    if (!bytes || bytes.length === 0) throw new TemplateError(`{{${body}}}: hex needs whole bytes of hex digits, e.g. {{hex:0d 0a}}`, at);
    return { kind: 'bytes', bytes };
  }
  throw new TemplateError(
    `unknown variable {{${body}}}: use seq, time, time:unix, time:ms, random:N, hex:…, or 0–9 for a regular expression's groups`,
    at,
  );
}

/** Parses a template; a TemplateError says what is wrong and where. */
export function compileTemplate(source: string): Template {
  if (source.length > TEMPLATE_MAX_CHARS)
    throw new TemplateError(`a template may have at most ${TEMPLATE_MAX_CHARS} characters`, TEMPLATE_MAX_CHARS);
  const parts: Part[] = [];
  let text = '';
  const flushText = (): void => {
    if (text) parts.push({ kind: 'text', text });
    text = '';
  };
  let i = 0;
  while (i < source.length) {
    const c = source[i] as string;
    if (c === '\\') {
      const next = source[i + 1];
      if (next === undefined) throw new TemplateError('a backslash at the end escapes nothing (write \\\\ for a backslash)', i);
      if (next === 'x') {
        const bytes = parseHexBytes(source.slice(i + 2, i + 4));
        if (!bytes || bytes.length !== 1) throw new TemplateError('\\x needs two hex digits, e.g. \\x00', i);
        flushText();
        parts.push({ kind: 'bytes', bytes });
        i += 4;
        continue;
      }
      const simple = SIMPLE_ESCAPES[next];
      if (simple === undefined) throw new TemplateError(`unknown escape \\${next}: use \\r \\n \\t \\0 \\e \\\\ \\{ or \\xHH`, i);
      text += simple;
      i += 2;
      continue;
    }
    if (c === '{' && source[i + 1] === '{') {
      const close = source.indexOf('}}', i + 2);
      if (close < 0) throw new TemplateError('{{ is not closed by }} (write \\{ for a literal brace)', i);
      flushText();
      parts.push(parseVariable(source.slice(i + 2, close).trim(), i));
      i = close + 2;
      continue;
    }
    text += c;
    i++;
  }
  flushText();
  return makeTemplate(source, parts);
}

function makeTemplate(source: string, parts: Part[]): Template {
  const usesCaptures = parts.some((p) => p.kind === 'capture');
  const constant = parts.every((p) => p.kind === 'text' || p.kind === 'bytes');
  return {
    source,
    usesCaptures,
    constant,
    render(context, encodeText) {
      const random = context.random ?? ((below: number) => Math.floor(Math.random() * below));
      const chunks: Uint8Array[] = [];
      let text = '';
      const flush = (): void => {
        if (text) chunks.push(encodeText(text));
        text = '';
      };
      for (const part of parts) {
        switch (part.kind) {
          case 'text':
            text += part.text;
            break;
          case 'bytes':
            flush();
            chunks.push(part.bytes);
            break;
          case 'seq':
            text += String(context.seq);
            break;
          case 'time':
            text +=
              part.format === 'iso'
                ? new Date(context.now).toISOString()
                : part.format === 'unix'
                  ? String(Math.floor(context.now / 1000))
                  : String(Math.floor(context.now));
            break;
          case 'random':
            text += String(random(part.below));
            break;
          case 'capture':
            text += context.captures?.[part.index] ?? '';
            break;
        }
      }
      flush();
      if (chunks.length === 1) return chunks[0] as Uint8Array;
      const out = new Uint8Array(chunks.reduce((n, c) => n + c.length, 0));
      let at = 0;
      for (const chunk of chunks) {
        out.set(chunk, at);
        at += chunk.length;
      }
      return out;
    },
  };
}

/**
 * The bytes of a match pattern (exact / prefix / contains rules): the same
 * escapes as a template, but no variables, since a pattern is fixed.
 */
export function patternBytes(source: string, encodeText: (text: string) => Uint8Array): Uint8Array {
  const template = compileTemplate(source);
  if (!template.constant)
    throw new TemplateError('a match pattern cannot use {{variables}} (write \\{ for a literal brace)', source.indexOf('{{'));
  return template.render({ seq: 1, now: 0 }, encodeText);
}
