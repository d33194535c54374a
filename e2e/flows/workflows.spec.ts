import { spawn } from 'node:child_process';
import net from 'node:net';
import { expect, test } from '../fixtures.js';
import { bufferLog, row } from './workbench.js';

/** `ncat 127.0.0.1 PORT`, an outside client: what it prints, and its stdin to type on; killed by `stop`. */
function ncat(port: number) {
  const child = spawn('/usr/bin/ncat', ['--wait', '5', '127.0.0.1', String(port)], { stdio: ['pipe', 'pipe', 'pipe'] });
  let out = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString('latin1')));
  // A test that never got to stop it still cannot leave it running.
  const limit = setTimeout(() => child.kill('SIGKILL'), 60_000);
  return {
    type: (text: string) => child.stdin.write(text),
    output: () => out,
    stop: () => {
      clearTimeout(limit);
      child.kill('SIGKILL');
    },
  };
}

/** A loopback server on one port that can be stopped and started again, as a restarting peer. */
async function restartablePeer() {
  let server: net.Server | null = null;
  const sockets = new Set<net.Socket>();
  let accepted = 0;
  const listen = (port: number): Promise<number> =>
    new Promise((resolve, reject) => {
      const s = net.createServer((socket) => {
        accepted++;
        sockets.add(socket);
        socket.on('error', () => undefined);
        socket.on('close', () => sockets.delete(socket));
        socket.write(`welcome ${accepted}\n`);
      });
      s.once('error', reject);
      s.listen(port, '127.0.0.1', () => resolve((s.address() as net.AddressInfo).port));
      server = s;
    });
  const port = await listen(0);
  const stop = (): Promise<void> =>
    new Promise((resolve) => {
      for (const s of sockets) s.destroy();
      const s = server;
      server = null;
      if (!s) return resolve();
      s.close(() => resolve());
    });
  return { port, start: () => listen(port), stop, accepted: () => accepted };
}

test.describe('workflows beyond the peers', () => {
  test('a regex rule on a server answers an outside ncat client with its capture, and counts the hit', async ({ page, control }) => {
    const srv = (await control.makeNetworkProcess({ name: 'responder', server: true, host: '127.0.0.1', service: true }))!;
    const port = (srv.local as number[])[4] as number;
    await row(page, 'responder').click();
    const inspector = page.getByRole('region', { name: 'Inspector' });
    const toggle = inspector.getByRole('button', { name: 'Auto-reply rules', exact: true });
    if ((await toggle.getAttribute('aria-expanded')) === 'false') await toggle.click();
    const section = inspector.getByRole('region', { name: 'Auto-reply rules' });
    await expect(section.getByLabel('Framing')).toHaveValue('line');
    await section.getByRole('button', { name: 'Add rule' }).click();
    const rule = section.getByRole('group', { name: 'Rule 1' });
    await rule.getByLabel('Match', { exact: true }).selectOption('regex');
    await rule.getByLabel('Pattern', { exact: true }).fill('^HELLO (\\w+)');
    // A template error shows at its field as it is typed, and Apply waits for it.
    await rule.getByLabel('Reply', { exact: true }).fill('hi {{1');
    await expect(rule.getByRole('alert')).toContainText('at character');
    await expect(section.getByRole('button', { name: 'Apply rules' })).toBeDisabled();
    await rule.getByLabel('Reply', { exact: true }).fill('hi {{1}}, from netproc\\n');
    await expect(rule.getByRole('alert')).toHaveCount(0);
    await section.getByRole('button', { name: 'Apply rules' }).click();
    await expect(section.getByRole('status')).toHaveText('Applied 1 rule');
    await expect(rule).toContainText('0 hits');

    const outside = ncat(port);
    try {
      outside.type('HELLO ncat\n');
      await expect.poll(outside.output, { timeout: 10_000 }).toBe('hi ncat, from netproc\n');
      // The server's row counts the hit its accepted connection made.
      await expect(rule).toContainText('1 hit');
      // The buffer still shows what the peer sent: the rule listens beside the filter.
      const accepted = row(page, /^responder </);
      await accepted.click();
      await expect(bufferLog(page)).toContainText('HELLO ncat');
    } finally {
      outside.stop();
    }
  });

  test('a client made with Reconnect comes back after its peer restarts: badge, inspector state, event log', async ({ page }) => {
    const peer = await restartablePeer();
    try {
      await page.getByRole('button', { name: 'New process', exact: true }).click();
      const dialog = page.getByRole('dialog', { name: 'New process' });
      await dialog.getByLabel('Name', { exact: true }).fill('comeback');
      await dialog.getByLabel('Host', { exact: true }).fill('127.0.0.1');
      await dialog.getByLabel('Service (port or name)').fill(String(peer.port));
      await dialog.getByRole('checkbox', { name: 'Reconnect' }).check();
      await dialog.getByRole('button', { name: 'Create' }).click();
      await expect(dialog).toBeHidden();
      await expect(row(page, 'comeback')).toContainText('open');

      await row(page, 'comeback').click();
      const inspector = page.getByRole('region', { name: 'Inspector' });
      const toggle = inspector.getByRole('button', { name: 'Reconnect', exact: true });
      if ((await toggle.getAttribute('aria-expanded')) === 'false') await toggle.click();
      const section = inspector.getByRole('region', { name: 'Reconnect' });
      await expect(section.getByRole('checkbox', { name: 'Reconnect' })).toBeChecked();
      await section.getByLabel('Initial delay (ms)').fill('400');
      await section.getByLabel('Maximum delay (ms)').fill('800');
      await section.getByRole('button', { name: 'Apply policy' }).click();

      await peer.stop();
      await expect(row(page, 'comeback')).toContainText(/reconnecting \d+\/10/);
      await expect(section.getByText('Last error')).toBeVisible();
      await expect(page.getByRole('log', { name: 'Event log' })).toContainText(
        /comeback: connection broken by remote peer; reconnecting in/,
      );

      await peer.start();
      await expect(row(page, 'comeback')).toContainText('open', { timeout: 10_000 });
      await expect(row(page, 'comeback')).not.toContainText('reconnecting');
      await expect(page.getByRole('log', { name: 'Event log' })).toContainText(/comeback: reconnected after \d+ attempts?/);
      // Each attempt was a new process, and the selection followed the client to it: its row is selected and the
      // inspector shows the live client, not the process that left.
      await expect(row(page, 'comeback')).toHaveCount(1);
      await expect(row(page, 'comeback')).toHaveAttribute('aria-selected', 'true');
      await expect(inspector.getByRole('heading', { name: 'comeback' })).toBeVisible();
      await expect(inspector.getByRole('note')).toHaveCount(0);
      const statusField = inspector.getByRole('definition').filter({ has: page.getByRole('button', { name: 'Copy status', exact: true }) });
      await expect(statusField).toContainText('open');
      // The peer really was connected to again, and the buffer view, on the client still, reads both connections.
      expect(peer.accepted()).toBe(2);
      await expect(bufferLog(page)).toContainText(/welcome 1[\s\S]*connection broken by remote peer[\s\S]*welcome 2/);

      // Cancel ends it (no need to select the client again): the peer's next close leaves the client closed.
      await section.getByRole('button', { name: 'Cancel reconnect' }).click();
      await expect(section.getByRole('checkbox', { name: 'Reconnect' })).not.toBeChecked();
    } finally {
      await peer.stop();
    }
  });
});
