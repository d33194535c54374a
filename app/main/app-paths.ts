/**
 * Where the built pieces are, relative to the built main script. The same
 * layout holds in the build folder and inside the packaged app.asar:
 *   dist/main/electron-main.js, dist/preload/preload.cjs, dist/renderer/index.html
 */
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export interface AppPaths {
  preload: string;
  /** Served to the window as app://netproc/ (see app-scheme.ts). */
  rendererDir: string;
}

export function appPaths(mainScriptUrl: string): AppPaths {
  const dist = dirname(dirname(fileURLToPath(mainScriptUrl)));
  return {
    preload: join(dist, 'preload', 'preload.cjs'),
    rendererDir: join(dist, 'renderer'),
  };
}
