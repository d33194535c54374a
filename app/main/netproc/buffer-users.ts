/**
 * Who uses a buffer: the listed processes whose buffer it is, oldest first,
 * and, once none does, the process that last did (a departed connection's
 * buffer still names it). Kept as a process takes a buffer (attachToBuffer)
 * and as it leaves the list (leftTheList); read by get-buffer-process.
 */
import type { NetprocBuffer } from './buffers.js';
import type { NetworkProcess } from './process.js';
import type { ProcessTable } from './process-table.js';

/**
 * The listed processes whose buffer this is, oldest first. Candidates that
 * left the table or took another buffer are dropped here; those still
 * being made (hidden) are kept but not counted, as process-list does not
 * count them.
 */
export function bufferUsers(table: ProcessTable, buffer: NetprocBuffer): NetworkProcess[] {
  return prunedUsers(table, buffer).filter((p) => !p.hidden);
}

/** The candidates still using the buffer, hidden ones included: another process being made onto it must not drop them. */
function prunedUsers(table: ProcessTable, buffer: NetprocBuffer): NetworkProcess[] {
  const users = buffer.users;
  if (users.length === 0) return users;
  const kept = users.filter((p) => p.buffer === buffer && table.has(p));
  if (kept.length !== users.length) buffer.users = kept;
  return kept;
}

/** `get-buffer-process`: the newest listed process whose buffer this is. */
export function newestBufferUser(table: ProcessTable, buffer: NetprocBuffer): NetworkProcess | null {
  // Ids follow the order processes enter the table, so the newest has the largest.
  let newest: NetworkProcess | null = null;
  for (const p of bufferUsers(table, buffer)) if (!newest || p.id > newest.id) newest = p;
  return newest;
}

/** Gives PROCESS the buffer BUFFER (null: none), with its mark at the end; BUFFER has a user again. */
export function attachToBuffer(table: ProcessTable, process: NetworkProcess, buffer: NetprocBuffer | null): void {
  process.buffer = buffer;
  if (!buffer) return;
  if (process.markBuffer && process.mark) process.markBuffer.releaseMarker(process.mark);
  process.mark = buffer.createMarker(buffer.end);
  process.markBuffer = buffer;
  if (!buffer.users.includes(process)) {
    const others = prunedUsers(table, buffer);
    // A spread reserves seventeen slots even for one user: a literal keeps a buffer's first user in one.
    buffer.users = others.length === 0 ? [process] : [...others, process];
  }
  buffer.lastProcess = null;
}

/**
 * PROCESS has left the list (call after the table lost it). Its live buffer
 * outlives it: when no other process uses the buffer, the buffer keeps it as
 * its last process. Answers that buffer, whose users changed, or null.
 */
export function leftTheList(table: ProcessTable, process: NetworkProcess): NetprocBuffer | null {
  const buffer = process.buffer;
  if (!buffer?.live) return null;
  if (bufferUsers(table, buffer).length === 0) buffer.lastProcess = process;
  return buffer;
}
