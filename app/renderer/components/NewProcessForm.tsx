/**
 * The New process dialog: make-network-process as a form (and
 * open-network-stream for a STARTTLS client). Only the keywords that apply to
 * the chosen kind are shown, each with what it means in Emacs's terms; the
 * form is checked with the contract's schema before sending, and an error,
 * the engine's too, shows next to the field it names.
 */
import { useState, type FormEvent, type ReactNode } from 'react';
import { BUILTIN_FILTERS, BUILTIN_SENTINELS, NetprocBridgeError, type NetprocApi, type ProcessInfo } from '../../shared/api.js';
import { signalText } from '../lisp.js';
import {
  EMPTY_FORM,
  errorField,
  formParams,
  isServer,
  isUnix,
  KIND_LABELS,
  PRESETS,
  refusedFingerprint,
  shownFields,
  starttlsParams,
  tlsClientKind,
  validate,
  withKind,
  type FormState,
  type Kind,
  type StarttlsFields,
} from './new-process.js';
import { TlsFields } from './TlsFields.js';
import { Button } from './ui/Button.js';
import { CheckField, Field } from './ui/Field.js';
import { Modal } from './ui/Modal.js';

interface DialogProps {
  api: NetprocApi;
  open: boolean;
  onOpenChange(open: boolean): void;
  onCreated(process: ProcessInfo): void;
  returnFocus(): void;
}

export function NewProcessDialog({ api, open, onOpenChange, onCreated, returnFocus }: DialogProps) {
  return (
    <Modal
      open={open}
      onOpenChange={onOpenChange}
      title="New process"
      description={
        <>
          <code>make-network-process</code>, one keyword a field (<code>open-network-stream</code> for STARTTLS). Enter creates, Esc
          cancels.
        </>
      }
      className="new-process"
      initialFocus={() => document.getElementById('np-kind')}
      returnFocus={returnFocus}
      keepOnOutsideClick
    >
      <NewProcessForm api={api} onCreated={onCreated} onCancel={() => onOpenChange(false)} />
    </Modal>
  );
}

const CHECKBOX_HELP: Record<'nowait' | 'stop' | 'noquery' | 'keepalive' | 'nodelay', string> = {
  nowait: 'return at once; the connection completes later and the sentinel says "open"',
  stop: 'start stopped: nothing is accepted or read until continue-process',
  noquery: 'quitting does not ask about this process (its query-on-exit flag is nil)',
  keepalive: 'send TCP keepalive probes on an idle connection (SO_KEEPALIVE)',
  nodelay: 'send small writes at once instead of gathering them (TCP_NODELAY, no Nagle)',
};

const STARTTLS_FIELDS: Array<[keyof StarttlsFields, string, string]> = [
  ['capabilityCommand', 'Capability command', ':capability-command — sent after the greeting, to learn what is offered'],
  ['endOfCommand', 'End of command (regexp)', ':end-of-command — matches the end of each of the server’s answers'],
  ['success', 'Success (regexp)', ':success — matches an answer that says yes'],
  ['command', 'STARTTLS command', ':starttls-function — the command that switches to TLS'],
  ['offeredWhen', 'Offered when capabilities match (regexp)', ':starttls-function — send it only when the capabilities match'],
  ['clientKey', 'Client key file', ':client-certificate — the key, when the server asks for a certificate'],
  ['clientCert', 'Client certificate file', ':client-certificate — the certificate that goes with the key'],
];

function hostHelp(kind: Kind): string {
  return isServer(kind)
    ? ':host — where to listen; empty is 127.0.0.1 only, 0.0.0.0 is all'
    : ':host — the name or address to connect to; empty is 127.0.0.1';
}

function serviceHelp(kind: Kind): string {
  if (isUnix(kind)) return ':service — with :family local, the socket file’s path';
  return isServer(kind)
    ? ':service — the port to listen on; t or empty picks a free one'
    : ':service — a port, or a service name such as "smtp"';
}

/** What Create is waiting for, said while it waits: a TLS handshake or a STARTTLS exchange may take up to 30 s. */
function waitingText(form: FormState): string {
  if (form.kind === 'starttls-client') return 'Connecting… the STARTTLS exchange waits up to 30 s for each answer';
  if (isServer(form.kind)) return 'Creating…';
  return form.tls && tlsClientKind(form.kind) ? 'Connecting… the TLS handshake waits up to 30 s' : 'Connecting…';
}

interface FormProps {
  api: NetprocApi;
  onCreated(process: ProcessInfo): void;
  onCancel(): void;
}

function NewProcessForm({ api, onCreated, onCancel }: FormProps) {
  const [form, setForm] = useState<FormState>(EMPTY_FORM);
  /** Until the user types a name, the name follows the kind. */
  const [nameEdited, setNameEdited] = useState(false);
  const [errors, setErrors] = useState<Record<string, string>>({});
  /** The refused request's error as Emacs would signal it, shown under the form. */
  const [signal, setSignal] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  /** The fingerprint of the certificate the last attempt refused, offered to trust; then the one filled in. */
  const [refused, setRefused] = useState<string | null>(null);
  const [trusted, setTrusted] = useState<string | null>(null);
  /** A field's error goes once the field is changed. */
  const clearError = (key: string): void => setErrors(({ [key]: _changed, ...others }) => others);
  const update = <K extends keyof FormState>(key: K, value: FormState[K]): void => {
    setForm((f) => ({ ...f, [key]: value }));
    clearError(key);
  };
  const startOver = (next: FormState): void => {
    setForm(next);
    setErrors({});
    setSignal(null);
    setRefused(null);
    setTrusted(null);
  };
  const { kind } = form;
  const shown = shownFields(kind);
  const server = isServer(kind);

  const showErrors = (found: Record<string, string>): void => {
    setErrors(found);
    const first = Object.keys(found).find((key) => key !== 'form');
    if (first) document.getElementById(`np-${first}`)?.focus();
  };

  const submit = async (event: FormEvent): Promise<void> => {
    event.preventDefault();
    if (busy) return;
    setSignal(null);
    setRefused(null);
    setTrusted(null);
    const found = validate(form);
    showErrors(found);
    if (Object.keys(found).length) return;
    setBusy(true);
    try {
      // Reconnect goes with the make itself: set afterwards, a peer that closes at once could leave no client to set it on.
      const reconnect = form.reconnect && shown.has('reconnect') ? { reconnect: true as const } : {};
      const created =
        kind === 'starttls-client'
          ? ((await api.openNetworkStream(starttlsParams(form))) as ProcessInfo)
          : await api.makeNetworkProcess({ ...formParams(form), ...reconnect });
      if (created) onCreated(created);
    } catch (err) {
      const e = err as Error;
      showErrors({ [errorField(e instanceof NetprocBridgeError ? e.field : null, kind)]: e.message });
      if (e instanceof NetprocBridgeError) {
        setSignal(signalText(e));
        setRefused(refusedFingerprint(e));
      }
    } finally {
      setBusy(false);
    }
  };

  const text = (key: 'name' | 'host' | 'service' | 'buffer', label: string, help: string, placeholder: string, onEdit?: () => void) => (
    <Field
      id={`np-${key}`}
      label={label}
      help={help}
      error={errors[key]}
      control={(props) => (
        <input
          {...props}
          value={form[key]}
          placeholder={placeholder}
          onChange={(e) => {
            update(key, e.target.value);
            onEdit?.();
          }}
        />
      )}
    />
  );
  const select = (key: 'family' | 'coding' | 'filter' | 'sentinel', label: string, help: string, options: ReactNode) => (
    <Field
      id={`np-${key}`}
      label={label}
      help={help}
      error={errors[key]}
      control={(props) => (
        <select {...props} value={form[key]} onChange={(e) => update(key, e.target.value as FormState[typeof key])}>
          {options}
        </select>
      )}
    />
  );
  const checkboxes = (['nowait', 'stop', 'noquery', 'keepalive', 'nodelay'] as const).filter((key) => shown.has(key));

  return (
    <form onSubmit={(e) => void submit(e)} noValidate className="new-process-form">
      <div role="group" aria-label="Presets" className="presets">
        <span className="presets-label" aria-hidden>
          Start from
        </span>
        {Object.entries(PRESETS).map(([label, preset]) => (
          <Button
            key={label}
            className="btn-small"
            onClick={() => {
              startOver({ ...EMPTY_FORM, ...preset });
              setNameEdited(false);
            }}
          >
            {label}
          </Button>
        ))}
      </div>
      <div className="field-grid">
        <Field
          id="np-kind"
          label="Kind"
          help=":type, :server, :family — stream or datagram; client or server"
          error={errors.kind}
          control={(props) => (
            <select {...props} value={kind} onChange={(e) => startOver(withKind(form, e.target.value as Kind, nameEdited))}>
              {Object.entries(KIND_LABELS).map(([value, label]) => (
                <option key={value} value={value}>
                  {label}
                </option>
              ))}
            </select>
          )}
        />
        {text('name', 'Name', ':name — a name already taken gets <1>, <2>, … as in Emacs', '', () => setNameEdited(true))}
        {shown.has('host') ? text('host', 'Host', hostHelp(kind), server ? '127.0.0.1 (Emacs default)' : '127.0.0.1') : null}
        {isUnix(kind)
          ? text('service', 'Socket path', serviceHelp(kind), '/tmp/netproc.sock')
          : text('service', 'Service (port or name)', serviceHelp(kind), server ? 't (a free port)' : '8080')}
        {text(
          'buffer',
          'Buffer',
          server
            ? ':buffer — each accepted connection gets a buffer named after it'
            : ':buffer — where the default filter inserts; empty is *NAME*',
          `*${form.name}*`,
        )}
        {shown.has('family')
          ? select(
              'family',
              'Family',
              ':family — only ipv4 or ipv6; Any takes what the lookup gives first',
              <>
                <option value="">Any</option>
                <option value="ipv4">IPv4</option>
                <option value="ipv6">IPv6</option>
              </>,
            )
          : null}
        {select(
          'coding',
          'Coding',
          ':coding — how bytes received become text, and text sent bytes',
          <>
            <option value="">utf-8-unix (default)</option>
            <option value="utf-8-dos">utf-8-dos</option>
            <option value="latin-1">latin-1</option>
            <option value="binary">binary</option>
            <option value="raw-text">raw-text</option>
          </>,
        )}
        {shown.has('filter')
          ? select(
              'filter',
              'Filter',
              ':filter — gets each chunk received; default inserts it in the buffer',
              BUILTIN_FILTERS.map((f) => (
                <option key={f} value={f}>
                  {f}
                </option>
              )),
            )
          : null}
        {shown.has('sentinel')
          ? select(
              'sentinel',
              'Sentinel',
              ':sentinel — runs on status changes; default writes them in the buffer',
              BUILTIN_SENTINELS.map((s) => (
                <option key={s} value={s}>
                  {s}
                </option>
              )),
            )
          : null}
      </div>
      {checkboxes.length ? (
        <fieldset className="field-group">
          <legend>Keywords</legend>
          {checkboxes.map((key) => (
            <CheckField
              key={key}
              id={`np-${key}`}
              label={`:${key}`}
              keyword
              help={CHECKBOX_HELP[key]}
              checked={form[key]}
              error={errors[key]}
              onChange={(checked) => update(key, checked)}
            />
          ))}
          {shown.has('reconnect') ? (
            <CheckField
              id="np-reconnect"
              label="Reconnect"
              help="beyond Emacs: make the client again when it closes or fails (1 s doubling to 30 s, 10 attempts; change it in the inspector)"
              checked={form.reconnect}
              error={errors.reconnect}
              onChange={(checked) => update('reconnect', checked)}
            />
          ) : null}
          {shown.has('splitPeers') ? (
            <CheckField
              id="np-splitPeers"
              label="A row per peer"
              help="beyond Emacs: each sender's address gets its own row, buffer and counters under the server, and its input replies to that peer; the server's buffer still gets everything"
              checked={form.splitPeers}
              error={errors.splitPeers}
              onChange={(checked) => update('splitPeers', checked)}
            />
          ) : null}
        </fieldset>
      ) : null}
      <TlsFields
        kind={kind}
        form={form}
        errors={errors}
        update={update}
        refused={refused && errors.tls ? refused : null}
        trusted={trusted}
        onTrust={(fingerprint) => {
          update('fingerprint', fingerprint);
          clearError('tls');
          setRefused(null);
          setTrusted(fingerprint);
          // The button goes with the error: focus moves to the filled field, where Enter creates.
          document.getElementById('np-fingerprint')?.focus();
        }}
      />
      {kind === 'starttls-client' ? (
        <fieldset className="field-group">
          <legend>STARTTLS</legend>
          <p className="field-help">As in a Lisp string: \r\n is CR LF. Regexps are Emacs regexps.</p>
          <div className="field-grid">
            {STARTTLS_FIELDS.map(([key, label, help]) => (
              <Field
                key={key}
                id={`np-${key}`}
                label={label}
                help={help}
                error={errors[key]}
                control={(props) => (
                  <input
                    {...props}
                    value={form.starttls[key]}
                    onChange={(e) => {
                      update('starttls', { ...form.starttls, [key]: e.target.value });
                      clearError(key);
                    }}
                  />
                )}
              />
            ))}
          </div>
        </fieldset>
      ) : null}
      <div className="modal-footer">
        <div className="modal-footer-errors">
          {errors.form ? (
            <p role="alert" className="field-error">
              {errors.form}
            </p>
          ) : null}
          {signal ? (
            <pre className="lisp-signal" aria-label="Lisp signal">
              {signal}
            </pre>
          ) : null}
        </div>
        <div className="buttons">
          <p role="status" className="field-help busy-status">
            {busy ? waitingText(form) : ''}
          </p>
          <Button onClick={onCancel}>Cancel</Button>
          <Button type="submit" variant="primary" disabled={busy} aria-busy={busy}>
            Create
          </Button>
        </div>
      </div>
    </form>
  );
}
