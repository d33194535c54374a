/**
 * The one contract between the renderer and the engine: every request's
 * name, its runtime schema (zod) and its result type, and every event. The
 * plain types and the client-side API builder live in api.ts, which has no
 * dependency at all, so the preload and the renderer need not bundle zod.
 */
import { z } from 'zod';
import { BUILTIN_FILTERS, BUILTIN_SENTINELS, LIMITS, type JsonValue, type Method } from './api.js';

export * from './api.js';

// ───────────────────────────── request schemas ─────────────────────────────

const processId = z.number().int().positive();
const port = z.number().int().min(0, 'must be a port from 0 to 65535').max(65535, 'must be a port from 0 to 65535');
const name = z.string().min(1, 'must not be empty').max(LIMITS.name);
const bufferName = z.string().min(1, 'must not be empty').max(LIMITS.name);
const service = z.union([port, z.string().min(1).max(107), z.literal(true)]);
const address = z.union([z.array(z.number().int().min(0).max(65535)).min(4).max(9), z.string().max(107)]);
const coding = z.union([z.string().min(1).max(64), z.tuple([z.string().min(1).max(64), z.string().min(1).max(64)])]);
const jsonValue: z.ZodType<JsonValue> = z.lazy(() =>
  z.union([
    z.null(),
    z.boolean(),
    z.number(),
    z.string().max(65536),
    z.array(jsonValue).max(LIMITS.plistEntries),
    z.record(z.string(), jsonValue),
  ]),
);
const hexBytes = z
  .string()
  .max(LIMITS.sendBytes * 3)
  .regex(/^\s*(?:[0-9a-fA-F]{2}\s*)*$/, 'must be hex bytes such as "de ad be ef"');

export const makeNetworkProcessParams = z
  .object({
    name,
    buffer: bufferName.nullable().optional(),
    host: z.string().min(1).max(253).nullable().optional(),
    service: service.optional(),
    type: z.enum(['datagram']).nullable().optional(),
    family: z.enum(['ipv4', 'ipv6', 'local']).nullable().optional(),
    server: z.union([z.boolean(), z.number().int().min(0).max(65535)]).optional(),
    nowait: z.boolean().optional(),
    stop: z.boolean().optional(),
    noquery: z.boolean().optional(),
    coding: coding.nullable().optional(),
    filter: z.enum(BUILTIN_FILTERS).optional(),
    sentinel: z.enum(BUILTIN_SENTINELS).optional(),
    plist: z.array(jsonValue).max(LIMITS.plistEntries).optional(),
    local: address.nullable().optional(),
    remote: address.nullable().optional(),
    tlsParameters: z
      .object({ verify: z.boolean().optional(), caFile: z.string().min(1).max(LIMITS.path).nullable().optional() })
      .strict()
      .nullable()
      .optional(),
    reuseaddr: z.boolean().optional(),
    keepalive: z.boolean().optional(),
    broadcast: z.boolean().optional(),
    linger: z.union([z.boolean(), z.number().int().min(0).max(65535)]).optional(),
    nodelay: z.boolean().optional(),
  })
  .strict();

export const requestSchemas = {
  snapshot: z.object({}).strict(),
  makeNetworkProcess: makeNetworkProcessParams,
  openNetworkStream: z
    .object({
      name,
      buffer: bufferName.nullable(),
      host: z.string().min(1).max(253),
      service: z.union([port, z.string().min(1).max(64)]),
      type: z.enum(['plain', 'network', 'tls', 'ssl']).nullable().optional(),
      nowait: z.boolean().optional(),
      coding: coding.nullable().optional(),
      verify: z.boolean().optional(),
      caFile: z.string().min(1).max(LIMITS.path).nullable().optional(),
    })
    .strict(),
  sendString: z.object({ id: processId, text: z.string().max(LIMITS.sendBytes) }).strict(),
  sendBytes: z.object({ id: processId, hex: hexBytes }).strict(),
  sendFile: z.object({ id: processId, path: z.string().min(1).max(LIMITS.path) }).strict(),
  sendEof: z.object({ id: processId }).strict(),
  stopProcess: z.object({ id: processId }).strict(),
  continueProcess: z.object({ id: processId }).strict(),
  deleteProcess: z.object({ ids: z.array(processId).min(1).max(10_000) }).strict(),
  setFilter: z.object({ id: processId, filter: z.enum(BUILTIN_FILTERS) }).strict(),
  setSentinel: z.object({ id: processId, sentinel: z.enum(BUILTIN_SENTINELS) }).strict(),
  setQueryOnExitFlag: z.object({ id: processId, flag: z.boolean() }).strict(),
  setCodingSystem: z.object({ id: processId, decoding: z.string().min(1).max(64), encoding: z.string().min(1).max(64) }).strict(),
  processGet: z.object({ id: processId, key: z.string().min(1).max(256) }).strict(),
  processPut: z.object({ id: processId, key: z.string().min(1).max(256), value: jsonValue }).strict(),
  processContact: z
    .object({ id: processId, key: z.union([z.null(), z.literal(true), z.string().min(1).max(64)]), noBlock: z.boolean().optional() })
    .strict(),
  readBuffer: z
    .object({
      name: bufferName,
      start: z.number().int().min(0).optional(),
      end: z.number().int().min(0).optional(),
      /** Follow mode: the last `tail` bytes as they are when the request is served (instead of start/end). */
      tail: z.number().int().min(1).max(LIMITS.readBytes).optional(),
      encoding: z.enum(['text', 'base64']).optional(),
    })
    .strict()
    .refine((p) => p.tail === undefined || (p.start === undefined && p.end === undefined), {
      message: 'give either tail or start/end',
      path: ['tail'],
    }),
  searchBuffer: z
    .object({
      name: bufferName,
      query: z.string().min(1).max(4096),
      mode: z.enum(['text', 'hex', 'regex']),
      from: z.number().int().min(0).optional(),
      direction: z.enum(['forward', 'backward']).optional(),
      caseFold: z.boolean().optional(),
    })
    .strict(),
  clearBuffer: z.object({ name: bufferName }).strict(),
  killBuffer: z.object({ name: bufferName }).strict(),
  listProcesses: z.object({ queryOnly: z.boolean().optional() }).strict(),
  formatNetworkAddress: z.object({ address: z.unknown(), omitPort: z.boolean().optional() }).strict(),
  processDatagramAddress: z.object({ id: processId }).strict(),
  setProcessDatagramAddress: z.object({ id: processId, address }).strict(),
} as const satisfies { [M in Method]: z.ZodType };

export type Params<M extends Method> = z.input<(typeof requestSchemas)[M]>;
