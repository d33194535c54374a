/**
 * The preload: exposes the contract as `window.netproc`, and nothing else
 * (no ipcRenderer, no Node). Bundled to dist/preload/preload.cjs for the
 * sandboxed renderer.
 */
import { contextBridge, ipcRenderer } from 'electron';
import { createNetprocApi, IPC_EVENTS, IPC_REQUEST, type EventBatch, type Response } from '../shared/api.js';

const api = createNetprocApi({
  invoke: (method, params) => ipcRenderer.invoke(IPC_REQUEST, method, params) as Promise<Response>,
  subscribe: (listener) => {
    const handler = (_event: unknown, batch: EventBatch): void => listener(batch);
    ipcRenderer.on(IPC_EVENTS, handler);
    return () => {
      ipcRenderer.removeListener(IPC_EVENTS, handler);
    };
  },
});

contextBridge.exposeInMainWorld('netproc', api);
