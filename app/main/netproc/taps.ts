/**
 * Taps: a process's traffic and status changes, offered to subscribers that
 * never take the filter's place (VS Code's TerminalAutoResponder shape: a
 * feature listens beside the process's own handler). The traffic timeline
 * and auto-reply rules are built on them. A process with no subscriber pays
 * one null check per chunk.
 */
import { toDisposable, type Disposable } from '../../shared/lifecycle.js';
import type { LispAddress } from './address.js';
import type { InternalStatus } from './status.js';

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
  /** Output only: the library message or auto-reply rule that sent it (absent for plain sends and input). */
  label?: string | null;
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

/** The tap record of a status being set, now; EVENT is the sentinel's event text when the change runs it. */
export function statusTap(status: InternalStatus, event: string | null): StatusTap {
  return { kind: 'status', timeUs: tapTime(), status: status.kind, exitCode: 'exitCode' in status ? status.exitCode : null, event };
}
export type TapListener = (record: TapRecord) => void;

/** A subscriber that is an object (the engine's own timeline): no closure per process. */
export interface TapSink {
  record(record: TapRecord): void;
}

type Subscriber = TapListener | TapSink;

/**
 * One process's subscribers; a throwing subscriber is reported and never
 * reaches the engine. Nearly every process has exactly one (its timeline),
 * so one is held in a field and a set is made only for a second.
 */
export class Taps {
  private single: Subscriber | null = null;
  private more: Set<Subscriber> | null = null;

  constructor(private readonly report: (text: string) => void) {}

  get empty(): boolean {
    return this.single === null && !this.more?.size;
  }

  add(subscriber: Subscriber, onEmpty: () => void): Disposable {
    if (this.single === null && !this.more?.size) this.single = subscriber;
    else (this.more ??= new Set()).add(subscriber);
    return toDisposable(() => {
      if (this.single === subscriber) this.single = null;
      else this.more?.delete(subscriber);
      if (this.empty) onEmpty();
    });
  }

  emit(record: TapRecord): void {
    if (this.single !== null) this.deliver(this.single, record);
    if (this.more !== null) for (const subscriber of this.more) this.deliver(subscriber, record);
  }

  private deliver(subscriber: Subscriber, record: TapRecord): void {
    try {
      if (typeof subscriber === 'function') subscriber(record);
      else subscriber.record(record);
    } catch (err) {
      this.report(`error in a process tap: ${err instanceof Error ? err.message : String(err)}`);
    }
  }
}
