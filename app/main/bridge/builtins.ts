/**
 * The named filters and sentinels a renderer may choose. The renderer never
 * sends code; it names one of these and the bridge installs the function.
 */
import type { BuiltinFilter, BuiltinSentinel } from '../../shared/api.js';
import type { Filter, Netproc, NetworkProcess, Sentinel } from '../netproc/index.js';

export interface Builtins {
  filter(name: BuiltinFilter): Filter;
  sentinel(name: BuiltinSentinel): Sentinel;
  filterName(filter: Filter): BuiltinFilter | 'custom';
  sentinelName(sentinel: Sentinel): BuiltinSentinel | 'custom';
}

export function createBuiltins(np: Netproc): Builtins {
  // Named functions: their names are what the contact plist records.
  const discard = function discard(): void {};
  // Once a connection is gone, every echo still queued for it fails the same way: say so once, not once per chunk.
  const echoFailed = new WeakSet<NetworkProcess>();
  // Echo stays a filter, not a tap subscriber, for Emacs's reasons: in Emacs an echo server *is* a filter
  // (it answers what it is handed, after decoding, and inserts through internal-default-process-filter),
  // accepted connections inherit it from their server as they inherit any filter, and `:filter echo` in
  // the contact says so. A tap only watches; it must never answer in the filter's place.
  const echo = function echo(process: NetworkProcess, text: string): void {
    np.internalDefaultProcessFilter(process, text);
    const unibyte = process.decoder.coding.unibyte;
    np.processSendString(process, unibyte ? Buffer.from(text, 'latin1') : text).catch((err: Error) => {
      if (echoFailed.has(process)) return;
      echoFailed.add(process);
      np.emit('message', `echo to ${process.name} failed: ${err.message}`);
    });
  };
  const silent = function silent(): void {};
  return {
    filter: (name) => (name === 'default' ? null : name === 'hold' ? true : name === 'discard' ? discard : echo),
    sentinel: (name) => (name === 'default' ? null : silent),
    filterName: (filter) =>
      filter === null ? 'default' : filter === true ? 'hold' : filter === discard ? 'discard' : filter === echo ? 'echo' : 'custom',
    sentinelName: (sentinel) => (sentinel === null ? 'default' : sentinel === silent ? 'silent' : 'custom'),
  };
}
