/**
 * Where the end-to-end suites find what they drive: Debian's Chromium for the
 * web host, and an Electron binary if one is installed.
 */
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);

export const CHROMIUM = process.env.NETPROC_CHROMIUM ?? '/usr/bin/chromium';

/** The Electron binary's path, or null where it was not (or could not be) downloaded. */
export function electronBinary(): string | null {
  try {
    const path = require('electron') as unknown;
    return typeof path === 'string' && existsSync(path) ? path : null;
  } catch {
    return null;
  }
}

export const NO_ELECTRON_REASON =
  'No Electron binary is installed on this machine (it cannot be downloaded here), so the desktop app cannot be launched; ' +
  'the same flows ran against the web host in Chromium. Install Electron (npm install without ELECTRON_SKIP_BINARY_DOWNLOAD) to run this suite.';
