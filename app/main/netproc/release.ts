/**
 * What deleting a process (or quitting) releases: a connect under way, its
 * socket, a datagram socket, connections held while stopped or
 * still shaking hands with a TLS server, and a server's
 * listening socket wherever it is (here or parked).
 */
import type { EngineInternals } from './engine-internals.js';
import type { NetworkProcess } from './process.js';
import { closeServer } from './server-process.js';
import { closeStreamSocket } from './stream-process.js';

/** Closes everything the process holds; a server's close waits behind its pending stop/continue. */
export function closeProcessSockets(engine: EngineInternals, process: NetworkProcess): void {
  process.connectAbort?.abort(new Error(`Process ${process.name} deleted while connecting`));
  if (process.socket) closeStreamSocket(process.socket, process.resetOnDelete);
  if (process.datagram) {
    const socket = process.datagram;
    process.datagram = null;
    try {
      socket.close();
    } catch {
      // already closed
    }
  }
  const held = process.heldAccepts;
  if (held.length > 0) process.heldAccepts = [];
  for (const socket of held) socket.destroy();
  const shaking = process.handshaking;
  process.handshaking = null;
  for (const socket of shaking ?? []) socket.destroy();
  if (process.kind === 'stream-server') {
    process.transition = process.transition
      .catch(() => undefined)
      .then(() => closeServer(engine, process))
      .catch((err: Error) => engine.report(`closing server ${process.name}: ${err.message}`));
  }
}
