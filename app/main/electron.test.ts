import type Electron from 'electron';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { IPC_EVENTS, IPC_REQUEST, type EventBatch, type Response } from '../shared/api.js';
import { appPaths } from './app-paths.js';
import { applicationMenu, QUIT_QUESTION, startElectronApp, type BrowserWindowLike, type ElectronLike } from './electron.js';
import { FakeIpcMain, FakeWebContents } from './bridge/test-clients.js';
import { onCleanup, plainServer, waitFor } from './netproc/test-support.js';

type Listener = (event: { preventDefault(): void }) => void;

/** Enough of Electron to run the host: records what the host asks for. */
class FakeElectron implements ElectronLike {
  readonly appListeners = new Map<string, Listener[]>();
  readonly windows: FakeWindow[] = [];
  readonly ipcMain = new FakeIpcMain();
  menuTemplate: Electron.MenuItemConstructorOptions[] = [];
  permission: ((wc: unknown, permission: string, callback: (granted: boolean) => void) => void) | null = null;
  dialogAnswer = 0;
  readonly dialogs: Electron.MessageBoxOptions[] = [];
  quitCalls = 0;
  exitCodes: number[] = [];
  lock = true;
  readonly userData = mkdtempSync(join(tmpdir(), 'netproc-userdata-'));
  displays = [{ workArea: { x: 0, y: 0, width: 1920, height: 1080 } }];
  screen = { getAllDisplays: () => this.displays };

  app = {
    getPath: (name: string) => {
      if (name !== 'userData') throw new Error(`unexpected path ${name}`);
      return this.userData;
    },
    whenReady: async () => undefined,
    quit: () => {
      this.quitCalls++;
      this.emitApp('before-quit');
    },
    exit: (code?: number) => void this.exitCodes.push(code ?? 0),
    requestSingleInstanceLock: () => this.lock,
    getVersion: () => '0.1.0',
    setAboutPanelOptions: () => undefined,
    on: (event: string, listener: Listener) => {
      this.appListeners.set(event, [...(this.appListeners.get(event) ?? []), listener]);
      return this.app;
    },
  } as unknown as ElectronLike['app'];

  BrowserWindow = ((fake: FakeElectron) =>
    class {
      constructor(options: Electron.BrowserWindowConstructorOptions) {
        const w = new FakeWindow(options);
        fake.windows.push(w);
        return w;
      }
    })(this) as unknown as ElectronLike['BrowserWindow'];

  Menu = {
    buildFromTemplate: (template: Electron.MenuItemConstructorOptions[]) => {
      this.menuTemplate = template;
      return template;
    },
    setApplicationMenu: () => undefined,
  };

  dialog = {
    showMessageBox: async (_w: unknown, options: Electron.MessageBoxOptions) => {
      this.dialogs.push(options);
      return { response: this.dialogAnswer };
    },
  };

  session = { defaultSession: { setPermissionRequestHandler: (h: FakeElectron['permission']) => void (this.permission = h) } };

  /** Fires an app event; returns whether a listener prevented the default. */
  emitApp(event: string): boolean {
    let prevented = false;
    for (const l of this.appListeners.get(event) ?? []) l({ preventDefault: () => void (prevented = true) });
    return prevented;
  }
}

class FakeWindow implements BrowserWindowLike {
  readonly listeners = new Map<string, Listener>();
  closeListeners: Array<() => void> = [];
  maximized = false;
  bounds = { x: 10, y: 20, width: 1000, height: 700 };
  on(_event: 'close', listener: () => void): void {
    this.closeListeners.push(listener);
  }
  getNormalBounds() {
    return this.bounds;
  }
  isMaximized(): boolean {
    return this.maximized;
  }
  maximize(): void {
    this.maximized = true;
  }
  openHandler: (() => { action: 'deny' }) | null = null;
  loaded: string | null = null;
  focused = 0;
  webContents = {
    on: (event: 'will-navigate' | 'will-attach-webview', listener: Listener) => void this.listeners.set(event, listener),
    setWindowOpenHandler: (handler: () => { action: 'deny' }) => void (this.openHandler = handler),
  };
  constructor(readonly options: Electron.BrowserWindowConstructorOptions) {}
  async loadFile(path: string): Promise<void> {
    this.loaded = path;
  }
  isDestroyed(): boolean {
    return false;
  }
  isMinimized(): boolean {
    return false;
  }
  restore(): void {}
  focus(): void {
    this.focused++;
  }
}

const paths = appPaths('file:///opt/Netproc/resources/app.asar/dist/main/electron-main.js');

async function start(fake = new FakeElectron()) {
  const running = await startElectronApp(fake, paths, 'linux');
  onCleanup(async () => {
    rmSync(fake.userData, { recursive: true, force: true });
    fake.emitApp('will-quit');
    await running?.np.close();
  });
  return { fake, running: running! };
}

describe('the Electron host (with a stand-in for Electron)', () => {
  it('opens one window with context isolation, the sandbox, no Node, and our preload', async () => {
    const { fake } = await start();
    expect(fake.windows).toHaveLength(1);
    const w = fake.windows[0]!;
    expect(w.options.webPreferences).toMatchObject({
      preload: '/opt/Netproc/resources/app.asar/dist/preload/preload.cjs',
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      webSecurity: true,
      webviewTag: false,
    });
    expect(w.loaded).toBe('/opt/Netproc/resources/app.asar/dist/renderer/index.html');
  });

  it('denies navigation, new windows, webviews and permission requests', async () => {
    const { fake } = await start();
    const w = fake.windows[0]!;
    for (const event of ['will-navigate', 'will-attach-webview']) {
      const preventDefault = vi.fn();
      w.listeners.get(event)!({ preventDefault });
      expect(preventDefault).toHaveBeenCalled();
    }
    expect(w.openHandler!()).toEqual({ action: 'deny' });
    const granted = vi.fn();
    fake.permission!(null, 'media', granted);
    expect(granted).toHaveBeenCalledWith(false);
  });

  it('serves the contract over IPC to its own renderer only', async () => {
    const { fake } = await start();
    const handler = fake.ipcMain.handlers.get(IPC_REQUEST)!;
    const contents = new FakeWebContents();
    onCleanup(() => contents.destroy());
    const ok = (await handler({ sender: contents, senderFrame: { url: paths.rendererUrl } }, 'listProcesses', {})) as Response;
    expect(ok).toEqual({ ok: true, result: [] });
    const foreign = (await handler({ sender: contents, senderFrame: { url: 'https://example.com/' } }, 'listProcesses', {})) as Response;
    expect(foreign).toMatchObject({ ok: false, error: { code: 'FORBIDDEN' } });
  });

  it('has a menu whose commands reach the renderer as events', async () => {
    const { fake } = await start();
    const contents = new FakeWebContents();
    onCleanup(() => contents.destroy());
    const handler = fake.ipcMain.handlers.get(IPC_REQUEST)!;
    await handler({ sender: contents, senderFrame: { url: paths.rendererUrl } }, 'snapshot', {});
    const batches: EventBatch[] = [];
    contents.listeners.add((b) => batches.push(b));
    const file = fake.menuTemplate.find((m) => m.label === '&File')!;
    const item = (file.submenu as Electron.MenuItemConstructorOptions[]).find((i) => i.label === 'New Process…')!;
    expect(item.accelerator).toBe('CmdOrCtrl+N');
    (item.click as () => void)();
    await waitFor(() => batches.length > 0);
    expect(batches[0]!.events).toEqual([{ type: 'menu-command', command: 'new-process' }]);
    expect(applicationMenu(() => undefined, true)[0]).toEqual({ role: 'appMenu' });
    const help = fake.menuTemplate.find((m) => m.label === '&Help')!;
    expect(help.submenu).toEqual([{ role: 'about' }]);
    expect(IPC_EVENTS).toBe('netproc:events');
  });

  it('asks before quitting while processes with the query flag are live, and closes every socket on quit', async () => {
    const { fake, running } = await start();
    expect(fake.emitApp('before-quit')).toBe(false);
    const peer = await plainServer();
    let peerClosed = false;
    peer.server.on('connection', (s) => s.on('close', () => (peerClosed = true)));
    await running.np.makeNetworkProcess({ name: 'live', host: '127.0.0.1', service: peer.port });
    fake.dialogAnswer = 0;
    expect(fake.emitApp('before-quit')).toBe(true);
    await waitFor(() => fake.dialogs.length === 1);
    expect(fake.dialogs[0]).toMatchObject({ message: QUIT_QUESTION, detail: 'live', buttons: ['Cancel', 'Kill Them and Exit'] });
    expect(fake.quitCalls).toBe(0);
    fake.dialogAnswer = 1;
    fake.emitApp('before-quit');
    await waitFor(() => fake.quitCalls === 1);
    expect(fake.emitApp('will-quit')).toBe(true);
    await waitFor(() => fake.exitCodes.length === 1);
    expect(fake.exitCodes).toEqual([0]);
    await waitFor(() => peerClosed);
  });

  it('remembers the window size and position, and ignores a position no display shows', async () => {
    const fake = new FakeElectron();
    const first = await startElectronApp(fake, paths, 'linux');
    const w = fake.windows[0]!;
    w.bounds = { x: 300, y: 200, width: 1111, height: 777 };
    w.maximized = true;
    w.closeListeners.forEach((l) => l());
    expect(JSON.parse(readFileSync(join(fake.userData, 'window-state.json'), 'utf8'))).toEqual({ bounds: w.bounds, maximized: true });
    await first!.np.close();
    first!.bridge.close();
    const again = new FakeElectron();
    Object.assign(again, { userData: fake.userData });
    const second = await startElectronApp(again, paths, 'linux');
    expect(again.windows[0]!.options).toMatchObject({ x: 300, y: 200, width: 1111, height: 777 });
    expect(again.windows[0]!.maximized).toBe(true);
    await second!.np.close();
    second!.bridge.close();
    writeFileSync(
      join(fake.userData, 'window-state.json'),
      JSON.stringify({ bounds: { x: 5000, y: 5000, width: 900, height: 600 }, maximized: false }),
    );
    const third = new FakeElectron();
    Object.assign(third, { userData: fake.userData });
    const running = await startElectronApp(third, paths, 'linux');
    expect(third.windows[0]!.options).toMatchObject({ width: 900, height: 600 });
    expect(third.windows[0]!.options.x).toBeUndefined();
    await running!.np.close();
    running!.bridge.close();
    rmSync(fake.userData, { recursive: true, force: true });
  });

  it('a second instance focuses the first; without the lock it quits at once', async () => {
    const { fake } = await start();
    fake.emitApp('second-instance');
    expect(fake.windows[0]!.focused).toBe(1);
    const locked = new FakeElectron();
    locked.lock = false;
    expect(await startElectronApp(locked, paths)).toBeNull();
    expect(locked.quitCalls).toBe(1);
    expect(locked.windows).toHaveLength(0);
  });
});

describe('app paths', () => {
  it('finds the preload and renderer beside the built main, in a build folder or an asar', () => {
    expect(appPaths('file:///work/netproc/dist/main/electron-main.js')).toEqual({
      preload: '/work/netproc/dist/preload/preload.cjs',
      rendererDir: '/work/netproc/dist/renderer',
      rendererIndex: '/work/netproc/dist/renderer/index.html',
      rendererUrl: 'file:///work/netproc/dist/renderer/index.html',
    });
    expect(paths.rendererUrl).toBe('file:///opt/Netproc/resources/app.asar/dist/renderer/index.html');
  });
});
