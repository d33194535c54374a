/**
 * Where the built pieces are, relative to the built main script. The same
 * layout holds in the build folder and inside the packaged app.asar:
 *   dist/main/electron-main.js, dist/preload/preload.cjs, dist/renderer/index.html
 */
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

export interface AppPaths {
  preload: string;
  rendererIndex: string;
  rendererDir: string;
  /** The file: URL the window loads; IPC is served only to frames showing it. */
  rendererUrl: string;
}

export function appPaths(mainScriptUrl: string): AppPaths {
  const dist = dirname(dirname(fileURLToPath(mainScriptUrl)));
  const rendererDir = join(dist, 'renderer');
  const rendererIndex = join(rendererDir, 'index.html');
  return {
    preload: join(dist, 'preload', 'preload.cjs'),
    rendererIndex,
    rendererDir,
    rendererUrl: pathToFileURL(rendererIndex).href,
  };
}
