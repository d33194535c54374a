/**
 * Stream sockets: connecting clients (plain or TLS), upgrading a connected
 * client to TLS (STARTTLS), wiring a connected or accepted socket to its
 * process, and turning reading on and off.
 */
import net from 'node:net';
import tls from 'node:tls';
import { nextTick } from 'node:process';
import { onAbort } from '../../shared/lifecycle.js';
import type { SocketAddress } from './address.js';
import type { EngineInternals } from './engine-internals.js';
import { invalidArgument } from './errors.js';
import type { NetworkProcess } from './process.js';
import { readRegularFile } from './regular-file.js';
import {
  CertificateRejected,
  clientTlsState,
  handshakeState,
  hasPemCertificate,
  PEM_FILE_MAX_BYTES,
  recordTls,
  trustProblem,
  type TlsRequest,
} from './tls.js';

export type { TlsRequest };

/** Far more than any CA bundle (a whole system store is about 200 KiB), far less than would hurt. */
const CA_FILE_MAX_BYTES = 16 * 1024 * 1024;

/**
 * The files a TLS request names, read safely (regular files only, capped), as `tls.connect` options.
 * STARTTLS reads them before connecting, so that nothing waits between the server's answer and the handshake.
 */
export async function tlsFileOptions(request: TlsRequest): Promise<tls.ConnectionOptions> {
  const options: tls.ConnectionOptions = {};
  if (request.caFile) {
    const ca = await readRegularFile(request.caFile, { field: 'caFile', maxBytes: CA_FILE_MAX_BYTES });
    // Node takes a file of no certificates without a word, and the handshake then fails as "unable to verify".
    if (!hasPemCertificate(ca)) throw invalidArgument('caFile', `caFile: ${request.caFile} holds no PEM certificate`);
    options.ca = [ca];
  }
  if (request.clientCertificate) {
    const [keyFile, certFile] = request.clientCertificate;
    options.key = await readRegularFile(keyFile, { field: 'clientCertificate', maxBytes: PEM_FILE_MAX_BYTES });
    options.cert = await readRegularFile(certFile, { field: 'clientCertificate', maxBytes: PEM_FILE_MAX_BYTES });
  }
  return options;
}

/** Node never rejects on its own: whether an unverified certificate is refused depends on the user's pin (acceptOrRefuse). */
function tlsConnectOptions(request: TlsRequest, files: tls.ConnectionOptions): tls.ConnectionOptions {
  return {
    ...files,
    rejectUnauthorized: false,
    ...(request.servername && !net.isIP(request.servername) ? { servername: request.servername } : {}),
    ...(request.alpn.length ? { ALPNProtocols: request.alpn } : {}),
  };
}

/**
 * A client's finished handshake: the error that refuses it (a certificate
 * that neither verifies nor matches its pin), or null when trusted; a
 * fingerprint given for this connection that matched becomes the pin.
 */
function acceptOrRefuse(secure: tls.TLSSocket, request: TlsRequest, port: number): CertificateRejected | null {
  const state = clientTlsState(secure, request, port);
  const problem = trustProblem(state, request);
  if (problem) return new CertificateRejected(problem, state);
  if (state.pinned && request.fingerprint && state.pinTarget) {
    try {
      // The process is still being made, so the store's change reaches it only through its own state.
      state.pinnedFingerprint = request.pins?.pin(state.pinTarget.host, state.pinTarget.port, request.fingerprint).fingerprint ?? null;
    } catch {
      // The pin store is full: this connection is trusted as asked, the pin just is not remembered.
    }
  }
  return null;
}

/** How long a client's TLS handshake may take before the connection is given up (a silent peer must not hang a call). */
export const TLS_HANDSHAKE_TIMEOUT_MS = 30_000;

/**
 * Connects to one address; TLS also completes the handshake. Rejects with the
 * socket error, or the CA file's. Aborting (delete-process of a :nowait
 * client) destroys the socket at once, so the descriptor closes and the peer
 * never sees a connection from a deleted process.
 */
export async function connectStream(
  address: SocketAddress,
  tlsRequest: TlsRequest | null,
  abort?: AbortSignal,
  onConnecting?: (local: net.AddressInfo | null) => void,
  handshakeTimeoutMs = TLS_HANDSHAKE_TIMEOUT_MS,
): Promise<net.Socket> {
  const files = tlsRequest ? await tlsFileOptions(tlsRequest) : {};
  return new Promise((resolve, reject) => {
    if (abort?.aborted) {
      reject(abort.reason);
      return;
    }
    const target = address.family === 'local' ? { path: address.path } : { host: address.host, port: address.port };
    let socket: net.Socket;
    const fail = (err: Error): void => {
      socket.destroy();
      reject(err);
    };
    if (tlsRequest) {
      const request = tlsRequest;
      // Verification is decided here, not by Node: a certificate that fails it may still match the user's pin.
      const secure = tls.connect({ ...target, ...tlsConnectOptions(request, files) });
      socket = secure;
      const timer = setTimeout(() => fail(new Error(`no TLS handshake within ${handshakeTimeoutMs / 1000} s`)), handshakeTimeoutMs);
      secure.once('close', () => clearTimeout(timer));
      secure.once('secureConnect', () => {
        clearTimeout(timer);
        // A listener must never throw: it would be an uncaught exception in the main process.
        let problem: Error | null;
        try {
          problem = acceptOrRefuse(secure, request, address.family === 'local' ? 0 : address.port);
        } catch (err) {
          problem = err instanceof Error ? err : new Error(String(err));
        }
        if (problem) {
          fail(problem);
          return;
        }
        socket.off('error', fail);
        resolve(socket);
      });
    } else {
      socket = net.connect(target);
      socket.once('connect', () => {
        socket.off('error', fail);
        resolve(socket);
      });
    }
    if (onConnecting) {
      // Node calls connect(2) on the next tick for an address literal; the kernel has bound the local end by then,
      // before any refusal arrives, so getsockname answers as it does for Emacs after its non-blocking connect.
      nextTick(() => {
        const local = socket.destroyed ? null : (socket.address() as Partial<net.AddressInfo>);
        onConnecting(local && typeof local.port === 'number' ? (local as net.AddressInfo) : null);
      });
    }
    // Until the process is wired, nothing reads: input waits in the socket. (A TLS socket must read to shake hands.)
    if (!tlsRequest) socket.pause();
    socket.once('error', fail);
    if (abort) {
      const waiting = onAbort(abort, () => fail(abort.reason as Error));
      const settled = (): void => waiting.dispose();
      socket.once(tlsRequest ? 'secureConnect' : 'connect', settled);
      socket.once('close', settled);
    }
  });
}

/** True for errors raised before any byte reached the TLS layer's peer (the TCP connect itself). */
export function isConnectError(err: unknown): boolean {
  const code = (err as NodeJS.ErrnoException).code ?? '';
  return [
    'ECONNREFUSED',
    'ENOENT',
    'EHOSTUNREACH',
    'ENETUNREACH',
    'ETIMEDOUT',
    'EADDRNOTAVAIL',
    'EACCES',
    'ECONNRESET',
    'EAFNOSUPPORT',
  ].includes(code);
}

/** The process a wired socket delivers to; the socket's listeners are shared and find it here. */
const WIRED = Symbol('netproc.wired');
type WiredSocket = net.Socket & { [WIRED]?: NetworkProcess };

/**
 * One engine's socket listeners, shared by every socket it wires: the
 * socket is `this` (as an EventEmitter calls its listeners) and names its
 * process. Closures of their own (input, close, and the unwiring) cost each
 * of 15,000 held connections about 280 bytes.
 */
interface SocketListeners {
  input(this: WiredSocket, chunk: Buffer): void;
  broken(this: WiredSocket): void;
}
const listenersByEngine = new WeakMap<EngineInternals, SocketListeners>();

function socketListeners(engine: EngineInternals): SocketListeners {
  let listeners = listenersByEngine.get(engine);
  if (!listeners) {
    listeners = {
      input(chunk) {
        const process = this[WIRED];
        if (process && !process.deleting) engine.input.deliverInput(process, chunk);
      },
      broken() {
        const process = this[WIRED];
        if (process && process.socket === this && !process.deleting) engine.input.connectionBroken(process);
      },
    };
    listenersByEngine.set(engine, listeners);
  }
  return listeners;
}

/** Hooks a connected socket to its process: input, peer close and errors. */
export function wireStreamSocket(engine: EngineInternals, process: NetworkProcess, socket: net.Socket): void {
  process.socket = socket;
  const { input, broken } = socketListeners(engine);
  (socket as WiredSocket)[WIRED] = process;
  socket.on('data', input);
  // 'end' is the peer's FIN, 'error' a reset or a failed write; every close passes through one of them.
  socket.on('end', broken);
  socket.on('error', broken);
}

/** Undoes wireStreamSocket: the socket no longer delivers to its process. */
function unwireStreamSocket(engine: EngineInternals, socket: net.Socket): void {
  const { input, broken } = socketListeners(engine);
  socket.off('data', input);
  socket.off('end', broken);
  socket.off('error', broken);
  (socket as WiredSocket)[WIRED] = undefined;
}

/**
 * STARTTLS: a TLS handshake on the process's own connection, which then
 * carries the process on (same name, buffer, filter, sentinel). Given the
 * files already read (`tlsFileOptions`), nothing is awaited before the plain
 * socket is unwired, so no byte is read as plain text after the caller has
 * seen the STARTTLS answer: bytes that arrive later go to the handshake and
 * fail it. Bytes that came with the answer itself were already read; the
 * caller must refuse those (open-network-stream does). delete-process during
 * the handshake closes the connection. Rejects with the handshake's error, or
 * with a timeout, leaving the socket destroyed.
 */
export async function upgradeStreamToTls(
  engine: EngineInternals,
  process: NetworkProcess,
  request: TlsRequest,
  timeoutMs: number,
  filesRead?: tls.ConnectionOptions,
): Promise<void> {
  const files = filesRead ?? (await tlsFileOptions(request));
  const plain = process.socket;
  if (!plain || plain.destroyed || process.deleting || process.status.kind !== 'run') {
    throw Object.assign(new Error('the connection closed before the TLS handshake'), { code: 'EPIPE' });
  }
  unwireStreamSocket(engine, plain);
  // The TLS socket reports errors from now on; the plain one must not throw an unheard one.
  plain.on('error', () => undefined);
  const secure = tls.connect({ socket: plain, ...tlsConnectOptions(request, files) });
  process.socket = secure;
  await new Promise<void>((resolve, reject) => {
    const settle = (err: Error | null): void => {
      clearTimeout(timer);
      secure.off('secureConnect', done);
      secure.off('error', settle);
      secure.off('close', closed);
      if (!err) resolve();
      else {
        secure.destroy();
        reject(err);
      }
    };
    const done = (): void => settle(null);
    const closed = (): void => settle(new Error('the connection closed during the TLS handshake'));
    const timer = setTimeout(() => settle(new Error(`no TLS handshake within ${timeoutMs} ms`)), timeoutMs);
    secure.once('secureConnect', done);
    secure.once('error', settle);
    secure.once('close', closed);
  });
  const refused = acceptOrRefuse(secure, request, plain.remotePort ?? 0);
  if (refused) {
    secure.destroy();
    throw refused;
  }
  recordTls(process, handshakeState(secure)!);
  wireStreamSocket(engine, process, secure);
  updateStreamReading(process);
}

/**
 * Node's Readable keeps calling `_read` to fill its buffer even while paused,
 * which would read the socket (and see a peer's close) while the process is
 * stopped. A hold makes `_read` wait until the process reads again. It is
 * put on a socket the first time its process stops reading: most never do,
 * and a hold costs each socket an object and a property table.
 */
interface ReadHold {
  held: boolean;
  pendingRead: boolean;
  read: (size: number) => void;
}
const HOLD = Symbol('netproc.readHold');
type HoldableSocket = net.Socket & { [HOLD]?: ReadHold };

/** Installed as the socket's `_read`: one shared function, the hold state lives on the socket. */
function heldRead(this: HoldableSocket, size: number): void {
  const hold = this[HOLD] as ReadHold;
  if (hold.held) hold.pendingRead = true;
  else hold.read.call(this, size);
}

function readHold(socket: HoldableSocket): ReadHold {
  let hold = socket[HOLD];
  if (!hold) {
    hold = { held: false, pendingRead: false, read: socket._read };
    socket[HOLD] = hold;
    socket._read = heldRead;
  }
  return hold;
}

/**
 * Reading follows Emacs: a process reads while it is open, not stopped and
 * its filter is not `t`. Not reading means not reading the socket at all
 * (libuv readStop), so the kernel buffer fills and TCP holds the peer back.
 */
export function updateStreamReading(process: NetworkProcess): void {
  const socket = process.socket;
  if (!socket || socket.destroyed) return;
  const shouldRead =
    process.status.kind === 'run' && !process.stopped && process.filter !== true && !process.deleting && !process.outputBlocked;
  const handle = (socket as unknown as { _handle?: { reading?: boolean; readStop?: () => number } })._handle;
  if (shouldRead) {
    const hold = (socket as HoldableSocket)[HOLD];
    if (hold) hold.held = false;
    socket.resume();
    // Restart libuv reading ourselves: Readable may still think a read is under way from before the stop.
    if (hold?.pendingRead || handle?.reading === false) {
      if (hold) hold.pendingRead = false;
      (hold?.read ?? socket._read).call(socket, socket.readableHighWaterMark);
    }
  } else {
    readHold(socket).held = true;
    socket.pause();
    if (handle?.reading && handle.readStop) {
      handle.reading = false;
      handle.readStop();
    }
  }
}

/** Closes a stream socket the way close(2) would: RST with linger 0, else FIN after what is queued. */
export function closeStreamSocket(socket: net.Socket, reset: boolean): void {
  if (socket.destroyed) return;
  if (reset && typeof socket.resetAndDestroy === 'function' && !(socket instanceof tls.TLSSocket)) {
    socket.resetAndDestroy();
    return;
  }
  if (socket.writableLength === 0) {
    socket.destroy();
    return;
  }
  socket.end();
  setTimeout(() => socket.destroy(), 5000).unref();
}
