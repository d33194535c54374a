/**
 * Process names: Emacs's unique-name rule, and what a server's connections
 * (and datagram peers) are called.
 *
 * Names are joined rather than built with `+` or a template: V8 keeps a
 * concatenation as a tree of string objects (`srv <`, `127.0.0.1:`, the port,
 * `>` and the nodes joining them, about 150 bytes) for as long as the name
 * lives, where a joined string is one object (about 40 bytes). A server
 * holding 15,000 connections keeps 15,000 names.
 */
import type { NetworkProcess } from './process.js';

/**
 * Emacs's process-name rule (spec §4.1): the requested name if free, else the
 * lowest free `NAME<N>` for N = 1, 2, ..., always built on the original string.
 */
export function uniqueProcessName(requested: string, isTaken: (name: string) => boolean): string {
  if (!isTaken(requested)) return requested;
  for (let suffix = 1; ; suffix++) {
    const candidate = [requested, '<', suffix, '>'].join('');
    if (!isTaken(candidate)) return candidate;
  }
}

/**
 * What a server's connection (or datagram peer) with `<ID>` CLIENTID is
 * called: `SERVER <ID>`, and its buffer the same, or `BUFFER <ID>` when the
 * server's buffer has a name of its own.
 */
export function connectionNames(server: NetworkProcess, clientId: string): { requestedName: string; bufferName: string } {
  const requestedName = [server.name, ' <', clientId, '>'].join('');
  const base = server.buffer?.name ?? server.name;
  return { requestedName, bufferName: base === server.name ? requestedName : [base, ' <', clientId, '>'].join('') };
}
