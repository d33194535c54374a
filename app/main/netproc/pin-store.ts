/**
 * Certificate pins: per host:port, the SHA-256 fingerprint of a certificate
 * the user chose to trust although it does not verify (a self-signed test
 * server, say). Kept in one small JSON file the host names (the desktop
 * app's user-data folder, the web host's config folder), or only in memory
 * when it names none. A write goes to a temporary file renamed over the old
 * one, so a crash never leaves half a file.
 */
import { readFileSync, renameSync, writeFileSync, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import type { CertificatePin } from '../../shared/wire.js';
import { invalidArgument } from './errors.js';
import { normaliseFingerprint } from './tls.js';

export type { CertificatePin };

/** Far more pins than anyone makes by hand; a bound on the file and the memory. */
export const MAX_PINS = 1000;
const MAX_FILE_BYTES = 1024 * 1024;

function pinKey(host: string, port: number): string {
  return `${host.toLowerCase()}|${port}`;
}

function isPin(value: unknown): value is CertificatePin {
  const p = value as CertificatePin;
  return (
    typeof p === 'object' &&
    p !== null &&
    typeof p.host === 'string' &&
    p.host.length > 0 &&
    p.host.length <= 253 &&
    Number.isInteger(p.port) &&
    p.port >= 0 &&
    p.port <= 65535 &&
    typeof p.fingerprint === 'string' &&
    normaliseFingerprint(p.fingerprint) === p.fingerprint &&
    typeof p.pinnedAt === 'number'
  );
}

export class PinStore {
  private readonly pins = new Map<string, CertificatePin>();
  /** Set when the file could be neither read nor set aside: writing it would destroy pins the user may want back. */
  private keepFileAsIs = false;
  /** Hears each pin made or forgotten, however it was made (a form's fingerprint pins as the connection is trusted). */
  onChange: (host: string, port: number) => void = () => undefined;

  /** FILE null: pins live as long as the engine. `report` hears why the file could not be read or written. */
  constructor(
    private readonly file: string | null,
    private readonly report: (text: string) => void = () => undefined,
  ) {
    if (file) this.load(file);
  }

  private load(file: string): void {
    let text: string;
    try {
      const bytes = readFileSync(file);
      if (bytes.length > MAX_FILE_BYTES) throw new Error(`it holds more than ${MAX_FILE_BYTES} bytes`);
      text = bytes.toString('utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') this.unreadable(file, (err as Error).message);
      return;
    }
    let skipped = 0;
    try {
      const data = JSON.parse(text) as { pins?: unknown };
      if (typeof data !== 'object' || data === null || !Array.isArray(data.pins)) throw new Error('it holds no list of pins');
      for (const pin of data.pins.slice(0, MAX_PINS)) {
        if (isPin(pin)) this.pins.set(pinKey(pin.host, pin.port), { ...pin });
        else skipped++;
      }
      skipped += Math.max(0, data.pins.length - MAX_PINS);
    } catch (err) {
      this.pins.clear();
      this.unreadable(file, (err as Error).message);
      return;
    }
    if (skipped > 0) this.unreadable(file, `${skipped} of its pins are not valid`);
  }

  /**
   * The file is not what this store writes: it is set aside under a name of
   * its own before anything is saved over it, and the engine's log says so
   * once the host listens (the store is made with the engine, before that).
   */
  private unreadable(file: string, reason: string): void {
    const aside = `${file}.unreadable-${Date.now()}`;
    let text: string;
    try {
      renameSync(file, aside);
      text = `Certificate pins not read from ${file}: ${reason}. The file was kept as ${aside}; new pins go to a new file`;
    } catch (err) {
      this.keepFileAsIs = true;
      text = `Certificate pins not read from ${file}: ${reason}. It could not be set aside (${(err as Error).message}), so pins are kept in memory only and the file is left as it is`;
    }
    setImmediate(() => this.report(text)).unref();
  }

  private save(): void {
    if (!this.file || this.keepFileAsIs) return;
    const temporary = `${this.file}.${process.pid}.tmp`;
    try {
      mkdirSync(dirname(this.file), { recursive: true });
      writeFileSync(temporary, JSON.stringify({ version: 1, pins: this.list() }, null, 1), { mode: 0o600 });
      renameSync(temporary, this.file);
    } catch (err) {
      this.report(`Certificate pins not saved to ${this.file}: ${(err as Error).message}`);
    }
  }

  /** The pinned fingerprint for host:port, or null. */
  get(host: string, port: number): string | null {
    return this.pins.get(pinKey(host, port))?.fingerprint ?? null;
  }

  /** Trusts FINGERPRINT for host:port from now on (replacing any earlier pin); returns the pin. */
  pin(host: string, port: number, fingerprint: string): CertificatePin {
    if (typeof host !== 'string' || host.length === 0 || host.length > 253)
      throw invalidArgument('host', 'host: must be a host name or address');
    if (!Number.isInteger(port) || port < 0 || port > 65535) throw invalidArgument('port', 'port: must be a port from 0 to 65535');
    const normalised = typeof fingerprint === 'string' ? normaliseFingerprint(fingerprint) : null;
    if (!normalised) throw invalidArgument('fingerprint', 'fingerprint: must be a SHA-256 fingerprint, 32 hex bytes such as "AB:CD:…"');
    const key = pinKey(host, port);
    if (!this.pins.has(key) && this.pins.size >= MAX_PINS)
      throw invalidArgument('host', `host: at most ${MAX_PINS} certificates can be pinned; forget some first`);
    const pin: CertificatePin = { host, port, fingerprint: normalised, pinnedAt: Date.now() };
    this.pins.set(key, pin);
    this.save();
    this.onChange(host, port);
    return { ...pin };
  }

  /** Forgets the pin for host:port; true if there was one. */
  forget(host: string, port: number): boolean {
    const removed = this.pins.delete(pinKey(host, port));
    if (removed) {
      this.save();
      this.onChange(host, port);
    }
    return removed;
  }

  list(): CertificatePin[] {
    return [...this.pins.values()].map((p) => ({ ...p }));
  }
}
