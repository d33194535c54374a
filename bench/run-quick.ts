/** Runs a benchmark script at its quick sizes and returns what it printed (for the smoke tests). */
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export function runQuick(script: string, timeoutMs = 150_000, args = ['--quick']): Promise<string> {
  const path = fileURLToPath(new URL(script, import.meta.url));
  return new Promise((resolve, reject) => {
    execFile(process.execPath, ['--import', 'tsx', path, ...args], { timeout: timeoutMs }, (err, stdout, stderr) =>
      err ? reject(new Error(`${err.message}\n${stderr}`)) : resolve(stdout),
    );
  });
}
