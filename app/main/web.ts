/**
 * The loopback web host: serves the built renderer and the contract over a
 * WebSocket on 127.0.0.1 only, behind a per-run random token, refusing
 * foreign Host and Origin headers (so other sites and DNS rebinding cannot
 * reach it).
 *
 * Anything Node's HTTP parser accepts gets an answer here: every check runs
 * inside one guard that turns a refusal into its status and any other error
 * into a 500, so no request can take the host (and every socket the user has
 * open) down.
 */
import { randomBytes, timingSafeEqual } from 'node:crypto';
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import { DisposableStore, listen } from '../shared/lifecycle.js';
import { attachWebSocketTransport, type SessionSource } from './bridge/websocket-transport.js';
import { readRendererFile, rendererFilePath } from './renderer-files.js';

export interface WebHostOptions {
  bridge: SessionSource;
  /** Folder with the built renderer (index.html and assets). */
  rendererDir: string;
  /** 0 (default) picks a free port. */
  port?: number;
  token?: string;
}

export interface WebHost {
  url: string;
  port: number;
  /** The address the listening socket is bound to, as the socket reports it (always 127.0.0.1). */
  address: string;
  token: string;
  close(): Promise<void>;
}

const WEBSOCKET_PATH = '/ws';

export function contentSecurityPolicy(port: number): string {
  return [
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data:",
    `connect-src ws://127.0.0.1:${port} ws://localhost:${port}`,
    "object-src 'none'",
    "base-uri 'none'",
    "frame-ancestors 'none'",
    "form-action 'none'",
  ].join('; ');
}

/** A request the host will not serve: its status and a reason naming what was wrong. */
export class Refused extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }
}

export interface RequestTarget {
  /** The percent-decoded path, always starting with "/". */
  path: string;
  query: URLSearchParams;
}

/**
 * Reads a request target as the one form a browser sends an origin server: a
 * path and an optional query. Hand-written rather than `new URL(target, base)`
 * because a target is not a relative URL: `//a:99999/` would be read as an
 * authority (and throw), and dot segments would be resolved before the
 * containment check could see them. Absolute, authority and asterisk forms
 * are refused: browsers use them only with proxies.
 */
export function parseRequestTarget(target: string | undefined): RequestTarget {
  if (!target?.startsWith('/')) throw new Refused(400, 'request target: must be a path such as /index.html');
  const queryAt = target.indexOf('?');
  const rawPath = queryAt < 0 ? target : target.slice(0, queryAt);
  let path: string;
  try {
    path = decodeURIComponent(rawPath);
  } catch {
    throw new Refused(400, 'request target: the path is not valid percent-encoded UTF-8');
  }
  if (path.includes('\0')) throw new Refused(400, 'request target: the path contains a NUL byte');
  // URLSearchParams never throws: bad escapes stay as they are, and then simply match no token.
  return { path, query: new URLSearchParams(queryAt < 0 ? '' : target.slice(queryAt + 1)) };
}

/** Exactly one Host header, naming this host exactly (anything else could be DNS rebinding). */
function checkHost(request: IncomingMessage, allowedHosts: readonly string[]): void {
  const hosts = request.headersDistinct.host ?? [];
  if (hosts.length !== 1) throw new Refused(400, `Host header: must appear once, not ${hosts.length} times`);
  if (!allowedHosts.includes(hosts[0] ?? '')) throw new Refused(403, 'Host header: not this host');
}

function sameToken(given: string, expected: string): boolean {
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

/** The status line, headers and body of a refusal, for a socket that has no ServerResponse. */
function rawAnswer(error: unknown): string {
  const refused = error instanceof Refused ? error : new Refused(500, 'internal error');
  const body = `${refused.message}\n`;
  const headers = { ...refused.headers, 'Content-Type': 'text/plain; charset=utf-8', 'Content-Length': String(Buffer.byteLength(body)) };
  const lines = Object.entries(headers).map(([name, value]) => `${name}: ${value}\r\n`);
  return `HTTP/1.1 ${refused.status} ${http.STATUS_CODES[refused.status] ?? ''}\r\nConnection: close\r\n${lines.join('')}\r\n${body}`;
}

/** Answers and closes a socket taken over from the HTTP server (upgrade, CONNECT). */
function refuseSocket(socket: Duplex, error: unknown): void {
  if (!(error instanceof Refused)) console.error('Netproc web host: unexpected error on an upgrade:', error);
  socket.end(rawAnswer(error));
}

export async function startWebHost(options: WebHostOptions): Promise<WebHost> {
  const token = options.token ?? randomBytes(24).toString('base64url');
  let port = 0;
  let allowedHosts: string[] = [];
  const securityHeaders = (): Record<string, string> => ({
    'Content-Security-Policy': contentSecurityPolicy(port),
    'X-Content-Type-Options': 'nosniff',
    'X-Frame-Options': 'DENY',
    'Referrer-Policy': 'no-referrer',
    'Cache-Control': 'no-store',
  });

  const serveFile = async (request: IncomingMessage, response: ServerResponse): Promise<void> => {
    checkHost(request, allowedHosts);
    if (request.method !== 'GET' && request.method !== 'HEAD') {
      throw new Refused(405, `method: ${request.method ?? ''} is not served here`, { Allow: 'GET, HEAD' });
    }
    const { path } = parseRequestTarget(request.url);
    const found = rendererFilePath(options.rendererDir, path);
    if (!found) throw new Refused(404, 'Not found');
    const body = await readRendererFile(found);
    if (!body) throw new Refused(404, 'Not found');
    response.writeHead(200, { ...securityHeaders(), 'Content-Type': found.contentType, 'Content-Length': body.length });
    response.end(request.method === 'HEAD' ? undefined : body);
  };

  const answer = (request: IncomingMessage, response: ServerResponse, error: unknown): void => {
    // Past the head there is no status left to send: the client sees the body cut short.
    if (response.headersSent) {
      response.destroy();
      return;
    }
    const refused = error instanceof Refused ? error : new Refused(500, 'internal error');
    if (!(error instanceof Refused)) console.error(`Netproc web host: unexpected error answering ${request.method} request:`, error);
    response.writeHead(refused.status, { ...securityHeaders(), ...refused.headers, 'Content-Type': 'text/plain; charset=utf-8' });
    response.end(`${refused.message}\n`);
  };

  const server = http.createServer((request, response) => {
    serveFile(request, response).catch((error: unknown) => {
      try {
        answer(request, response, error);
      } catch {
        // Nothing sensible is left to say on this connection; the host itself carries on.
        response.destroy();
      }
    });
  });

  // The WebSocket transport and the server's upgrade and CONNECT listeners, released on close.
  const disposables = new DisposableStore();
  const transport = disposables.add(attachWebSocketTransport(options.bridge));
  const admitUpgrade = (request: IncomingMessage): void => {
    checkHost(request, allowedHosts);
    const origin = request.headersDistinct.origin;
    // Browsers always send Origin on a WebSocket upgrade; without one the client is not a
    // web page, and the token alone decides.
    if (origin !== undefined && (origin.length !== 1 || !allowedHosts.some((h) => origin[0] === `http://${h}`))) {
      throw new Refused(403, 'Origin header: not this host');
    }
    const { path, query } = parseRequestTarget(request.url);
    if (path !== WEBSOCKET_PATH) throw new Refused(404, 'Not found');
    if (!sameToken(query.get('token') ?? '', token)) throw new Refused(401, 'token: missing or wrong');
  };
  const onUpgrade = (request: IncomingMessage, socket: Duplex, head: Buffer): void => {
    // Node takes its own error listener off a socket it hands over; without one, a peer that
    // resets before the answer is written would raise an uncaught 'error'.
    socket.on('error', () => socket.destroy());
    try {
      admitUpgrade(request);
      transport.accept(request, socket, head);
    } catch (error) {
      refuseSocket(socket, error);
    }
  };
  disposables.add(listen(server, 'upgrade', onUpgrade));
  // Node closes a CONNECT it has no listener for without a word; answer it instead.
  const onConnect = (request: IncomingMessage, socket: Duplex): void => {
    socket.on('error', () => socket.destroy());
    try {
      checkHost(request, allowedHosts);
      throw new Refused(405, 'method: CONNECT is not served here', { Allow: 'GET, HEAD' });
    } catch (error) {
      refuseSocket(socket, error);
    }
  };
  disposables.add(listen(server, 'connect', onConnect));

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => resolve());
  });
  const bound = server.address() as AddressInfo;
  port = bound.port;
  allowedHosts = [`127.0.0.1:${port}`, `localhost:${port}`];
  return {
    url: `http://127.0.0.1:${port}/?token=${token}`,
    port,
    address: bound.address,
    token,
    close: () =>
      new Promise<void>((resolve) => {
        disposables.dispose();
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
