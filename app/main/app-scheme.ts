/**
 * The desktop window's own origin, `app://netproc`: a privileged custom
 * scheme that serves the built renderer folder and nothing else. Chosen over
 * file:// so that the page has a real origin of its own (file:// pages share
 * one origin with every local file, and get extra privileges from Electron),
 * so that the CSP's 'self' means exactly our files, and so that the IPC,
 * navigation and permission checks can compare one origin.
 */
import type Electron from 'electron';
import type { WebFrameLike } from './bridge/ipc-transport.js';
import { readRendererFile, rendererFilePath, type RendererFile } from './renderer-files.js';

export type { RendererFile };

export const APP_SCHEME = 'app';
export const APP_HOST = 'netproc';
export const APP_ORIGIN = `${APP_SCHEME}://${APP_HOST}`;
export const RENDERER_URL = `${APP_ORIGIN}/index.html`;

/**
 * standard: the scheme has hosts and origins (relative URLs, 'self', storage).
 * secure: a secure context, which navigator.clipboard needs.
 * supportFetchAPI: the page's module scripts are fetched like fetch() does.
 * codeCache: V8 may cache the compiled bundle, as it does for http(s).
 * Nothing else: no CSP bypass, no cross-origin CORS, no service workers.
 */
export const APP_SCHEME_PRIVILEGES: Electron.CustomScheme = {
  scheme: APP_SCHEME,
  privileges: { standard: true, secure: true, supportFetchAPI: true, codeCache: true },
};

/**
 * Sent as a header with every page; the renderer's own meta CSP still applies
 * too (a page obeys both). The desktop renderer talks to main over IPC only,
 * so it may open no network connection at all.
 */
export const DESKTOP_CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data:",
  "connect-src 'none'",
  "frame-src 'none'",
  "worker-src 'none'",
  "object-src 'none'",
  "base-uri 'none'",
  "frame-ancestors 'none'",
  "form-action 'none'",
].join('; ');

/** Whether a URL (or an origin) is on our scheme and host, whatever its path. */
export function isOwnUrl(url: string | null | undefined): boolean {
  if (!url) return false;
  try {
    const parsed = new URL(url);
    return parsed.protocol === `${APP_SCHEME}:` && parsed.host === APP_HOST && !parsed.username && !parsed.password;
  } catch {
    return false;
  }
}

/** A main frame (not an iframe) showing a page of our origin. */
export function isOwnMainFrame(frame: WebFrameLike | null): boolean {
  return frame !== null && frame.parent === null && isOwnUrl(frame.url);
}

/**
 * The file inside `rendererDir` that a URL path names, or null when the path
 * is malformed, leaves the folder (in any spelling: `..`, `%2e%2e`, `..%2f`,
 * `..%5c`) or names a kind of file we do not serve. Whether it is a regular
 * file is decided when it is read (readRendererFile, on the opened handle).
 */
export function findRendererFile(rendererDir: string, urlPathname: string): RendererFile | null {
  let decoded: string;
  try {
    decoded = decodeURIComponent(urlPathname);
  } catch {
    return null;
  }
  return rendererFilePath(rendererDir, decoded);
}

const COMMON_HEADERS = {
  'X-Content-Type-Options': 'nosniff',
  'Cache-Control': 'no-store',
  'Content-Security-Policy': DESKTOP_CONTENT_SECURITY_POLICY,
};

function plain(status: number, text: string, extra: Record<string, string> = {}): Response {
  return new Response(`${text}\n`, { status, headers: { ...COMMON_HEADERS, 'Content-Type': 'text/plain; charset=utf-8', ...extra } });
}

/**
 * The `protocol.handle` handler for our scheme: GET (or HEAD) of a file of
 * the renderer folder on our host; 404 for anything else, 405 for other
 * methods. Never throws, whatever the URL.
 */
export function rendererProtocolHandler(rendererDir: string): (request: Request) => Promise<Response> {
  return async (request) => {
    if (request.method !== 'GET' && request.method !== 'HEAD') return plain(405, 'Method not allowed', { Allow: 'GET, HEAD' });
    let url: URL;
    try {
      url = new URL(request.url);
    } catch {
      return plain(404, 'Not found');
    }
    if (!isOwnUrl(url.href)) return plain(404, 'Not found');
    const found = findRendererFile(rendererDir, url.pathname);
    if (!found) return plain(404, 'Not found');
    const body = await readRendererFile(found);
    if (!body) return plain(404, 'Not found');
    return new Response(request.method === 'HEAD' ? null : new Uint8Array(body), {
      status: 200,
      headers: { ...COMMON_HEADERS, 'Content-Type': found.contentType },
    });
  };
}
