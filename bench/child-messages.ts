/** Line-based messages between a benchmark and the processes it starts. */
import type { Readable } from 'node:stream';

/** Calls `handle` with each complete line the stream delivers. */
export function onLines(stream: Readable, handle: (line: string) => void): void {
  let pending = '';
  stream.setEncoding('utf8');
  stream.on('data', (chunk: string) => {
    pending += chunk;
    let i: number;
    while ((i = pending.indexOf('\n')) >= 0) {
      handle(pending.slice(0, i));
      pending = pending.slice(i + 1);
    }
  });
}

/** The JSON lines a child prints, one at a time, in order; `next` fails if none comes in time. */
export function messages(stream: Readable, who: string, timeoutMs = 240_000): { next(): Promise<Record<string, unknown>> } {
  const queue: Array<Record<string, unknown>> = [];
  const waiting: Array<(m: Record<string, unknown>) => void> = [];
  onLines(stream, (line) => {
    const message = JSON.parse(line) as Record<string, unknown>;
    const w = waiting.shift();
    if (w) w(message);
    else queue.push(message);
  });
  return {
    next: () =>
      new Promise((resolve, reject) => {
        const m = queue.shift();
        if (m) return resolve(m);
        const timer = setTimeout(() => reject(new Error(`${who}: no answer in ${timeoutMs / 1000} s`)), timeoutMs);
        waiting.push((message) => {
          clearTimeout(timer);
          resolve(message);
        });
      }),
  };
}
