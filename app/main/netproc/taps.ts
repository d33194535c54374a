/**
 * Taps: a process's traffic and status changes, offered to subscribers that
 * never take the filter's place (VS Code's TerminalAutoResponder shape: a
 * feature listens beside the process's own handler). The traffic timeline
 * and auto-reply rules are built on them. A process with no subscriber pays
 * one null check per chunk.
 */
import { toDisposable, type Disposable } from '../../shared/lifecycle.js';
import type { LispAddress } from './address.js';

export type { Disposable };

/** Microseconds since the epoch, from the monotonic clock (so records order as they happened). */
export function tapTime(): number {
  return Math.round((performance.timeOrigin + performance.now()) * 1000);
}

export interface TrafficTap {
  kind: 'data';
  direction: 'in' | 'out';
  timeUs: number;
  /** The bytes as they crossed the socket; subscribers must not change them. */
  bytes: Buffer;
  /** For datagrams: the sender (in) or the destination (out). */
  peer: LispAddress | null;
}

export interface StatusTap {
  kind: 'status';
  timeUs: number;
  /** The internal status as set (run, listen, connect, failed, exit) with its exit code, if any. */
  status: string;
  exitCode: number | string | null;
  /** The sentinel's event text when the change ran the sentinel. */
  event: string | null;
}

export type TapRecord = TrafficTap | StatusTap;
export type TapListener = (record: TapRecord) => void;

/** One process's subscribers; a throwing subscriber is reported and never reaches the engine. */
export class Taps {
  private readonly listeners = new Set<TapListener>();

  constructor(private readonly report: (text: string) => void) {}

  get empty(): boolean {
    return this.listeners.size === 0;
  }

  add(listener: TapListener, onEmpty: () => void): Disposable {
    this.listeners.add(listener);
    return toDisposable(() => {
      this.listeners.delete(listener);
      if (this.listeners.size === 0) onEmpty();
    });
  }

  emit(record: TapRecord): void {
    for (const listener of this.listeners) {
      try {
        listener(record);
      } catch (err) {
        this.report(`error in a process tap: ${err instanceof Error ? err.message : String(err)}`);
      }
    }
  }
}
