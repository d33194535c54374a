/**
 * The new-process form's TLS block (beyond Emacs), kept apart from the rest
 * of the form: for a client, TLS with verification, a CA file, the SNI
 * name, ALPN protocols and a fingerprint to trust; for a server, a
 * certificate and key from files or a generated self-signed pair, and the
 * ALPN protocols it offers.
 */
import type { Params } from '../../shared/api.js';

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

type FormKind = 'tcp-client' | 'tcp-server' | 'udp-client' | 'udp-server' | 'unix-client' | 'unix-server' | 'starttls-client';
type TlsParams = Pick<Params<'makeNetworkProcess'>, 'tlsParameters' | 'tlsServer'>;

const protocols = (text: string): string[] => text.split(/[\s,]+/).filter(Boolean);

/** Which kinds of process the block applies to. */
export const tlsClientKind = (kind: FormKind): boolean => kind === 'tcp-client' || kind === 'starttls-client';
/** A STARTTLS client always ends in TLS: there is no "Use TLS" to choose. */
const alwaysTls = (kind: FormKind): boolean => kind === 'starttls-client';
export const tlsServerKind = (kind: FormKind): boolean => kind === 'tcp-server' || kind === 'unix-server';

/** The :tls-parameters or :tls-server the block stands for, or nothing. */
export function tlsParams(kind: FormKind, form: TlsFormState): TlsParams {
  if (tlsClientKind(kind) && (form.tls || alwaysTls(kind))) {
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
        ? { cert: form.certFile.trim(), key: form.keyFile.trim() }
        : { selfSigned: true, ...(form.saveTo.trim() ? { saveTo: form.saveTo.trim() } : {}) };
    return { tlsServer: alpn.length ? { ...tlsServer, alpn } : tlsServer };
  }
  return {};
}

interface Props {
  kind: FormKind;
  form: TlsFormState;
  update<K extends keyof TlsFormState>(key: K, value: TlsFormState[K]): void;
}

export function TlsFields({ kind, form, update }: Props) {
  if (tlsClientKind(kind)) {
    const off = !form.tls && !alwaysTls(kind);
    return (
      <fieldset>
        <legend>TLS</legend>
        {alwaysTls(kind) ? null : (
          <label>
            <input type="checkbox" checked={form.tls} onChange={(e) => update('tls', e.target.checked)} /> Use TLS
          </label>
        )}
        <label>
          <input type="checkbox" checked={form.verify} disabled={off} onChange={(e) => update('verify', e.target.checked)} /> Verify the
          certificate
        </label>
        <label>
          CA file
          <input value={form.caFile} disabled={off} onChange={(e) => update('caFile', e.target.value)} />
        </label>
        <label>
          Server name (SNI)
          <input value={form.servername} disabled={off} placeholder="the host" onChange={(e) => update('servername', e.target.value)} />
        </label>
        <label>
          ALPN protocols
          <input value={form.alpn} disabled={off} placeholder="h2, http/1.1" onChange={(e) => update('alpn', e.target.value)} />
        </label>
        <label>
          Trusted fingerprint (SHA-256 pin)
          <input value={form.fingerprint} disabled={off} placeholder="AB:CD:…" onChange={(e) => update('fingerprint', e.target.value)} />
        </label>
      </fieldset>
    );
  }
  if (!tlsServerKind(kind)) return null;
  return (
    <fieldset>
      <legend>TLS server</legend>
      <label>
        TLS
        <select
          aria-label="TLS server"
          value={form.tlsServer}
          onChange={(e) => update('tlsServer', e.target.value as TlsFormState['tlsServer'])}
        >
          <option value="off">Off (plain)</option>
          <option value="self-signed">Generate a self-signed certificate</option>
          <option value="files">Certificate and key files</option>
        </select>
      </label>
      {form.tlsServer === 'files' ? (
        <>
          <label>
            Certificate file
            <input value={form.certFile} placeholder="/path/to/cert.pem" onChange={(e) => update('certFile', e.target.value)} />
          </label>
          <label>
            Key file
            <input value={form.keyFile} placeholder="/path/to/key.pem" onChange={(e) => update('keyFile', e.target.value)} />
          </label>
        </>
      ) : null}
      {form.tlsServer === 'self-signed' ? (
        <label>
          Save the generated pair to
          <input value={form.saveTo} placeholder="(kept in memory only)" onChange={(e) => update('saveTo', e.target.value)} />
        </label>
      ) : null}
      {form.tlsServer !== 'off' ? (
        <label>
          ALPN protocols offered
          <input value={form.serverAlpn} placeholder="h2, http/1.1" onChange={(e) => update('serverAlpn', e.target.value)} />
        </label>
      ) : null}
    </fieldset>
  );
}
