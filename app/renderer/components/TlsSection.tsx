/**
 * The inspector's TLS section (beyond Emacs): what a TLS connection
 * negotiated, the peer's (or a server's own) certificate with copyable
 * values, and pinning a certificate that failed verification by its SHA-256
 * fingerprint, or forgetting the pin.
 */
import { useState } from 'react';
import type { CertificateInfo, NetprocApi, TlsState } from '../../shared/api.js';

/** A value with a button that copies it; the value stays selectable text where the clipboard is refused. */
function Copyable({ label, value }: { label: string; value: string | null }) {
  const [copied, setCopied] = useState(false);
  if (value === null || value === '') return <>—</>;
  const copy = (): void => {
    void navigator.clipboard?.writeText(value).then(
      () => setCopied(true),
      () => setCopied(false),
    );
  };
  return (
    <>
      <code aria-label={label}>{value}</code>{' '}
      <button type="button" aria-label={`Copy ${label.toLowerCase()}`} onClick={copy}>
        {copied ? 'Copied' : 'Copy'}
      </button>
    </>
  );
}

function Certificate({ title, cert }: { title: string; cert: CertificateInfo }) {
  return (
    <>
      <dt>{title}</dt>
      <dd>
        <Copyable label={`${title} subject`} value={cert.subject} />
      </dd>
      <dt>Issuer</dt>
      <dd>
        <Copyable label={`${title} issuer`} value={cert.issuer} />
      </dd>
      <dt>Valid</dt>
      <dd>
        <span aria-label={`${title} validity`}>
          {cert.validFrom} — {cert.validTo}
        </span>
      </dd>
      <dt>SHA-256</dt>
      <dd>
        <Copyable label={`${title} fingerprint`} value={cert.fingerprint256} />
      </dd>
    </>
  );
}

function verdict(tls: TlsState): string {
  if (tls.role !== 'client') return tls.role === 'server' ? 'serving' : 'accepted';
  if (!tls.verify) return 'not verified (verification off)';
  if (tls.authorized) return 'verified';
  if (tls.pinned) return 'pinned (trusted by fingerprint)';
  return `refused: ${tls.authorizationError ?? 'not trusted'}`;
}

export function TlsSection({ api, tls }: { api: NetprocApi; tls: TlsState }) {
  const [error, setError] = useState<string | null>(null);
  const target = tls.pinTarget;
  const presented = tls.peerCertificate?.fingerprint256 ?? null;
  const act = (request: Promise<unknown>): void => {
    request.then(
      () => setError(null),
      (err: Error) => setError(err.message),
    );
  };
  return (
    <section aria-label="TLS">
      <h3>TLS</h3>
      <dl>
        <dt>Trust</dt>
        <dd>{verdict(tls)}</dd>
        {tls.role !== 'server' ? (
          <>
            <dt>Protocol</dt>
            <dd>{tls.protocol ?? '—'}</dd>
            <dt>Cipher</dt>
            <dd>
              <Copyable label="Cipher" value={tls.cipher} />
            </dd>
            <dt>ALPN</dt>
            <dd>{tls.alpnProtocol ?? (tls.alpnOffered.length ? `none of ${tls.alpnOffered.join(', ')}` : '—')}</dd>
            <dt>SNI</dt>
            <dd>{tls.servername ?? '—'}</dd>
          </>
        ) : (
          <>
            <dt>ALPN offered</dt>
            <dd>{tls.alpnOffered.join(', ') || '—'}</dd>
            <dt>Certificate</dt>
            <dd>
              {tls.certificateSource === 'self-signed' ? 'generated, self-signed' : 'from files'}
              {tls.savedTo ? `, saved to ${tls.savedTo}` : tls.certificateSource === 'self-signed' ? ', in memory only' : ''}
            </dd>
          </>
        )}
        {tls.peerCertificate ? <Certificate title="Peer certificate" cert={tls.peerCertificate} /> : null}
        {tls.localCertificate ? <Certificate title="Server certificate" cert={tls.localCertificate} /> : null}
        {target ? (
          <>
            <dt>Pin for {`${target.host}:${target.port}`}</dt>
            <dd>
              <Copyable label="Pinned fingerprint" value={tls.pinnedFingerprint} />
            </dd>
          </>
        ) : null}
      </dl>
      {target && presented && tls.verify && !tls.authorized && tls.pinnedFingerprint !== presented ? (
        <button type="button" onClick={() => act(api.pinCertificate({ host: target.host, port: target.port, fingerprint: presented }))}>
          Trust this certificate (pin fingerprint)
        </button>
      ) : null}
      {target && tls.pinnedFingerprint ? (
        <button type="button" onClick={() => act(api.forgetCertificatePin({ host: target.host, port: target.port }))}>
          Forget pin
        </button>
      ) : null}
      {error ? <p role="alert">{error}</p> : null}
    </section>
  );
}
