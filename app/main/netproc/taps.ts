/**
 * Taps: a process's traffic and status changes, offered to subscribers that
 * never take the filter's place (VS Code's TerminalAutoResponder shape: a
 * feature listens beside the process's own handler). The traffic timeline
 * and auto-reply rules are built on them. A process with no subscriber pays
 * one null check per chunk.
 */
// Imported: the global `performance` is an accessor (a getter call on every use), and tapTime runs once per datagram.
import { performance } from 'node:perf_hooks';
import { toDisposable, type Disposable } from '../../shared/lifecycle.js';
import type { LispAddress } from './address.js';
import type { InternalStatus } from './status.js';

export type { Disposable };

/** Fixed for the life of the process; its getter is a native call, which a datagram blast made once per datagram. */
const TIME_ORIGIN_MS = performance.timeOrigin;

/** Microseconds since the epoch, from the monotonic clock (so records order as they happened). */
export function tapTime(): number {
  return Math.round((TIME_ORIGIN_MS + performance.now()) * 1000);
}

export interface TrafficTap {
  kind: 'data';
  direction: 'in' | 'out';
  timeUs: number;
  /** The bytes as they crossed the socket; subscribers must not change them. */
  bytes: Buffer;
  /**
   * For datagrams: the sender (in) or the destination (out). The process's
   * own address vector, which the engine replaces but never changes in
   * place (so a run of datagrams from one sender hands the same array):
   * subscribers must not change it either.
   */
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
  /** The same as record() for a data record, without the record object (a datagram blast makes one per datagram). */
  recordData(direction: 'in' | 'out', timeUs: number, bytes: Buffer, peer: LispAddress | null): void;
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

  /** Adds the engine's own sink for the process's life: nothing to undo, so no Disposable is made for it. */
  addSink(sink: TapSink): void {
    if (this.single === null && !this.more?.size) this.single = sink;
    else (this.more ??= new Set()).add(sink);
  }

  /**
   * A chunk read or written: handed to a lone sink as it is, to anyone else as a TrafficTap.
   * LABEL names the library message or auto-reply rule that wrote it.
   */
  emitData(direction: 'in' | 'out', bytes: Buffer, peer: LispAddress | null, label: string | null = null): void {
    const timeUs = tapTime();
    const single = this.single;
    if (label === null && single !== null && this.more === null && typeof single !== 'function') {
      try {
        single.recordData(direction, timeUs, bytes, peer);
      } catch (err) {
        this.report(`error in a process tap: ${err instanceof Error ? err.message : String(err)}`);
      }
      return;
    }
    this.emit(label === null ? { kind: 'data', direction, timeUs, bytes, peer } : { kind: 'data', direction, timeUs, bytes, peer, label });
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
