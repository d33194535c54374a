/**
 * A loopback web host in a process of its own, for the hostile-input tests:
 * if a request crashes the host, this process dies and the test sees it
 * (inside the test runner a crash would only be reported, not observed), and
 * the host's event-loop stalls are measured without the test's own work.
 *
 * Serves the renderer folder named by its first argument (the test owns it,
 * so it is removed even if this process dies). Prints one JSON line
 * `{port, token}` once listening. Reads commands from stdin, one a line:
 * `stall` prints `{maxStallMs}` (longest event-loop delay since the last
 * `stall`) and starts a new measurement. Stops when stdin ends, so it never
 * outlives the test that started it.
 */
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { createInterface } from 'node:readline';
import { Bridge } from './bridge/bridge.js';
import { Netproc } from './netproc/index.js';
import { startWebHost } from './web.js';

const rendererDir = process.argv[2];
if (!rendererDir) throw new Error('usage: web-host-child.ts RENDERER_DIR');
const np = new Netproc();
const bridge = new Bridge(np);
const host = await startWebHost({ bridge, rendererDir });
const delay = monitorEventLoopDelay({ resolution: 1 });
delay.enable();
process.stdout.write(`${JSON.stringify({ port: host.port, token: host.token })}\n`);

const commands = createInterface({ input: process.stdin });
commands.on('line', (line) => {
  if (line.trim() !== 'stall') return;
  process.stdout.write(`${JSON.stringify({ maxStallMs: delay.max / 1e6 })}\n`);
  delay.reset();
});
commands.on('close', async () => {
  delay.disable();
  await host.close();
  bridge.close();
  await np.close();
  process.exit(0);
});
