import { beforeEach, describe, expect, it, vi } from 'vitest';
import { IPC_EVENTS, IPC_REQUEST, METHODS } from '../shared/api.js';

const exposed = new Map<string, unknown>();
const ipcListeners = new Map<string, Set<(...args: unknown[]) => void>>();
const invoke = vi.fn(async (_channel: string, method: string) => ({ ok: true, result: `answer to ${method}` }));

vi.mock('electron', () => ({
  contextBridge: { exposeInMainWorld: (key: string, api: unknown) => exposed.set(key, api) },
  ipcRenderer: {
    invoke,
    on: (channel: string, listener: (...args: unknown[]) => void) => {
      if (!ipcListeners.has(channel)) ipcListeners.set(channel, new Set());
      ipcListeners.get(channel)!.add(listener);
    },
    removeListener: (channel: string, listener: (...args: unknown[]) => void) => ipcListeners.get(channel)?.delete(listener),
  },
}));

describe('the preload', () => {
  beforeEach(async () => {
    exposed.clear();
    vi.resetModules();
    await import('./preload.js');
  });

  it('exposes exactly the contract as window.netproc, and nothing else', () => {
    expect([...exposed.keys()]).toEqual(['netproc']);
    const api = exposed.get('netproc') as Record<string, unknown>;
    expect(Object.keys(api).sort()).toEqual([...METHODS, 'onEvents'].sort());
    expect(Object.isFrozen(api)).toBe(true);
    for (const key of Object.keys(api)) expect(typeof api[key]).toBe('function');
  });

  it('turns calls into invokes on the one request channel, and relays event batches', async () => {
    const api = exposed.get('netproc') as { listProcesses(p: unknown): Promise<unknown>; onEvents(l: (b: unknown) => void): () => void };
    expect(await api.listProcesses({})).toBe('answer to listProcesses');
    expect(invoke).toHaveBeenCalledWith(IPC_REQUEST, 'listProcesses', {});
    const got: unknown[] = [];
    const stop = api.onEvents((b) => got.push(b));
    for (const l of ipcListeners.get(IPC_EVENTS) ?? []) l({ sender: 'ignored' }, { seq: 1, events: [] });
    expect(got).toEqual([{ seq: 1, events: [] }]);
    stop();
    expect(ipcListeners.get(IPC_EVENTS)?.size).toBe(0);
  });
});
