/**
 * The inspector's TLS section (beyond Emacs): what a TLS connection
 * negotiated, the peer's (or a server's own) certificate with copyable
 * values, and pinning a certificate that failed verification by its SHA-256
 * fingerprint, or forgetting the pin.
 */
import { useState } from 'react';
import type { CertificateInfo, NetprocApi, TlsState } from '../../shared/api.js';
import { Button } from './ui/Button.js';
import { CopyField } from './ui/Copy.js';

function Certificate({ title, cert }: { title: string; cert: CertificateInfo }) {
  return (
    <>
      <CopyField term={title} name={`${title} subject`} text={cert.subject} />
      <CopyField term="Issuer" name={`${title} issuer`} text={cert.issuer} />
      <CopyField term="Valid" name={`${title} validity`} text={`${cert.validFrom} — ${cert.validTo}`} />
      <CopyField term="SHA-256" name={`${title} fingerprint`} text={cert.fingerprint256} />
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
  /** A certificate that failed verification and is not the pinned one: the user may pin it. */
  const canTrust = presented !== null && tls.verify && !tls.authorized && tls.pinnedFingerprint !== presented;
  const act = (request: Promise<unknown>): void => {
    request.then(
      () => setError(null),
      (err: Error) => setError(err.message),
    );
  };
  return (
    <>
      <dl className="fields">
        <CopyField term="Trust" text={verdict(tls)} />
        {tls.role !== 'server' ? (
          <>
            <CopyField term="Protocol" text={tls.protocol} />
            <CopyField term="Cipher" text={tls.cipher} />
            <CopyField term="ALPN" text={tls.alpnProtocol ?? (tls.alpnOffered.length ? `none of ${tls.alpnOffered.join(', ')}` : null)} />
            <CopyField term="SNI" text={tls.servername} />
          </>
        ) : (
          <>
            <CopyField term="ALPN offered" text={tls.alpnOffered.join(', ')} />
            <CopyField
              term="Certificate"
              name="Certificate source"
              text={`${tls.certificateSource === 'self-signed' ? 'generated, self-signed' : 'from files'}${
                tls.savedTo ? `, saved to ${tls.savedTo}` : tls.certificateSource === 'self-signed' ? ', in memory only' : ''
              }`}
            />
          </>
        )}
        {tls.peerCertificate ? <Certificate title="Peer certificate" cert={tls.peerCertificate} /> : null}
        {tls.localCertificate ? <Certificate title="Server certificate" cert={tls.localCertificate} /> : null}
        {target ? (
          <CopyField term={`Pin for ${target.host}:${target.port}`} name="Pinned fingerprint" text={tls.pinnedFingerprint} />
        ) : null}
      </dl>
      {target && (canTrust || tls.pinnedFingerprint) ? (
        <div className="inline-form">
          {canTrust ? (
            <Button onClick={() => act(api.pinCertificate({ host: target.host, port: target.port, fingerprint: presented }))}>
              Trust this certificate (pin fingerprint)
            </Button>
          ) : null}
          {tls.pinnedFingerprint ? (
            <Button onClick={() => act(api.forgetCertificatePin({ host: target.host, port: target.port }))}>Forget pin</Button>
          ) : null}
        </div>
      ) : null}
      {error ? (
        <p role="alert" className="inline-error-wrap">
          {error}
        </p>
      ) : null}
    </>
  );
}
