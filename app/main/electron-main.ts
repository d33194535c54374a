/** The desktop app's entry point (bundled to dist/main/electron-main.js). */
import * as electron from 'electron';
import { appPaths } from './app-paths.js';
import { startElectronApp } from './electron.js';

startElectronApp(electron, appPaths(import.meta.url)).catch((err: unknown) => {
  console.error('Netproc failed to start:', err);
  electron.app.exit(1);
});
