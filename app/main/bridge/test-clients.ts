/**
 * The two ways a renderer reaches the bridge, for the conformance suite: the
 * real WebSocket through the loopback web host, and Electron IPC through an
 * in-process double of ipcMain/webContents that copies every message the way
 * structured clone would.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { WebSocket } from 'ws';
import { createNetprocApi, IPC_EVENTS, IPC_REQUEST, type EventBatch, type NetprocApi, type Response } from '../../shared/api.js';
import { createWebSocketTransport, type WebSocketLike } from '../../renderer/web-shim.js';
import { engine, onCleanup } from '../netproc/test-support.js';
import type { Netproc } from '../netproc/index.js';
import { Bridge, type BridgeOptions } from './bridge.js';
import { registerIpcTransport, type IpcInvokeEventLike, type IpcMainLike, type WebContentsLike } from './ipc-transport.js';
import { startWebHost, type WebHost } from '../web.js';
import { isOwnMainFrame, RENDERER_URL } from '../app-scheme.js';

export interface Harness {
  np: Netproc;
  bridge: Bridge;
  /** A new client, as a freshly loaded (or reloaded) renderer would get. */
  client(): Promise<NetprocApi>;
}

export type TransportName = 'websocket' | 'ipc';

export function rendererFixture(): string {
  const dir = mkdtempSync(join(tmpdir(), 'netproc-renderer-'));
  writeFileSync(join(dir, 'index.html'), '<!doctype html><title>Netproc</title><p>fixture</p>\n');
  onCleanup(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

export async function webHarness(options: BridgeOptions = {}): Promise<Harness & { host: WebHost }> {
  const np = engine();
  const bridge = new Bridge(np, options);
  onCleanup(() => bridge.close());
  const host = await startWebHost({ bridge, rendererDir: rendererFixture() });
  onCleanup(() => host.close());
  return {
    np,
    bridge,
    host,
    client: async () => {
      const transport = createWebSocketTransport(
        `ws://127.0.0.1:${host.port}/ws?token=${host.token}`,
        (url) => new WebSocket(url, { origin: `http://127.0.0.1:${host.port}` }) as unknown as WebSocketLike,
      );
      onCleanup(() => transport.close());
      await transport.opened;
      return createNetprocApi(transport);
    },
  };
}

/** An in-process stand-in for ipcMain and one webContents per client. */
export class FakeIpcMain implements IpcMainLike {
  readonly handlers = new Map<string, (event: IpcInvokeEventLike, ...args: unknown[]) => unknown>();
  handle(channel: string, listener: (event: IpcInvokeEventLike, ...args: unknown[]) => unknown): void {
    if (this.handlers.has(channel)) throw new Error(`second handler for ${channel}`);
    this.handlers.set(channel, listener);
  }
  removeHandler(channel: string): void {
    this.handlers.delete(channel);
  }
}

let nextContentsId = 1;
export class FakeWebContents implements WebContentsLike {
  readonly id = nextContentsId++;
  destroyed = false;
  private readonly destroyListeners: Array<() => void> = [];
  readonly listeners = new Set<(batch: EventBatch) => void>();
  send(channel: string, batch: unknown): void {
    if (channel !== IPC_EVENTS) throw new Error(`unexpected channel ${channel}`);
    const copy = structuredClone(batch) as EventBatch;
    for (const l of this.listeners) l(copy);
  }
  isDestroyed(): boolean {
    return this.destroyed;
  }
  once(_event: 'destroyed', listener: () => void): void {
    this.destroyListeners.push(listener);
  }
  destroy(): void {
    this.destroyed = true;
    for (const l of this.destroyListeners.splice(0)) l();
  }
}

/** A client in the main frame of `contents`, showing `frameUrl`. */
export function ipcClient(ipcMain: FakeIpcMain, contents: FakeWebContents, frameUrl = RENDERER_URL): NetprocApi {
  return createNetprocApi({
    invoke: async (method, params) => {
      const handler = ipcMain.handlers.get(IPC_REQUEST);
      if (!handler) throw new Error('no IPC handler registered');
      const response = await handler({ sender: contents, senderFrame: { url: frameUrl, parent: null } }, method, structuredClone(params));
      return structuredClone(response) as Response;
    },
    subscribe: (listener) => {
      contents.listeners.add(listener);
      return () => contents.listeners.delete(listener);
    },
  });
}

export async function ipcHarness(options: BridgeOptions = {}): Promise<Harness & { ipcMain: FakeIpcMain }> {
  const np = engine();
  const bridge = new Bridge(np, options);
  onCleanup(() => bridge.close());
  const ipcMain = new FakeIpcMain();
  const registration = registerIpcTransport(ipcMain, bridge, (event) => isOwnMainFrame(event.senderFrame));
  onCleanup(() => registration.dispose());
  return {
    np,
    bridge,
    ipcMain,
    client: async () => {
      const contents = new FakeWebContents();
      onCleanup(() => contents.destroy());
      return ipcClient(ipcMain, contents);
    },
  };
}

export const harnesses: Record<TransportName, (options?: BridgeOptions) => Promise<Harness>> = {
  websocket: webHarness,
  ipc: ipcHarness,
};
