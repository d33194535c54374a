/**
 * What the engine tells whoever shows it: every change, never text per chunk.
 */
import type { NetworkProcess } from './process.js';

export interface BufferChangeEvent {
  name: string;
  origin: number;
  end: number;
  length: number;
  revision: number;
  trimmedBytes: number;
  inserted: number;
  live: boolean;
}

export interface SentinelCall {
  process: NetworkProcess;
  event: string;
}

export interface LogCall {
  server: NetworkProcess;
  client: NetworkProcess | null;
  message: string;
}

export interface NetprocEvents {
  'process-added': [NetworkProcess];
  'process-changed': [NetworkProcess];
  'process-removed': [NetworkProcess];
  'buffer-changed': [BufferChangeEvent];
  sentinel: [SentinelCall];
  log: [LogCall];
  message: [string];
  /** A reconnecting client's state changed (reconnect.ts); null once it no longer reconnects. */
  reconnect: [name: string, state: import('./reconnect.js').ReconnectState | null];
  /** A repeating library message started, progressed (at most 4 times a second) or ended (message-send.ts). */
  repeat: [import('./message-send.js').RepeatState];
}
