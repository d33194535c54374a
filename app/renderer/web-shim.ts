/**
 * The contract over a WebSocket, for a renderer running in a browser tab
 * (served by the loopback web host). It builds the same `window.netproc` the
 * Electron preload exposes.
 */
import {
  createNetprocApi,
  plainError,
  type ClientTransport,
  type EventBatch,
  type Method,
  type NetprocApi,
  type Response,
} from '../shared/api.js';

/** The part of the WebSocket API we use: the browser's, or the `ws` package's in tests. */
export interface WebSocketLike {
  readonly readyState: number;
  send(data: string): void;
  close(): void;
  addEventListener(type: 'open' | 'close' | 'error', listener: () => void): void;
  addEventListener(type: 'message', listener: (event: { data: unknown }) => void): void;
}

export interface WebSocketTransport extends ClientTransport {
  opened: Promise<void>;
  close(): void;
}

const OPEN = 1;

export function createWebSocketTransport(url: string, open: (url: string) => WebSocketLike): WebSocketTransport {
  const socket = open(url);
  const pending = new Map<number, (response: Response) => void>();
  const listeners = new Set<(batch: EventBatch) => void>();
  let nextId = 1;
  let closedError: string | null = null;
  const opened = new Promise<void>((resolve, reject) => {
    socket.addEventListener('open', () => resolve());
    socket.addEventListener('error', () => reject(new Error(`could not connect to ${url.replace(/token=[^&]+/, 'token=…')}`)));
  });
  opened.catch(() => undefined);
  socket.addEventListener('message', (event) => {
    const message = JSON.parse(String(event.data)) as { id?: number | null; response?: Response; events?: EventBatch };
    if (message.events) for (const listener of listeners) listener(message.events);
    else if (typeof message.id === 'number') {
      pending.get(message.id)?.(message.response as Response);
      pending.delete(message.id);
    }
  });
  socket.addEventListener('close', () => {
    closedError = 'The connection to Netproc was closed';
    for (const resolve of pending.values()) resolve({ ok: false, error: plainError('DISCONNECTED', closedError) });
    pending.clear();
  });
  return {
    opened,
    close: () => socket.close(),
    invoke: async (method: Method, params: unknown): Promise<Response> => {
      if (socket.readyState !== OPEN) await opened;
      if (closedError) return { ok: false, error: plainError('DISCONNECTED', closedError) };
      const id = nextId++;
      return new Promise<Response>((resolve) => {
        pending.set(id, resolve);
        socket.send(JSON.stringify({ id, method, params }));
      });
    },
    subscribe: (listener) => {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  };
}

/** The API for this page: the preload's in Electron, else one over the web host's WebSocket. */
export function connectNetproc(win: { netproc?: NetprocApi; location: { host: string; search: string } }): NetprocApi {
  if (win.netproc) return win.netproc;
  const token = new URLSearchParams(win.location.search).get('token') ?? '';
  const url = `ws://${win.location.host}/ws?token=${encodeURIComponent(token)}`;
  return createNetprocApi(createWebSocketTransport(url, (u) => new WebSocket(u) as unknown as WebSocketLike));
}
