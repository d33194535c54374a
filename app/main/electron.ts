/**
 * The Electron host, kept thin: one locked-down window, the contract over
 * IPC, the application menu, and Emacs's question before quitting with live
 * processes. Everything it uses from Electron comes in as a parameter, so it
 * is tested with a double where Electron cannot run.
 */
import type Electron from 'electron';
import type { MenuCommand } from '../shared/api.js';
import type { AppPaths } from './app-paths.js';
import { Bridge } from './bridge/bridge.js';
import { registerIpcTransport, type IpcMainLike } from './bridge/ipc-transport.js';
import { Netproc } from './netproc/index.js';

export interface BrowserWindowLike {
  webContents: {
    on(event: 'will-navigate' | 'will-attach-webview', listener: (event: { preventDefault(): void }) => void): unknown;
    setWindowOpenHandler(handler: () => { action: 'deny' }): void;
  };
  loadFile(path: string): Promise<void>;
  isDestroyed(): boolean;
  isMinimized(): boolean;
  restore(): void;
  focus(): void;
}

export interface ElectronLike {
  app: Pick<Electron.App, 'whenReady' | 'quit' | 'exit' | 'requestSingleInstanceLock' | 'getVersion' | 'setAboutPanelOptions'> & {
    on(event: string, listener: (event: { preventDefault(): void }) => void): unknown;
  };
  BrowserWindow: new (options: Electron.BrowserWindowConstructorOptions) => BrowserWindowLike;
  ipcMain: IpcMainLike;
  Menu: { buildFromTemplate(template: Electron.MenuItemConstructorOptions[]): unknown; setApplicationMenu(menu: unknown): void };
  dialog: { showMessageBox(window: unknown, options: Electron.MessageBoxOptions): Promise<{ response: number }> };
  session: {
    defaultSession: {
      setPermissionRequestHandler(handler: (wc: unknown, permission: string, callback: (granted: boolean) => void) => void): void;
    };
  };
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
    { label: '&Help', submenu: [{ label: 'About Netproc', click: () => send('about') }] },
  ];
}

export interface RunningApp {
  np: Netproc;
  bridge: Bridge;
  window: BrowserWindowLike;
}

export async function startElectronApp(electron: ElectronLike, paths: AppPaths, platform = process.platform): Promise<RunningApp | null> {
  const { app, BrowserWindow, ipcMain, Menu, dialog, session } = electron;
  if (!app.requestSingleInstanceLock()) {
    app.quit();
    return null;
  }
  await app.whenReady();
  app.setAboutPanelOptions({ applicationName: 'Netproc', applicationVersion: app.getVersion() });
  session.defaultSession.setPermissionRequestHandler((_wc, _permission, callback) => callback(false));

  const np = new Netproc();
  const bridge = new Bridge(np);
  const unregister = registerIpcTransport(ipcMain, bridge, (url) => url === paths.rendererUrl);

  const window = new BrowserWindow(WINDOW_OPTIONS(paths.preload));
  window.webContents.on('will-navigate', (event) => event.preventDefault());
  window.webContents.on('will-attach-webview', (event) => event.preventDefault());
  window.webContents.setWindowOpenHandler(() => ({ action: 'deny' }));
  Menu.setApplicationMenu(Menu.buildFromTemplate(applicationMenu((command) => bridge.broadcastCommand(command), platform === 'darwin')));
  await window.loadFile(paths.rendererIndex);

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
    unregister();
    bridge.close();
    void np.close().finally(() => app.exit(0));
  });
  return { np, bridge, window };
}
