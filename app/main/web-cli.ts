/**
 * `npm run web`: the workbench in a browser tab on this machine. Starts the
 * engine, the bridge and the loopback web host, and prints the URL with this
 * run's token. Ctrl+C closes every socket and stops.
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Bridge } from './bridge/bridge.js';
import { engineOptionsFromEnvironment, webPinStoreFile } from './engine-settings.js';
import { Netproc } from './netproc/index.js';
import { startWebHost } from './web.js';

function option(name: string): string | undefined {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

/** dist/renderer, found from dist/main/web-cli.js or from app/main/web-cli.ts. */
function rendererDir(): string {
  const here = dirname(fileURLToPath(import.meta.url));
  for (const candidate of [join(here, '..', 'renderer'), join(here, '..', '..', 'dist', 'renderer')]) {
    if (existsSync(join(candidate, 'index.html'))) return candidate;
  }
  throw new Error('The renderer is not built: run `npm run build` first.');
}

async function main(): Promise<void> {
  const port = Number(option('--port') ?? process.env.NETPROC_PORT ?? 0);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`--port must be 0–65535, not ${option('--port')}`);
  const np = new Netproc(engineOptionsFromEnvironment(process.env, { pinStoreFile: webPinStoreFile() }));
  const bridge = new Bridge(np);
  const host = await startWebHost({ bridge, rendererDir: rendererDir(), port });
  console.log(`Netproc web host: ${host.url}`);
  console.log('Open it in a browser on this machine; anyone with this URL can use your sockets. Ctrl+C to stop.');
  if (process.argv.includes('--open') && !process.env.CI) {
    const opener = process.platform === 'darwin' ? 'open' : process.platform === 'win32' ? 'explorer' : 'xdg-open';
    spawn(opener, [host.url], { stdio: 'ignore', detached: true })
      .on('error', () => undefined)
      .unref();
  }
  const stop = async (): Promise<void> => {
    await host.close();
    bridge.close();
    await np.close();
    process.exit(0);
  };
  process.on('SIGINT', () => void stop());
  process.on('SIGTERM', () => void stop());
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
