import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import { basename, dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { Bridge } from './bridge/bridge.js';
import { rendererFixture, webHarness } from './bridge/test-clients.js';
import { engine, onCleanup } from './netproc/test-support.js';
import { startWebHost } from './web.js';

function get(
  port: number,
  path: string,
  headers: Record<string, string> = {},
): Promise<{ status: number; headers: http.IncomingHttpHeaders; body: string }> {
  return new Promise((resolve, reject) => {
    const req = http.get({ host: '127.0.0.1', port, path, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (d) => chunks.push(d));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString() }));
    });
    req.on('error', reject);
  });
}

/** Tries a WebSocket upgrade; resolves to 'open' or the HTTP status it was refused with. */
function upgrade(url: string, options: { origin?: string; host?: string } = {}): Promise<number | 'open'> {
  return new Promise((resolve) => {
    const headers: Record<string, string> = {};
    if (options.host) headers.Host = options.host;
    const ws = new WebSocket(url, { ...(options.origin ? { origin: options.origin } : {}), headers });
    ws.on('open', () => {
      ws.close();
      resolve('open');
    });
    ws.on('unexpected-response', (_req, res) => {
      resolve(res.statusCode ?? 0);
      ws.terminate();
    });
    ws.on('error', () => resolve(-1));
  });
}

describe('the loopback web host', () => {
  it('listens on 127.0.0.1 only and prints a URL with a long random token', async () => {
    const { host } = await webHarness();
    // The listening socket's own address, not the printed URL: a wildcard bind would show here.
    expect(host.address).toBe('127.0.0.1');
    const viaIpv6Loopback = await new Promise<string>((resolve) => {
      const socket = net.connect(host.port, '::1', () => {
        socket.destroy();
        resolve('connected');
      });
      socket.on('error', (err: NodeJS.ErrnoException) => resolve(err.code ?? 'error'));
    });
    expect(viaIpv6Loopback).not.toBe('connected');
    expect(host.url).toBe(`http://127.0.0.1:${host.port}/?token=${host.token}`);
    expect(host.token.length).toBeGreaterThanOrEqual(32);
    const other = await webHarness();
    expect(other.host.token).not.toBe(host.token);
  });

  it('serves the renderer with a strict CSP and safe headers', async () => {
    const { host } = await webHarness();
    const res = await get(host.port, '/', { Host: `127.0.0.1:${host.port}` });
    expect(res.status).toBe(200);
    expect(res.body).toContain('<title>Netproc</title>');
    expect(res.headers['content-security-policy']).toContain("default-src 'self'");
    expect(res.headers['content-security-policy']).toContain(`connect-src ws://127.0.0.1:${host.port} ws://localhost:${host.port}`);
    expect(res.headers['x-frame-options']).toBe('DENY');
    expect(res.headers['x-content-type-options']).toBe('nosniff');
    expect((await get(host.port, '/', { Host: `localhost:${host.port}` })).status).toBe(200);
  });

  it('refuses foreign Host headers (DNS rebinding), other methods, and paths outside the renderer', async () => {
    const { host } = await webHarness();
    expect((await get(host.port, '/', { Host: `evil.example:${host.port}` })).status).toBe(403);
    expect((await get(host.port, '/../../etc/passwd', { Host: `127.0.0.1:${host.port}` })).status).toBe(404);
    expect((await get(host.port, '/%2e%2e/%2e%2e/etc/passwd', { Host: `127.0.0.1:${host.port}` })).status).toBe(404);
    expect((await get(host.port, '/missing.js', { Host: `127.0.0.1:${host.port}` })).status).toBe(404);
    // Encoded separators survive URL parsing and reach the containment check as real "../".
    for (const path of [
      `/${'..%2f'.repeat(16)}etc%2fpasswd`,
      `/${'%2e%2e%2f'.repeat(16)}etc%2fpasswd`,
      `/${'..%5c'.repeat(16)}etc%5cpasswd`,
    ]) {
      const res = await get(host.port, path, { Host: `127.0.0.1:${host.port}` });
      expect(res.status, path).toBe(404);
      expect(res.body).not.toContain('root:');
    }
    expect((await get(host.port, '/index.html%00.js', { Host: `127.0.0.1:${host.port}` })).status).toBe(400);
    const post = await new Promise<number>((resolve) => {
      const req = http.request(
        { host: '127.0.0.1', port: host.port, path: '/', method: 'POST', headers: { Host: `127.0.0.1:${host.port}` } },
        (res) => {
          res.resume();
          resolve(res.statusCode ?? 0);
        },
      );
      req.end();
    });
    expect(post).toBe(405);
  });

  it('never serves a file beside the renderer folder, however the path is encoded', async () => {
    const rendererDir = rendererFixture();
    const bridge = new Bridge(engine());
    onCleanup(() => bridge.close());
    const host = await startWebHost({ bridge, rendererDir });
    onCleanup(() => host.close());
    const secretDir = mkdtempSync(join(dirname(rendererDir), 'netproc-secret-'));
    onCleanup(() => rmSync(secretDir, { recursive: true, force: true }));
    writeFileSync(join(secretDir, 'secret.html'), 'the secret\n');
    const sibling = basename(secretDir);
    for (const path of [
      `/..%2f${sibling}%2fsecret.html`,
      `/%2e%2e%2f${sibling}%2fsecret.html`,
      `/.%2e/${sibling}/secret.html`,
      `/..%2f..%2f${basename(dirname(rendererDir))}%2f${sibling}%2fsecret.html`,
    ]) {
      const res = await get(host.port, path, { Host: `127.0.0.1:${host.port}` });
      expect(res.status, path).toBe(404);
      expect(res.body, path).not.toContain('the secret');
    }
  });

  it('lets in a WebSocket only with the token, our origin and our host', async () => {
    const { host } = await webHarness();
    const base = `ws://127.0.0.1:${host.port}/ws`;
    const origin = `http://127.0.0.1:${host.port}`;
    expect(await upgrade(`${base}?token=${host.token}`, { origin })).toBe('open');
    expect(await upgrade(`${base}?token=${host.token}`)).toBe('open');
    expect(await upgrade(`${base}?token=${host.token}`, { origin: `http://localhost:${host.port}`, host: `localhost:${host.port}` })).toBe(
      'open',
    );
    expect(await upgrade(base, { origin })).toBe(401);
    expect(await upgrade(`${base}?token=wrong${host.token}`, { origin })).toBe(401);
    // Same length, one character different: a length-only comparison would let it in.
    const sameLength = (host.token[0] === 'A' ? 'B' : 'A') + host.token.slice(1);
    expect(sameLength).toHaveLength(host.token.length);
    expect(await upgrade(`${base}?token=${sameLength}`, { origin })).toBe(401);
    for (const lookalike of [
      `http://evil.127.0.0.1:${host.port}`,
      `http://127.0.0.1:${host.port}.evil.example`,
      `http://x127.0.0.1:${host.port}`,
      `http://127.0.0.1:${host.port + 1}`,
      'null',
    ]) {
      expect(await upgrade(`${base}?token=${host.token}`, { origin: lookalike }), lookalike).toBe(403);
    }
    expect(await upgrade(`${base}?token=${host.token}`, { origin: 'https://evil.example' })).toBe(403);
    expect(await upgrade(`${base}?token=${host.token}`, { origin, host: `evil.example:${host.port}` })).toBe(403);
    expect(await upgrade(`ws://127.0.0.1:${host.port}/other?token=${host.token}`, { origin })).toBe(404);
  });

  it('answers malformed messages with an error and keeps the connection', async () => {
    const { host } = await webHarness();
    const ws = new WebSocket(`ws://127.0.0.1:${host.port}/ws?token=${host.token}`);
    await new Promise((r) => ws.on('open', r));
    const replies: unknown[] = [];
    ws.on('message', (d) => replies.push(JSON.parse(d.toString())));
    ws.send('not json');
    ws.send(JSON.stringify({ id: 7, method: 'nope', params: {} }));
    ws.send(JSON.stringify({ id: 8, method: 'listProcesses', params: {} }));
    await new Promise((r) => setTimeout(r, 200));
    expect(replies).toEqual([
      { id: null, response: { ok: false, error: expect.objectContaining({ code: 'BAD_MESSAGE' }) } },
      {
        id: 7,
        response: {
          ok: false,
          error: {
            code: 'UNKNOWN_METHOD',
            field: 'method',
            message: 'Unknown method "nope"',
            condition: 'error',
            data: ['Unknown method "nope"'],
          },
        },
      },
      { id: 8, response: { ok: true, result: [] } },
    ]);
    ws.close();
  });
});
