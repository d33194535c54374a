/**
 * Engine settings both hosts take from the environment, so the desktop app
 * and the web host are configured the same way:
 * NETPROC_BUFFER_BUDGET_MIB (all buffers together, default 1024),
 * NETPROC_BUFFER_CAP_MIB (each buffer, default 64), and NETPROC_PIN_FILE
 * (where certificate pins are remembered; the host's own file by default,
 * an empty value keeps them in memory only).
 */
import { homedir } from 'node:os';
import { isAbsolute, join } from 'node:path';
import type { NetprocOptions } from './netproc/index.js';

const MIB = 1024 * 1024;

function mebibytes(env: NodeJS.ProcessEnv, name: string): number | undefined {
  const text = env[name];
  if (text === undefined || text === '') return undefined;
  const value = Number(text);
  if (!Number.isFinite(value) || value <= 0 || value > 1024 * 1024) {
    throw new Error(`${name} must be a positive number of MiB (at most 1048576), not ${JSON.stringify(text)}`);
  }
  return Math.round(value * MIB);
}

/** The web host's certificate pins: in its config folder, $XDG_CONFIG_HOME/netproc (~/.config/netproc by default). */
export function webPinStoreFile(env: NodeJS.ProcessEnv = process.env, home = homedir()): string {
  const config = env.XDG_CONFIG_HOME && isAbsolute(env.XDG_CONFIG_HOME) ? env.XDG_CONFIG_HOME : join(home, '.config');
  return join(config, 'netproc', 'certificate-pins.json');
}

/** HOST_DEFAULTS: what the host would use without the environment (the desktop app's pin file in its user-data folder, say). */
export function engineOptionsFromEnvironment(env: NodeJS.ProcessEnv = process.env, hostDefaults: NetprocOptions = {}): NetprocOptions {
  const options: NetprocOptions = { ...hostDefaults };
  const budget = mebibytes(env, 'NETPROC_BUFFER_BUDGET_MIB');
  const cap = mebibytes(env, 'NETPROC_BUFFER_CAP_MIB');
  if (budget !== undefined) options.bufferBudget = budget;
  if (cap !== undefined) options.bufferCap = cap;
  const pinFile = env.NETPROC_PIN_FILE;
  if (pinFile !== undefined) {
    if (pinFile !== '' && !isAbsolute(pinFile))
      throw new Error(`NETPROC_PIN_FILE must be an absolute path, not ${JSON.stringify(pinFile)}`);
    options.pinStoreFile = pinFile === '' ? null : pinFile;
  }
  return options;
}
