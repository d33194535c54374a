/**
 * The fixtures every flow uses, whichever host runs it: `page` shows the
 * workbench, `control` is a second client of the same contract (for setting
 * up what a flow needs without its UI), and `peer` makes plain Node sockets on
 * loopback that stand for the other end of a connection.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test as base, _electron, type ElectronApplication, type Page } from '@playwright/test';
import { WebSocket } from 'ws';
import { createNetprocApi, type Method, type NetprocApi } from '../app/shared/api.js';
import { createWebSocketTransport, type WebSocketLike } from '../app/renderer/web-shim.js';
import { electronBinary } from './hosts.js';

export type HostName = 'web' | 'electron';

export interface WebHostProcess {
  url: string;
  port: number;
  token: string;
  child: ChildProcess;
}

/** Each host remembers certificate pins in a file of its own, never the user's. */
function hostEnvironment(): Record<string, string> {
  return {
    ...(process.env as Record<string, string>),
    CI: 'true',
    NETPROC_PIN_FILE: join(mkdtempSync(join(tmpdir(), 'netproc-e2e-')), 'certificate-pins.json'),
  };
}

/** A web host of its own, on a free loopback port, with a fresh engine. */
export async function startWebHost(): Promise<WebHostProcess> {
  const child = spawn(process.execPath, ['dist/main/web-cli.js', '--port', '0'], {
    stdio: ['ignore', 'pipe', 'inherit'],
    env: hostEnvironment(),
  });
  let output = '';
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`web host did not start: ${output}`)), 15_000);
    child.stdout!.on('data', (d: Buffer) => {
      output += d.toString();
      const match = /http:\/\/127\.0\.0\.1:\d+\/\?token=\S+/.exec(output);
      if (match) {
        clearTimeout(timer);
        resolve(match[0]);
      }
    });
    child.on('exit', (code) => reject(new Error(`web host exited with ${code}: ${output}`)));
  });
  const parsed = new URL(url);
  return { url, port: Number(parsed.port), token: parsed.searchParams.get('token') ?? '', child };
}

/** A second client of a web host's contract, over its WebSocket as the page's own is. */
export async function webControl(host: WebHostProcess): Promise<{ api: NetprocApi; close(): void }> {
  const transport = createWebSocketTransport(
    `ws://127.0.0.1:${host.port}/ws?token=${host.token}`,
    (url) => new WebSocket(url, { origin: `http://127.0.0.1:${host.port}` }) as unknown as WebSocketLike,
  );
  await transport.opened;
  return { api: createNetprocApi(transport), close: () => transport.close() };
}

/** A page showing a web host's workbench, once its first snapshot is in (its keyboard shortcuts are listening by then). */
export async function openWorkbench(page: Page, host: WebHostProcess): Promise<void> {
  await page.goto(host.url);
  await page.getByRole('status').filter({ hasText: 'Connected' }).waitFor();
}

/** The contract driven through the page's own window.netproc (Electron's preload). */
function pageApi(page: Page): NetprocApi {
  return createNetprocApi({
    invoke: (method: Method, params: unknown) =>
      page.evaluate(
        async ([m, p]) => {
          const api = (window as unknown as { netproc: Record<string, (x: unknown) => Promise<unknown>> }).netproc;
          try {
            return { ok: true as const, result: await api[m as string]!(p) };
          } catch (err) {
            const e = err as { code?: string; message?: string; field?: string | null };
            return { ok: false as const, error: { code: e.code ?? 'ERROR', message: e.message ?? String(err), field: e.field ?? null } };
          }
        },
        [method, params] as const,
      ) as never,
    subscribe: () => () => undefined,
  });
}

export interface Peer {
  /** A plain TCP client to 127.0.0.1:port that records what it receives. */
  connect(port: number): Promise<{ socket: net.Socket; received: () => string }>;
}

export const test = base.extend<
  { host: HostName; control: NetprocApi; peer: Peer; page: Page },
  { webHost: WebHostProcess | null; electronApp: ElectronApplication | null }
>({
  host: ['web', { option: true }],
  webHost: [
    async ({}, use, workerInfo) => {
      if ((workerInfo.project.use as { host?: HostName }).host !== 'web') return use(null);
      const host = await startWebHost();
      await use(host);
      host.child.kill('SIGTERM');
    },
    // Starting the host is not part of any test's time budget.
    { scope: 'worker', timeout: 60_000 },
  ],
  electronApp: [
    async ({}, use, workerInfo) => {
      if ((workerInfo.project.use as { host?: HostName }).host !== 'electron') return use(null);
      const executablePath = electronBinary();
      if (!executablePath) return use(null);
      const app = await _electron.launch({ executablePath, args: ['.'], env: hostEnvironment() });
      await use(app);
      await app.close();
    },
    { scope: 'worker', timeout: 60_000 },
  ],
  page: async ({ host, webHost, electronApp, browser }, use) => {
    // A flow starts once the workbench has its first snapshot: by then its keyboard shortcuts are listening too.
    const ready = (p: Page) => p.getByRole('status').filter({ hasText: 'Connected' }).waitFor();
    if (host === 'electron') {
      const window = await electronApp!.firstWindow();
      await ready(window);
      await use(window);
      return;
    }
    const context = await browser.newContext();
    const page = await context.newPage();
    await openWorkbench(page, webHost!);
    await use(page);
    await context.close();
  },
  control: async ({ host, webHost, page }, use) => {
    if (host === 'electron') return use(pageApi(page));
    const { api, close } = await webControl(webHost!);
    await use(api);
    // Leave the engine clean for the next test: buffers outlive their processes, so they go too.
    const { processes } = await api.snapshot({});
    if (processes.length) await api.deleteProcess({ ids: processes.map((p) => p.id) }).catch(() => undefined);
    for (const { name } of (await api.snapshot({})).buffers) await api.killBuffer({ name }).catch(() => undefined);
    close();
  },
  peer: async ({}, use) => {
    const sockets: net.Socket[] = [];
    await use({
      connect: (port) =>
        new Promise((resolve, reject) => {
          const chunks: Buffer[] = [];
          const socket = net.connect(port, '127.0.0.1', () => resolve({ socket, received: () => Buffer.concat(chunks).toString() }));
          socket.on('data', (d) => chunks.push(d));
          socket.on('error', reject);
          sockets.push(socket);
        }),
    });
    for (const s of sockets) s.destroy();
  },
});

export { expect } from '@playwright/test';
