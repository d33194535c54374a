import type Electron from 'electron';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it, vi } from 'vitest';
import { IPC_EVENTS, IPC_REQUEST, type EventBatch, type Method, type Response } from '../shared/api.js';
import { appPaths } from './app-paths.js';
import { APP_SCHEME, RENDERER_URL } from './app-scheme.js';
import type { IpcInvokeEventLike, WebFrameLike } from './bridge/ipc-transport.js';
import {
  applicationMenu,
  QUIT_QUESTION,
  startElectronApp,
  type BrowserWindowLike,
  type ElectronLike,
  type NavigationEventLike,
} from './electron.js';
import { FakeIpcMain, FakeWebContents } from './bridge/test-clients.js';
import type { NetworkProcess, Netproc } from './netproc/index.js';
import { engine, freePort, onCleanup, plainServer, waitFor } from './netproc/test-support.js';

type Listener = (event: { preventDefault(): void }) => void;
/** The fetch API's response (the contract's `Response` has the plain name here). */
type FetchResponse = globalThis.Response;
type NavigationListener = (event: NavigationEventLike) => void;
type PermissionCheck = Parameters<Electron.Session['setPermissionCheckHandler']>[0];
type PermissionRequest = Parameters<Electron.Session['setPermissionRequestHandler']>[0];

/** Enough of Electron to run the host: records what the host asks for. */
class FakeElectron implements ElectronLike {
  readonly appListeners = new Map<string, Listener[]>();
  readonly windows: FakeWindow[] = [];
  readonly ipcMain = new FakeIpcMain();
  menuTemplate: Electron.MenuItemConstructorOptions[] = [];
  permissionRequest: PermissionRequest = null;
  permissionCheck: PermissionCheck = null;
  /** Schemes registered as privileged, and whether that happened before the app was ready (as Electron requires). */
  readonly privilegedSchemes: Array<{ scheme: Electron.CustomScheme; beforeReady: boolean }> = [];
  readonly protocolHandlers = new Map<string, (request: Request) => FetchResponse | Promise<FetchResponse>>();
  ready = false;
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
    whenReady: async () => void (this.ready = true),
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

  /** What the open and save dialogs answer next: a path, or null for Cancel. */
  openAnswer: string | null = null;
  saveAnswer: string | null = null;
  readonly fileDialogs: Array<{ parent: unknown; options: Electron.OpenDialogOptions | Electron.SaveDialogOptions }> = [];

  dialog = {
    showMessageBox: async (_w: unknown, options: Electron.MessageBoxOptions) => {
      this.dialogs.push(options);
      return { response: this.dialogAnswer };
    },
    showOpenDialog: async (parent: unknown, options: Electron.OpenDialogOptions) => {
      this.fileDialogs.push({ parent, options });
      return this.openAnswer === null ? { canceled: true, filePaths: [] } : { canceled: false, filePaths: [this.openAnswer] };
    },
    showSaveDialog: async (parent: unknown, options: Electron.SaveDialogOptions) => {
      this.fileDialogs.push({ parent, options });
      return this.saveAnswer === null ? { canceled: true } : { canceled: false, filePath: this.saveAnswer };
    },
  };

  protocol = {
    registerSchemesAsPrivileged: (schemes: Electron.CustomScheme[]) => {
      for (const scheme of schemes) this.privilegedSchemes.push({ scheme, beforeReady: !this.ready });
    },
    handle: (scheme: string, handler: (request: Request) => FetchResponse | Promise<FetchResponse>) =>
      void this.protocolHandlers.set(scheme, handler),
  };

  session = {
    defaultSession: {
      setPermissionRequestHandler: (h: PermissionRequest) => void (this.permissionRequest = h),
      setPermissionCheckHandler: (h: PermissionCheck) => void (this.permissionCheck = h),
    },
  };

  /** Fires an app event; returns whether a listener prevented the default. */
  emitApp(event: string): boolean {
    let prevented = false;
    for (const l of this.appListeners.get(event) ?? []) l({ preventDefault: () => void (prevented = true) });
    return prevented;
  }
}

/** The window's webContents: an IPC sender like any other, plus the navigation events the host listens to. */
class FakeWindowContents extends FakeWebContents {
  readonly navigationListeners = new Map<string, NavigationListener | Listener>();
  openHandler: (() => { action: 'deny' }) | null = null;
  on(event: string, listener: NavigationListener | Listener): this {
    this.navigationListeners.set(event, listener);
    return this;
  }
  setWindowOpenHandler(handler: () => { action: 'deny' }): void {
    this.openHandler = handler;
  }
  /** Fires a navigation event; returns whether the host prevented it. */
  navigate(event: 'will-frame-navigate' | 'will-redirect', url: string): boolean {
    let prevented = false;
    (this.navigationListeners.get(event) as NavigationListener)({ url, preventDefault: () => void (prevented = true) });
    return prevented;
  }
}

class FakeWindow implements BrowserWindowLike {
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
  loaded: string | null = null;
  focused = 0;
  readonly webContents = new FakeWindowContents();
  constructor(readonly options: Electron.BrowserWindowConstructorOptions) {
    onCleanup(() => this.webContents.destroy());
  }
  async loadURL(url: string): Promise<void> {
    this.loaded = url;
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

async function start(fake = new FakeElectron(), appPathsUsed = paths) {
  const running = await startElectronApp(fake, appPathsUsed, 'linux');
  onCleanup(async () => {
    rmSync(fake.userData, { recursive: true, force: true });
    fake.emitApp('will-quit');
    await running?.np.close();
  });
  return { fake, running: running! };
}

describe('the Electron host (with a stand-in for Electron)', () => {
  it('workspace files: chosen in dialogs over the window, checked before they are read or written, remembered as recent', async () => {
    const { fake, running } = await start();
    const folder = mkdtempSync(join(tmpdir(), 'netproc-workspaces-'));
    onCleanup(() => rmSync(folder, { recursive: true, force: true }));
    const request = (method: Method, params: unknown) => running.bridge.request(method, params);
    const good = { format: 'netproc-workspace', version: 1, processes: [], messages: [], layout: { columns: 40 } };
    expect(await request('recentWorkspaces', {})).toEqual({ ok: true, result: { available: true, paths: [] } });

    // Save: the dialog suggests NAME.netproc.json; Cancel writes nothing.
    expect(await request('saveWorkspaceFile', { text: JSON.stringify(good), path: null, name: 'lab' })).toEqual({ ok: true, result: null });
    expect(fake.fileDialogs[0]).toMatchObject({ parent: fake.windows[0], options: { defaultPath: 'lab.netproc.json' } });
    const file = join(folder, 'lab.netproc.json');
    fake.saveAnswer = file;
    expect(await request('saveWorkspaceFile', { text: JSON.stringify(good), path: null, name: 'lab' })).toEqual({
      ok: true,
      result: { path: file },
    });
    expect(JSON.parse(readFileSync(file, 'utf8'))).toEqual(good);
    // A bad workspace is never written, even over a recent file.
    expect(
      await request('saveWorkspaceFile', { text: '{"format": "netproc-workspace", "version": 1}', path: file, name: 'lab' }),
    ).toMatchObject({
      ok: false,
      error: { code: 'INVALID_WORKSPACE', field: 'processes' },
    });
    expect(JSON.parse(readFileSync(file, 'utf8'))).toEqual(good);

    // Open from the recent list without a dialog; a path the user never chose is refused, read or written.
    expect(await request('recentWorkspaces', {})).toEqual({ ok: true, result: { available: true, paths: [file] } });
    const dialogs = fake.fileDialogs.length;
    expect(await request('openWorkspaceFile', { path: file })).toMatchObject({ ok: true, result: { path: file, workspace: good } });
    expect(fake.fileDialogs).toHaveLength(dialogs);
    expect(await request('openWorkspaceFile', { path: '/etc/passwd' })).toMatchObject({ ok: false, error: { field: 'path' } });
    expect(await request('saveWorkspaceFile', { text: JSON.stringify(good), path: join(folder, 'x.json'), name: 'x' })).toMatchObject({
      ok: false,
      error: { field: 'path' },
    });
    expect(existsSync(join(folder, 'x.json'))).toBe(false);

    // Open through the dialog: a bad file is refused with its first bad field and does not join the recent list.
    const bad = join(folder, 'bad.json');
    writeFileSync(bad, JSON.stringify({ ...good, layout: { columns: 'wide' } }));
    fake.openAnswer = bad;
    expect(await request('openWorkspaceFile', { path: null })).toMatchObject({
      ok: false,
      error: { code: 'INVALID_WORKSPACE', field: 'layout.columns' },
    });
    expect(JSON.parse(readFileSync(join(fake.userData, 'recent-workspaces.json'), 'utf8'))).toEqual([file]);
  });

  it('opens one window with context isolation, the sandbox, no Node, and our preload, showing our own origin', async () => {
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
    expect(w.loaded).toBe('app://netproc/index.html');
  });

  it('serves the renderer folder from a privileged app:// scheme registered before ready, not from file://', async () => {
    const dist = mkdtempSync(join(tmpdir(), 'netproc-dist-'));
    onCleanup(() => rmSync(dist, { recursive: true, force: true }));
    mkdirSync(join(dist, 'renderer'));
    writeFileSync(join(dist, 'renderer', 'index.html'), '<!doctype html><title>own renderer</title>\n');
    const { fake } = await start(new FakeElectron(), appPaths(pathToFileURL(join(dist, 'main', 'electron-main.js')).href));
    expect(fake.privilegedSchemes).toEqual([
      { scheme: { scheme: APP_SCHEME, privileges: expect.objectContaining({ standard: true, secure: true }) }, beforeReady: true },
    ]);
    const privileges = fake.privilegedSchemes[0]!.scheme.privileges!;
    expect(privileges.bypassCSP ?? false).toBe(false);
    expect(privileges.corsEnabled ?? false).toBe(false);
    const handler = fake.protocolHandlers.get(APP_SCHEME)!;
    const page = await handler(new Request(RENDERER_URL));
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('own renderer');
    expect(page.headers.get('content-security-policy')).toContain("connect-src 'none'");
    expect((await handler(new Request('app://netproc/../main/electron-main.js'))).status).toBe(404);
  });

  it('keeps every frame on our origin: navigations and redirects elsewhere are denied, as are new windows, webviews', async () => {
    const { fake } = await start();
    const contents = fake.windows[0]!.webContents;
    for (const event of ['will-frame-navigate', 'will-redirect'] as const) {
      expect(contents.navigate(event, 'app://netproc/index.html'), `${event} within our origin`).toBe(false);
      expect(contents.navigate(event, 'app://netproc/index.html?x#y'), `${event} within our origin`).toBe(false);
      for (const url of [
        'file:///opt/Netproc/resources/app.asar/dist/renderer/index.html',
        'file:///etc/passwd',
        'https://example.com/',
        'http://127.0.0.1:8080/',
        'app://other/index.html',
        'app://netproc.example/index.html',
        'app://user@netproc/index.html',
        'about:blank',
        'data:text/html,<p>x</p>',
        'javascript:alert(1)',
        'not a url',
      ]) {
        expect(contents.navigate(event, url), `${event} to ${url}`).toBe(true);
      }
    }
    const preventDefault = vi.fn();
    (contents.navigationListeners.get('will-attach-webview') as Listener)({ preventDefault });
    expect(preventDefault).toHaveBeenCalled();
    expect(contents.openHandler!()).toEqual({ action: 'deny' });
  });

  it('allows exactly one permission, clipboard-sanitized-write, and only to our own origin, when checked or requested', async () => {
    const { fake } = await start();
    const contents = fake.windows[0]!.webContents as unknown as Electron.WebContents;
    const check = (permission: string, origin: string): boolean =>
      fake.permissionCheck!(
        contents,
        permission as 'clipboard-sanitized-write',
        origin,
        {} as Electron.PermissionCheckHandlerHandlerDetails,
      );
    const request = (permission: string, url: string): boolean => {
      let granted: boolean | null = null;
      fake.permissionRequest!(contents, permission as 'clipboard-sanitized-write', (g) => (granted = g), {
        requestingUrl: url,
        isMainFrame: true,
      } as Electron.PermissionRequest);
      if (granted === null) throw new Error(`no answer for ${permission}`);
      return granted;
    };
    expect(check('clipboard-sanitized-write', 'app://netproc')).toBe(true);
    expect(request('clipboard-sanitized-write', RENDERER_URL)).toBe(true);
    for (const origin of ['file://', 'https://example.com', 'app://other', 'app://netproc.example', '']) {
      expect(check('clipboard-sanitized-write', origin), origin).toBe(false);
      expect(request('clipboard-sanitized-write', `${origin}/index.html`), origin).toBe(false);
    }
    for (const permission of [
      'clipboard-read',
      'media',
      'geolocation',
      'notifications',
      'openExternal',
      'fullscreen',
      'fileSystem',
      'hid',
    ]) {
      expect(check(permission, 'app://netproc'), permission).toBe(false);
      expect(request(permission, RENDERER_URL), permission).toBe(false);
    }
  });

  describe('answers IPC only from the main frame of its own window, showing our own origin', () => {
    const ask = async (fake: FakeElectron, event: IpcInvokeEventLike): Promise<Response> =>
      (await fake.ipcMain.handlers.get(IPC_REQUEST)!(event, 'listProcesses', {})) as Response;
    const mainFrame = (url: string): WebFrameLike => ({ url, parent: null });
    const subframe = (url: string): WebFrameLike => ({ url, parent: mainFrame(RENDERER_URL) });

    it('answers its own window main frame', async () => {
      const { fake } = await start();
      const own = fake.windows[0]!.webContents;
      expect(await ask(fake, { sender: own, senderFrame: mainFrame(RENDERER_URL) })).toEqual({ ok: true, result: [] });
      expect(await ask(fake, { sender: own, senderFrame: mainFrame('app://netproc/?after#reload') })).toEqual({ ok: true, result: [] });
    });

    const refused: Array<[string, (own: FakeWindowContents, other: FakeWebContents) => IpcInvokeEventLike]> = [
      ['a frame with another file:// URL', (own) => ({ sender: own, senderFrame: mainFrame('file:///tmp/planted/index.html') })],
      [
        'the file:// URL the renderer used to have',
        (own) => ({ sender: own, senderFrame: mainFrame(pathToFileURL(join(paths.rendererDir, 'index.html')).href) }),
      ],
      ['another app:// host', (own) => ({ sender: own, senderFrame: mainFrame('app://other/index.html') })],
      ['a host that only starts with ours', (own) => ({ sender: own, senderFrame: mainFrame('app://netproc.example/index.html') })],
      ['another scheme with our host', (own) => ({ sender: own, senderFrame: mainFrame('netproc://netproc/index.html') })],
      ['an https URL', (own) => ({ sender: own, senderFrame: mainFrame('https://example.com/') })],
      ['an http URL', (own) => ({ sender: own, senderFrame: mainFrame('http://127.0.0.1:8080/') })],
      ['a subframe on our own origin', (own) => ({ sender: own, senderFrame: subframe(RENDERER_URL) })],
      ['a frame of another webContents on our own origin', (_own, other) => ({ sender: other, senderFrame: mainFrame(RENDERER_URL) })],
      ['a frame that has gone', (own) => ({ sender: own, senderFrame: null })],
    ];
    for (const [what, event] of refused) {
      it(`refuses ${what}`, async () => {
        const { fake } = await start();
        const other = new FakeWebContents();
        onCleanup(() => other.destroy());
        const answer = await ask(fake, event(fake.windows[0]!.webContents, other));
        expect(answer).toMatchObject({ ok: false, error: { code: 'FORBIDDEN' } });
        expect(JSON.stringify(answer)).not.toContain('example');
      });
    }
  });

  it('has a menu whose commands reach the renderer as events', async () => {
    const { fake } = await start();
    const contents = fake.windows[0]!.webContents;
    const handler = fake.ipcMain.handlers.get(IPC_REQUEST)!;
    await handler({ sender: contents, senderFrame: { url: RENDERER_URL, parent: null } }, 'snapshot', {});
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

  describe('the quit question follows each process status and query flag, as kill-emacs does', () => {
    const client = async (np: Netproc): Promise<NetworkProcess> => {
      const peer = await plainServer();
      return (await np.makeNetworkProcess({ name: 'p', host: '127.0.0.1', service: peer.port }))!;
    };
    const withoutQuery = (np: Netproc, p: NetworkProcess): NetworkProcess => {
      np.setProcessQueryOnExitFlag(p, null);
      return p;
    };
    const cases: Array<{ what: string; status: string; asks: boolean; setup: (np: Netproc) => Promise<NetworkProcess> }> = [
      { what: 'an open client', status: 'open', asks: true, setup: client },
      {
        what: 'a listening server',
        status: 'listen',
        asks: true,
        setup: async (np) => (await np.makeNetworkProcess({ name: 'p', server: true, host: '127.0.0.1', service: 0 }))!,
      },
      { what: 'a stopped client', status: 'stop', asks: true, setup: async (np) => np.stopProcess(await client(np)) },
      {
        what: 'a server made with :stop t',
        status: 'stop',
        asks: true,
        setup: async (np) => (await np.makeNetworkProcess({ name: 'p', server: true, host: '127.0.0.1', service: 0, stop: true }))!,
      },
      {
        what: 'an open client with the query flag off',
        status: 'open',
        asks: false,
        setup: async (np) => withoutQuery(np, await client(np)),
      },
      {
        what: 'a stopped client with the query flag off',
        status: 'stop',
        asks: false,
        setup: async (np) => np.stopProcess(withoutQuery(np, await client(np))),
      },
      {
        // The host keeps delete-exited-processes on, as Emacs does, so a closed client also leaves the list.
        what: 'a client closed by its peer',
        status: 'closed',
        asks: false,
        setup: async (np) => {
          const peer = await plainServer((socket) => socket.end());
          const p = (await np.makeNetworkProcess({ name: 'p', host: '127.0.0.1', service: peer.port }))!;
          await waitFor(() => np.processStatus(p) === 'closed');
          return p;
        },
      },
      {
        what: 'a client whose connection failed',
        status: 'failed',
        asks: false,
        setup: async (np) => {
          const p = (await np.makeNetworkProcess({ name: 'p', host: '127.0.0.1', service: await freePort(), nowait: true }))!;
          await waitFor(() => np.processStatus(p) === 'failed');
          return p;
        },
      },
    ];
    for (const { what, status, asks, setup } of cases) {
      it(`${asks ? 'asks' : 'does not ask'} for ${what} (${status})`, async () => {
        const { fake, running } = await start();
        const p = await setup(running.np);
        expect(running.np.processStatus(p)).toBe(status);
        expect(running.np.processList().includes(p)).toBe(status !== 'closed');
        expect(fake.emitApp('before-quit')).toBe(asks);
        if (asks) {
          await waitFor(() => fake.dialogs.length === 1);
          expect(fake.dialogs[0]).toMatchObject({ message: QUIT_QUESTION, detail: 'p' });
        } else expect(fake.dialogs).toEqual([]);
      });
    }

    it('does not count a closed process that stays listed (delete-exited-processes off)', async () => {
      const np = engine({ deleteExitedProcesses: false });
      const peer = await plainServer((socket) => socket.end());
      const p = (await np.makeNetworkProcess({ name: 'p', host: '127.0.0.1', service: peer.port }))!;
      await waitFor(() => np.processStatus(p) === 'closed');
      expect(np.processList()).toContain(p);
      expect(np.processQueryOnExitFlag(p)).toBe(true);
      expect(np.processesNeedingQuery()).toEqual([]);
    });
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
    });
    expect(paths.rendererDir).toBe('/opt/Netproc/resources/app.asar/dist/renderer');
  });
});
