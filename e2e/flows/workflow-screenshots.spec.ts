/**
 * The README's picture of each workflow (docs/screenshot-*.png), taken from a
 * web host of its own so that the event log shows only this scenario; every
 * step is checked by role and label before its picture is taken.
 */
import dgram from 'node:dgram';
import net from 'node:net';
import type { Page } from '@playwright/test';
import { expect, openWorkbench, startWebHost, test, webControl } from '../fixtures.js';
import { row } from './workbench.js';

async function shoot(page: Page, name: string): Promise<void> {
  // Tooltips and the caret's blink settle.
  await page.mouse.move(0, 0);
  await page.waitForTimeout(300);
  await page.screenshot({ path: `docs/screenshot-${name}.png` });
}

/** A loopback echo peer that greets each connection; closed with everything it accepted. */
async function greetingPeer(): Promise<{ port: number; close: () => Promise<void> }> {
  const sockets = new Set<net.Socket>();
  const server = net.createServer((socket) => {
    sockets.add(socket);
    socket.on('error', () => undefined);
    socket.on('close', () => sockets.delete(socket));
    socket.write('220 ready\r\n');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as net.AddressInfo).port,
    close: () => {
      for (const s of sockets) s.destroy();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}

test.describe('the README workflow screenshots', () => {
  test.skip(({ host }) => host !== 'web', 'the README shows the web host’s screenshots');

  test('traffic, buffer list, messages, auto-reply, reconnect, workspace and per-peer UDP, each as a user sees it', async ({
    browser,
    peer,
  }) => {
    test.setTimeout(120_000);
    const host = await startWebHost();
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 }, colorScheme: 'light' });
    const { api, close } = await webControl(host);
    const udp: dgram.Socket[] = [];
    const greeter = await greetingPeer();
    try {
      const page = await context.newPage();
      await openWorkbench(page, host);

      // Traffic: a server whose connection sent a request and got an answer.
      const srv = (await api.makeNetworkProcess({ name: 'http', server: true, host: '127.0.0.1', service: true, buffer: '*http*' }))!;
      const client = await peer.connect((srv.local as number[])[4] as number);
      const name = `http <127.0.0.1:${client.socket.localPort}>`;
      await expect(row(page, name)).toContainText('open');
      client.socket.write('GET / HTTP/1.0\r\nHost: localhost\r\n\r\n');
      await expect.poll(async () => (await api.snapshot({})).processes.find((p) => p.name === name)?.counters.bytesIn).toBeGreaterThan(0);
      const accepted = (await api.snapshot({})).processes.find((p) => p.name === name)!;
      await api.sendString({ id: accepted.id, text: 'HTTP/1.0 200 OK\r\nContent-Length: 5\r\n\r\nhello' });
      await expect.poll(client.received).toContain('hello');
      await row(page, name).click();
      await page.getByRole('radio', { name: 'Traffic' }).click();
      const grid = page.getByRole('grid', { name: `Traffic timeline of ${name}` });
      await expect(grid.getByRole('gridcell', { name: 'sent' }).first()).toBeVisible();
      await shoot(page, 'traffic');
      await page.getByRole('radio', { name: 'Buffer' }).click();

      // Buffer list: the connection closed by its peer is departed, its buffer still listed.
      client.socket.end();
      await expect(row(page, name)).toHaveClass(/departed/);
      await page.keyboard.press('Control+Shift+B');
      const buffers = page.getByRole('table', { name: 'Buffers' });
      await expect(buffers).toBeVisible();
      await expect(buffers.getByRole('row').filter({ hasText: 'departed' }).first()).toBeVisible();
      await shoot(page, 'buffer-list');
      await page.keyboard.press('Control+Shift+B');

      // Messages: a library message sent to a client five times, counted.
      await api.makeNetworkProcess({ name: 'smtp', host: '127.0.0.1', service: greeter.port, buffer: '*smtp*' });
      await row(page, 'smtp').click();
      await page.keyboard.press('Control+Shift+M');
      const pane = page.getByRole('complementary', { name: 'Messages' });
      await pane.getByRole('button', { name: 'New message' }).first().click();
      await pane.getByLabel('Name', { exact: true }).fill('ehlo');
      await pane.getByLabel('Template', { exact: true }).fill('EHLO client-{{seq}}\\r\\n');
      await pane.getByRole('checkbox', { name: 'Repeat' }).check();
      await pane.getByLabel('Every (ms)').fill('100');
      await pane.getByLabel('Times').fill('5');
      await pane.getByRole('button', { name: 'Repeat', exact: true }).click();
      await expect(pane.getByRole('status', { name: 'Sent by ehlo', exact: true })).toHaveText('5 of 5', { timeout: 10_000 });
      await shoot(page, 'messages');
      await page.keyboard.press('Control+Shift+M');
      await expect(pane).toBeHidden();

      // Auto-reply: a regex rule on a server, with its capture in the reply, after one hit.
      const responder = (await api.makeNetworkProcess({
        name: 'responder',
        server: true,
        host: '127.0.0.1',
        service: true,
        buffer: '*responder*',
      }))!;
      await api.setAutoReplyRules({
        id: responder.id,
        rules: { framing: 'line', rules: [{ name: 'greet', match: 'regex', pattern: '^HELLO (\\w+)', reply: 'hi {{1}}\\n' }] },
      });
      const hello = await peer.connect((responder.local as number[])[4] as number);
      hello.socket.write('HELLO bob\n');
      await expect.poll(hello.received).toBe('hi bob\n');
      await row(page, 'responder').click();
      const inspector = page.getByRole('region', { name: 'Inspector' });
      const rulesToggle = inspector.getByRole('button', { name: 'Auto-reply rules', exact: true });
      if ((await rulesToggle.getAttribute('aria-expanded')) === 'false') await rulesToggle.click();
      const rules = inspector.getByRole('region', { name: 'Auto-reply rules' });
      await expect(rules.getByRole('group', { name: 'Rule 1' })).toContainText('1 hit');
      await rules.scrollIntoViewIfNeeded();
      await shoot(page, 'auto-reply');

      // Reconnect: a client whose peer went away, waiting for its next attempt.
      const gone = await greetingPeer();
      const waiting = (await api.makeNetworkProcess({ name: 'flaky', host: '127.0.0.1', service: gone.port, buffer: '*flaky*' }))!;
      await api.setProcessReconnect({ id: waiting.id, policy: { initialMs: 60_000, maxMs: 60_000, maxAttempts: 10 } });
      await gone.close();
      await expect(row(page, 'flaky')).toContainText('reconnecting');
      await row(page, 'flaky').click();
      const reconnectToggle = inspector.getByRole('button', { name: 'Reconnect', exact: true });
      if ((await reconnectToggle.getAttribute('aria-expanded')) === 'false') await reconnectToggle.click();
      const reconnect = inspector.getByRole('region', { name: 'Reconnect' });
      await expect(reconnect).toContainText('1 of 10');
      await reconnect.scrollIntoViewIfNeeded();
      await shoot(page, 'reconnect');
      await api.cancelReconnect({ name: 'flaky' });

      // Per-peer UDP: two senders, each in a row of its own under the server.
      const udpServer = (await api.makeNetworkProcess({
        name: 'udp',
        type: 'datagram',
        server: true,
        host: '127.0.0.1',
        service: true,
        buffer: '*udp*',
        splitPeers: true,
      }))!;
      const udpPort = (udpServer.local as number[])[4] as number;
      for (const text of ['ping from a', 'ping from b']) {
        const socket = dgram.createSocket('udp4');
        udp.push(socket);
        await new Promise<void>((r) => socket.bind(0, '127.0.0.1', () => r()));
        await new Promise<void>((r) => socket.send(text, udpPort, '127.0.0.1', () => r()));
      }
      const peerA = row(page, `udp <127.0.0.1:${udp[0]!.address().port}>`);
      await expect(peerA).toContainText('open');
      await expect(row(page, `udp <127.0.0.1:${udp[1]!.address().port}>`)).toContainText('open');
      await peerA.click();
      await shoot(page, 'udp-peers');

      // Workspace: the menu that saves all of the above, and opens it again.
      await page.getByRole('button', { name: /^Workspace:/ }).click();
      await expect(page.getByRole('menu', { name: 'Workspace' }).getByRole('menuitem', { name: 'Save as…' })).toBeVisible();
      await shoot(page, 'workspace');
      await page.keyboard.press('Escape');
    } finally {
      for (const socket of udp) socket.close();
      await greeter.close();
      close();
      await context.close();
      host.child.kill('SIGTERM');
    }
  });
});
