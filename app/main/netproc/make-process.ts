/**
 * Making a process (`make-network-process`): the one sequence every kind
 * goes through, handing the socket to its kind's life cycle.
 */
import type { SocketAddress } from './address.js';
import { checkArguments, initialContact, processKindOf, type AddressResolver, type MakeNetworkProcessOptions } from './arguments.js';
import { Decoder, parseCodingSystem } from './coding.js';
import { startDatagramClient, startDatagramServer } from './datagram-process.js';
import type { EngineInternals } from './engine-internals.js';
import { NetprocError, strerror } from './errors.js';
import type { PinStore } from './pin-store.js';
import { NetworkProcess } from './process.js';
import { startServer } from './server-process.js';
import { connectClient, connectInBackground } from './stream-client.js';

/**
 * `make-network-process`, in Emacs's order: check every keyword, resolve,
 * make the buffer (it survives a later failure), the process with its unique
 * name, then its socket; a failure takes the process back out of the table.
 */
export async function makeProcess(
  engine: EngineInternals,
  resolver: AddressResolver,
  pins: PinStore,
  options: MakeNetworkProcessOptions,
): Promise<NetworkProcess> {
  const args = checkArguments(options, pins);
  const contact = initialContact(options, args, (text) => engine.report(text));
  const kind = processKindOf(args);
  const asyncClient = kind === 'stream-client' && args.nowait;

  // Step 2: resolve (a :nowait client resolves later, and reports failure as a status).
  const targets = asyncClient ? null : await resolver.resolveTargets(args, kind);

  // Step 3: the buffer survives any later failure [O-09 A].
  const buffer = args.bufferName === null ? null : engine.buffers.getOrCreate(args.bufferName);

  // Step 4: the process object, with its unique name.
  const family = targets?.[0]?.family ?? args.familyOption ?? 'ipv4';
  const process = new NetworkProcess(kind, family, contact);
  engine.table.add(process, args.name);
  engine.attachBuffer(process, buffer);
  process.filter = args.filter;
  process.sentinel = args.sentinel;
  // Only what differs from the defaults (process.ts) is set: V8 sizes every process, accepted connections included,
  // for the most fields any process has, so each field a server sets for nothing costs 15,000 held connections a slot.
  if ((kind === 'stream-server' || kind === 'datagram-server') && args.log) process.log = args.log;
  if (args.plist.length > 0) process.plist = args.plist.slice();
  if (args.noquery) process.queryOnExit = false;
  if (args.stop) process.stopped = true;
  process.decoder = new Decoder(parseCodingSystem(args.decode));
  process.encoder = parseCodingSystem(args.encode);
  if (args.backlog !== process.backlog) process.backlog = args.backlog;
  if (args.splitPeers) process.splitPeers = true;

  // Step 5: the socket.
  if (asyncClient) {
    engine.show(process);
    process.leftConnect = connectInBackground(engine, resolver, process, args);
    return process;
  }
  try {
    if (args.socketType === 'seqpacket') {
      // socket(2) refuses SOCK_SEQPACKET on inet (and Node has none at all); Emacs's data ends with the contact [O-09 J].
      const context = `make ${args.server ? 'server' : 'client'} process failed`;
      throw new NetprocError({
        code: 'ESOCKTNOSUPPORT',
        message: `${context}: ${strerror('ESOCKTNOSUPPORT')}`,
        field: 'type',
        condition: 'file-error',
        data: [context, strerror('ESOCKTNOSUPPORT'), ...process.contact.signalData()],
      });
    }
    const addresses = targets ?? [];
    if (kind === 'stream-client') await connectClient(engine, process, addresses, args);
    else if (kind === 'stream-server') await startServer(engine, process, addresses[0] as SocketAddress, args);
    else if (kind === 'datagram-server') await startDatagramServer(engine, process, addresses[0] as SocketAddress, args);
    else await startDatagramClient(engine, process, addresses[0] as SocketAddress);
  } catch (err) {
    engine.table.remove(process);
    if (process.markBuffer && process.mark) process.markBuffer.releaseMarker(process.mark);
    throw err;
  }
  engine.show(process);
  return process;
}
