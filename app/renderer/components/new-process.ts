/**
 * What the New process dialog stands for, apart from how it looks: the kinds
 * of process, which keywords apply to each, the make-network-process (or
 * open-network-stream) parameters the fields make, their check against the
 * contract's own schema, and where an error naming a field is shown.
 */
import { BUILTIN_FILTERS, BUILTIN_SENTINELS, type Params } from '../../shared/api.js';
import { issueAtFault, requestSchemas } from '../../shared/contract.js';
import { readLisp } from '../lisp-reader.js';

export type Kind = 'tcp-client' | 'tcp-server' | 'udp-client' | 'udp-server' | 'unix-client' | 'unix-server' | 'starttls-client';

export const KIND_LABELS: Record<Kind, string> = {
  'tcp-client': 'TCP client',
  'tcp-server': 'TCP server',
  'udp-client': 'UDP client',
  'udp-server': 'UDP server',
  'unix-client': 'Unix socket client',
  'unix-server': 'Unix socket server',
  'starttls-client': 'STARTTLS client (open-network-stream)',
};

/** The name a new process gets from its kind, until the user types one. */
export const KIND_NAMES: Record<Kind, string> = {
  'tcp-client': 'tcp-client',
  'tcp-server': 'server',
  'udp-client': 'udp-client',
  'udp-server': 'udp',
  'unix-client': 'unix-client',
  'unix-server': 'unix',
  'starttls-client': 'smtp',
};

export interface TlsFormState {
  /** Client: use TLS (make-network-process :tls-parameters). */
  tls: boolean;
  verify: boolean;
  caFile: string;
  servername: string;
  /** ALPN protocols, separated by commas or spaces. */
  alpn: string;
  fingerprint: string;
  /** Server: plain, a generated self-signed pair, or PEM files (:tls-server). */
  tlsServer: 'off' | 'self-signed' | 'files';
  certFile: string;
  keyFile: string;
  saveTo: string;
  serverAlpn: string;
}

/** Commands and Emacs regexps are written as inside a Lisp string: `\r\n` is CR LF, `\\(` is `\(`. */
export interface StarttlsFields {
  capabilityCommand: string;
  endOfCommand: string;
  success: string;
  /** Send this command… */
  command: string;
  /** …when the capabilities match this regexp. */
  offeredWhen: string;
  clientKey: string;
  clientCert: string;
}

export interface FormState extends TlsFormState {
  kind: Kind;
  name: string;
  host: string;
  service: string;
  buffer: string;
  family: '' | 'ipv4' | 'ipv6';
  coding: string;
  filter: (typeof BUILTIN_FILTERS)[number];
  sentinel: (typeof BUILTIN_SENTINELS)[number];
  nowait: boolean;
  stop: boolean;
  noquery: boolean;
  keepalive: boolean;
  nodelay: boolean;
  /** Beyond Emacs: make the client again when it closes or fails (make-network-process with reconnect: true, the defaults). */
  reconnect: boolean;
  /** Beyond Emacs: a UDP server lists each peer as a process of its own (make-network-process's splitPeers). */
  splitPeers: boolean;
  starttls: StarttlsFields;
}

/** smtpmail's parameters. */
export const SMTP_STARTTLS: StarttlsFields = {
  capabilityCommand: 'EHLO netproc\\r\\n',
  endOfCommand: '^[0-9]+ .*\\r\\n',
  success: '^2.*\\n',
  command: 'STARTTLS\\r\\n',
  offeredWhen: '[ -]STARTTLS',
  clientKey: '',
  clientCert: '',
};

export const EMPTY_TLS_FORM: TlsFormState = {
  tls: false,
  verify: true,
  caFile: '',
  servername: '',
  alpn: '',
  fingerprint: '',
  tlsServer: 'off',
  certFile: '',
  keyFile: '',
  saveTo: '',
  serverAlpn: '',
};

export const EMPTY_FORM: FormState = {
  kind: 'tcp-client',
  name: KIND_NAMES['tcp-client'],
  host: '127.0.0.1',
  service: '',
  buffer: '',
  family: '',
  coding: '',
  filter: 'default',
  sentinel: 'default',
  nowait: false,
  stop: false,
  noquery: false,
  keepalive: false,
  nodelay: false,
  reconnect: false,
  splitPeers: false,
  ...EMPTY_TLS_FORM,
  starttls: SMTP_STARTTLS,
};

/** Each preset's name is its kind's, so the name keeps following the kind after one is chosen. */
export const PRESETS: Record<string, Partial<FormState>> = {
  'TCP client': { kind: 'tcp-client', name: KIND_NAMES['tcp-client'], host: '127.0.0.1', service: '' },
  'TCP server on a free port': { kind: 'tcp-server', name: KIND_NAMES['tcp-server'], host: '', service: 't' },
  'UDP socket': { kind: 'udp-server', name: KIND_NAMES['udp-server'], host: '127.0.0.1', service: 't' },
  'Unix socket server': { kind: 'unix-server', name: KIND_NAMES['unix-server'], host: '', service: '/tmp/netproc.sock' },
  'SMTP with STARTTLS': {
    kind: 'starttls-client',
    name: KIND_NAMES['starttls-client'],
    host: '127.0.0.1',
    service: '25',
    starttls: SMTP_STARTTLS,
  },
};

// ───────────── Which fields apply to a kind ─────────────

export const isServer = (kind: Kind): boolean => kind.endsWith('server');
export const isUnix = (kind: Kind): boolean => kind.startsWith('unix');
const isUdp = (kind: Kind): boolean => kind.startsWith('udp');
const isTcp = (kind: Kind): boolean => kind === 'tcp-client' || kind === 'tcp-server';
/** A TLS client: TCP with "Use TLS", or STARTTLS, which always ends in TLS. */
export const tlsClientKind = (kind: Kind): boolean => kind === 'tcp-client' || kind === 'starttls-client';
export const tlsServerKind = (kind: Kind): boolean => kind === 'tcp-server';

const STARTTLS_KEYS = Object.keys(SMTP_STARTTLS) as Array<keyof StarttlsFields>;

/** The fields the dialog shows for a kind: only keywords that mean something for it. */
export function shownFields(kind: Kind): ReadonlySet<string> {
  const starttls = kind === 'starttls-client';
  const fields = ['kind', 'name', 'service', 'buffer', 'coding'];
  if (!isUnix(kind)) fields.push('host');
  if (!starttls) fields.push('filter', 'sentinel', 'stop', 'noquery');
  if (!starttls && !isUnix(kind)) fields.push('family');
  // :nowait is for stream clients (Emacs hangs a datagram client on it; Netproc ignores it there).
  if (!isServer(kind) && !isUdp(kind) && !starttls) fields.push('nowait');
  if (isTcp(kind)) fields.push('keepalive', 'nodelay');
  if (kind === 'tcp-client' || kind === 'udp-client') fields.push('reconnect');
  if (kind === 'udp-server') fields.push('splitPeers');
  if (tlsClientKind(kind)) fields.push('tls', 'verify', 'caFile', 'servername', 'alpn', 'fingerprint');
  if (tlsServerKind(kind)) fields.push('tlsServer', 'certFile', 'keyFile', 'saveTo', 'serverAlpn');
  if (starttls) fields.push(...STARTTLS_KEYS);
  return new Set(fields);
}

/**
 * The form after choosing another kind: the name follows the kind until the
 * user has typed one, and a port never becomes a socket path (or back).
 */
export function withKind(form: FormState, kind: Kind, nameEdited: boolean): FormState {
  const next = { ...form, kind };
  if (!nameEdited) next.name = KIND_NAMES[kind];
  if (isUnix(kind) !== isUnix(form.kind)) next.service = '';
  return next;
}

// ───────────── The request the fields make ─────────────

const protocols = (text: string): string[] => text.split(/[\s,]+/).filter(Boolean);

type TlsParams = Pick<Params<'makeNetworkProcess'>, 'tlsParameters' | 'tlsServer'>;

/** The :tls-parameters or :tls-server the TLS fields stand for, or nothing. */
export function tlsParams(kind: Kind, form: TlsFormState): TlsParams {
  if (tlsClientKind(kind) && (form.tls || kind === 'starttls-client')) {
    const tlsParameters: NonNullable<TlsParams['tlsParameters']> = { verify: form.verify, caFile: form.caFile.trim() || null };
    if (form.servername.trim()) tlsParameters.servername = form.servername.trim();
    if (protocols(form.alpn).length) tlsParameters.alpn = protocols(form.alpn);
    if (form.fingerprint.trim()) tlsParameters.fingerprint = form.fingerprint.trim();
    return { tlsParameters };
  }
  if (tlsServerKind(kind) && form.tlsServer !== 'off') {
    const alpn = protocols(form.serverAlpn);
    const tlsServer =
      form.tlsServer === 'files'
        ? // An empty field is a file not given, which the schema names at its field.
          { cert: form.certFile.trim() || null, key: form.keyFile.trim() || null }
        : { selfSigned: true, ...(form.saveTo.trim() ? { saveTo: form.saveTo.trim() } : {}) };
    return { tlsServer: alpn.length ? { ...tlsServer, alpn } : tlsServer };
  }
  return {};
}

function service(form: FormState): number | string | true | undefined {
  const s = form.service.trim();
  if (isServer(form.kind) && !isUnix(form.kind) && (s === '' || s === 't')) return true;
  if (/^\d+$/.test(s)) return Number(s);
  return s === '' ? undefined : s;
}

/** The make-network-process parameters the form stands for: only what applies to its kind. */
export function formParams(form: FormState): Params<'makeNetworkProcess'> {
  const shown = shownFields(form.kind);
  const params: Params<'makeNetworkProcess'> = {
    name: form.name.trim(),
    buffer: form.buffer.trim() || `*${form.name.trim()}*`,
    service: service(form),
  };
  if (isUnix(form.kind)) params.family = 'local';
  else {
    if (form.host.trim()) params.host = form.host.trim();
    if (form.family) params.family = form.family;
  }
  if (isUdp(form.kind)) params.type = 'datagram';
  if (isServer(form.kind)) params.server = true;
  for (const keyword of ['nowait', 'stop', 'noquery', 'keepalive', 'nodelay'] as const)
    if (form[keyword] && shown.has(keyword)) params[keyword] = true;
  if (form.splitPeers && shown.has('splitPeers')) params.splitPeers = true;
  if (form.coding) params.coding = form.coding;
  if (form.filter !== 'default') params.filter = form.filter;
  if (form.sentinel !== 'default') params.sentinel = form.sentinel;
  return { ...params, ...tlsParams(form.kind, form) };
}

/** A field's text read as the inside of a Lisp string. */
function lispString(text: string): string {
  try {
    const value = readLisp(`"${text.replace(/"/g, '\\"')}"`);
    return typeof value === 'string' ? value : text;
  } catch {
    return text; // a lone backslash at the end: taken as written
  }
}

/** The open-network-stream parameters of a STARTTLS client. */
export function starttlsParams(form: FormState): Params<'openNetworkStream'> {
  const s = form.starttls;
  const name = form.name.trim();
  const port = service(form);
  return {
    name,
    buffer: form.buffer.trim() || `*${name}*`,
    createBuffer: true,
    host: form.host.trim() || '127.0.0.1',
    service: typeof port === 'number' || typeof port === 'string' ? port : '',
    type: 'starttls',
    capabilityCommand: lispString(s.capabilityCommand),
    endOfCommand: lispString(s.endOfCommand),
    success: lispString(s.success),
    starttlsFunction: { match: lispString(s.offeredWhen), command: lispString(s.command) },
    ...tlsParams(form.kind, form).tlsParameters,
    ...(s.clientKey.trim() || s.clientCert.trim() ? { clientCertificate: [s.clientKey.trim(), s.clientCert.trim()] } : {}),
    ...(form.coding ? { coding: form.coding } : {}),
  };
}

// ───────────── Errors, each at its field ─────────────

/**
 * The SHA-256 fingerprint of the certificate a TLS client refused, as the
 * engine's refusal shows it ("… the certificate (SHA-256 fingerprint AB:CD:…)
 * is not trusted", or "… fingerprint AB:CD:… does not match the one pinned"):
 * the first one named is the one presented. Null for any other error.
 */
export function refusedFingerprint(error: { code?: string; message: string }): string | null {
  if (error.code !== 'TLS_HANDSHAKE') return null;
  return /SHA-256 fingerprint ((?:[0-9A-F]{2}:){31}[0-9A-F]{2})\b/.exec(error.message)?.[1] ?? null;
}

/** Where an error naming a request's field (as the schema or the engine names it) is shown in the form. */
const ERROR_FIELDS: Record<string, string> = {
  type: 'kind',
  server: 'kind',
  local: 'host',
  remote: 'host',
  tlsParameters: 'tls',
  'tlsParameters.verify': 'verify',
  'tlsParameters.caFile': 'caFile',
  'tlsParameters.servername': 'servername',
  'tlsParameters.alpn': 'alpn',
  'tlsParameters.fingerprint': 'fingerprint',
  'tlsServer.cert': 'certFile',
  'tlsServer.key': 'keyFile',
  'tlsServer.saveTo': 'saveTo',
  'tlsServer.alpn': 'serverAlpn',
  starttlsFunction: 'offeredWhen',
  'starttlsFunction.match': 'offeredWhen',
  'starttlsFunction.command': 'command',
  // :client-certificate is (KEY-FILE CERT-FILE).
  clientCertificate: 'clientKey',
  'clientCertificate.0': 'clientKey',
  'clientCertificate.1': 'clientCert',
};

/**
 * The form field an error belongs next to: the field it names, or the
 * nearest that holds it, found by the longest known prefix of its path
 * (`tlsServer.alpn.0` → the offered ALPN protocols, `tlsServer.cert` → the
 * certificate file), or `'form'` when no field shown for this kind holds it.
 */
export function errorField(field: string | null | undefined, kind: Kind): string {
  if (!field) return 'form';
  const shown = shownFields(kind);
  const parts = field.split('.');
  for (let length = parts.length; length > 0; length--) {
    const prefix = parts.slice(0, length).join('.');
    const mapped = Object.hasOwn(ERROR_FIELDS, prefix) ? ERROR_FIELDS[prefix] : undefined;
    for (const candidate of [mapped, prefix]) if (candidate && shown.has(candidate)) return candidate;
  }
  return 'form';
}

/** Field → message for everything the contract's schema (and a few form rules) would refuse. */
export function validate(form: FormState): Record<string, string> {
  const errors: Record<string, string> = {};
  const params = formParams(form);
  if (params.service === undefined) errors.service = isUnix(form.kind) ? 'Give the socket path' : 'Give a port or service name';
  const parsed =
    form.kind === 'starttls-client'
      ? requestSchemas.openNetworkStream.safeParse(starttlsParams(form))
      : requestSchemas.makeNetworkProcess.safeParse(params);
  if (!parsed.success) {
    for (const { issue, path } of parsed.error.issues.map((i) => issueAtFault(i)))
      errors[errorField(path.join('.') || null, form.kind)] ??= issue.message;
  }
  return errors;
}
