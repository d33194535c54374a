/**
 * The contract over Electron IPC: one invoke channel for requests, one send
 * channel for event batches. Requests are served only to frames showing our
 * own renderer; a session lives as long as its webContents.
 */
import { IPC_EVENTS, IPC_REQUEST, type Response } from '../../shared/contract.js';
import type { Bridge, BridgeSession } from './bridge.js';

/** The slice of Electron's API this transport uses (so tests can give it a double). */
export interface WebContentsLike {
  id: number;
  send(channel: string, ...args: unknown[]): void;
  isDestroyed(): boolean;
  once(event: 'destroyed', listener: () => void): unknown;
}
export interface IpcInvokeEventLike {
  sender: WebContentsLike;
  senderFrame: { url: string } | null;
}
export interface IpcMainLike {
  handle(channel: string, listener: (event: IpcInvokeEventLike, ...args: unknown[]) => Promise<unknown> | unknown): void;
  removeHandler(channel: string): void;
}

export function registerIpcTransport(ipcMain: IpcMainLike, bridge: Bridge, isOwnFrame: (url: string) => boolean): () => void {
  const sessions = new Map<number, BridgeSession>();
  const sessionFor = (contents: WebContentsLike): BridgeSession => {
    let session = sessions.get(contents.id);
    if (!session) {
      session = bridge.connect({
        send: (batch) => {
          if (!contents.isDestroyed()) contents.send(IPC_EVENTS, batch);
        },
        ready: () => !contents.isDestroyed(),
      });
      sessions.set(contents.id, session);
      const created = session;
      contents.once('destroyed', () => {
        created.close();
        sessions.delete(contents.id);
      });
    }
    return session;
  };
  ipcMain.handle(IPC_REQUEST, async (event, method, params): Promise<Response> => {
    const url = event.senderFrame?.url ?? '';
    if (!isOwnFrame(url)) {
      return {
        ok: false,
        error: { code: 'FORBIDDEN', message: `Requests from ${url || 'an unknown frame'} are not accepted`, field: null },
      };
    }
    return sessionFor(event.sender).request(method, params);
  });
  return () => {
    ipcMain.removeHandler(IPC_REQUEST);
    for (const session of sessions.values()) session.close();
    sessions.clear();
  };
}
