/**
 * Reads the Lisp forms the command palette accepts, such as
 * `(make-network-process :name "srv" :server t :service 8080)`, and turns
 * them into contract requests. Only data is read: nothing is evaluated.
 */
import { lispNilAsFalse, requestSchemas } from '../shared/contract.js';

export type LispValue = null | boolean | number | string | { symbol: string } | { keyword: string } | LispValue[] | { vector: LispValue[] };

export class LispReadError extends Error {}

/** `'X` and `(quote X)`, read as data: a quoted symbol is its name (`'datagram` → "datagram"), anything else itself. */
function quoted(value: LispValue): LispValue {
  return value !== null && typeof value === 'object' && 'symbol' in value ? value.symbol : value;
}

export function readLisp(source: string): LispValue {
  let i = 0;
  const skip = (): void => {
    while (i < source.length) {
      if (/\s/.test(source[i] as string)) i++;
      else if (source[i] === ';') while (i < source.length && source[i] !== '\n') i++;
      else break;
    }
  };
  const read = (): LispValue => {
    skip();
    const c = source[i];
    if (c === undefined) throw new LispReadError('The form ends too early');
    if (c === '(' || c === '[') {
      const close = c === '(' ? ')' : ']';
      i++;
      const items: LispValue[] = [];
      for (;;) {
        skip();
        if (source[i] === undefined) throw new LispReadError(`Missing ${close}`);
        if (source[i] === close) {
          i++;
          if (c === '[') return { vector: items };
          // The reader spells `'X` as `(quote X)`; both mean the same.
          const [head, arg] = items;
          return items.length === 2 && isSymbol(head, 'quote') ? quoted(arg as LispValue) : items;
        }
        items.push(read());
      }
    }
    if (c === ')' || c === ']') throw new LispReadError(`Unexpected ${c}`);
    if (c === "'") {
      i++;
      return quoted(read());
    }
    if (c === '"') {
      i++;
      let text = '';
      for (;;) {
        const ch = source[i++];
        if (ch === undefined) throw new LispReadError('Unterminated string');
        if (ch === '"') return text;
        if (ch === '\\') {
          const e = source[i++];
          text += e === 'n' ? '\n' : e === 't' ? '\t' : e === 'r' ? '\r' : (e ?? '');
        } else text += ch;
      }
    }
    const start = i;
    while (i < source.length && !/[\s()[\]";']/.test(source[i] as string)) i++;
    const atom = source.slice(start, i);
    if (/^[+-]?\d+$/.test(atom)) return Number(atom);
    if (atom === 't') return true;
    if (atom === 'nil') return null;
    if (atom.startsWith(':')) return { keyword: atom.slice(1) };
    return { symbol: atom };
  };
  const value = read();
  skip();
  if (i < source.length) throw new LispReadError(`Unexpected text after the form: ${source.slice(i)}`);
  return value;
}

const camel = (name: string): string => name.replace(/-([a-z])/g, (_, c: string) => c.toUpperCase());

/** A Lisp value as contract data: symbols become strings, vectors arrays, `nil` null. */
export function toData(value: LispValue): unknown {
  if (Array.isArray(value)) return value.map(toData);
  if (value !== null && typeof value === 'object') {
    if ('vector' in value) return value.vector.map(toData);
    if ('symbol' in value) return value.symbol;
    if ('keyword' in value) return `:${value.keyword}`;
  }
  return value;
}

/** Keywords whose value may itself be a plist, read as an object: `:tls-server (:cert "/c.pem" :key "/k.pem")`. */
const NESTED_PLISTS = new Set(['tlsServer', 'tlsParameters']);

const isPlist = (value: LispValue | undefined): value is LispValue[] =>
  Array.isArray(value) && value.length > 0 && value[0] !== null && typeof value[0] === 'object' && 'keyword' in value[0];

/** `:name "x" :server t` → `{ name: 'x', server: true }`, keywords camelCased. */
export function plistToParams(items: LispValue[]): Record<string, unknown> {
  const params: Record<string, unknown> = {};
  for (let k = 0; k < items.length; k += 2) {
    const key = items[k];
    if (key === null || typeof key !== 'object' || !('keyword' in key))
      throw new LispReadError(`Expected a keyword, found ${JSON.stringify(toData(key ?? null))}`);
    if (k + 1 >= items.length) throw new LispReadError(`:${key.keyword} has no value`);
    const field = camel(key.keyword);
    const value = items[k + 1];
    // Defined, not assigned: a keyword :__proto__ must be a field like any other (the contract then refuses it), not the object's prototype.
    Object.defineProperty(params, field, {
      value: NESTED_PLISTS.has(field) && isPlist(value) ? plistToParams(value) : toData(value as LispValue),
      enumerable: true,
      writable: true,
      configurable: true,
    });
  }
  return params;
}

const isSymbol = (value: LispValue | undefined, name?: string): value is { symbol: string } =>
  value !== null && typeof value === 'object' && 'symbol' in value && (name === undefined || value.symbol === name);
const isKeyword = (value: LispValue | undefined, name: string): boolean =>
  value !== null && typeof value === 'object' && 'keyword' in value && value.keyword === name;

/**
 * `:starttls-function` as the contract takes it (code is never sent): the
 * command as a string, or `{match, command}` — send COMMAND when the
 * capabilities match REGEXP — written `("REGEXP" "COMMAND")` or as the
 * lambda smtpmail passes, `(lambda (c) (and (string-match REGEXP c) COMMAND))`
 * (`when` and `string-match-p` too).
 */
export function starttlsFunctionData(value: LispValue): unknown {
  if (!Array.isArray(value)) return toData(value);
  const [first, second] = value;
  if (value.length === 2 && typeof first === 'string' && typeof second === 'string') return { match: first, command: second };
  const [head, args, body] = value;
  const parameter = Array.isArray(args) && args.length === 1 ? args[0] : undefined;
  if (isSymbol(head, 'lambda') && value.length === 3 && isSymbol(parameter) && Array.isArray(body) && body.length === 3) {
    const [op, test, command] = body;
    if ((isSymbol(op, 'and') || isSymbol(op, 'when')) && typeof command === 'string' && Array.isArray(test) && test.length === 3) {
      const [fn, regexp, argument] = test;
      if (
        (isSymbol(fn, 'string-match') || isSymbol(fn, 'string-match-p')) &&
        typeof regexp === 'string' &&
        isSymbol(argument, parameter.symbol)
      )
        return { match: regexp, command };
    }
  }
  throw new LispReadError(
    ':starttls-function takes the command, ("REGEXP" "COMMAND"), or (lambda (c) (and (string-match REGEXP c) COMMAND)): no other code runs',
  );
}

export type PaletteAction =
  | { kind: 'request'; method: 'makeNetworkProcess'; params: Record<string, unknown> }
  | { kind: 'request'; method: 'openNetworkStream'; params: Record<string, unknown> }
  /** `key` is process-contact's KEY, when given. */
  | { kind: 'process'; command: Exclude<ProcessCommand, 'set-process-query-on-exit-flag'>; name: string; key?: unknown }
  | { kind: 'process'; command: 'set-process-query-on-exit-flag'; name: string; flag: boolean }
  /** Certificate pins (TLS beyond Emacs): the answer is shown, nothing is selected. */
  | { kind: 'pins'; method: 'pinCertificate' | 'forgetCertificatePin' | 'listCertificatePins'; params: Record<string, unknown> }
  /** Beyond Emacs: auto-reply rules and reconnect; `value` is the contract's rules or policy. */
  | { kind: 'workflow'; method: 'setAutoReplyRules' | 'setProcessReconnect'; name: string; value: unknown }
  /** Beyond Emacs: a datagram server's per-peer processes on (t) or off (nil). */
  | { kind: 'workflow'; method: 'setSplitPeers'; name: string; value: boolean }
  | { kind: 'workflow'; method: 'cancelReconnect'; name: string }
  | { kind: 'list-processes' }
  | { kind: 'list-buffers' }
  /** Netproc's own: opens the message library. */
  | { kind: 'message-library' };

/** The commands that act on one process, and what each takes after it, as Emacs's documentation writes it. */
const PROCESS_COMMAND_ARGS = {
  'delete-process': { required: 0, optional: 0, usage: 'PROCESS' },
  'stop-process': { required: 0, optional: 0, usage: 'PROCESS' },
  'continue-process': { required: 0, optional: 0, usage: 'PROCESS' },
  'process-send-eof': { required: 0, optional: 0, usage: 'PROCESS' },
  'process-contact': { required: 0, optional: 1, usage: 'PROCESS &optional KEY' },
  'set-process-query-on-exit-flag': { required: 1, optional: 0, usage: 'PROCESS FLAG' },
} as const;
export type ProcessCommand = keyof typeof PROCESS_COMMAND_ARGS;
export const PROCESS_COMMANDS = Object.keys(PROCESS_COMMAND_ARGS) as ProcessCommand[];
const isProcessCommand = (name: string | null | undefined): name is ProcessCommand =>
  name !== null && name !== undefined && Object.hasOwn(PROCESS_COMMAND_ARGS, name);

/** Netproc's own commands for certificate pins: `(netproc-pin-certificate HOST PORT FINGERPRINT)`, … */
export const PIN_COMMANDS = {
  'netproc-pin-certificate': { method: 'pinCertificate', args: ['host', 'port', 'fingerprint'] },
  'netproc-forget-certificate-pin': { method: 'forgetCertificatePin', args: ['host', 'port'] },
  'netproc-certificate-pins': { method: 'listCertificatePins', args: [] },
} as const;
type PinCommand = keyof typeof PIN_COMMANDS;

/** Netproc's own commands for workflows (docs/workflows.md), each taking PROCESS first. */
export const WORKFLOW_COMMANDS = {
  'netproc-set-auto-reply': { method: 'setAutoReplyRules', usage: 'PROCESS RULES' },
  'netproc-set-reconnect': { method: 'setProcessReconnect', usage: 'PROCESS POLICY' },
  'netproc-cancel-reconnect': { method: 'cancelReconnect', usage: 'PROCESS' },
  'netproc-set-split-peers': { method: 'setSplitPeers', usage: 'PROCESS FLAG' },
} as const;
type WorkflowCommand = keyof typeof WORKFLOW_COMMANDS;

/**
 * `(:framing line :rules ((:match regex :pattern "^HI (\\w+)" :reply "hello {{1}}\\n") …))`
 * as setAutoReplyRules takes it; nil removes the rules.
 */
export function autoReplyData(value: LispValue): unknown {
  if (value === null) return null;
  if (!isPlist(value))
    throw new LispReadError('netproc-set-auto-reply takes nil or (:framing FRAMING :rules ((:match KIND :pattern P :reply R) …))');
  const spec = plistToParams(value);
  const rulesAt = value.findIndex((item, i) => i % 2 === 0 && isKeyword(item, 'rules'));
  const rules = rulesAt >= 0 ? value[rulesAt + 1] : undefined;
  if (rules !== undefined && rules !== null) {
    if (!Array.isArray(rules) || !rules.every((rule) => rule === null || isPlist(rule)))
      throw new LispReadError(':rules takes a list of rule plists, ((:match regex :pattern "…" :reply "…") …)');
    spec.rules = rules.map((rule) => (rule === null ? {} : plistToParams(rule as LispValue[])));
  } else spec.rules = [];
  return spec;
}

/** `t` for the defaults, nil to stop, or `(:initial-ms 500 :max-attempts 5 …)`. */
export function reconnectData(value: LispValue): unknown {
  if (value === null || value === true) return value;
  if (!isPlist(value))
    throw new LispReadError('netproc-set-reconnect takes t, nil or (:initial-ms MS :max-ms MS :multiplier N :jitter F :max-attempts N)');
  return plistToParams(value);
}

function workflowAction(command: WorkflowCommand, args: LispValue[]): PaletteAction {
  const { method, usage } = WORKFLOW_COMMANDS[command];
  const target = args[0];
  const name = isSymbol(target) ? target.symbol : target;
  const wanted = method === 'cancelReconnect' ? 1 : 2;
  if (typeof name !== 'string' || args.length !== wanted) throw new LispReadError(`${command} takes ${usage}`);
  if (method === 'cancelReconnect') return { kind: 'workflow', method, name };
  const value = args[1] as LispValue;
  // FLAG as Emacs reads a flag: nil is off, anything else on.
  if (method === 'setSplitPeers') return { kind: 'workflow', method, name, value: value !== null };
  return { kind: 'workflow', method, name, value: method === 'setAutoReplyRules' ? autoReplyData(value) : reconnectData(value) };
}

export const COMMANDS = [
  'make-network-process',
  'open-network-stream',
  ...PROCESS_COMMANDS,
  'list-processes',
  'message-library',
  'list-buffers',
  ...(Object.keys(PIN_COMMANDS) as PinCommand[]),
  ...(Object.keys(WORKFLOW_COMMANDS) as WorkflowCommand[]),
] as const;

/** A process command's action, its arguments checked against what the command takes. */
function processAction(command: ProcessCommand, args: LispValue[]): PaletteAction {
  const { required, optional, usage } = PROCESS_COMMAND_ARGS[command];
  const target = args[0];
  // A bare word names a process as well as a string does: `stop-process srv` is `(stop-process "srv")`.
  const name = isSymbol(target) ? target.symbol : target;
  if (typeof name !== 'string') throw new LispReadError(`${command} takes a process name in quotes`);
  const extra = args.slice(1);
  if (extra.length < required || extra.length > required + optional)
    throw new LispReadError(`${command} takes ${usage}; a name with spaces goes in quotes`);
  if (command === 'set-process-query-on-exit-flag') return { kind: 'process', command, name, flag: extra[0] !== null };
  return { kind: 'process', command, name, ...(extra.length ? { key: toData(extra[0] as LispValue) } : {}) };
}

/** What a form asks for. */
export function formToAction(form: LispValue): PaletteAction {
  if (!Array.isArray(form) || form.length === 0) throw new LispReadError('Give a form such as (stop-process "srv")');
  const [head, ...args] = form;
  const name = head !== null && typeof head === 'object' && 'symbol' in head ? head.symbol : null;
  switch (name) {
    case 'make-network-process':
      return {
        kind: 'request',
        method: 'makeNetworkProcess',
        params: lispNilAsFalse(requestSchemas.makeNetworkProcess, plistToParams(args)),
      };
    case 'open-network-stream': {
      const [procName, buffer, host, service, ...rest] = args.map((a) => a);
      if (service === undefined) throw new LispReadError('open-network-stream takes NAME BUFFER HOST SERVICE');
      if (rest.some((item, i) => i % 2 === 0 && isKeyword(item, 'tls-parameters')))
        throw new LispReadError(
          "open-network-stream takes its TLS keywords flat, not in :tls-parameters (that is make-network-process's): " +
            ':type \'tls :verify nil :ca-file "/ca.pem" :servername "host" :alpn ("h2") :fingerprint "AB:CD:…"',
        );
      // (get-buffer-create "NAME") as BUFFER: the buffer is made first, as that call would.
      const created = Array.isArray(buffer) && buffer.length === 2 && isSymbol(buffer[0], 'get-buffer-create') ? buffer[1] : undefined;
      const params: Record<string, unknown> = {
        name: toData(procName ?? null),
        buffer: toData(created ?? buffer ?? null),
        ...(created !== undefined ? { createBuffer: true } : {}),
        host: toData(host ?? null),
        service: toData(service),
        ...plistToParams(rest),
      };
      const starttls = rest.findIndex((item) => isKeyword(item, 'starttls-function'));
      if (starttls >= 0 && starttls % 2 === 0) params.starttlsFunction = starttlsFunctionData(rest[starttls + 1] ?? null);
      return { kind: 'request', method: 'openNetworkStream', params: lispNilAsFalse(requestSchemas.openNetworkStream, params) };
    }
    case 'list-processes':
      return { kind: 'list-processes' };
    case 'message-library':
      return { kind: 'message-library' };
    case 'list-buffers':
      return { kind: 'list-buffers' };
    default:
      if (name && Object.hasOwn(PIN_COMMANDS, name)) {
        const { method, args: names } = PIN_COMMANDS[name as PinCommand];
        if (args.length !== names.length)
          throw new LispReadError(`${name} takes ${names.map((n) => n.toUpperCase()).join(' ') || 'no arguments'}`);
        return { kind: 'pins', method, params: Object.fromEntries(names.map((n, i) => [n, toData(args[i] as LispValue)])) };
      }
      if (isProcessCommand(name)) return processAction(name, args);
      if (name && Object.hasOwn(WORKFLOW_COMMANDS, name)) return workflowAction(name as WorkflowCommand, args);
      throw new LispReadError(`Unknown command ${name ?? JSON.stringify(toData(head ?? null))}`);
  }
}

/**
 * What a line typed without parentheses asks for, read with the same reader
 * as a form: `process-contact srv :local` is `(process-contact srv :local)`.
 * A process command with no argument acts on the selected process, and the
 * name of an existing process may have spaces (`stop-process srv <127.0.0.1:5555>`).
 * `'form'`: open the New process dialog.
 */
export function typedAction(
  input: string,
  context: { selected?: string | undefined; processNames?: readonly string[] } = {},
): PaletteAction | 'form' {
  const text = input.trim();
  if (text.startsWith('(')) return formToAction(readLisp(text));
  const [, command = '', rest = ''] = /^(\S*)\s*([\s\S]*)$/.exec(text) ?? [];
  const readArgs = (source: string): LispValue[] => readLisp(`(${source})`) as LispValue[];
  if ((command === 'make-network-process' || command === 'open-network-stream') && rest === '') return 'form';
  if (isProcessCommand(command)) {
    if (rest === '') {
      if (!context.selected) throw new LispReadError(`${command}: which process? Select one or type its name`);
      return processAction(command, [context.selected]);
    }
    const known = longestNamePrefix(rest, context.processNames ?? []);
    return processAction(command, known === undefined ? readArgs(rest) : [known, ...readArgs(rest.slice(known.length))]);
  }
  if ((COMMANDS as readonly string[]).includes(command)) return formToAction(readLisp(`(${text})`));
  throw new LispReadError(`Unknown command ${command}`);
}

/** The longest of `names` that `text` starts with as a whole word, if any. */
function longestNamePrefix(text: string, names: readonly string[]): string | undefined {
  let found: string | undefined;
  for (const name of names)
    if (
      text.startsWith(name) &&
      (text.length === name.length || /\s/.test(text[name.length] as string)) &&
      name.length > (found?.length ?? 0)
    )
      found = name;
  return found;
}
