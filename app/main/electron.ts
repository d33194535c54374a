/**
 * The Electron host, kept thin: one locked-down window, the contract over
 * IPC, the application menu, and Emacs's question before quitting with live
 * processes. Everything it uses from Electron comes in as a parameter, so it
 * is tested with a double where Electron cannot run; electron-main.ts passes
 * the real module, so the compiler checks that Electron fits these shapes.
 */
import { join } from 'node:path';
import type Electron from 'electron';
import type { MenuCommand } from '../shared/api.js';
import { createWorkspaceFiles, type FileDialogs } from './workspace-files.js';
import { APP_SCHEME, APP_SCHEME_PRIVILEGES, isOwnMainFrame, isOwnUrl, RENDERER_URL, rendererProtocolHandler } from './app-scheme.js';
import type { AppPaths } from './app-paths.js';
import { DisposableStore } from '../shared/lifecycle.js';
import { Bridge } from './bridge/bridge.js';
import { registerIpcTransport, type IpcInvokeEventLike, type IpcMainLike } from './bridge/ipc-transport.js';
import { engineOptionsFromEnvironment } from './engine-settings.js';
import { Netproc } from './netproc/index.js';
import { isVisibleOn, loadWindowState, saveWindowState, type Rectangle } from './window-state.js';

export interface NavigationEventLike {
  url: string;
  preventDefault(): void;
}

export interface BrowserWindowLike {
  webContents: {
    id: number;
    on(event: 'will-frame-navigate', listener: (event: NavigationEventLike) => void): unknown;
    on(event: 'will-redirect', listener: (event: NavigationEventLike) => void): unknown;
    on(event: 'will-attach-webview', listener: (event: { preventDefault(): void }) => void): unknown;
    setWindowOpenHandler(handler: () => { action: 'deny' }): void;
  };
  loadURL(url: string): Promise<void>;
  on(event: 'close', listener: () => void): unknown;
  getNormalBounds(): Rectangle;
  isMaximized(): boolean;
  maximize(): void;
  isDestroyed(): boolean;
  isMinimized(): boolean;
  restore(): void;
  focus(): void;
}

export interface ElectronLike {
  app: Pick<
    Electron.App,
    'whenReady' | 'quit' | 'exit' | 'requestSingleInstanceLock' | 'getVersion' | 'setAboutPanelOptions' | 'getPath'
  > & {
    on(event: string, listener: (event: { preventDefault(): void }) => void): unknown;
  };
  BrowserWindow: new (options: Electron.BrowserWindowConstructorOptions) => BrowserWindowLike;
  ipcMain: IpcMainLike;
  Menu: { buildFromTemplate(template: Electron.MenuItemConstructorOptions[]): unknown; setApplicationMenu(menu: unknown): void };
  dialog: { showMessageBox(window: unknown, options: Electron.MessageBoxOptions): Promise<{ response: number }> } & FileDialogs;
  screen: { getAllDisplays(): Array<{ workArea: Rectangle }> };
  protocol: Pick<Electron.Protocol, 'registerSchemesAsPrivileged' | 'handle'>;
  session: { defaultSession: Pick<Electron.Session, 'setPermissionRequestHandler' | 'setPermissionCheckHandler'> };
}

export const QUIT_QUESTION = 'Active processes exist; kill them and exit anyway?';

export const WINDOW_OPTIONS = (preload: string): Electron.BrowserWindowConstructorOptions => ({
  width: 1280,
  height: 820,
  minWidth: 720,
  minHeight: 480,
  title: 'Netproc',
  webPreferences: {
    preload,
    contextIsolation: true,
    sandbox: true,
    nodeIntegration: false,
    nodeIntegrationInWorker: false,
    webSecurity: true,
    allowRunningInsecureContent: false,
    webviewTag: false,
    spellcheck: false,
  },
});

export function applicationMenu(send: (command: MenuCommand) => void, isMac: boolean): Electron.MenuItemConstructorOptions[] {
  return [
    ...(isMac ? [{ role: 'appMenu' as const }] : []),
    {
      label: '&File',
      submenu: [
        { label: 'New Process…', accelerator: 'CmdOrCtrl+N', click: () => send('new-process') },
        { label: 'Command Palette…', accelerator: 'CmdOrCtrl+Shift+P', click: () => send('command-palette') },
        { label: 'List Processes', accelerator: 'CmdOrCtrl+L', click: () => send('list-processes') },
        { type: 'separator' },
        { role: 'quit' },
      ],
    },
    { role: 'editMenu' },
    { role: 'viewMenu' },
    { role: 'windowMenu' },
    { label: '&Help', submenu: [{ role: 'about' }] },
  ];
}

/** The one permission the page may use (Copy writes text to the clipboard), for our own origin only. */
export function permissionAllowed(permission: string, origin: string | undefined): boolean {
  return permission === 'clipboard-sanitized-write' && isOwnUrl(origin);
}

/** IPC is answered only for the main frame of our own window, showing our own origin. */
export function acceptsIpcFrom(window: BrowserWindowLike, event: IpcInvokeEventLike): boolean {
  return event.sender.id === window.webContents.id && isOwnMainFrame(event.senderFrame);
}

export interface RunningApp {
  np: Netproc;
  bridge: Bridge;
  window: BrowserWindowLike;
}

export async function startElectronApp(electron: ElectronLike, paths: AppPaths, platform = process.platform): Promise<RunningApp | null> {
  const { app, BrowserWindow, ipcMain, Menu, dialog, session, screen, protocol } = electron;
  if (!app.requestSingleInstanceLock()) {
    app.quit();
    return null;
  }
  // Privileges can be given to a scheme only before the app is ready; this runs before our first
  // await, so still inside the ESM entry's evaluation, which Electron finishes before `ready`.
  protocol.registerSchemesAsPrivileged([APP_SCHEME_PRIVILEGES]);
  await app.whenReady();
  app.setAboutPanelOptions({ applicationName: 'Netproc', applicationVersion: app.getVersion() });
  protocol.handle(APP_SCHEME, rendererProtocolHandler(paths.rendererDir));
  session.defaultSession.setPermissionCheckHandler((_wc, permission, requestingOrigin) => permissionAllowed(permission, requestingOrigin));
  session.defaultSession.setPermissionRequestHandler((_wc, permission, callback, details) =>
    callback(permissionAllowed(permission, details.requestingUrl)),
  );

  const np = new Netproc(
    engineOptionsFromEnvironment(process.env, { pinStoreFile: join(app.getPath('userData'), 'certificate-pins.json') }),
  );
  // What quitting releases before the engine closes: the IPC registration, then the bridge.
  const disposables = new DisposableStore();
  // Asked over the window, which is made below, by the time a renderer can ask for a file.
  const workspaceFiles = createWorkspaceFiles(dialog, () => window, join(app.getPath('userData'), 'recent-workspaces.json'));
  const bridge = disposables.add(new Bridge(np, { workspaceFiles }));

  const stateFile = join(app.getPath('userData'), 'window-state.json');
  const saved = loadWindowState(stateFile);
  const options = WINDOW_OPTIONS(paths.preload);
  if (saved) {
    const onScreen = isVisibleOn(
      saved.bounds,
      screen.getAllDisplays().map((d) => d.workArea),
    );
    Object.assign(options, onScreen ? saved.bounds : { width: saved.bounds.width, height: saved.bounds.height });
  }
  const window = new BrowserWindow(options);
  disposables.add(registerIpcTransport(ipcMain, bridge, (event) => acceptsIpcFrom(window, event)));
  if (saved?.maximized) window.maximize();
  window.on('close', () => {
    try {
      saveWindowState(stateFile, { bounds: window.getNormalBounds(), maximized: window.isMaximized() });
    } catch {
      // A read-only profile folder only costs the remembered size.
    }
  });
  // Every frame of the window stays on our origin: no navigation or redirect leads elsewhere.
  const stayOnOwnOrigin = (event: NavigationEventLike): void => {
    if (!isOwnUrl(event.url)) event.preventDefault();
  };
  window.webContents.on('will-frame-navigate', stayOnOwnOrigin);
  window.webContents.on('will-redirect', stayOnOwnOrigin);
  window.webContents.on('will-attach-webview', (event) => event.preventDefault());
  window.webContents.setWindowOpenHandler(() => ({ action: 'deny' }));
  Menu.setApplicationMenu(Menu.buildFromTemplate(applicationMenu((command) => bridge.broadcastCommand(command), platform === 'darwin')));
  await window.loadURL(RENDERER_URL);

  app.on('second-instance', () => {
    if (window.isDestroyed()) return;
    if (window.isMinimized()) window.restore();
    window.focus();
  });
  app.on('window-all-closed', () => app.quit());

  let confirmed = false;
  let closing = false;
  app.on('before-quit', (event) => {
    if (confirmed) return;
    const live = np.processesNeedingQuery();
    if (live.length === 0) return;
    event.preventDefault();
    void dialog
      .showMessageBox(window, {
        type: 'question',
        message: QUIT_QUESTION,
        detail: live.map((p) => p.name).join('\n'),
        buttons: ['Cancel', 'Kill Them and Exit'],
        defaultId: 0,
        cancelId: 0,
      })
      .then(({ response }) => {
        if (response !== 1) return;
        confirmed = true;
        app.quit();
      });
  });
  app.on('will-quit', (event) => {
    if (closing) return;
    // Close every socket (without sentinels, as Emacs does on exit) before the process ends.
    event.preventDefault();
    closing = true;
    disposables.dispose();
    void np.close().finally(() => app.exit(0));
  });
  return { np, bridge, window };
}
