/**
 * A workspace file: the process definitions (the arguments each process was
 * made with, its filter, sentinel, plist, auto-reply rules and reconnect
 * policy), the saved messages and the layout, as versioned JSON. Parsed and
 * checked here, whole, before anything is applied; written here with a
 * stable key order so that two saves of the same workspace are the same text.
 *
 * Definitions reuse the contract's own schemas for make-network-process and
 * open-network-stream, so a definition is valid exactly when the request it
 * becomes is.
 */
import { z } from 'zod';
import { issueReport, makeNetworkProcessParams, requestSchemas } from './contract.js';
import { LIBRARY_MAX_MESSAGES, LIBRARY_MESSAGE } from './message-library.js';
import { BUILTIN_FILTERS, BUILTIN_SENTINELS, LIMITS, type JsonValue } from './wire.js';

export const WORKSPACE_FORMAT = 'netproc-workspace';
/** The version this Netproc writes and the newest it reads. */
export const WORKSPACE_VERSION = 1;

// ───────────────────────────── schema ─────────────────────────────

const plistSchema = makeNetworkProcessParams.shape.plist;
const filter = z.enum(BUILTIN_FILTERS);
const sentinel = z.enum(BUILTIN_SENTINELS);

/** The shape of the engine's AutoReplySpec (auto-reply.ts); the engine checks the rest (a regex compiles, a delay's range). */
const autoReplyRules = z
  .object({
    framing: z.enum(['chunk', 'line', 'length-prefixed']),
    lengthBytes: z.union([z.literal(1), z.literal(2), z.literal(4)], { error: 'must be 1, 2 or 4' }).optional(),
    rules: z
      .array(
        z
          .object({
            name: z.string().max(LIMITS.name).optional(),
            match: z.enum(['exact', 'prefix', 'contains', 'regex', 'hex']),
            pattern: z.string().max(LIMITS.exchangeText),
            caseFold: z.boolean().optional(),
            reply: z.string().max(LIMITS.valueBytes),
            delayMs: z.number().int().min(0).max(60_000).optional(),
            close: z.boolean().optional(),
          })
          .strict(),
      )
      .max(256),
  })
  .strict();

/** The engine's reconnect policy (reconnect.ts): true for the defaults, or some of its fields. */
const reconnect = z.union(
  [
    z.literal(true),
    z
      .object({
        initialMs: z.number().int().min(0).optional(),
        maxMs: z.number().int().min(0).optional(),
        multiplier: z.number().min(1).max(10).optional(),
        jitter: z.number().min(0).max(1).optional(),
        maxAttempts: z.number().int().min(1).nullable().optional(),
      })
      .strict(),
  ],
  { error: 'must be true or {initialMs, maxMs, multiplier, jitter, maxAttempts}' },
);

/** What every definition may add to the process it makes, whichever function makes it. */
const extras = {
  filter: filter.optional(),
  sentinel: sentinel.optional(),
  plist: plistSchema.optional(),
  rules: autoReplyRules.optional(),
  reconnect: reconnect.optional(),
};

const definition = z.discriminatedUnion(
  'kind',
  [
    z
      .object({
        kind: z.literal('make-network-process'),
        args: makeNetworkProcessParams.omit({ filter: true, sentinel: true, plist: true }),
        ...extras,
      })
      .strict(),
    z
      .object({
        kind: z.literal('open-network-stream'),
        // returnList changes only what the call answers, which a workspace never sees.
        args: requestSchemas.openNetworkStream.omit({ returnList: true }),
        ...extras,
      })
      .strict(),
  ],
  { error: 'must have kind "make-network-process" or "open-network-stream"' },
);

const percent = z.number().min(0).max(100);
/** What the workbench's layout settings (app/renderer/settings.ts) a workspace carries: pane sizes, list columns, open tabs. */
const layout = z
  .object({
    columns: percent.optional(),
    rows: percent.optional(),
    listColumns: z.array(z.string().max(LIMITS.name)).max(64).optional(),
    listWidths: z
      .record(z.string().max(LIMITS.name), z.number().min(0).max(10_000))
      .refine((widths) => Object.keys(widths).length <= 64, 'must name at most 64 columns')
      .optional(),
    tabNames: z.array(z.string().max(LIMITS.name)).max(LIMITS.workspaceProcesses).optional(),
    showClosed: z.boolean().optional(),
  })
  .strict();

const workspaceSchema = z
  .object({
    format: z.literal(WORKSPACE_FORMAT),
    version: z.literal(WORKSPACE_VERSION),
    processes: z.array(definition).max(LIMITS.workspaceProcesses, `must hold at most ${LIMITS.workspaceProcesses} processes`),
    // The message library's own schema: what a workspace saves is exactly what the Messages pane holds.
    messages: z.array(LIBRARY_MESSAGE).max(LIBRARY_MAX_MESSAGES, `must hold at most ${LIBRARY_MAX_MESSAGES} messages`),
    layout,
  })
  .strict()
  .superRefine((workspace, ctx) => {
    // Two definitions of one name would make "name<1>", which is not what was saved.
    const first = new Map<string, number>();
    workspace.processes.forEach((d, i) => {
      const seen = first.get(d.args.name);
      if (seen === undefined) first.set(d.args.name, i);
      else ctx.addIssue({ code: 'custom', path: ['processes', i, 'args', 'name'], message: `repeats the name of processes[${seen}]` });
    });
    // The library knows a message by its name (in the event log and the traffic timeline), so names are unique there too.
    const firstMessage = new Map<string, number>();
    workspace.messages.forEach((m, i) => {
      const seen = firstMessage.get(m.name);
      if (seen === undefined) firstMessage.set(m.name, i);
      else ctx.addIssue({ code: 'custom', path: ['messages', i, 'name'], message: `repeats the name of messages[${seen}]` });
    });
  });

export type Workspace = z.output<typeof workspaceSchema>;
export type ProcessDefinition = Workspace['processes'][number];
export type SavedMessage = Workspace['messages'][number];
export type WorkspaceLayout = Workspace['layout'];

export function emptyWorkspace(): Workspace {
  return { format: WORKSPACE_FORMAT, version: WORKSPACE_VERSION, processes: [], messages: [], layout: {} };
}

// ───────────────────────────── versions ─────────────────────────────

/** A step from version N (the key) to N + 1, on a document already known to be a JSON object. */
export type Migration = (document: Record<string, unknown>) => Record<string, unknown>;

/**
 * The migrations from each older version. Version 1 is the first Netproc
 * wrote, so there are none yet; the next version adds `1: (v1) => v2` here.
 */
export const MIGRATIONS: Readonly<Record<number, Migration>> = {};

/** Brings a document of VERSION up to CURRENT through REGISTRY, one step at a time; a missing step is an error. */
export function migrate(
  document: Record<string, unknown>,
  version: number,
  registry: Readonly<Record<number, Migration>> = MIGRATIONS,
  current: number = WORKSPACE_VERSION,
): { ok: true; document: Record<string, unknown> } | { ok: false; error: WorkspaceError } {
  let migrated = document;
  for (let v = version; v < current; v++) {
    const step = registry[v];
    if (!step)
      return { ok: false, error: { field: 'version', message: `version: ${v} is not a version this Netproc can read or migrate` } };
    migrated = { ...step(migrated), version: v + 1 };
  }
  return { ok: true, document: migrated };
}

// ───────────────────────────── reading ─────────────────────────────

export interface WorkspaceError {
  /** The first bad field's path, such as `processes[3].args.service`; null when the file as a whole is refused. */
  field: string | null;
  message: string;
}

export type WorkspaceParse = { ok: true; workspace: Workspace } | { ok: false; error: WorkspaceError };

/** `processes[3].args.service`: array indices in brackets, as a reader of the file counts them. */
export function fieldPath(path: readonly PropertyKey[]): string {
  return path.reduce<string>(
    (text, key) => (typeof key === 'number' ? `${text}[${key}]` : text ? `${text}.${String(key)}` : String(key)),
    '',
  );
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Reads a workspace file's text: the whole file is checked (size, JSON,
 * format, version, then every field), so a caller applies all of it or none.
 */
export function parseWorkspace(
  text: string,
  registry: Readonly<Record<number, Migration>> = MIGRATIONS,
  current: number = WORKSPACE_VERSION,
): WorkspaceParse {
  const refuse = (field: string | null, message: string): WorkspaceParse => ({ ok: false, error: { field, message } });
  if (text.length > LIMITS.workspaceBytes)
    return refuse(null, `The file is larger than ${LIMITS.workspaceBytes} characters; a workspace is at most that`);
  let document: unknown;
  try {
    document = JSON.parse(text);
  } catch (err) {
    return refuse(null, `The file is not JSON: ${err instanceof Error ? err.message : String(err)}`);
  }
  if (!isObject(document) || document.format !== WORKSPACE_FORMAT)
    return refuse('format', `format: must be "${WORKSPACE_FORMAT}"; this file is not a Netproc workspace`);
  const { version } = document;
  if (typeof version !== 'number' || !Number.isInteger(version) || version < 0) return refuse('version', 'version: must be a whole number');
  if (version > current)
    return refuse('version', `This workspace was made by a newer Netproc: version ${version}; this one reads up to ${current}`);
  const migrated = migrate(document, version, registry, current);
  if (!migrated.ok) return migrated;
  const parsed = workspaceSchema.safeParse(migrated.document);
  if (!parsed.success) {
    const { field, reason } = issueReport(parsed.error.issues, fieldPath);
    return refuse(field || null, `${field || 'workspace'}: ${reason}`);
  }
  return { ok: true, workspace: parsed.data };
}

// ───────────────────────────── writing ─────────────────────────────

/** Keys in the order a reader expects them; every other key follows, in code-point order. */
const KEY_ORDER = [
  'format',
  'version',
  'processes',
  'messages',
  'layout',
  'kind',
  'name',
  'args',
  'filter',
  'sentinel',
  'plist',
  'rules',
  'reconnect',
];
const rank = (key: string): number => {
  const i = KEY_ORDER.indexOf(key);
  return i < 0 ? KEY_ORDER.length : i;
};
const byKeyOrder = (a: string, b: string): number => rank(a) - rank(b) || (a < b ? -1 : a > b ? 1 : 0);

function canonical(value: unknown): JsonValue {
  if (Array.isArray(value)) return value.map(canonical);
  if (isObject(value)) {
    const out: Record<string, JsonValue> = {};
    for (const key of Object.keys(value).sort(byKeyOrder)) if (value[key] !== undefined) out[key] = canonical(value[key]);
    return out;
  }
  return value as JsonValue;
}

/** The file's text: stable key order, two-space indentation, a final newline, so that saves diff line by line. */
export function serializeWorkspace(workspace: Workspace): string {
  return `${JSON.stringify(canonical(workspace), null, 2)}\n`;
}
