/**
 * Importing a capture: a pcap or pcapng file's TCP or UDP conversation
 * (reassembled by conversations.ts) becomes a read-only process of the
 * engine, its buffer what the chosen side received, its timeline both
 * directions (netproc/import-process.ts).
 */
import { basename } from 'node:path';
import { invalidArgument } from '../netproc/errors.js';
import type { Netproc, NetworkProcess } from '../netproc/index.js';
import { readRegularFile } from '../netproc/regular-file.js';
import { findConversations, type Conversation } from './conversations.js';
import { CaptureFormatError, readCapture } from './pcap-reader.js';

export interface ImportChoice {
  path: string;
  /** Which conversation, counted from 0 in the order they began (default the first). */
  conversation?: number;
  /** Whose view the process takes: the side that opened the conversation (default) or the other. */
  side?: 'client' | 'server';
  name?: string;
  buffer?: string;
  /** The largest file read. */
  maxBytes: number;
}

export interface ImportSummary {
  process: NetworkProcess;
  /** The conversation taken, and how many the capture holds. */
  index: number;
  count: number;
  protocol: 'tcp' | 'udp';
  client: string;
  server: string;
  bytes: number;
  missingBytes: number;
}

function endText({ address, port }: { address: string; port: number }): string {
  return address.includes(':') ? `[${address}]:${port}` : `${address}:${port}`;
}

function describe(conversation: Conversation, index: number): string {
  return `${index}: ${conversation.protocol} ${endText(conversation.client)} → ${endText(conversation.server)}`;
}

export async function importCapture(np: Netproc, choice: ImportChoice): Promise<ImportSummary> {
  const file = await readRegularFile(choice.path, { field: 'path', maxBytes: choice.maxBytes });
  let conversations: Conversation[];
  try {
    conversations = findConversations(readCapture(file));
  } catch (err) {
    if (err instanceof CaptureFormatError) throw invalidArgument('path', `path: not a capture Netproc can read: ${err.message}`);
    throw err;
  }
  if (conversations.length === 0) throw invalidArgument('path', 'path: the capture holds no TCP or UDP conversation');
  const index = choice.conversation ?? 0;
  const conversation = conversations[index];
  if (!conversation) {
    const listed = conversations.slice(0, 5).map(describe).join('; ');
    throw invalidArgument(
      'conversation',
      `conversation: the capture holds ${conversations.length} (0 to ${conversations.length - 1}): ${listed}${conversations.length > 5 ? '; …' : ''}`,
    );
  }
  const asClient = (choice.side ?? 'client') === 'client';
  const name = choice.name ?? basename(choice.path);
  const closedBy =
    conversation.closedBy === null || conversation.closedBy === 'reset'
      ? conversation.closedBy
      : (conversation.closedBy === 'client') === asClient
        ? 'local'
        : 'remote';
  const process = np.importConversation({
    name,
    buffer: choice.buffer ?? `*${name}*`,
    protocol: conversation.protocol,
    local: asClient ? conversation.client : conversation.server,
    remote: asClient ? conversation.server : conversation.client,
    source: choice.path,
    chunks: conversation.chunks.map(({ timeUs, fromClient, bytes }) => ({
      timeUs,
      direction: fromClient === asClient ? 'out' : 'in',
      bytes,
    })),
    openedUs: conversation.openedUs,
    closedUs: conversation.closedUs,
    closedBy,
  });
  return {
    process,
    index,
    count: conversations.length,
    protocol: conversation.protocol,
    client: endText(conversation.client),
    server: endText(conversation.server),
    bytes: conversation.bytes,
    missingBytes: conversation.missingBytes,
  };
}
