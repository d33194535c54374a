/**
 * The engine side of bench/soak.ts, in its own process so that its memory
 * and descriptors are measured alone: a stream server whose connections use
 * the workbench's built-in echo filter (each chunk goes into the connection's
 * buffer and back to the peer). Talks JSON lines on stdout; takes `sample`
 * and `quit` on stdin.
 */
import { readdirSync } from 'node:fs';
import { createBuiltins } from '../app/main/bridge/builtins.js';
import { Netproc } from '../app/main/netproc/index.js';
import { onLines } from './child-messages.js';

const bufferCap = Number(process.argv[2]);
const say = (message: Record<string, unknown>): void => void process.stdout.write(JSON.stringify(message) + '\n');

/** RSS after a full collection (run with --expose-gc), so the trend is what stays, not garbage not yet collected. */
function sample(): { rss: number; fds: number; connections: number } {
  (globalThis as { gc?: () => void }).gc?.();
  return {
    rss: process.memoryUsage.rss(),
    fds: readdirSync('/proc/self/fd').length,
    connections: np.processList().filter((p) => p.kind === 'accepted').length,
  };
}

const np = new Netproc({ bufferCap });
const server = (await np.makeNetworkProcess({
  name: 'soak',
  server: 1024,
  service: true,
  coding: 'binary',
  noquery: true,
  filter: createBuiltins(np).filter('echo'),
}))!;
np.on('message', (text) => process.stderr.write(`engine: ${text}\n`));
onLines(process.stdin, (line) => {
  if (line === 'sample') say(sample());
  else if (line === 'quit') {
    np.close();
    process.exit(0);
  }
});
say({ port: np.processContact(server, 'service'), ...sample() });
