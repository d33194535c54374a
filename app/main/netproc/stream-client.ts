/**
 * A stream client's life: connecting now (blocking) or in the background
 * (`:nowait`), recording its ends, and reporting the outcome with Emacs's
 * errors, statuses and sentinel events.
 */
import type net from 'node:net';
import { TLSSocket } from 'node:tls';
import { lispAddressFromHostPort, type SocketAddress } from './address.js';
import type { AddressResolver, CheckedArguments } from './arguments.js';
import type { EngineInternals } from './engine-internals.js';
import { errnoNumber, fromSystemError, NetprocError } from './errors.js';
import type { NetworkProcess } from './process.js';
import { applyStreamOptions } from './socket-options.js';
import { RUN_STATUS, SentinelEvent } from './status.js';
import { connectStream, isConnectError, updateStreamReading, wireStreamSocket } from './stream-process.js';
import { CertificateRejected, handshakeState, opensslReason, recordTls } from './tls.js';

/** A blocking client: try each address in turn; the process is open when this returns. */
export async function connectClient(
  engine: EngineInternals,
  process: NetworkProcess,
  addresses: SocketAddress[],
  args: CheckedArguments,
): Promise<void> {
  let lastError: unknown = null;
  for (const address of addresses) {
    try {
      // The engine's closing ends a blocking connect too: it is in no list that close() could walk.
      const socket = await connectStream(address, args.tls, engine.closing, undefined, engine.tlsHandshakeTimeoutMs);
      connected(engine, process, socket, address, args);
      return;
    } catch (err) {
      lastError = err;
      if (args.tls && !isConnectError(err)) break;
    }
  }
  throw connectError(lastError, process, args);
}

function connectError(err: unknown, process: NetworkProcess, args: CheckedArguments): NetprocError {
  // Already ours and complete (a CA file that cannot be read): neither a handshake nor a connect failure.
  if (err instanceof NetprocError) return err;
  // Quirk 12 (D): Emacs leaves the half-made process open; ours is gone and the socket closed.
  if (args.tls && !isConnectError(err)) return tlsNegotiationError(err, process.name, args.host ?? '127.0.0.1');
  const field = (err as NodeJS.ErrnoException).code === 'ECONNREFUSED' ? 'service' : 'host';
  return fromSystemError(err, 'make client process failed', field, process.contact.signalData());
}

/**
 * A failed or refused TLS handshake as `gnutls-error`. A refused certificate
 * (CertificateRejected) says why in words that show its SHA-256 fingerprint.
 */
export function tlsNegotiationError(err: unknown, processName: string, host: string): NetprocError {
  const reason = (err as Error).message;
  return new NetprocError({
    code: 'TLS_HANDSHAKE',
    message: `TLS negotiation with ${host} failed: ${reason}`,
    field: 'tlsParameters',
    condition: 'gnutls-error',
    data: [processName, reason],
    cause: err,
  });
}

/** A stream client's socket is up: record the addresses and start reading. */
function connected(
  engine: EngineInternals,
  process: NetworkProcess,
  socket: net.Socket,
  address: SocketAddress,
  args: CheckedArguments,
): void {
  engine.descriptors.opened();
  process.family = address.family;
  process.boundAddress = address;
  const { resetOnDelete } = applyStreamOptions(socket, args.options);
  process.resetOnDelete = resetOnDelete;
  // The local end of an inet socket needs one getsockname; a Unix client's has no name.
  recordEnds(process, address, address.family === 'local' ? null : (socket.address() as Partial<net.AddressInfo>));
  const tlsState = socket instanceof TLSSocket ? handshakeState(socket) : null;
  if (tlsState) recordTls(process, tlsState);
  engine.changeStatus(process, RUN_STATUS, { quiet: true });
  wireStreamSocket(engine, process, socket);
  updateStreamReading(process);
}

/** A :nowait client: resolve and connect after returning; report the outcome as Emacs does. */
export async function connectInBackground(
  engine: EngineInternals,
  resolver: AddressResolver,
  process: NetworkProcess,
  args: CheckedArguments,
): Promise<void> {
  engine.changeStatus(process, { kind: 'connect' }, { quiet: true });
  let targets: SocketAddress[];
  try {
    targets = await resolver.resolveTargets(args, 'stream-client');
  } catch (err) {
    if (process.deleting) return;
    if (err instanceof NetprocError && (err.code === 'ENOTFOUND' || err.code === 'EAFNOSUPPORT')) {
      // Quirk 6 (R): a failed asynchronous lookup sets the status and calls no sentinel.
      engine.changeStatus(process, { kind: 'failed', exitCode: `Name lookup of ${args.host ?? '127.0.0.1'} failed` });
    } else {
      engine.changeStatus(process, { kind: 'failed', exitCode: err instanceof Error ? err.message : String(err) });
    }
    return;
  }
  let lastError: unknown = null;
  const abort = new AbortController();
  process.connectAbort = abort;
  try {
    for (const address of targets) {
      if (process.deleting) return;
      try {
        const socket = await connectStream(
          address,
          args.tls,
          abort.signal,
          (local) => connecting(process, address, local),
          engine.tlsHandshakeTimeoutMs,
        );
        if (process.deleting) {
          socket.destroy();
          return;
        }
        connected(engine, process, socket, address, args);
        // Announced only now that the socket is wired: the sentinel may already send.
        engine.changeStatus(process, RUN_STATUS, { sentinel: SentinelEvent.open });
        return;
      } catch (err) {
        lastError = err;
        if (args.tls && !isConnectError(err)) break;
      }
    }
  } finally {
    process.connectAbort = null;
  }
  if (process.deleting) return;
  // The refused certificate stays visible, so the user can pin it from the inspector.
  if (lastError instanceof CertificateRejected) recordTls(process, lastError.state);
  const tlsFailed = args.tls && !isConnectError(lastError);
  const code = tlsFailed ? 'TLS negotiation failed' : errnoNumber(lastError);
  engine.changeStatus(process, { kind: 'failed', exitCode: code }, { sentinel: SentinelEvent.failedWithCode(code) });
  // The sentinel's words are Emacs's and give no reason; the log does (a refused certificate's fingerprint, say).
  if (tlsFailed) engine.report(`${process.name}: TLS negotiation failed: ${opensslReason(lastError)}`);
}

/**
 * Emacs records :remote and :local as soon as its non-blocking connect(2)
 * returns, so even a :nowait client whose connect then fails has them [spec §7.2].
 */
function connecting(process: NetworkProcess, address: SocketAddress, local: net.AddressInfo | null): void {
  if (!process.deleting) recordEnds(process, address, local);
}

/** A client's :remote and :local in its contact; the peer is the address connected to (no getpeername needed). */
function recordEnds(process: NetworkProcess, address: SocketAddress, local: Partial<net.AddressInfo> | null): void {
  if (address.family === 'local') {
    process.contact.put('remote', address.path);
    process.contact.put('local', '');
    return;
  }
  process.contact.put('remote', lispAddressFromHostPort(address.host, address.port));
  if (local) process.contact.put('local', lispAddressFromHostPort(local.address ?? '0.0.0.0', local.port ?? 0));
}
