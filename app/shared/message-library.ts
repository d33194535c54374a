/**
 * The message library's saved form: named messages, each a text template, hex
 * bytes or a file, with the repeat it was last set to. Plain JSON, so a
 * workspace can carry it as it is; MESSAGE_LIBRARY checks what is read back
 * (from storage or a workspace file) before it is trusted.
 *
 * How a message becomes what is sent is here too (`messageTemplate`), so the
 * editor's preview and the Send button can never disagree.
 */
import { z } from 'zod';
import { compileTemplate, parseHexBytes, TemplateError, type Template } from './templates.js';
import { LIMITS } from './wire.js';

export const MESSAGE_KINDS = ['text', 'hex', 'file'] as const;
export type MessageKind = (typeof MESSAGE_KINDS)[number];

/** Messages one library holds. */
export const LIBRARY_MAX_MESSAGES = 500;

const intervalError = `must be whole milliseconds from 1 to ${LIMITS.repeatIntervalMs}`;
const countError = `must be a whole number from 1 to ${LIMITS.repeatCount}, or null for until stopped`;
const repeat = z
  .object({
    intervalMs: z.number().int(intervalError).min(1, intervalError).max(LIMITS.repeatIntervalMs, intervalError),
    count: z.number().int(countError).min(1, countError).max(LIMITS.repeatCount, countError).nullable(),
  })
  .strict();

/** One message; a workspace file's `messages` are checked by this too, so its errors are worded for people. */
export const LIBRARY_MESSAGE = z
  .object({
    name: z.string().min(1, 'must not be empty').max(LIMITS.name, `must have at most ${LIMITS.name} characters`),
    kind: z.enum(MESSAGE_KINDS, { error: 'must be "text", "hex" or "file"' }),
    /** The template, the hex digits, or the file's path. */
    body: z.string().max(LIMITS.template, `must have at most ${LIMITS.template} characters`),
    repeat: repeat.optional(),
  })
  .strict();

export const MESSAGE_LIBRARY = z.object({ messages: z.array(LIBRARY_MESSAGE).max(LIBRARY_MAX_MESSAGES) }).strict();

export type LibraryMessage = z.infer<typeof LIBRARY_MESSAGE>;
export type MessageLibrary = z.infer<typeof MESSAGE_LIBRARY>;
export type RepeatSetting = z.infer<typeof repeat>;

/** What is wrong with a message's body, and at which character (for a template), or null. */
export interface BodyProblem {
  message: string;
  at: number | null;
}

/**
 * The template a text or hex message sends (hex bytes become one {{hex:…}}),
 * compiled; or the problem, said as the editor shows it. A file message has
 * no template: its bytes are the file's, read when it is sent.
 */
export function messageTemplate(kind: Exclude<MessageKind, 'file'>, body: string): { template: Template } | { problem: BodyProblem } {
  let source = body;
  if (kind === 'hex') {
    const bytes = parseHexBytes(body);
    if (!bytes) return { problem: { message: 'Hex bytes are pairs of hex digits, e.g. 0d 0a', at: null } };
    if (bytes.length === 0) return { problem: { message: 'Give at least one byte', at: null } };
    source = messageSource(kind, body);
  } else if (body.length === 0) return { problem: { message: 'The message is empty', at: null } };
  try {
    const template = compileTemplate(source);
    if (template.usesCaptures)
      return { problem: { message: '{{0}}…{{9}} have a value only in an auto-reply rule', at: body.search(/\{\{\s*\d\s*\}\}/) } };
    return { template };
  } catch (err) {
    if (err instanceof TemplateError) return { problem: { message: err.message, at: kind === 'text' ? err.at : null } };
    throw err;
  }
}

/** The request that sends a text or hex message: what the engine renders at each send. */
export function messageSource(kind: Exclude<MessageKind, 'file'>, body: string): string {
  return kind === 'hex' ? `{{hex:${body.replace(/\s+/g, '')}}}` : body;
}
