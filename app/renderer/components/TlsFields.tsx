/**
 * The New process dialog's TLS block (beyond Emacs), kept apart from the
 * rest of the form: for a client, TLS with verification, a CA file, the SNI
 * name, ALPN protocols and a fingerprint to trust; for a TCP server, a
 * certificate and key from files or a generated self-signed pair, and the
 * ALPN protocols it offers.
 */
import { Button } from './ui/Button.js';
import { CheckField, Field } from './ui/Field.js';
import { tlsClientKind, tlsServerKind, type Kind, type TlsFormState } from './new-process.js';

interface Props {
  kind: Kind;
  form: TlsFormState;
  errors: Record<string, string>;
  update<K extends keyof TlsFormState>(key: K, value: TlsFormState[K]): void;
}

interface ClientProps extends Props {
  /** The fingerprint of the certificate the last attempt refused, while its error shows: offered to trust. */
  refused: string | null;
  /** The fingerprint just filled in from a refusal, until the next attempt. */
  trusted: string | null;
  onTrust(fingerprint: string): void;
}

export function TlsFields(props: ClientProps) {
  if (tlsClientKind(props.kind)) return <TlsClientFields {...props} />;
  if (tlsServerKind(props.kind)) return <TlsServerFields form={props.form} errors={props.errors} update={props.update} />;
  return null;
}

/** Beside a refused certificate's error: trust it by filling in its fingerprint, for the next Create. */
function TrustRefused({ refused, trusted, onTrust }: Pick<ClientProps, 'refused' | 'trusted' | 'onTrust'>) {
  if (refused)
    return (
      <div className="inline-form">
        <Button className="btn-small" onClick={() => onTrust(refused)}>
          Trust this fingerprint
        </Button>
      </div>
    );
  return trusted ? (
    <p role="status" className="field-help">
      Trusted fingerprint filled in: press Create again to connect. Once it matches, it is remembered as the pin for this host and port.
    </p>
  ) : null;
}

function TlsClientFields({ kind, form, errors, update, refused, trusted, onTrust }: ClientProps) {
  // A STARTTLS client always ends in TLS: there is no "Use TLS" to choose.
  const always = kind === 'starttls-client';
  const text = (key: 'caFile' | 'servername' | 'alpn' | 'fingerprint', label: string, help: string, placeholder?: string) => (
    <Field
      id={`np-${key}`}
      label={label}
      help={help}
      error={errors[key]}
      control={(props) => <input {...props} value={form[key]} placeholder={placeholder} onChange={(e) => update(key, e.target.value)} />}
    />
  );
  return (
    <fieldset className="field-group">
      <legend>TLS</legend>
      {always ? (
        errors.tls ? (
          <p role="alert" className="field-error">
            {errors.tls}
          </p>
        ) : null
      ) : (
        <CheckField
          id="np-tls"
          label="Use TLS"
          help=":tls-parameters — speak TLS on the connection, as open-network-stream :type tls does"
          checked={form.tls}
          error={errors.tls}
          onChange={(checked) => update('tls', checked)}
        />
      )}
      <TrustRefused refused={refused} trusted={trusted} onTrust={onTrust} />
      {always || form.tls ? (
        <>
          <CheckField
            id="np-verify"
            label="Verify the certificate"
            help="refuse a certificate that no trusted authority signed, unless it is pinned"
            checked={form.verify}
            error={errors.verify}
            onChange={(checked) => update('verify', checked)}
          />
          <div className="field-grid">
            {text('caFile', 'CA file', ':ca-file — trust the authorities in this PEM file, not the system’s', '/path/to/ca.pem')}
            {text('servername', 'Server name (SNI)', ':servername — sent in the handshake, checked against the certificate', 'the host')}
            {text('alpn', 'ALPN protocols', ':alpn — the protocols to offer, the preferred first', 'h2, http/1.1')}
            {text(
              'fingerprint',
              'Trusted fingerprint (SHA-256 pin)',
              ':fingerprint — trust exactly this certificate, even unverified',
              'AB:CD:…',
            )}
          </div>
        </>
      ) : null}
    </fieldset>
  );
}

function TlsServerFields({ form, errors, update }: Omit<Props, 'kind'>) {
  const text = (key: 'certFile' | 'keyFile' | 'saveTo' | 'serverAlpn', label: string, help: string, placeholder: string) => (
    <Field
      id={`np-${key}`}
      label={label}
      help={help}
      error={errors[key]}
      control={(props) => <input {...props} value={form[key]} placeholder={placeholder} onChange={(e) => update(key, e.target.value)} />}
    />
  );
  return (
    <fieldset className="field-group">
      <legend>TLS</legend>
      <div className="field-grid">
        <Field
          id="np-tlsServer"
          label="TLS server"
          help=":tls-server — plain, or TLS with a generated or a given certificate"
          error={errors.tlsServer}
          control={(props) => (
            <select {...props} value={form.tlsServer} onChange={(e) => update('tlsServer', e.target.value as TlsFormState['tlsServer'])}>
              <option value="off">Off (plain)</option>
              <option value="self-signed">Generate a self-signed certificate</option>
              <option value="files">Certificate and key files</option>
            </select>
          )}
        />
        {form.tlsServer === 'files' ? (
          <>
            {text('certFile', 'Certificate file', ':cert — the server’s certificate chain, PEM', '/path/to/cert.pem')}
            {text('keyFile', 'Key file', ':key — the certificate’s private key, PEM', '/path/to/key.pem')}
          </>
        ) : null}
        {form.tlsServer === 'self-signed'
          ? text(
              'saveTo',
              'Save the generated pair to',
              ':save-to — also write the pair to this new file (mode 600)',
              '(kept in memory only)',
            )
          : null}
        {form.tlsServer !== 'off'
          ? text('serverAlpn', 'ALPN protocols offered', ':alpn — the protocols the server accepts, the preferred first', 'h2, http/1.1')
          : null}
      </div>
    </fieldset>
  );
}
