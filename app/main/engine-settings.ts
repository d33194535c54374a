/**
 * Engine settings both hosts take from the environment, so the desktop app
 * and the web host are configured the same way:
 * NETPROC_BUFFER_BUDGET_MIB (all buffers together, default 1024) and
 * NETPROC_BUFFER_CAP_MIB (each buffer, default 64).
 */
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

export function engineOptionsFromEnvironment(env: NodeJS.ProcessEnv = process.env): NetprocOptions {
  const options: NetprocOptions = {};
  const budget = mebibytes(env, 'NETPROC_BUFFER_BUDGET_MIB');
  const cap = mebibytes(env, 'NETPROC_BUFFER_CAP_MIB');
  if (budget !== undefined) options.bufferBudget = budget;
  if (cap !== undefined) options.bufferCap = cap;
  return options;
}
