/**
 * A conversation recorded elsewhere (a capture file), shown as a process of
 * its own: closed, read-only (nothing can be sent), with a buffer holding
 * what its side received and a timeline of both directions at their true
 * times, so it is viewed, searched, filtered and exported like a connection
 * Netproc made. The capture side (app/main/capture) reads the file; this
 * module only knows conversations.
 */
import { lispAddressFromHostPort } from './address.js';
import { Decoder, parseCodingSystem } from './coding.js';
import { ContactPlist } from './contact.js';
import type { EngineInternals } from './engine-internals.js';
import { NetworkProcess } from './process.js';
import { SentinelEvent } from './status.js';
import type { TimelineKeeper } from './timeline-keeper.js';

export interface ImportedEnd {
  /** An IPv4 or IPv6 literal. */
  address: string;
  port: number;
}

export interface ImportedConversation {
  /** The process name asked for (made unique as Emacs does: `name<2>`). */
  name: string;
  /** The buffer asked for; a fresh one is made (`name<2>` when taken). */
  buffer: string;
  protocol: 'tcp' | 'udp';
  /** The side this process stands for, and the other. */
  local: ImportedEnd;
  remote: ImportedEnd;
  /** Where it came from (a file path), kept in the contact as `:imported`. */
  source: string;
  /** What each side sent, in time order: `in` the other side's, `out` this side's. */
  chunks: Array<{ timeUs: number; direction: 'in' | 'out'; bytes: Buffer }>;
  /** TCP: when the handshake was seen, and when and by whom the conversation was closed (null: not in the capture). */
  openedUs: number | null;
  closedUs: number | null;
  closedBy: 'local' | 'remote' | 'reset' | null;
}

/** A name not yet taken by a buffer: NAME, else NAME<2>, NAME<3>, … (generate-new-buffer-name). */
function freshBufferName(engine: EngineInternals, name: string): string {
  if (!engine.buffers.get(name)) return name;
  for (let n = 2; ; n++) if (!engine.buffers.get(`${name}<${n}>`)) return `${name}<${n}>`;
}

export function importConversation(
  engine: EngineInternals,
  timelines: TimelineKeeper | null,
  conversation: ImportedConversation,
): NetworkProcess {
  const { protocol, local, remote } = conversation;
  const family = local.address.includes(':') ? 'ipv6' : 'ipv4';
  const bufferName = freshBufferName(engine, conversation.buffer);
  const contact = new ContactPlist([
    ['name', conversation.name],
    ['buffer', bufferName],
    ['host', remote.address],
    ['service', remote.port],
    ...(protocol === 'udp' ? ([['type', 'datagram']] as Array<[string, unknown]>) : []),
    ['local', lispAddressFromHostPort(local.address, local.port)],
    ['remote', lispAddressFromHostPort(remote.address, remote.port)],
    ['imported', conversation.source],
  ]);
  const process = new NetworkProcess(protocol === 'tcp' ? 'stream-client' : 'datagram-client', family, contact);
  engine.table.add(process, conversation.name);
  contact.put('name', process.name);
  const buffer = engine.buffers.getOrCreate(bufferName);
  engine.attachBuffer(process, buffer);
  process.imported = conversation.source;
  process.queryOnExit = false;
  process.decoder = new Decoder(parseCodingSystem('binary'));
  process.encoder = parseCodingSystem('binary');
  // It is over: what was recorded is all there will be. Set before the timeline, which records the capture's own times.
  engine.changeStatus(process, { kind: 'exit', exitCode: 0 }, { quiet: true });

  const timeline = timelines?.adopt(process) ?? null;
  const peer = protocol === 'udp' ? lispAddressFromHostPort(remote.address, remote.port) : null;
  if (protocol === 'tcp' && conversation.openedUs !== null) timeline?.addStatus(conversation.openedUs, 'run', null, SentinelEvent.open);
  for (const { timeUs, direction, bytes } of conversation.chunks) {
    if (direction === 'out') {
      process.counters.bytesOut += bytes.length;
      if (protocol === 'udp') process.counters.datagramsOut++;
      timeline?.addData('out', timeUs, bytes, peer);
      continue;
    }
    process.counters.bytesIn += bytes.length;
    if (protocol === 'udp') process.counters.datagramsIn++;
    // A copy: the chunk is a view of the whole file, which the buffer would otherwise keep alive.
    const own = Buffer.from(bytes);
    timeline?.addData('in', timeUs, own, peer, buffer.end, buffer);
    buffer.insert(buffer.end, own, true);
  }
  if (protocol === 'tcp' && conversation.closedUs !== null) {
    const byPeer = conversation.closedBy !== 'local';
    timeline?.addStatus(conversation.closedUs, 'exit', byPeer ? 256 : 0, byPeer ? SentinelEvent.brokenByPeer : SentinelEvent.deleted);
  }
  engine.show(process);
  return process;
}
