/**
 * Run by hardening.test.ts in a child process under a low `ulimit -n`: an
 * engine server that reports, when asked, what its :log function and the
 * engine's messages said, how many connections it accepted and how many
 * descriptors the process holds.
 */
import { readdirSync } from 'node:fs';
import { Netproc } from './netproc.js';

const np = new Netproc();
const logs: string[] = [];
const messages: string[] = [];
np.on('message', (text) => messages.push(text));
// A backlog larger than the descriptor limit, so every client finishes its handshake at once and waits to be accepted.
const server = await np.makeNetworkProcess({
  name: 'srv',
  server: 256,
  service: true,
  log: (_server, _client, message) => logs.push(message),
});
process.send?.({ port: np.processContact(server!, 'service') });
process.on('message', (request: string) => {
  if (request === 'report') {
    process.send?.({ logs, messages, accepted: server!.counters.accepted, descriptors: readdirSync('/proc/self/fd').length });
  } else if (request === 'quit') void np.close().then(() => process.exit(0));
});
