/**
 * The runtime half of the contract: one zod schema per request, and the
 * request types derived from them. The shapes that cross the wire are in
 * wire.ts, the results, events and client-side API builder in api.ts (which
 * imports only types from here), so the preload and the renderer need not
 * bundle zod.
 */
import { z } from 'zod';
import { jsonBytes, plistOverflow, utf8Length } from './json-bounds.js';
import {
  ADDRESS_FAMILIES,
  AUTO_REPLY_FRAMINGS,
  AUTO_REPLY_MATCH_KINDS,
  BUILTIN_FILTERS,
  BUILTIN_SENTINELS,
  clip,
  LIMITS,
  type JsonValue,
  type Method,
} from './wire.js';

// ───────────────────────────── request schemas ─────────────────────────────

const processId = z.number().int().positive();
const PORT = 'must be a port from 0 to 65535';
// The message on int() too: a number past 2^53 (200 digits typed) fails its safe-integer check first.
const port = z.number(PORT).int(PORT).min(0, PORT).max(65535, PORT);
/** A non-empty text of at most `max` characters, each limit said in words. */
const boundedText = (max: number) => z.string().min(1, 'must not be empty').max(max, `must be at most ${max} characters`);
/** A yes-or-no keyword: true or false (t or nil in Lisp). */
const flag = z.boolean({ error: 'must be true or false (t or nil)' });
const name = boundedText(LIMITS.name);
const bufferName = boundedText(LIMITS.name);
const key = boundedText(LIMITS.name);
const host = boundedText(LIMITS.host);
const filePath = boundedText(LIMITS.path);
const serviceName = boundedText(LIMITS.service);
const service = z.union([port, serviceName, z.literal(true)], { error: 'must be a port from 0 to 65535, a service name, or true' });
const address = z.union([z.array(z.number().int().min(0).max(65535)).min(4).max(9), z.string().max(LIMITS.service)], {
  error: 'must be an address vector such as [127, 0, 0, 1, 80] or a Unix socket path',
});
/** A command or an Emacs regexp of open-network-stream's exchange. */
const exchangeText = boundedText(LIMITS.exchangeText);
const codingName = boundedText(LIMITS.coding);
const coding = z.union([codingName, z.tuple([codingName, codingName])], {
  error: 'must be a coding system name or a [decoding, encoding] pair',
});

// ───────────────────────────── TLS ─────────────────────────────

const alpnName = z
  .string()
  .min(1, 'must not be empty')
  .refine((text) => fitsUtf8(text, 255), 'must be at most 255 bytes as UTF-8');
const alpnList = z.array(alpnName).max(LIMITS.alpnProtocols, `must list at most ${LIMITS.alpnProtocols} ALPN protocols`);
/** SHA-256, 32 hex bytes, colons optional ("AB:CD:…" as the inspector shows it, or plain hex). */
const fingerprint = z
  .string()
  .max(128, 'must be a SHA-256 fingerprint: 32 hex bytes such as "AB:CD:…"')
  .refine((text) => /^[0-9a-fA-F]{64}$/.test(text.replace(/[\s:]/g, '')), 'must be a SHA-256 fingerprint: 32 hex bytes such as "AB:CD:…"');
const tlsClientFields = {
  /** SNI: the server name sent in the handshake (default: the host, unless it is an address). */
  servername: host.nullable().optional(),
  alpn: alpnList.nullable().optional(),
  /** Trust a certificate with this fingerprint even if it does not verify, and remember the pin. */
  fingerprint: fingerprint.nullable().optional(),
};
/** `:tls-server`: `"self-signed"`, `{cert, key}` files, or `{selfSigned: true, saveTo}`; each may offer ALPN protocols. */
const tlsServer = z.union(
  [
    z.literal('self-signed'),
    z
      .object({
        cert: filePath.nullable().optional(),
        key: filePath.nullable().optional(),
        selfSigned: z.boolean().optional(),
        saveTo: filePath.nullable().optional(),
        alpn: alpnList.nullable().optional(),
      })
      .strict()
      // Each problem at the field that has it, so a form shows it there (and the union reports the object's own issue).
      .superRefine((o, ctx) => {
        const issue = (path: 'cert' | 'key', message: string): void => void ctx.addIssue({ code: 'custom', path: [path], message });
        if (o.selfSigned) {
          if (o.cert) issue('cert', 'must be left out with selfSigned: a certificate is generated');
          if (o.key) issue('key', 'must be left out with selfSigned: a key is generated');
          return;
        }
        if (!o.cert) issue('cert', 'give the certificate file (PEM) and its key file, or ask for a generated self-signed pair');
        if (!o.key) issue('key', "give the certificate's private key file (PEM), or ask for a generated self-signed pair");
      }),
  ],
  {
    // Reached only when the value is neither the string nor an object: an object's own problem is reported at its field.
    error: 'must be "self-signed", {cert, key} (PEM files) or {selfSigned: true}',
  },
);

// ───────────────────────────── workflows ─────────────────────────────

/** One auto-reply rule; what the text means (a regexp compiles, a template parses) is checked by the engine, which names the field. */
const autoReplyRule = z
  .object({
    name: z.string().max(LIMITS.name).optional(),
    match: z.enum(AUTO_REPLY_MATCH_KINDS),
    pattern: z.string().min(1, 'must not be empty').max(LIMITS.autoReplyPattern),
    caseFold: z.boolean().optional(),
    reply: z.string().max(LIMITS.autoReplyReply),
    delayMs: z.number().int().min(0).max(60_000).optional(),
    close: z.boolean().optional(),
  })
  .strict();
const autoReplySpec = z
  .object({
    framing: z.enum(AUTO_REPLY_FRAMINGS),
    lengthBytes: z.union([z.literal(1), z.literal(2), z.literal(4)], { error: 'must be 1, 2 or 4' }).optional(),
    rules: z.array(autoReplyRule).max(LIMITS.autoReplyRules, `must list at most ${LIMITS.autoReplyRules} rules`),
  })
  .strict();
/** Missing fields take the engine's defaults (reconnect.ts), which also checks that maxMs is not below initialMs. */
const reconnectPolicy = z
  .object({
    initialMs: z.number().int().min(0).max(86_400_000).optional(),
    maxMs: z.number().int().min(0).max(86_400_000).optional(),
    multiplier: z.number().min(1).max(10).optional(),
    jitter: z.number().min(0).max(1).optional(),
    maxAttempts: z.number().int().min(1).max(1_000_000).nullable().optional(),
  })
  .strict();

// ───────────────────────────── JSON values ─────────────────────────────

/** True when the text is at most `maxBytes` of UTF-8; most texts are decided by their length alone (1 to 3 bytes a unit). */
function fitsUtf8(text: string, maxBytes: number): boolean {
  return text.length * 3 <= maxBytes || (text.length <= maxBytes && utf8Length(text, maxBytes) <= maxBytes);
}

const jsonTree: z.ZodType<JsonValue> = z.lazy(() =>
  z.union([z.null(), z.boolean(), z.number(), z.string(), z.array(jsonTree), z.record(z.string(), jsonTree)], {
    error: 'must be null, true, false, a finite number, a string, an array or an object',
  }),
);

/** An array or a plain object: the only things walked into (a typed array, say, that came over IPC, is not). */
function isPlainContainer(node: unknown): node is unknown[] | Record<string, unknown> {
  if (Array.isArray(node)) return true;
  if (node === null || typeof node !== 'object') return false;
  const prototype: unknown = Object.getPrototypeOf(node);
  return prototype === Object.prototype || prototype === null;
}

/**
 * Refuses a value nested deeper than `maxDepth` or surely larger than
 * LIMITS.valueBytes as JSON, before zod's recursive schema sees it: that
 * schema (like JSON.stringify) recurses on the call stack, so a deep enough
 * value would overflow it. Hand-written because it must walk with its own
 * stack; it counts a lower bound of the JSON size so that it stops early
 * (a cycle, possible over IPC, ends here too).
 */
function boundedNesting(kind: 'value' | 'list of values') {
  // A list's values sit one level down.
  const maxDepth = kind === 'value' ? LIMITS.valueDepth : LIMITS.valueDepth + 1;
  const tooDeep = `${kind === 'value' ? 'nests' : 'has a value that nests'} arrays or objects more than ${LIMITS.valueDepth} deep`;
  return (value: unknown, ctx: z.RefinementCtx): void => {
    const pending: Array<{ node: unknown; depth: number }> = [{ node: value, depth: 0 }];
    let atLeastBytes = 0;
    for (let next = pending.pop(); next; next = pending.pop()) {
      const { node, depth } = next;
      if (typeof node === 'string') atLeastBytes += node.length + 2;
      else if (isPlainContainer(node)) {
        if (depth >= maxDepth) {
          ctx.addIssue({ code: 'custom', message: tooDeep });
          return;
        }
        const entries = Array.isArray(node) ? node : Object.entries(node);
        // Brackets and commas; for an object, each key's quotes and colon too.
        atLeastBytes += 2 + Math.max(0, entries.length - 1);
        for (const entry of entries) {
          if (Array.isArray(node)) pending.push({ node: entry, depth: depth + 1 });
          else {
            const [k, v] = entry as [string, unknown];
            atLeastBytes += k.length + 3;
            pending.push({ node: v, depth: depth + 1 });
          }
        }
      } else atLeastBytes += 1; // a number, true, false, null, or something the schema refuses
      if (atLeastBytes > LIMITS.valueBytes) {
        ctx.addIssue({ code: 'custom', message: `is larger than ${LIMITS.valueBytes} bytes as JSON` });
        return;
      }
    }
  };
}

function boundedJson<T extends z.ZodType>(tree: T) {
  return z
    .unknown()
    .superRefine(boundedNesting('value'))
    .pipe(tree)
    .superRefine((value, ctx) => {
      const bytes = jsonBytes(value);
      if (bytes > LIMITS.valueBytes) ctx.addIssue({ code: 'custom', message: `is ${bytes} bytes as JSON; at most ${LIMITS.valueBytes}` });
    });
}

// Typed by what a client sends: the pipe would otherwise make the input `unknown`.
const jsonValue = boundedJson(jsonTree) as unknown as z.ZodType<JsonValue, JsonValue>;

const plist = z
  .unknown()
  .superRefine(boundedNesting('list of values'))
  .pipe(z.array(jsonTree))
  .superRefine((value, ctx) => {
    const overflow = plistOverflow(value);
    if (overflow) ctx.addIssue({ code: 'custom', message: overflow.message });
  }) as unknown as z.ZodType<JsonValue[], JsonValue[]>;

// ───────────────────────────── hex bytes ─────────────────────────────

const HEX_DIGIT = new Int8Array(128).fill(-1);
for (let i = 0; i < 16; i++) HEX_DIGIT['0123456789abcdef'.charCodeAt(i)] = HEX_DIGIT['0123456789ABCDEF'.charCodeAt(i)] = i;
const isSeparator = (unit: number): boolean => unit === 32 || (unit >= 9 && unit <= 13);

/**
 * Hex bytes such as "de ad be ef" (pairs of digits, separated or not by
 * ASCII white space) decoded in one pass: a regular expression over 16 MiB
 * of pairs overflows V8's backtracking stack, and stripping the spaces with
 * replace() takes seconds.
 */
export function decodeHex(hex: string, maxBytes: number): Uint8Array | string {
  const bytes = new Uint8Array(hex.length >> 1);
  let count = 0;
  let high = -1;
  for (let i = 0; i < hex.length; i++) {
    const unit = hex.charCodeAt(i);
    const digit = unit < 128 ? (HEX_DIGIT[unit] as number) : -1;
    if (digit >= 0) {
      if (high < 0) high = digit;
      else {
        if (count === maxBytes) return `holds more than ${maxBytes} bytes`;
        bytes[count++] = (high << 4) | digit;
        high = -1;
      }
    } else if (!isSeparator(unit)) {
      return `must be hex bytes such as "de ad be ef": character ${i + 1} is not a hex digit or space`;
    } else if (high >= 0) {
      return `must be hex bytes such as "de ad be ef": a byte needs two digits (character ${i})`;
    }
  }
  if (high >= 0) return `must be hex bytes such as "de ad be ef": the last byte has one digit`;
  return bytes.subarray(0, count);
}

const hexBytes = z
  .string()
  .max(LIMITS.sendBytes * 3, `holds more than ${LIMITS.sendBytes} bytes`)
  .transform((hex, ctx) => {
    const decoded = decodeHex(hex, LIMITS.sendBytes);
    if (typeof decoded !== 'string') return decoded;
    ctx.issues.push({ code: 'custom', message: decoded, input: hex });
    return z.NEVER;
  });

const sendText = z.string().refine((text) => fitsUtf8(text, LIMITS.sendBytes), `holds more than ${LIMITS.sendBytes} bytes as UTF-8`);

// ───────────────────────────── reporting ─────────────────────────────

type Issue = z.core.$ZodIssue;

/**
 * The issue to report and its full path. An unknown field comes first (a
 * misspelt field also leaves a required one missing, and the misspelling is
 * the news); inside a union, the issue of the branch that got furthest, so a
 * bad element deep in a value is named rather than the whole value.
 */
function firstIssue(issues: readonly Issue[]): { issue: Issue; path: PropertyKey[] } | null {
  const issue = issues.find((i) => i.code === 'unrecognized_keys') ?? issues[0];
  return issue ? issueAtFault(issue) : null;
}

/**
 * Where an issue really is and what it says: inside a union, the issue of
 * the branch that got furthest (a bad element deep in a value, with its full
 * path), not the union's summary of every branch.
 */
export function issueAtFault(issue: Issue, prefix: readonly PropertyKey[] = []): { issue: Issue; path: PropertyKey[] } {
  const path = [...prefix, ...issue.path];
  if (issue.code === 'invalid_union') {
    const deeper = issue.errors.flat().find((i) => i.path.length > 0);
    if (deeper) return issueAtFault(deeper, path);
  }
  return { issue, path };
}

/**
 * The field at fault and why, for a failed parse: the path as FORMAT writes
 * it, an unknown field named with it (echoed clipped).
 */
export function issueReport(issues: readonly Issue[], format: (path: PropertyKey[]) => string): { field: string; reason: string } {
  const report = firstIssue(issues);
  const unknownKey = report?.issue.code === 'unrecognized_keys' ? report.issue.keys[0] : undefined;
  const path = [...(report?.path ?? []), ...(unknownKey !== undefined ? [clip(unknownKey)] : [])];
  const reason = unknownKey !== undefined ? 'is not a known field' : (report?.issue.message ?? 'is invalid');
  return { field: format(path), reason };
}
/** Bytes a traffic filter looks for: text (as UTF-8) or hex bytes. */
const filterText = z
  .string()
  .min(1, 'must not be empty')
  .refine((text) => fitsUtf8(text, LIMITS.timelineFilterBytes), `holds more than ${LIMITS.timelineFilterBytes} bytes as UTF-8`);
const filterHex = z
  .string()
  .max(LIMITS.timelineFilterBytes * 3, `holds more than ${LIMITS.timelineFilterBytes} bytes`)
  .transform((hex, ctx) => {
    const decoded = decodeHex(hex, LIMITS.timelineFilterBytes);
    if (typeof decoded === 'string' || decoded.length === 0) {
      ctx.issues.push({ code: 'custom', message: typeof decoded === 'string' ? decoded : 'must hold at least one byte', input: hex });
      return z.NEVER;
    }
    return decoded;
  });

export const makeNetworkProcessParams = z
  .object({
    name,
    buffer: bufferName.nullable().optional(),
    host: host.nullable().optional(),
    service: service.optional(),
    type: z.enum(['datagram'], { error: 'must be datagram, or null (nil) for a stream' }).nullable().optional(),
    family: z
      .enum(ADDRESS_FAMILIES, { error: `must be one of ${ADDRESS_FAMILIES.join(', ')}, or null (nil) for any` })
      .nullable()
      .optional(),
    server: z
      .union([z.boolean(), z.number().int().min(0).max(65535)], { error: 'must be true, false or a backlog from 0 to 65535' })
      .optional(),
    nowait: flag.optional(),
    stop: flag.optional(),
    noquery: flag.optional(),
    coding: coding.nullable().optional(),
    filter: z.enum(BUILTIN_FILTERS).optional(),
    sentinel: z.enum(BUILTIN_SENTINELS).optional(),
    plist: plist.optional(),
    local: address.nullable().optional(),
    remote: address.nullable().optional(),
    tlsParameters: z
      .object({ verify: flag.optional(), caFile: filePath.nullable().optional(), ...tlsClientFields })
      .strict()
      .nullable()
      .optional(),
    tlsServer: tlsServer.nullable().optional(),
    /** Beyond Emacs: a datagram server gives each source address a process of its own (the engine refuses it elsewhere). */
    splitPeers: flag.optional(),
    reuseaddr: flag.optional(),
    keepalive: flag.optional(),
    broadcast: flag.optional(),
    linger: z
      .union([z.boolean(), z.number().int().min(0).max(65535)], { error: 'must be true, false or seconds from 0 to 65535' })
      .optional(),
    nodelay: flag.optional(),
    /** Beyond Emacs: a client that reconnects from the start (true for the defaults, or a policy). */
    reconnect: z.union([z.literal(true), reconnectPolicy], { error: 'must be true or a policy' }).optional(),
  })
  .strict();

export const requestSchemas = {
  snapshot: z.object({}).strict(),
  makeNetworkProcess: makeNetworkProcessParams,
  openNetworkStream: z
    .object({
      name,
      buffer: bufferName.nullable(),
      /** `(get-buffer-create BUFFER)` first: every path but the simplest needs an existing buffer, as in Emacs. */
      createBuffer: flag.optional(),
      host,
      service: z.union([port, serviceName], { error: 'must be a port from 0 to 65535 or a service name' }),
      // shell passes so that the engine's refusal, with its reason, reaches the user.
      type: z
        .enum(['plain', 'network', 'tls', 'ssl', 'starttls', 'shell'], { error: 'must be plain, network, tls, ssl or starttls' })
        .nullable()
        .optional(),
      nowait: flag.optional(),
      coding: coding.nullable().optional(),
      verify: flag.optional(),
      caFile: filePath.nullable().optional(),
      clientCertificate: z
        .tuple([filePath, filePath], {
          error: 'must be the key file and the certificate file, in that order: (KEY-FILE CERT-FILE); t (auth-source) is not supported',
        })
        .nullable()
        .optional(),
      returnList: flag.optional(),
      endOfCommand: exchangeText.nullable().optional(),
      endOfCapability: exchangeText.nullable().optional(),
      success: exchangeText.nullable().optional(),
      capabilityCommand: exchangeText.nullable().optional(),
      starttlsFunction: z
        .union([exchangeText, z.object({ match: exchangeText, command: exchangeText }).strict()], {
          error: 'must be the STARTTLS command, or {match, command}: send command when the capabilities match the regexp',
        })
        .nullable()
        .optional(),
      alwaysQueryCapabilities: flag.optional(),
      nogreeting: flag.optional(),
      useStarttlsIfPossible: flag.optional(),
      warnUnlessEncrypted: flag.optional(),
      shellCommand: z.string().max(LIMITS.path).nullable().optional(),
      ...tlsClientFields,
    })
    .strict(),
  sendString: z.object({ id: processId, text: sendText }).strict(),
  sendBytes: z.object({ id: processId, hex: hexBytes }).strict(),
  sendFile: z
    .object({
      id: processId,
      path: filePath,
      /** The library message sending it: its name labels the send in the traffic timeline, as sendMessage's does. */
      name: name.optional(),
    })
    .strict(),
  sendEof: z.object({ id: processId }).strict(),
  stopProcess: z.object({ id: processId }).strict(),
  continueProcess: z.object({ id: processId }).strict(),
  deleteProcess: z.object({ ids: z.array(processId).min(1).max(LIMITS.deleteIds) }).strict(),
  setFilter: z.object({ id: processId, filter: z.enum(BUILTIN_FILTERS) }).strict(),
  setSentinel: z.object({ id: processId, sentinel: z.enum(BUILTIN_SENTINELS) }).strict(),
  setQueryOnExitFlag: z.object({ id: processId, flag: z.boolean() }).strict(),
  setCodingSystem: z.object({ id: processId, decoding: codingName, encoding: codingName }).strict(),
  processGet: z.object({ id: processId, key }).strict(),
  processPut: z.object({ id: processId, key, value: jsonValue }).strict(),
  processContact: z
    .object({
      id: processId,
      key: z.union([z.null(), z.literal(true), key], { error: 'must be null, true or a contact key such as "local"' }),
      noBlock: z.boolean().optional(),
    })
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
  /** Where to write the buffer's bytes: an absolute path, written whole through a file beside it (regular-file.ts). */
  saveBuffer: z.object({ name: bufferName, path: filePath }).strict(),
  listProcesses: z.object({ queryOnly: z.boolean().optional() }).strict(),
  formatNetworkAddress: z.object({ address: jsonValue, omitPort: z.boolean().optional() }).strict(),
  processDatagramAddress: z.object({ id: processId }).strict(),
  setProcessDatagramAddress: z.object({ id: processId, address }).strict(),
  pinCertificate: z.object({ host, port, fingerprint }).strict(),
  forgetCertificatePin: z.object({ host, port }).strict(),
  listCertificatePins: z.object({}).strict(),
  processKernelQueues: z.object({ id: processId }).strict(),
  setNetworkProcessOption: z
    .object({
      id: processId,
      /** Without the colon. Unknown names pass, so that Emacs's "Unknown or unsupported option" (or nil with noError) comes back. */
      option: z
        .string()
        .max(LIMITS.name)
        .regex(/^[a-z][a-z0-9-]*$/, 'must be an option name without the colon, such as "keepalive"'),
      value: z.union([z.null(), z.boolean(), z.number().int().min(0).max(65535)], {
        error: 'must be null (nil), true (t), false, or seconds from 0 to 65535',
      }),
      noError: z.boolean().optional(),
    })
    .strict(),
  sendMessage: z
    .object({
      id: processId,
      /** Checked by the engine's template compiler, which names the character at fault. */
      template: z.string().min(1, 'must not be empty').max(LIMITS.template, `must have at most ${LIMITS.template} characters`),
      name: name.optional(),
      repeat: z
        .object({
          intervalMs: z
            .number()
            .int()
            .min(1, `must be whole milliseconds from 1 to ${LIMITS.repeatIntervalMs}`)
            .max(LIMITS.repeatIntervalMs, `must be whole milliseconds from 1 to ${LIMITS.repeatIntervalMs}`),
          count: z
            .number()
            .int()
            .min(1, `must be a whole number from 1 to ${LIMITS.repeatCount}, or null for until stopped`)
            .max(LIMITS.repeatCount, `must be a whole number from 1 to ${LIMITS.repeatCount}, or null for until stopped`)
            .nullable(),
        })
        .strict()
        .optional(),
      everyConnection: z.boolean().optional(),
    })
    .strict(),
  stopRepeat: z.object({ id: z.number().int().positive() }).strict(),
  listRepeats: z.object({}).strict(),
  /** Rules null removes them. */
  setAutoReplyRules: z.object({ id: processId, rules: autoReplySpec.nullable() }).strict(),
  autoReplyRules: z.object({ id: processId }).strict(),
  /** Policy true for the defaults, null to stop. */
  setProcessReconnect: z
    .object({ id: processId, policy: z.union([z.literal(true), z.null(), reconnectPolicy], { error: 'must be true, null or a policy' }) })
    .strict(),
  /** By name: between attempts there may be no process to name by id. */
  cancelReconnect: z.object({ name }).strict(),
  /** A datagram server's per-peer processes on or off; off ends those it has. */
  setSplitPeers: z.object({ id: processId, split: z.boolean() }).strict(),
  captureWorkspace: z.object({}).strict(),
  /** A workspace file's text, checked whole in main (app/shared/workspace.ts); start: false only checks it. */
  applyWorkspace: z
    .object({
      text: z.string().max(LIMITS.workspaceBytes, `must be at most ${LIMITS.workspaceBytes} characters`),
      start: z.boolean(),
    })
    .strict(),
  /** The desktop's files: path null asks with a dialog; a path given must be a recent workspace. */
  openWorkspaceFile: z.object({ path: filePath.nullable() }).strict(),
  saveWorkspaceFile: z
    .object({
      text: z.string().max(LIMITS.workspaceBytes, `must be at most ${LIMITS.workspaceBytes} characters`),
      path: filePath.nullable(),
      /** The file name the save dialog suggests, without the folder. */
      name: name,
    })
    .strict(),
  recentWorkspaces: z.object({}).strict(),
  readTimeline: z
    .object({
      /** A process (listed, or departed while its buffer lives); a server's view gathers its connections'. */
      id: processId,
      /** The first record wanted, counted in the filtered view (default 0). */
      from: z.number().int().min(0).optional(),
      count: z.number().int().min(0).max(LIMITS.timelineRecords).optional(),
      direction: z.enum(['in', 'out']).nullable().optional(),
      text: filterText.optional(),
      hex: filterHex.optional(),
    })
    .strict()
    .refine((p) => p.text === undefined || p.hex === undefined, { message: 'give either text or hex', path: ['hex'] }),
  exportTraffic: z
    .object({
      /** pcapng: the process whose traffic to write (a server: with its connections'). text, hex: its buffer. */
      id: processId.optional(),
      /** text, hex: the buffer to write (instead of a process's). */
      buffer: bufferName.optional(),
      format: z.enum(['pcapng', 'text', 'hex']),
      /** An absolute path; the file is written beside it first and takes its name only when complete. */
      path: filePath,
      /** Replace a file already there (default: refuse). */
      overwrite: z.boolean().optional(),
      /** text, hex: the byte range [start, end) of the buffer (absolute offsets; default all it holds). */
      start: z.number().int().min(0).optional(),
      end: z.number().int().min(0).optional(),
    })
    .strict()
    .superRefine((p, ctx) => {
      const issue = (path: string, message: string): void => void ctx.addIssue({ code: 'custom', path: [path], message });
      if (p.format === 'pcapng') {
        if (p.id === undefined) issue('id', "is required for pcapng: it writes a process's traffic");
        else if (p.buffer !== undefined) issue('buffer', 'pcapng writes a process, not a buffer: give id only');
        else if (p.start !== undefined || p.end !== undefined)
          issue(p.start !== undefined ? 'start' : 'end', 'pcapng writes the whole conversation: a byte range is for text and hex');
      } else if ((p.id === undefined) === (p.buffer === undefined)) issue('buffer', 'give either buffer or id (whose buffer)');
      if (p.start !== undefined && p.end !== undefined && p.end < p.start) issue('end', 'must not be before start');
    }),
  importCapture: z
    .object({
      /** A pcap or pcapng file (absolute path), at most LIMITS.importBytes. */
      path: filePath,
      /** Which TCP or UDP conversation of the capture, counted from 0 in the order they began (default the first). */
      conversation: z.number().int().min(0).max(1_000_000).optional(),
      /** Whose view the process takes: the side that opened the conversation (default), or the other. */
      side: z.enum(['client', 'server']).optional(),
      name: name.optional(),
      buffer: bufferName.optional(),
    })
    .strict(),
} as const satisfies { [M in Method]: z.ZodType };

export type Params<M extends Method> = z.input<(typeof requestSchemas)[M]>;

// ───────────────────────────── Lisp's nil ─────────────────────────────

/** The fields of an object schema, looked for through optional, nullable and union wrappers (the first object of a union). */
function objectShape(schema: z.ZodType): Readonly<Record<string, z.ZodType>> | null {
  if (schema instanceof z.ZodObject) return schema.shape as Record<string, z.ZodType>;
  if (schema instanceof z.ZodOptional || schema instanceof z.ZodNullable) return objectShape(schema.unwrap() as z.ZodType);
  if (schema instanceof z.ZodUnion)
    for (const option of schema.options as readonly z.ZodType[]) {
      const shape = objectShape(option);
      if (shape) return shape;
    }
  return null;
}

const isPlainObject = (value: unknown): value is Record<string, unknown> =>
  value !== null && typeof value === 'object' && !Array.isArray(value);

/**
 * A request read from Lisp, with nil as Lisp means it: for a yes/no keyword
 * nil is false (`:verify nil` turns verification off, `:nowait nil` connects
 * at once), while the wire's null means "not given" and a yes-or-no field
 * refuses it. So null becomes false wherever the field takes false but not
 * null, in nested plists too (`:tls-parameters (:verify nil)`); every other
 * value, and every field the schema does not know, is left for the schema
 * to judge.
 */
export function lispNilAsFalse(schema: z.ZodType, params: Record<string, unknown>): Record<string, unknown> {
  const shape = objectShape(schema);
  if (!shape) return params;
  return Object.fromEntries(
    Object.entries(params).map(([key, value]) => {
      const field = Object.hasOwn(shape, key) ? shape[key] : undefined;
      if (field && value === null && !field.safeParse(null).success && field.safeParse(false).success) return [key, false];
      if (field && isPlainObject(value)) return [key, lispNilAsFalse(field, value)];
      return [key, value];
    }),
  );
}
