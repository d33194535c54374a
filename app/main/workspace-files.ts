/**
 * The desktop's workspace files: Electron's open and save dialogs, and the
 * recent list kept in the app's user data. The renderer names a file only by
 * choosing it in a dialog or from the recent list, so a page can never make
 * main read or overwrite a path the user did not pick.
 */
import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import { basename, isAbsolute } from 'node:path';
import { LIMITS } from '../shared/api.js';
import type { WorkspaceFiles } from './bridge/definitions.js';
import { invalidArgument } from './netproc/errors.js';
import { readRegularFile } from './netproc/regular-file.js';

/** How many recent workspaces are remembered. */
export const RECENT_WORKSPACES = 10;

export interface FileDialogs {
  showOpenDialog(window: unknown, options: Electron.OpenDialogOptions): Promise<{ canceled: boolean; filePaths: string[] }>;
  showSaveDialog(window: unknown, options: Electron.SaveDialogOptions): Promise<{ canceled: boolean; filePath?: string }>;
}

const FILTERS = [{ name: 'Netproc workspace', extensions: ['json'] }];

export function createWorkspaceFiles(dialog: FileDialogs, parent: () => unknown, recentFile: string): WorkspaceFiles {
  function recent(): string[] {
    try {
      const paths: unknown = JSON.parse(readFileSync(recentFile, 'utf8'));
      if (!Array.isArray(paths)) return [];
      return paths.filter((p): p is string => typeof p === 'string' && isAbsolute(p)).slice(0, RECENT_WORKSPACES);
    } catch {
      return [];
    }
  }

  function recentOnly(path: string): string {
    if (!recent().includes(path)) throw invalidArgument('path', `path: ${basename(path)} is not a recent workspace; choose it with Open…`);
    return path;
  }

  return {
    async open(path) {
      let chosen = path === null ? null : recentOnly(path);
      if (chosen === null) {
        const answer = await dialog.showOpenDialog(parent(), { title: 'Open workspace', filters: FILTERS, properties: ['openFile'] });
        if (answer.canceled || !answer.filePaths[0]) return null;
        chosen = answer.filePaths[0];
      }
      const bytes = await readRegularFile(chosen, { field: 'path', maxBytes: LIMITS.workspaceBytes });
      return { path: chosen, text: bytes.toString('utf8') };
    },

    async save(text, path, suggestedName) {
      let chosen = path === null ? null : recentOnly(path);
      if (chosen === null) {
        const answer = await dialog.showSaveDialog(parent(), {
          title: 'Save workspace',
          defaultPath: `${basename(suggestedName)}.netproc.json`,
          filters: FILTERS,
        });
        if (answer.canceled || !answer.filePath) return null;
        chosen = answer.filePath;
      }
      // Written beside it, then renamed over it: a crash never leaves half a workspace.
      const partial = `${chosen}.partial`;
      writeFileSync(partial, text, 'utf8');
      renameSync(partial, chosen);
      return chosen;
    },

    remember(path) {
      const paths = [path, ...recent().filter((p) => p !== path)].slice(0, RECENT_WORKSPACES);
      try {
        writeFileSync(recentFile, `${JSON.stringify(paths, null, 2)}\n`, 'utf8');
      } catch {
        // A read-only profile folder only costs the recent list.
      }
    },

    recent,
  };
}
