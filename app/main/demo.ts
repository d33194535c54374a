/**
 * `npm start` until the workbench UI exists: a scripted tour of the engine on
 * loopback sockets, printing what Emacs would show at each step.
 */
import net from 'node:net';
import { formatListProcessesLine, Netproc, type NetworkProcess } from './netproc/index.js';

const np = new Netproc();
const say = (text: string): void => console.log(text);
const pause = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

function listProcesses(): void {
  say('  Process         PID     Status  Buffer                    TTY          Thread       Command');
  for (const row of np.listProcessesRows()) say('  ' + formatListProcessesLine(row));
}

async function main(): Promise<void> {
  np.on('sentinel', ({ process, event }) => say(`  sentinel  ${process.name}: ${JSON.stringify(event)}`));
  np.on('log', ({ message }) => say(`  server log: ${JSON.stringify(message)}`));

  say('(make-network-process :name "echo" :server t :service t :buffer "*echo*")');
  const server = (await np.makeNetworkProcess({
    name: 'echo',
    server: true,
    service: true,
    buffer: '*echo*',
    filter: (p: NetworkProcess, text: string) => void np.processSendString(p, text.toUpperCase()),
  })) as NetworkProcess;
  const port = np.processContact(server, 'service') as number;
  say(`  => ${server.name}, listening; (process-contact echo t) => ${JSON.stringify(np.processContact(server, true))}`);

  say(`\n(make-network-process :name "client" :buffer "*client*" :host "127.0.0.1" :service ${port})`);
  const client = (await np.makeNetworkProcess({ name: 'client', buffer: '*client*', host: '127.0.0.1', service: port })) as NetworkProcess;
  await pause(50);
  await np.processSendString(client, 'hello, network processes\n');
  await pause(100);
  say(`  *client* now holds: ${JSON.stringify(np.bufferString('*client*'))}`);

  say('\nA plain Node peer connects too:');
  const outsider = net.connect(port, '127.0.0.1');
  await new Promise((resolve) => outsider.once('connect', resolve));
  await pause(50);

  say('\n(list-processes)');
  listProcesses();

  say('\n(stop-process echo) — new clients now wait in the kernel backlog');
  await np.stopProcess(server);
  const waiting = net.connect(port, '127.0.0.1');
  await pause(100);
  say(`  status: ${np.processStatus(server)}, accepted so far: ${server.counters.accepted}`);
  say('(continue-process echo)');
  await np.continueProcess(server);
  await pause(100);
  say(`  status: ${np.processStatus(server)}, accepted so far: ${server.counters.accepted}`);

  say('\n(delete-process "client")');
  np.deleteProcess(client);
  say(`  *client* now holds: ${JSON.stringify(np.bufferString('*client*'))}`);

  outsider.destroy();
  waiting.destroy();
  await pause(100);
  say('\n(list-processes)');
  listProcesses();
  await np.close();
  say('\nThe workbench UI arrives with the bridge and UI issues; see README.md.');
}

main().catch(async (err) => {
  console.error(err);
  await np.close();
  process.exit(1);
});
