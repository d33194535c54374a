/**
 * The contract over a WebSocket, for the loopback web host. The host admits
 * an upgrade (Host, Origin, path, token) before handing it here.
 *
 * Each connection takes requests only as fast as its client reads the
 * answers: a client that keeps sending without reading makes this side stop
 * reading from it (TCP then pushes back on the client), instead of main
 * queueing answers without bound.
 */
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type RawData, type WebSocket } from 'ws';
import { LIMITS, plainError, type Response } from '../../shared/api.js';
import { DisposableStore, listen, toDisposable, type Disposable } from '../../shared/lifecycle.js';
import type { EventSink } from './bridge.js';

/** What the transport needs of the bridge: a session per connection. */
export interface SessionSource {
  connect(sink: EventSink): { request(method: unknown, params: unknown): Promise<Response>; close(): void };
}

/** Disposing it drops every client and closes its session. */
export interface WebSocketTransport extends Disposable {
  /** Completes an upgrade the host has admitted. */
  accept(request: IncomingMessage, socket: Duplex, head: Buffer): void;
}

/** Past this many bytes waiting in the socket, event batches wait (and keep coalescing). */
const BACKED_UP = 4 * 1024 * 1024;
/**
 * Requests one client may have taken but not yet had answered and flushed to
 * its socket. Past it (or past BACKED_UP characters of unflushed answers) the
 * connection stops reading. Generous for a renderer, which has a handful in
 * flight; it bounds what a client that never reads can make main hold.
 */
const MAX_UNANSWERED = 64;
/**
 * Sends are counted apart: one to a peer that never reads stays unanswered
 * until the peer reads, so with the bound above a renderer that sent 64 of
 * them could no longer get a delete-process through. Their answers are
 * tiny; what they hold is their own bytes, bounded here.
 */
const SENDS = new Set<unknown>(['sendString', 'sendBytes', 'sendFile', 'sendEof']);
const MAX_UNANSWERED_SENDS = 1024;
const MAX_UNANSWERED_SEND_BYTES = 256 * 1024 * 1024;
/** Request ids are echoed back to match answers; anything else is not an id. */
const MAX_ID_LENGTH = 64;

export function attachWebSocketTransport(bridge: SessionSource): WebSocketTransport {
  const wss = new WebSocketServer({ noServer: true, maxPayload: LIMITS.requestBytes });
  // Released in reverse: each connection (its session first), then the clients' sockets, then the server.
  const disposables = new DisposableStore();
  disposables.add(toDisposable(() => wss.close()));
  disposables.add(
    toDisposable(() => {
      for (const client of wss.clients) client.terminate();
    }),
  );
  return {
    accept: (request, socket, head) =>
      wss.handleUpgrade(request, socket, head, (ws) => {
        const connection = disposables.add(serve(bridge, ws));
        // A connection that ends by itself stops being held.
        ws.once('close', () => disposables.delete(connection));
      }),
    dispose: () => disposables.dispose(),
  };
}

type Id = number | string | null;

/** The request in one frame, or why it is not one. */
function readRequest(
  data: RawData,
  isBinary: boolean,
): { id: Id; method: unknown; params: unknown } | { id: Id; error: string; field: string | null } {
  if (isBinary) return { id: null, error: 'binary frames are not part of the protocol', field: null };
  let message: unknown;
  try {
    message = JSON.parse(data.toString());
  } catch (err) {
    return { id: null, error: (err as Error).message, field: null };
  }
  if (typeof message !== 'object' || message === null || Array.isArray(message)) {
    return { id: null, error: 'a request must be a JSON object', field: null };
  }
  const { id = null, method, params } = message as { id?: unknown; method?: unknown; params?: unknown };
  const validId = id === null || (typeof id === 'number' && Number.isFinite(id)) || (typeof id === 'string' && id.length <= MAX_ID_LENGTH);
  if (!validId) return { id: null, error: `id: must be a number or a string of at most ${MAX_ID_LENGTH} characters`, field: 'id' };
  return { id: id as Id, method, params };
}

function rawLength(data: RawData): number {
  if (Array.isArray(data)) return data.reduce((sum, part) => sum + part.length, 0);
  return data instanceof ArrayBuffer ? data.byteLength : data.length;
}

/** Serves one connection; disposing it (or the connection ending) closes its session and drops what waits. */
function serve(bridge: SessionSource, ws: WebSocket): Disposable {
  const disposables = new DisposableStore();
  const session = bridge.connect({
    send: (batch) => ws.send(JSON.stringify({ events: batch })),
    ready: () => ws.readyState === ws.OPEN && ws.bufferedAmount < BACKED_UP,
  });
  disposables.add(toDisposable(() => session.close()));
  let unanswered = 0;
  let sends = 0;
  let sendBytes = 0;
  let unflushedLength = 0;
  // Pausing stops reading from the socket, but frames already read still arrive (one read can
  // hold thousands of small requests), so they wait here, unparsed, until answers drain.
  let waiting: Array<{ data: RawData; isBinary: boolean }> = [];
  let next = 0;
  const backedUp = (): boolean =>
    unanswered >= MAX_UNANSWERED || sends >= MAX_UNANSWERED_SENDS || sendBytes >= MAX_UNANSWERED_SEND_BYTES || unflushedLength >= BACKED_UP;

  const reply = (id: Id, send: { bytes: number } | null, response: Response): void => {
    if (send) {
      sends--;
      sendBytes -= send.bytes;
      // From here on its answer counts like any other until flushed (the decrements below).
      unanswered++;
    }
    let text: string;
    try {
      text = JSON.stringify({ id, response });
    } catch (err) {
      text = JSON.stringify({ id, response: { ok: false, error: plainError('INTERNAL', (err as Error).message) } });
    }
    if (ws.readyState !== ws.OPEN) {
      unanswered--;
      return;
    }
    unflushedLength += text.length;
    ws.send(text, () => {
      // Called once the answer is handed to the kernel, or when the connection fails.
      unanswered--;
      unflushedLength -= text.length;
      pump();
    });
  };

  const take = (data: RawData, isBinary: boolean): void => {
    const request = readRequest(data, isBinary);
    if ('error' in request) {
      unanswered++;
      reply(request.id, null, { ok: false, error: plainError('BAD_MESSAGE', request.error, request.field) });
      return;
    }
    const send = SENDS.has(request.method) ? { bytes: rawLength(data) } : null;
    if (send) {
      sends++;
      sendBytes += send.bytes;
    } else unanswered++;
    session.request(request.method, request.params).then(
      (response) => reply(request.id, send, response),
      (err: unknown) =>
        reply(request.id, send, {
          ok: false,
          error: plainError('INTERNAL', err instanceof Error ? err.message : String(err)),
        }),
    );
  };

  function pump(): void {
    while (next < waiting.length && !backedUp()) {
      const frame = waiting[next++] as { data: RawData; isBinary: boolean };
      take(frame.data, frame.isBinary);
    }
    if (next === waiting.length) {
      waiting = [];
      next = 0;
    }
    if (backedUp() && !ws.isPaused) ws.pause();
    else if (!backedUp() && waiting.length === 0 && ws.isPaused) ws.resume();
  }

  disposables.add(
    toDisposable(() => {
      waiting = [];
      next = 0;
    }),
  );
  disposables.add(
    listen(ws, 'message', (data: RawData, isBinary: boolean) => {
      waiting.push({ data, isBinary });
      pump();
    }),
  );
  const close = (): void => disposables.dispose();
  // Not in the store: an error after the end must still find a listener, or it would be thrown.
  ws.on('close', close);
  ws.on('error', close);
  return disposables;
}
