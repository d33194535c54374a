/**
 * The contract over Electron IPC: one invoke channel for requests, one send
 * channel for event batches. Requests are served only to senders the host
 * accepts (its own window's main frame, on its own origin); a session lives
 * as long as its webContents.
 */
import { IPC_EVENTS, IPC_REQUEST, plainError, type Response } from '../../shared/api.js';
import { DisposableStore, toDisposable, type Disposable } from '../../shared/lifecycle.js';
import type { Bridge, BridgeSession } from './bridge.js';

/** The slice of Electron's API this transport uses (so tests can give it a double). */
export interface WebContentsLike {
  id: number;
  send(channel: string, ...args: unknown[]): void;
  isDestroyed(): boolean;
  once(event: 'destroyed', listener: () => void): unknown;
}
export interface WebFrameLike {
  url: string;
  /** null for a main frame. */
  parent: WebFrameLike | null;
}
export interface IpcInvokeEventLike {
  sender: WebContentsLike;
  /** null once the frame has navigated away or gone. */
  senderFrame: WebFrameLike | null;
}

export interface IpcMainLike {
  handle(channel: string, listener: (event: IpcInvokeEventLike, ...args: unknown[]) => Promise<unknown> | unknown): void;
  removeHandler(channel: string): void;
}

export function registerIpcTransport(
  ipcMain: IpcMainLike,
  bridge: Bridge,
  acceptsSender: (event: IpcInvokeEventLike) => boolean,
): Disposable {
  // The request handler and every window's session: disposing the registration releases them all.
  const disposables = new DisposableStore();
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
      const created = disposables.add(session);
      contents.once('destroyed', () => {
        disposables.delete(created);
        sessions.delete(contents.id);
      });
    }
    return session;
  };
  disposables.add(toDisposable(() => sessions.clear()));
  ipcMain.handle(IPC_REQUEST, async (event, method, params): Promise<Response> => {
    if (!acceptsSender(event)) {
      // The sender's URL is not echoed: it is the sender's to choose, and may be any length.
      return { ok: false, error: plainError('FORBIDDEN', "Requests are accepted only from Netproc's own window") };
    }
    return sessionFor(event.sender).request(method, params);
  });
  disposables.add(toDisposable(() => ipcMain.removeHandler(IPC_REQUEST)));
  return disposables;
}
