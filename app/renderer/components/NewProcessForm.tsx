/**
 * make-network-process as a form (and open-network-stream for a STARTTLS
 * client): every keyword, validated before sending, errors where they belong.
 */
import { useState, type FormEvent } from 'react';
import {
  BUILTIN_FILTERS,
  BUILTIN_SENTINELS,
  NetprocBridgeError,
  type NetprocApi,
  type Params,
  type ProcessInfo,
} from '../../shared/api.js';
import { requestSchemas } from '../../shared/contract.js';
import { readLisp } from '../lisp-reader.js';
import { signalText } from '../lisp.js';

export type Kind = 'tcp-client' | 'tcp-server' | 'udp-client' | 'udp-server' | 'unix-client' | 'unix-server' | 'starttls-client';

export interface FormState {
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
  tls: boolean;
  verify: boolean;
  caFile: string;
  starttls: StarttlsFields;
}

// ───────────── STARTTLS client (open-network-stream :type starttls) ─────────────

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
    verify: form.verify,
    caFile: form.caFile.trim() || null,
    ...(s.clientKey.trim() || s.clientCert.trim() ? { clientCertificate: [s.clientKey.trim(), s.clientCert.trim()] } : {}),
    ...(form.coding ? { coding: form.coding } : {}),
  };
}

const STARTTLS_LABELS: Array<[keyof StarttlsFields, string]> = [
  ['capabilityCommand', 'Capability command'],
  ['endOfCommand', 'End of command (regexp)'],
  ['success', 'Success (regexp)'],
  ['command', 'STARTTLS command'],
  ['offeredWhen', 'Offered when capabilities match (regexp)'],
  ['clientKey', 'Client key file'],
  ['clientCert', 'Client certificate file'],
];

/** Where the schema's field names land in the form. */
const STARTTLS_ERROR_FIELDS: Record<string, keyof StarttlsFields> = {
  capabilityCommand: 'capabilityCommand',
  endOfCommand: 'endOfCommand',
  success: 'success',
  starttlsFunction: 'offeredWhen',
  clientCertificate: 'clientKey',
};

function StarttlsFieldset({ fields, onChange }: { fields: StarttlsFields; onChange(fields: StarttlsFields): void }) {
  return (
    <fieldset>
      <legend>STARTTLS</legend>
      <p className="hint">As in a Lisp string: \r\n is CR LF. Regexps are Emacs regexps.</p>
      {STARTTLS_LABELS.map(([key, label]) => (
        <label key={key}>
          {label}
          <input value={fields[key]} onChange={(e) => onChange({ ...fields, [key]: e.target.value })} />
        </label>
      ))}
    </fieldset>
  );
}

// ─────────────────────────────────────────────────────────────────────────────

export const PRESETS: Record<string, Partial<FormState>> = {
  'TCP client': { kind: 'tcp-client', name: 'client', host: '127.0.0.1', service: '' },
  'TCP server on a free port': { kind: 'tcp-server', name: 'server', host: '', service: 't' },
  'UDP socket': { kind: 'udp-server', name: 'udp', host: '127.0.0.1', service: 't' },
  'Unix socket server': { kind: 'unix-server', name: 'unix', host: '', service: '/tmp/netproc.sock' },
  'SMTP with STARTTLS': { kind: 'starttls-client', name: 'smtp', host: '127.0.0.1', service: '25', starttls: SMTP_STARTTLS },
};

export const EMPTY_FORM: FormState = {
  kind: 'tcp-client',
  name: 'client',
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
  tls: false,
  verify: true,
  caFile: '',
  starttls: SMTP_STARTTLS,
};

function service(form: FormState): number | string | true | undefined {
  const s = form.service.trim();
  if (form.kind.endsWith('server') && (s === '' || s === 't')) return true;
  if (/^\d+$/.test(s)) return Number(s);
  return s === '' ? undefined : s;
}

/** The make-network-process parameters the form stands for. */
export function formParams(form: FormState): Params<'makeNetworkProcess'> {
  const server = form.kind.endsWith('server');
  const params: Params<'makeNetworkProcess'> = {
    name: form.name.trim(),
    buffer: form.buffer.trim() || `*${form.name.trim()}*`,
    service: service(form),
  };
  if (form.kind.startsWith('unix')) params.family = 'local';
  else {
    if (form.host.trim()) params.host = form.host.trim();
    if (form.family) params.family = form.family;
  }
  if (form.kind.startsWith('udp')) params.type = 'datagram';
  if (server) params.server = true;
  if (form.nowait && !server) params.nowait = true;
  if (form.stop) params.stop = true;
  if (form.noquery) params.noquery = true;
  if (form.coding) params.coding = form.coding;
  if (form.filter !== 'default') params.filter = form.filter;
  if (form.sentinel !== 'default') params.sentinel = form.sentinel;
  if (form.keepalive) params.keepalive = true;
  if (form.nodelay) params.nodelay = true;
  if (form.tls && form.kind === 'tcp-client') params.tlsParameters = { verify: form.verify, caFile: form.caFile.trim() || null };
  return params;
}

/** Field → message for everything the contract's schema (and a few form rules) would refuse. */
export function validate(form: FormState): Record<string, string> {
  const errors: Record<string, string> = {};
  const params = formParams(form);
  if (params.service === undefined) errors.service = form.kind.startsWith('unix') ? 'Give the socket path' : 'Give a port or service name';
  const parsed =
    form.kind === 'starttls-client'
      ? requestSchemas.openNetworkStream.safeParse(starttlsParams(form))
      : requestSchemas.makeNetworkProcess.safeParse(params);
  if (!parsed.success) {
    for (const issue of parsed.error.issues) {
      const field = String(issue.path[0] ?? 'form');
      errors[STARTTLS_ERROR_FIELDS[field] ?? field] ??= issue.message;
    }
  }
  return errors;
}

interface Props {
  api: NetprocApi;
  onCreated(process: ProcessInfo): void;
  onClose(): void;
}

export function NewProcessForm({ api, onCreated, onClose }: Props) {
  const [form, setForm] = useState<FormState>(EMPTY_FORM);
  const [errors, setErrors] = useState<Record<string, string>>({});
  /** The refused request's error as Emacs would signal it, shown with the form's errors. */
  const [signal, setSignal] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const update = <K extends keyof FormState>(key: K, value: FormState[K]): void => setForm((f) => ({ ...f, [key]: value }));
  const server = form.kind.endsWith('server');
  const tls = form.tls || form.kind === 'starttls-client';

  const submit = async (event: FormEvent): Promise<void> => {
    event.preventDefault();
    const found = validate(form);
    setErrors(found);
    setSignal(null);
    if (Object.keys(found).length) return;
    setBusy(true);
    try {
      const created =
        form.kind === 'starttls-client'
          ? ((await api.openNetworkStream(starttlsParams(form))) as ProcessInfo)
          : await api.makeNetworkProcess(formParams(form));
      if (created) onCreated(created);
    } catch (err) {
      const e = err as NetprocBridgeError;
      const field = e instanceof NetprocBridgeError && e.field ? e.field.split('.')[0]! : 'form';
      setErrors({ [STARTTLS_ERROR_FIELDS[field] ?? field]: e.message });
      if (e instanceof NetprocBridgeError) setSignal(signalText(e));
    } finally {
      setBusy(false);
    }
  };

  const error = (field: string) =>
    errors[field] ? (
      <span role="alert" id={`${field}-error`} className="field-error">
        {errors[field]}
      </span>
    ) : null;
  const described = (field: string) => (errors[field] ? { 'aria-describedby': `${field}-error`, 'aria-invalid': true } : {});
  const checkbox = (key: 'nowait' | 'stop' | 'noquery' | 'keepalive' | 'nodelay', label: string, disabled = false) => (
    <label>
      <input type="checkbox" checked={form[key]} disabled={disabled} onChange={(e) => update(key, e.target.checked)} /> {label}
    </label>
  );

  return (
    <div role="dialog" aria-modal="true" aria-label="New process" className="dialog">
      <form onSubmit={(e) => void submit(e)} noValidate>
        <h2>make-network-process</h2>
        <div role="group" aria-label="Presets">
          {Object.entries(PRESETS).map(([label, preset]) => (
            <button key={label} type="button" onClick={() => setForm({ ...EMPTY_FORM, ...preset })}>
              {label}
            </button>
          ))}
        </div>
        <label>
          Kind
          <select aria-label="Kind" value={form.kind} onChange={(e) => update('kind', e.target.value as Kind)}>
            <option value="tcp-client">TCP client</option>
            <option value="tcp-server">TCP server</option>
            <option value="udp-client">UDP client</option>
            <option value="udp-server">UDP server</option>
            <option value="unix-client">Unix socket client</option>
            <option value="unix-server">Unix socket server</option>
            <option value="starttls-client">STARTTLS client (open-network-stream)</option>
          </select>
        </label>
        <label>
          Name
          <input value={form.name} onChange={(e) => update('name', e.target.value)} {...described('name')} />
        </label>
        {error('name')}
        {!form.kind.startsWith('unix') ? (
          <label>
            Host
            <input
              value={form.host}
              placeholder={server ? '127.0.0.1 (Emacs default)' : '127.0.0.1'}
              onChange={(e) => update('host', e.target.value)}
              {...described('host')}
            />
          </label>
        ) : null}
        {error('host')}
        <label>
          {form.kind.startsWith('unix') ? 'Socket path' : 'Service (port or name)'}
          <input
            value={form.service}
            placeholder={server ? 't (a free port)' : ''}
            onChange={(e) => update('service', e.target.value)}
            {...described('service')}
          />
        </label>
        {error('service')}
        <label>
          Buffer
          <input
            value={form.buffer}
            placeholder={`*${form.name}*`}
            onChange={(e) => update('buffer', e.target.value)}
            {...described('buffer')}
          />
        </label>
        {error('buffer')}
        {!form.kind.startsWith('unix') ? (
          <label>
            Family
            <select aria-label="Family" value={form.family} onChange={(e) => update('family', e.target.value as FormState['family'])}>
              <option value="">Any</option>
              <option value="ipv4">IPv4</option>
              <option value="ipv6">IPv6</option>
            </select>
          </label>
        ) : null}
        <label>
          Coding
          <select aria-label="Coding" value={form.coding} onChange={(e) => update('coding', e.target.value)}>
            <option value="">utf-8-unix (default)</option>
            <option value="utf-8-dos">utf-8-dos</option>
            <option value="latin-1">latin-1</option>
            <option value="binary">binary</option>
            <option value="raw-text">raw-text</option>
          </select>
        </label>
        <label>
          Filter
          <select aria-label="Filter" value={form.filter} onChange={(e) => update('filter', e.target.value as FormState['filter'])}>
            {BUILTIN_FILTERS.map((f) => (
              <option key={f} value={f}>
                {f}
              </option>
            ))}
          </select>
        </label>
        <label>
          Sentinel
          <select aria-label="Sentinel" value={form.sentinel} onChange={(e) => update('sentinel', e.target.value as FormState['sentinel'])}>
            {BUILTIN_SENTINELS.map((s) => (
              <option key={s} value={s}>
                {s}
              </option>
            ))}
          </select>
        </label>
        <fieldset>
          <legend>Keywords and options</legend>
          {checkbox('nowait', ':nowait', server)}
          {checkbox('stop', ':stop')}
          {checkbox('noquery', ':noquery')}
          {checkbox('keepalive', ':keepalive')}
          {checkbox('nodelay', ':nodelay')}
        </fieldset>
        {form.kind === 'tcp-client' || form.kind === 'starttls-client' ? (
          <fieldset>
            <legend>TLS</legend>
            {form.kind === 'tcp-client' ? (
              <label>
                <input type="checkbox" checked={form.tls} onChange={(e) => update('tls', e.target.checked)} /> Use TLS
              </label>
            ) : null}
            <label>
              <input type="checkbox" checked={form.verify} disabled={!tls} onChange={(e) => update('verify', e.target.checked)} /> Verify
              the certificate
            </label>
            <label>
              CA file
              <input value={form.caFile} disabled={!tls} onChange={(e) => update('caFile', e.target.value)} />
            </label>
          </fieldset>
        ) : null}
        {form.kind === 'starttls-client' ? <StarttlsFieldset fields={form.starttls} onChange={(f) => update('starttls', f)} /> : null}
        {STARTTLS_LABELS.map(([key]) => error(key))}
        {error('form')}
        {error('type')}
        {error('caFile')}
        {signal ? (
          <pre className="lisp-signal" aria-label="Lisp signal">
            {signal}
          </pre>
        ) : null}
        {error('tlsParameters')}
        {error('family')}
        <div className="buttons">
          <button type="submit" disabled={busy}>
            Create
          </button>
          <button type="button" onClick={onClose}>
            Cancel
          </button>
        </div>
      </form>
    </div>
  );
}
