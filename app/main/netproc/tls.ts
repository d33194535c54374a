/**
 * TLS beyond Emacs: what a TLS connection negotiated and whom it talks to
 * (for the contact's `:tls` and the inspector), the credentials of a TLS
 * server (PEM files, or a self-signed pair made here), and the server side
 * of a handshake on an accepted socket.
 */
import { createPrivateKey, X509Certificate } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import { isAbsolute } from 'node:path';
import net from 'node:net';
import tls from 'node:tls';
import { LIMITS, type CertificateInfo, type TlsState } from '../../shared/wire.js';
import { fromSystemError, invalidArgument } from './errors.js';
import type { PinStore } from './pin-store.js';
import type { NetworkProcess } from './process.js';
import { readRegularFile } from './regular-file.js';

/** The wire's shapes (wire.ts) are the engine's: one definition of what a TLS connection shows. */
export type { CertificateInfo, TlsState };

/** Far more than any certificate chain or key file, far less than would hurt. */
export const PEM_FILE_MAX_BYTES = 1024 * 1024;
/** An accepted connection has this long to finish its handshake, so a silent peer cannot hold a descriptor. */
export const SERVER_HANDSHAKE_TIMEOUT_MS = 10_000;

function isoDate(text: string): string {
  const date = new Date(text);
  return Number.isNaN(date.getTime()) ? text : date.toISOString();
}

/** A distinguished name on one line, `CN=localhost, O=Example`, from Node's multi-line form. */
function oneLineName(name: string): string {
  return name.split('\n').filter(Boolean).join(', ');
}

export function certificateInfo(cert: X509Certificate): CertificateInfo {
  return {
    subject: oneLineName(cert.subject),
    issuer: oneLineName(cert.issuer),
    validFrom: isoDate(cert.validFrom),
    validTo: isoDate(cert.validTo),
    fingerprint256: cert.fingerprint256,
  };
}

/** A fingerprint as the engine stores and compares it: 32 upper-case hex bytes joined by colons; null if it is not one. */
export function normaliseFingerprint(text: string): string | null {
  const hex = text.replace(/[\s:]/g, '').toUpperCase();
  if (!/^[0-9A-F]{64}$/.test(hex)) return null;
  return hex.match(/../g)?.join(':') ?? null;
}

/** The peer's certificate on a finished handshake, or null (an anonymous peer, or none sent). */
export function peerCertificate(socket: tls.TLSSocket): X509Certificate | null {
  try {
    return socket.getPeerX509Certificate() ?? null;
  } catch {
    return null;
  }
}

/**
 * The state of each finished handshake, taken when it finished: OpenSSL
 * stops answering for the peer's certificate once TLS 1.3 session tickets
 * have gone by, so asking later may find none.
 */
const handshakes = new WeakMap<tls.TLSSocket, TlsState>();

/** The state recorded when SOCKET's handshake finished (clientTlsState, serverHandshake). */
export function handshakeState(socket: tls.TLSSocket): TlsState | null {
  return handshakes.get(socket) ?? null;
}

/** What one finished handshake negotiated. */
export function negotiated(socket: tls.TLSSocket): Pick<TlsState, 'protocol' | 'cipher' | 'alpnProtocol' | 'peerCertificate'> {
  const peer = peerCertificate(socket);
  return {
    protocol: socket.getProtocol() ?? null,
    cipher: socket.getCipher()?.name ?? null,
    alpnProtocol: typeof socket.alpnProtocol === 'string' ? socket.alpnProtocol : null,
    peerCertificate: peer ? certificateInfo(peer) : null,
  };
}

/** The contact's `:tls` value: what `(plist-get (process-contact p t) :tls)` shows. */
export function tlsContact(state: TlsState): Record<string, unknown> {
  const cert = state.role === 'server' ? state.localCertificate : state.peerCertificate;
  const out: Record<string, unknown> = {};
  if (state.role !== 'server') {
    out.protocol = state.protocol;
    out.cipher = state.cipher;
    out.alpn = state.alpnProtocol;
    out.servername = state.servername;
  } else {
    out.alpn = state.alpnOffered.length ? state.alpnOffered.slice() : null;
    out.source = state.certificateSource;
  }
  if (state.role === 'client') {
    out.verified = state.authorized;
    out.pinned = state.pinned;
    if (state.authorizationError) out.verifyError = state.authorizationError;
  }
  if (cert) {
    out.subject = cert.subject;
    out.issuer = cert.issuer;
    out.notBefore = cert.validFrom;
    out.notAfter = cert.validTo;
    out.fingerprint = cert.fingerprint256;
  }
  return out;
}

/** ALPN protocol names, checked: 1 to 16 names of 1–255 bytes each. */
export function checkAlpn(value: unknown, field: string): string[] {
  if (value === null || value === undefined) return [];
  if (!Array.isArray(value) || value.length > LIMITS.alpnProtocols)
    throw invalidArgument(field, `${field}: must be a list of at most ${LIMITS.alpnProtocols} ALPN protocol names`);
  for (const name of value) {
    if (typeof name !== 'string' || name.length === 0 || Buffer.byteLength(name) > 255)
      throw invalidArgument(field, `${field}: each ALPN protocol name is 1 to 255 bytes, such as "h2" or "http/1.1"`);
  }
  return value.slice() as string[];
}

// ───────────────────────────── TLS servers ─────────────────────────────

/** `:tls-server`: `self-signed`, or `(:cert FILE :key FILE)`, or `(:self-signed t :save-to FILE)`; each may add `:alpn`. */
export type TlsServerSpec =
  | 'self-signed'
  | { cert?: string | null; key?: string | null; selfSigned?: boolean | null; saveTo?: string | null; alpn?: string[] | null };

export interface CheckedTlsServer {
  certFile: string | null;
  keyFile: string | null;
  selfSigned: boolean;
  saveTo: string | null;
  alpn: string[];
}

/** The credentials a TLS server hands every accepted connection. */
export interface ServerCredentials {
  context: tls.SecureContext;
  alpn: string[];
  certificate: CertificateInfo;
  source: 'files' | 'self-signed';
  savedTo: string | null;
}

function filePathField(value: unknown, field: string): string | null {
  if (value === null || value === undefined) return null;
  if (typeof value !== 'string' || !isAbsolute(value)) throw invalidArgument(field, `${field}: must be an absolute file path`);
  return value;
}

export function checkTlsServer(spec: unknown): CheckedTlsServer {
  const field = 'tlsServer';
  if (spec === 'self-signed') return { certFile: null, keyFile: null, selfSigned: true, saveTo: null, alpn: [] };
  if (typeof spec !== 'object' || spec === null || Array.isArray(spec))
    throw invalidArgument(field, 'The :tls-server value must be self-signed or (:cert FILE :key FILE)');
  const o = spec as Record<string, unknown>;
  for (const key of Object.keys(o)) {
    if (!['cert', 'key', 'selfSigned', 'saveTo', 'alpn'].includes(key))
      throw invalidArgument(`${field}.${key}`, `${field}.${key}: is not a :tls-server property (cert, key, selfSigned, saveTo, alpn)`);
  }
  const certFile = filePathField(o.cert, `${field}.cert`);
  const keyFile = filePathField(o.key, `${field}.key`);
  const selfSigned = Boolean(o.selfSigned);
  const saveTo = filePathField(o.saveTo, `${field}.saveTo`);
  const alpn = checkAlpn(o.alpn, `${field}.alpn`);
  if (selfSigned && (certFile || keyFile)) throw invalidArgument(field, `${field}: give either :cert and :key, or :self-signed, not both`);
  if (!selfSigned && (!certFile || !keyFile))
    throw invalidArgument(field, `${field}: a TLS server needs both :cert and :key files, or :self-signed`);
  if (saveTo && !selfSigned) throw invalidArgument(`${field}.saveTo`, `${field}.saveTo: only a generated self-signed pair is saved`);
  return { certFile, keyFile, selfSigned, saveTo, alpn };
}

/** Host names and addresses a generated certificate names, so clients that verify the name accept it once pinned or trusted. */
function subjectAltNames(host: string | null): Array<{ type: 2; value: string } | { type: 7; ip: string }> {
  const names: Array<{ type: 2; value: string } | { type: 7; ip: string }> = [
    { type: 2, value: 'localhost' },
    { type: 7, ip: '127.0.0.1' },
    { type: 7, ip: '::1' },
  ];
  if (host && host !== 'localhost' && host !== '127.0.0.1' && host !== '::1') {
    if (net.isIP(host)) {
      if (host !== '0.0.0.0' && host !== '::') names.push({ type: 7, ip: host });
    } else names.push({ type: 2, value: host });
  }
  return names;
}

/** A fresh key and certificate for HOST, valid from a minute ago (clock skew) for 30 days. */
export async function makeSelfSigned(host: string | null): Promise<{ cert: string; key: string }> {
  // Node can parse certificates but not build one. `selfsigned` (the generator webpack-dev-server and
  // many dev servers use, over @peculiar/x509 and Node's WebCrypto) makes a proper X.509 v3 certificate
  // with SANs and an EC key. Loaded on first use: it is large, and most sessions never make a pair.
  const { generate } = await import('selfsigned');
  const now = Date.now();
  const pems = await generate([{ name: 'commonName', value: host && !net.isIP(host) ? host : 'localhost' }], {
    keyType: 'ec',
    curve: 'P-256',
    algorithm: 'sha256',
    notBeforeDate: new Date(now - 60_000),
    notAfterDate: new Date(now + 30 * 86_400_000),
    extensions: [
      { name: 'basicConstraints', cA: false },
      { name: 'keyUsage', digitalSignature: true, critical: true },
      { name: 'extKeyUsage', serverAuth: true },
      { name: 'subjectAltName', altNames: subjectAltNames(host) },
    ],
  });
  return { cert: pems.cert, key: pems.private };
}

/**
 * OpenSSL's reason in words, without its error code, function and source
 * path (`error:0A00010B:SSL routines::wrong version number` → `wrong version
 * number`): Node gives it as `reason` where it can.
 */
export function opensslReason(err: unknown): string {
  const reason = (err as { reason?: unknown }).reason;
  if (typeof reason === 'string' && reason) return reason;
  const message = err instanceof Error ? err.message : String(err);
  const match = /error:[0-9A-F]+:[^:]*:[^:]*:([^:]+)/.exec(message);
  return match ? match[1]! : message;
}

function secureContext(cert: Buffer | string, key: Buffer | string, field: string): tls.SecureContext {
  try {
    return tls.createSecureContext({ cert, key });
  } catch (err) {
    throw invalidArgument(field, `${field}: the certificate and key cannot be used together: ${opensslReason(err)}`);
  }
}

/** Whether BYTES hold at least one PEM certificate that parses (the first; Node reads the rest itself). */
export function hasPemCertificate(bytes: Buffer): boolean {
  const text = bytes.toString('latin1');
  const begin = text.indexOf('-----BEGIN CERTIFICATE-----');
  if (begin < 0) return false;
  try {
    new X509Certificate(text.slice(begin));
    return true;
  } catch {
    return false;
  }
}

/** Each PEM file on its own first, so that a wrong or swapped file is named; then whether the pair belongs together. */
function checkServerPem(cert: Buffer | string, key: Buffer | string, spec: CheckedTlsServer): X509Certificate {
  const named = (what: string, file: string | null | undefined) => (file ? `${what} ${file}` : `the generated ${what}`);
  let parsed: X509Certificate;
  try {
    parsed = new X509Certificate(cert);
  } catch (err) {
    throw invalidArgument(
      'tlsServer.cert',
      `tlsServer.cert: ${named('certificate', spec.certFile)} is not a PEM certificate: ${opensslReason(err)}`,
    );
  }
  try {
    createPrivateKey(key);
  } catch (err) {
    throw invalidArgument('tlsServer.key', `tlsServer.key: ${named('key', spec.keyFile)} is not a PEM private key: ${opensslReason(err)}`);
  }
  return parsed;
}

/** Reads or makes a TLS server's credentials. A saved self-signed pair goes to one new file (key and certificate), mode 600. */
export async function loadServerCredentials(spec: CheckedTlsServer, host: string | null): Promise<ServerCredentials> {
  let cert: Buffer | string;
  let key: Buffer | string;
  let savedTo: string | null = null;
  if (spec.selfSigned) {
    ({ cert, key } = await makeSelfSigned(host));
    if (spec.saveTo) {
      try {
        // 'wx': never overwrite a file the user already has.
        await writeFile(spec.saveTo, `${key}${cert}`, { mode: 0o600, flag: 'wx' });
      } catch (err) {
        throw fromSystemError(err, 'tlsServer.saveTo: cannot save the generated pair', 'tlsServer.saveTo');
      }
      savedTo = spec.saveTo;
    }
  } else {
    cert = await readRegularFile(spec.certFile as string, { field: 'tlsServer.cert', maxBytes: PEM_FILE_MAX_BYTES });
    key = await readRegularFile(spec.keyFile as string, { field: 'tlsServer.key', maxBytes: PEM_FILE_MAX_BYTES });
  }
  const parsed = checkServerPem(cert, key, spec);
  const context = secureContext(cert, key, 'tlsServer');
  return {
    context,
    alpn: spec.alpn,
    certificate: certificateInfo(parsed),
    source: spec.selfSigned ? 'self-signed' : 'files',
    savedTo,
  };
}

/** A TLS server's own state, shown in its contact and inspector. */
export function serverTlsState(credentials: ServerCredentials): TlsState {
  return {
    role: 'server',
    verify: false,
    caFile: null,
    servername: null,
    alpnOffered: credentials.alpn.slice(),
    authorized: false,
    authorizationError: null,
    pinned: false,
    pinTarget: null,
    pinnedFingerprint: null,
    protocol: null,
    cipher: null,
    alpnProtocol: null,
    peerCertificate: null,
    localCertificate: credentials.certificate,
    certificateSource: credentials.source,
    savedTo: credentials.savedTo,
  };
}

/**
 * The server side of a handshake on an accepted socket. Resolves with the
 * TLS socket once it is secure; rejects (having destroyed the socket) when
 * the client fails the handshake, sends something else, or takes longer
 * than SERVER_HANDSHAKE_TIMEOUT_MS. The listening socket is never involved,
 * so one client's failure cannot reach the server.
 */
export function serverHandshake(socket: net.Socket, credentials: ServerCredentials): Promise<tls.TLSSocket> {
  return new Promise((resolve, reject) => {
    const secure = new tls.TLSSocket(socket, {
      isServer: true,
      secureContext: credentials.context,
      ...(credentials.alpn.length ? { ALPNProtocols: credentials.alpn } : {}),
    });
    const timer = setTimeout(
      () => fail(new Error(`no handshake within ${SERVER_HANDSHAKE_TIMEOUT_MS / 1000} s`)),
      SERVER_HANDSHAKE_TIMEOUT_MS,
    );
    timer.unref();
    const fail = (err: Error): void => {
      clearTimeout(timer);
      secure.off('secure', done);
      secure.destroy();
      socket.destroy();
      reject(err);
    };
    const done = (): void => {
      clearTimeout(timer);
      handshakes.set(secure, acceptedTlsState(secure, credentials));
      secure.off('error', fail);
      secure.off('close', closed);
      resolve(secure);
    };
    const closed = (): void => fail(new Error('the client closed the connection during the handshake'));
    secure.once('secure', done);
    secure.once('error', fail);
    secure.once('close', closed);
    // pauseOnConnect left the raw socket not reading; the handshake must read.
    socket.resume();
  });
}

/** The state of a connection a TLS server accepted. */
function acceptedTlsState(socket: tls.TLSSocket, credentials: ServerCredentials): TlsState {
  return {
    ...serverTlsState(credentials),
    role: 'accepted',
    alpnOffered: credentials.alpn.slice(),
    servername: typeof (socket as { servername?: unknown }).servername === 'string' ? (socket as { servername: string }).servername : null,
    certificateSource: null,
    savedTo: null,
    ...negotiated(socket),
  };
}

// ───────────────────────────── TLS clients ─────────────────────────────

/** What a TLS client asks for, checked. */
export interface TlsRequest {
  verify: boolean;
  caFile: string | null;
  /** The SNI name; never an address literal (TLS forbids it). */
  servername: string | null;
  alpn: string[];
  /** A fingerprint to trust for this connection even if the certificate does not verify; remembered once it matched. */
  fingerprint: string | null;
  /** The host as given, which with the port names the pin. */
  pinHost: string;
  /** `:client-certificate`: the key file and the certificate file (PEM), as Emacs lists them. */
  clientCertificate: readonly [keyFile: string, certFile: string] | null;
  pins: PinStore | null;
}

/** A finished client handshake (call it on secureConnect): what it negotiated, whether the peer verified, and whether a pin vouched for it. */
export function clientTlsState(socket: tls.TLSSocket, request: TlsRequest, port: number): TlsState {
  const session = negotiated(socket);
  const stored = request.pins?.get(request.pinHost, port) ?? null;
  const presented = session.peerCertificate?.fingerprint256 ?? null;
  const pin = request.fingerprint ?? stored;
  const authorized = socket.authorized;
  const state: TlsState = {
    role: 'client',
    verify: request.verify,
    caFile: request.caFile,
    servername: request.servername && !net.isIP(request.servername) ? request.servername : null,
    alpnOffered: request.alpn.slice(),
    authorized,
    authorizationError: socket.authorizationError ? String(socket.authorizationError) : null,
    pinned: request.verify && !authorized && presented !== null && pin === presented,
    pinTarget: { host: request.pinHost, port },
    pinnedFingerprint: stored,
    localCertificate: null,
    certificateSource: null,
    savedTo: null,
    ...session,
  };
  handshakes.set(socket, state);
  return state;
}

/** Why a client must refuse this handshake, in words that show the presented fingerprint; null when it is trusted. */
export function trustProblem(state: TlsState, request: TlsRequest): string | null {
  if (!state.verify || state.authorized || state.pinned) return null;
  const presented = state.peerCertificate?.fingerprint256 ?? 'none';
  const pin = request.fingerprint ?? state.pinnedFingerprint;
  const where = `${request.pinHost}:${state.pinTarget?.port ?? ''}`;
  if (pin) return `the certificate's SHA-256 fingerprint ${presented} does not match the one pinned for ${where} (${pin})`;
  return `${state.authorizationError ?? 'not verified'}: the certificate (SHA-256 fingerprint ${presented}) is not trusted; pin its fingerprint to trust it`;
}

/** A client refused the server's certificate; the state carries the presented certificate, so the user can pin it. */
export class CertificateRejected extends Error {
  constructor(
    message: string,
    readonly state: TlsState,
  ) {
    super(message);
  }
}

/** make-network-process's `:tls-parameters` (clients) and `:tls-server` (stream servers), checked. */
export function checkTlsArguments(
  o: { tlsParameters?: unknown; tlsServer?: unknown },
  where: { server: boolean; datagram: boolean; host: string | null; pins: PinStore },
): { tls: TlsRequest | null; tlsServer: CheckedTlsServer | null } {
  let tlsRequest: TlsRequest | null = null;
  const parameters = o.tlsParameters ?? null;
  if (parameters !== null) {
    if (typeof parameters !== 'object' || Array.isArray(parameters))
      throw invalidArgument('tlsParameters', 'The :tls-parameters value must be an object');
    if (where.server || where.datagram) throw invalidArgument('tlsParameters', 'TLS is available for stream clients only');
    const p = parameters as Record<string, unknown>;
    const caFile = p.caFile ?? null;
    if (caFile !== null && typeof caFile !== 'string') throw invalidArgument('tlsParameters', 'caFile must be a file path');
    const servername = p.servername ?? null;
    if (servername !== null && (typeof servername !== 'string' || servername.length === 0 || servername.length > 253))
      throw invalidArgument('tlsParameters.servername', 'tlsParameters.servername: must be a host name');
    let fingerprint: string | null = null;
    if (p.fingerprint !== null && p.fingerprint !== undefined) {
      fingerprint = typeof p.fingerprint === 'string' ? normaliseFingerprint(p.fingerprint) : null;
      if (!fingerprint)
        throw invalidArgument('tlsParameters.fingerprint', 'tlsParameters.fingerprint: must be a SHA-256 fingerprint, 32 hex bytes');
    }
    tlsRequest = {
      verify: p.verify === undefined || p.verify === null ? true : Boolean(p.verify),
      caFile: caFile as string | null,
      servername: (servername as string | null) ?? where.host,
      alpn: checkAlpn(p.alpn, 'tlsParameters.alpn'),
      fingerprint,
      pinHost: where.host ?? '127.0.0.1',
      pins: where.pins,
      clientCertificate: checkClientCertificate(p.clientCertificate),
    };
  }
  const serverSpec = o.tlsServer ?? null;
  let tlsServer: CheckedTlsServer | null = null;
  if (serverSpec !== null) {
    if (!where.server || where.datagram)
      throw invalidArgument('tlsServer', 'tlsServer: only a stream server (:server t) can be a TLS server');
    tlsServer = checkTlsServer(serverSpec);
  }
  return { tls: tlsRequest, tlsServer };
}

/** `:client-certificate (KEY-FILE CERT-FILE)`; open-network-stream refuses `t` (auth-source) before it gets here. */
export function checkClientCertificate(value: unknown): readonly [string, string] | null {
  if (value === null || value === undefined) return null;
  if (!Array.isArray(value) || value.length !== 2 || !value.every((f) => typeof f === 'string' && f.length > 0))
    throw invalidArgument('clientCertificate', 'clientCertificate: must be a list of two file names, (KEY-FILE CERT-FILE)');
  return [value[0] as string, value[1] as string];
}

/** Sets a process's TLS state and its contact's `:tls`, together. */
export function recordTls(process: NetworkProcess, state: TlsState): void {
  process.tls = state;
  process.contact.put('tls', tlsContact(state));
}
