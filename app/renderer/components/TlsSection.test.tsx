// @vitest-environment jsdom
import { cleanup, fireEvent, render as renderBare, screen } from '@testing-library/react';
import type { ReactElement } from 'react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { NetprocApi, TlsState } from '../../shared/api.js';
import { TlsSection } from './TlsSection.js';
import { TooltipProvider } from './ui/Button.js';

afterEach(cleanup);

/** As the inspector renders it: inside the tooltip provider its copy buttons need. */
const render = (section: ReactElement) => renderBare(section, { wrapper: TooltipProvider });

const FINGERPRINT = 'AB:'.repeat(31) + 'AB';
const refused: TlsState = {
  role: 'client',
  verify: true,
  caFile: null,
  servername: 'localhost',
  alpnOffered: ['h2'],
  authorized: false,
  authorizationError: 'DEPTH_ZERO_SELF_SIGNED_CERT',
  pinned: false,
  pinTarget: { host: 'localhost', port: 8443 },
  pinnedFingerprint: null,
  protocol: 'TLSv1.3',
  cipher: 'TLS_AES_256_GCM_SHA384',
  alpnProtocol: null,
  peerCertificate: {
    subject: 'CN=localhost',
    issuer: 'CN=localhost',
    validFrom: '2026-12-02T00:00:00.000Z',
    validTo: '2027-01-01T00:00:00.000Z',
    fingerprint256: FINGERPRINT,
  },
  localCertificate: null,
  certificateSource: null,
  savedTo: null,
};

function api() {
  return { pinCertificate: vi.fn(async () => ({})), forgetCertificatePin: vi.fn(async () => true) };
}

describe('the inspector TLS section', () => {
  it('shows the session and the refused certificate, copies values, and pins the presented fingerprint', async () => {
    const calls = api();
    const writeText = vi.fn(async () => undefined);
    Object.defineProperty(navigator, 'clipboard', { value: { writeText }, configurable: true });
    const { container: section } = render(<TlsSection api={calls as unknown as NetprocApi} tls={refused} />);
    expect(section.textContent).toContain('refused: DEPTH_ZERO_SELF_SIGNED_CERT');
    expect(section.textContent).toContain('TLSv1.3');
    expect(section.textContent).toContain('none of h2');
    expect(screen.getByLabelText('Peer certificate fingerprint').textContent).toBe(FINGERPRINT);
    fireEvent.click(screen.getByRole('button', { name: 'Copy peer certificate fingerprint' }));
    expect(writeText).toHaveBeenCalledWith(FINGERPRINT);
    expect(screen.queryByRole('button', { name: 'Forget pin' })).toBeNull();
    fireEvent.click(screen.getByRole('button', { name: 'Trust this certificate (pin fingerprint)' }));
    expect(calls.pinCertificate).toHaveBeenCalledWith({ host: 'localhost', port: 8443, fingerprint: FINGERPRINT });
  });

  it('once pinned offers to forget the pin, not to pin again; a verified connection offers neither', () => {
    const calls = api();
    const { container, rerender } = render(
      <TlsSection api={calls as unknown as NetprocApi} tls={{ ...refused, pinned: true, pinnedFingerprint: FINGERPRINT }} />,
    );
    expect(container.textContent).toContain('pinned (trusted by fingerprint)');
    expect(screen.queryByRole('button', { name: 'Trust this certificate (pin fingerprint)' })).toBeNull();
    fireEvent.click(screen.getByRole('button', { name: 'Forget pin' }));
    expect(calls.forgetCertificatePin).toHaveBeenCalledWith({ host: 'localhost', port: 8443 });
    rerender(<TlsSection api={calls as unknown as NetprocApi} tls={{ ...refused, authorized: true, authorizationError: null }} />);
    expect(screen.queryByRole('button', { name: /Trust|Forget/ })).toBeNull();
  });

  it("with a pin that does not match offers both, as the kit's buttons side by side in one row", () => {
    render(<TlsSection api={api() as unknown as NetprocApi} tls={{ ...refused, pinnedFingerprint: 'CD:'.repeat(31) + 'CD' }} />);
    const trust = screen.getByRole('button', { name: 'Trust this certificate (pin fingerprint)' });
    const forget = screen.getByRole('button', { name: 'Forget pin' });
    for (const button of [trust, forget]) expect(button.classList.contains('btn')).toBe(true);
    // The row's gap keeps them apart (styles.css .inline-form).
    expect(trust.parentElement).toBe(forget.parentElement);
    expect(trust.parentElement!.classList.contains('inline-form')).toBe(true);
  });

  it("shows a server's own certificate and where it came from", () => {
    const { container } = render(
      <TlsSection
        api={api() as unknown as NetprocApi}
        tls={{
          ...refused,
          role: 'server',
          pinTarget: null,
          peerCertificate: null,
          localCertificate: refused.peerCertificate,
          certificateSource: 'self-signed',
        }}
      />,
    );
    expect(container.textContent).toContain('generated, self-signed, in memory only');
    expect(screen.getByLabelText('Server certificate fingerprint').textContent).toBe(FINGERPRINT);
  });
});
