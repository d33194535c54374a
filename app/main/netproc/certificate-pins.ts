/**
 * Certificate pins as the user sets them (TLS beyond Emacs): a pin made or
 * forgotten is remembered (pin-store.ts) and shown at once by every TLS
 * process to that host:port. A fingerprint given for one connection that
 * matched becomes a pin in the store directly (stream-process.ts), and is
 * shown the same way.
 */
import type { EngineInternals } from './engine-internals.js';
import { PinStore, type CertificatePin } from './pin-store.js';
import { recordTls } from './tls.js';

export class CertificatePins {
  /** The pins per host:port, which a client's trust decision reads. @internal */
  readonly store: PinStore;

  /** FILE: where the pins are remembered; null, only while the engine runs. */
  constructor(
    private readonly engine: EngineInternals,
    file: string | null,
  ) {
    this.store = new PinStore(file, (text) => engine.report(text));
    // However a pin is made (here, or by a connection given a fingerprint), the processes it concerns show it.
    this.store.onChange = (host, port) => this.changed(host, port);
  }

  /** Trusts FINGERPRINT for host:port from now on; TLS processes to host:port show the new pin. */
  pin(host: string, port: number, fingerprint: string): CertificatePin {
    return this.store.pin(host, port, fingerprint);
  }

  /** Forgets the pin for host:port; true if there was one. */
  forget(host: string, port: number): boolean {
    return this.store.forget(host, port);
  }

  list(): CertificatePin[] {
    return this.store.list();
  }

  private changed(host: string, port: number): void {
    for (const p of this.engine.table.list()) {
      const target = p.tls?.pinTarget;
      if (p.tls && target && target.host.toLowerCase() === host.toLowerCase() && target.port === port) {
        recordTls(p, { ...p.tls, pinnedFingerprint: this.store.get(host, port) });
        this.engine.emit('process-changed', p);
      }
    }
  }
}
