/**
 * `stop-process` and `continue-process` for network processes (spec §8): a
 * stopped connection stops reading, so the kernel's queue fills and TCP
 * holds the peer back; a stopped server stops accepting for real, its
 * listening socket parked in the helper. Neither runs a sentinel.
 */
import type { EngineInternals } from './engine-internals.js';
import type { NetworkProcess } from './process.js';
import { parkServer, unparkServer } from './server-process.js';

/** `stop-process`: stop reading (streams, datagrams) or accepting (servers). No sentinel. */
export async function stopProcess(engine: EngineInternals, process: NetworkProcess): Promise<NetworkProcess> {
  if (!process.stopped) {
    process.stopped = true;
    engine.emit('process-changed', process);
    if (process.status.kind !== 'exit') {
      if (process.kind === 'stream-server') {
        process.transition = process.transition.then(() => parkServer(engine, process));
      } else engine.input.updateReading(process);
    }
  }
  await process.transition;
  return process;
}

/** `continue-process`: resume; a server accepts what queued meanwhile. No sentinel. */
export async function continueProcess(engine: EngineInternals, process: NetworkProcess): Promise<NetworkProcess> {
  if (process.stopped) {
    process.stopped = false;
    engine.emit('process-changed', process);
    if (process.status.kind !== 'exit') {
      if (process.kind === 'stream-server') {
        process.transition = process.transition
          .then(() => unparkServer(engine, process))
          .then(() => {
            const held = process.heldAccepts;
            if (held.length > 0) process.heldAccepts = [];
            for (const socket of held) {
              socket.removeAllListeners('error');
              engine.input.accept(process, socket);
            }
          });
      } else {
        engine.input.updateReading(process);
        if (process.closeSeenWhileStopped) engine.input.closeAfterBufferedInput(process);
      }
    }
  }
  await process.transition;
  return process;
}
