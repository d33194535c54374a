/**
 * The contract over a WebSocket, for the loopback web host. Only clients that
 * present the run's token, come from our own origin and name our loopback
 * host are let in; everything else is refused before the upgrade.
 */
import { timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, Server } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';
import { LIMITS } from '../../shared/contract.js';
import type { Bridge } from './bridge.js';

export interface WebSocketTransportOptions {
  token: string;
  /** `host:port` values a request's Host header may carry. */
  allowedHosts: () => string[];
  path?: string;
}

/** Past this many bytes waiting in the socket, event batches wait (and keep coalescing). */
const BACKED_UP = 4 * 1024 * 1024;

function sameToken(given: string, expected: string): boolean {
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

/** Why an upgrade is refused, or null to accept it. */
export function refusal(request: IncomingMessage, options: WebSocketTransportOptions): { status: number; reason: string } | null {
  const url = new URL(request.url ?? '/', 'http://placeholder');
  if (url.pathname !== (options.path ?? '/ws')) return { status: 404, reason: 'Not Found' };
  const hosts = options.allowedHosts();
  const host = request.headers.host ?? '';
  if (!hosts.includes(host)) return { status: 403, reason: 'Forbidden host' };
  const origin = request.headers.origin;
  if (origin !== undefined && !hosts.some((h) => origin === `http://${h}`)) return { status: 403, reason: 'Forbidden origin' };
  if (!sameToken(url.searchParams.get('token') ?? '', options.token)) return { status: 401, reason: 'Unauthorized' };
  return null;
}

export function attachWebSocketTransport(server: Server, bridge: Bridge, options: WebSocketTransportOptions): WebSocketServer {
  const wss = new WebSocketServer({ noServer: true, maxPayload: LIMITS.requestBytes });
  server.on('upgrade', (request: IncomingMessage, socket: Duplex, head: Buffer) => {
    const refused = refusal(request, options);
    if (refused) {
      socket.end(`HTTP/1.1 ${refused.status} ${refused.reason}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
      return;
    }
    wss.handleUpgrade(request, socket, head, (ws) => serve(bridge, ws));
  });
  return wss;
}

function serve(bridge: Bridge, ws: WebSocket): void {
  const session = bridge.connect({
    send: (batch) => ws.send(JSON.stringify({ events: batch })),
    ready: () => ws.readyState === ws.OPEN && ws.bufferedAmount < BACKED_UP,
  });
  ws.on('message', async (data, isBinary) => {
    let message: { id?: unknown; method?: unknown; params?: unknown };
    try {
      if (isBinary) throw new Error('binary frames are not part of the protocol');
      message = JSON.parse(data.toString()) as typeof message;
      if (typeof message !== 'object' || message === null) throw new Error('a request must be a JSON object');
    } catch (err) {
      ws.send(
        JSON.stringify({ id: null, response: { ok: false, error: { code: 'BAD_MESSAGE', message: (err as Error).message, field: null } } }),
      );
      return;
    }
    const response = await session.request(message.method, message.params);
    if (ws.readyState === ws.OPEN) ws.send(JSON.stringify({ id: message.id ?? null, response }));
  });
  ws.on('close', () => session.close());
  ws.on('error', () => session.close());
}
