/**
 * Which process a call means. Emacs's process arguments take a process, a
 * process name, a buffer or a buffer name: a name is looked up as a process
 * first, then as a buffer, and a buffer means its newest process.
 */
import { newestBufferUser } from './buffer-users.js';
import { NetprocBuffer } from './buffers.js';
import type { EngineInternals } from './engine-internals.js';
import { NetprocError, wrongType } from './errors.js';
import { NetworkProcess } from './process.js';

/** A process, a process name, a buffer or a buffer name: what Emacs's process arguments accept. */
export type ProcessDesignator = NetworkProcess | NetprocBuffer | string;

/** The process DESIGNATOR means; refused, naming the `process` field, when there is none. */
export function resolveProcess(engine: Pick<EngineInternals, 'table' | 'buffers'>, designator: ProcessDesignator): NetworkProcess {
  const field = 'process';
  if (designator instanceof NetworkProcess) return designator;
  if (typeof designator === 'string') {
    const byName = engine.table.getByName(designator);
    if (byName) return byName;
    const buffer = engine.buffers.get(designator);
    if (!buffer) throw new NetprocError({ code: 'NO_SUCH_PROCESS', message: `Process ${designator} does not exist`, field });
    designator = buffer;
  }
  if (designator instanceof NetprocBuffer) {
    const owner = newestBufferUser(engine.table, designator);
    if (!owner) throw new NetprocError({ code: 'NO_SUCH_PROCESS', message: `Buffer ${designator.name} has no process`, field });
    return owner;
  }
  throw wrongType(field, 'processp', designator);
}

/** stop-process and continue-process take only a process object for network processes [O-04 C]. */
export function requireProcessObject(engine: Pick<EngineInternals, 'table'>, designator: ProcessDesignator): NetworkProcess {
  if (designator instanceof NetworkProcess) return designator;
  const name = designator instanceof NetprocBuffer ? (newestBufferUser(engine.table, designator)?.name ?? designator.name) : designator;
  throw new NetprocError({ code: 'NOT_SUBPROCESS', message: `Process ${String(name)} is not a subprocess`, field: 'process' });
}
