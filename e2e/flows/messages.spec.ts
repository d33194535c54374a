import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from '@playwright/test';
import { expect, test } from '../fixtures.js';
import { row } from './workbench.js';

/** A loopback peer that keeps what it is sent; closed with everything it accepted when the test ends. */
async function listeningPeer(): Promise<{ port: number; received: () => string; close: () => Promise<void> }> {
  const chunks: Buffer[] = [];
  const sockets: net.Socket[] = [];
  const server = net.createServer((socket) => {
    sockets.push(socket);
    socket.on('data', (d: Buffer) => chunks.push(d));
    socket.on('error', () => undefined);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as net.AddressInfo).port,
    received: () => Buffer.concat(chunks).toString(),
    close: () => {
      for (const s of sockets) s.destroy();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}

/** Opens the Messages pane with its shortcut and adds a message named NAME with BODY as its template. */
async function newMessage(page: Page, name: string, body: string) {
  await page.keyboard.press('Control+Shift+M');
  const pane = page.getByRole('complementary', { name: 'Messages' });
  await expect(pane).toBeVisible();
  await pane.getByRole('button', { name: 'New message' }).first().click();
  await pane.getByLabel('Name', { exact: true }).fill(name);
  await pane.getByLabel('Template', { exact: true }).fill(body);
  return pane;
}

test.describe('the message library', () => {
  test('a message with {{seq}} sent 100 times: the peer gets 1 to 100 in order and the count reads 100 of 100', async ({
    page,
    control,
  }) => {
    test.setTimeout(60_000);
    const peer = await listeningPeer();
    try {
      await control.makeNetworkProcess({ name: 'ticker', host: '127.0.0.1', service: peer.port });
      await row(page, 'ticker').click();
      const pane = await newMessage(page, 'tick', 'a\\q');
      // A mistake is shown at its field, with where it is, and nothing can be sent.
      await expect(pane.getByText('unknown escape \\q')).toContainText('at character 2');
      await expect(pane.getByLabel('Template', { exact: true })).toHaveAttribute('aria-invalid', 'true');
      await expect(pane.getByRole('button', { name: 'Send', exact: true })).toBeDisabled();
      await pane.getByLabel('Template', { exact: true }).fill('{{seq}}\\n');
      // The first send as bytes: "1" and a line feed.
      await expect(pane.getByLabel('Preview')).toContainText('31 0a');
      await pane.getByRole('checkbox', { name: 'Repeat' }).check();
      await pane.getByLabel('Every (ms)').fill('5');
      await pane.getByLabel('Times').fill('100');
      await pane.getByRole('button', { name: 'Repeat', exact: true }).click();
      await expect(pane.getByRole('status', { name: 'Sent by tick', exact: true })).toHaveText('100 of 100', { timeout: 20_000 });
      const expected = Array.from({ length: 100 }, (_, i) => `${i + 1}\n`).join('');
      await expect.poll(peer.received, { timeout: 10_000 }).toBe(expected);
      await expect(pane.getByRole('region', { name: 'Repeats' })).toContainText('done');

      // The library is kept across a reload.
      await page.reload();
      await page.getByRole('status').filter({ hasText: 'Connected' }).waitFor();
      await expect(page.getByRole('complementary', { name: 'Messages' }).getByRole('button', { name: 'Edit tick' })).toBeVisible();
    } finally {
      await peer.close();
    }
  });

  test('a repeat until stopped counts up until Stop, and then nothing more is sent', async ({ page, control }) => {
    const peer = await listeningPeer();
    try {
      await control.makeNetworkProcess({ name: 'forever', host: '127.0.0.1', service: peer.port });
      await row(page, 'forever').click();
      const pane = await newMessage(page, 'beat', '.');
      await pane.getByRole('checkbox', { name: 'Repeat' }).check();
      await pane.getByLabel('Every (ms)').fill('20');
      await pane.getByRole('checkbox', { name: 'Until stopped' }).check();
      await pane.getByRole('button', { name: 'Repeat', exact: true }).click();
      const count = pane.getByRole('status', { name: 'Sent by beat', exact: true });
      await expect(count).toHaveText(/^([5-9]|\d\d+) sent$/, { timeout: 10_000 });
      await pane.getByRole('region', { name: 'Repeats' }).getByRole('button', { name: 'Stop beat to forever' }).click();
      await expect(pane.getByRole('region', { name: 'Repeats' })).toContainText('stopped');
      const sent = Number(/^(\d+) sent$/.exec((await count.textContent()) ?? '')?.[1]);
      await expect.poll(() => peer.received().length).toBe(sent);
      await page.waitForTimeout(200);
      expect(peer.received().length).toBe(sent);
    } finally {
      await peer.close();
    }
  });

  test('a message to a server goes to every connection', async ({ page, control, peer }) => {
    const srv = (await control.makeNetworkProcess({ name: 'hub', server: true, host: '127.0.0.1', service: true }))!;
    const port = (srv.local as number[])[4] as number;
    const one = await peer.connect(port);
    const two = await peer.connect(port);
    await expect(row(page, `hub <127.0.0.1:${two.socket.localPort}>`)).toBeVisible();
    await row(page, 'hub').click();
    const pane = await newMessage(page, 'all', 'hello {{seq}}\\r\\n');
    await pane.getByRole('button', { name: 'Send to every connection', exact: true }).click();
    await expect.poll(() => [one.received(), two.received()]).toEqual(['hello 1\r\n', 'hello 1\r\n']);
  });

  test('a hex message goes out as its bytes, a file message as the file', async ({ page, control }) => {
    const peer = await listeningPeer();
    const dir = mkdtempSync(join(tmpdir(), 'netproc-message-'));
    try {
      writeFileSync(join(dir, 'greeting.txt'), 'from a file\n');
      await control.makeNetworkProcess({ name: 'bytes', host: '127.0.0.1', service: peer.port });
      await row(page, 'bytes').click();
      const pane = await newMessage(page, 'raw', '');
      await pane.getByRole('radio', { name: 'Hex' }).click();
      await pane.getByLabel('Hex bytes', { exact: true }).fill('68 69\n0a');
      await expect(pane.getByLabel('Preview')).toContainText('68 69 0a');
      await pane.getByRole('button', { name: 'Send', exact: true }).click();
      await expect.poll(peer.received).toBe('hi\n');
      await pane.getByLabel('Name', { exact: true }).fill('greeting file');
      await pane.getByRole('radio', { name: 'File' }).click();
      await pane.getByLabel('File path', { exact: true }).fill(join(dir, 'greeting.txt'));
      await pane.getByRole('button', { name: 'Send', exact: true }).click();
      await expect.poll(peer.received).toBe('hi\nfrom a file\n');
      // The traffic timeline names what sent each chunk: the hex message, then the file message.
      await page.getByRole('radio', { name: 'Traffic' }).click();
      const grid = page.getByRole('grid', { name: 'Traffic timeline of bytes' });
      const sent = grid.getByRole('row').filter({ has: page.getByRole('gridcell', { name: 'sent' }) });
      await expect(sent).toHaveCount(2);
      await expect(sent.nth(0).locator('.tl-data')).toHaveText('raw' + 'hi^J');
      await expect(sent.nth(1).locator('.tl-data')).toHaveText('greeting file' + 'from a file^J');
      await expect(sent.nth(1).getByTitle('Sent by greeting file')).toBeVisible();
      await page.getByRole('radio', { name: 'Buffer', exact: true }).click();
      // A file that is not there is said at its field.
      await pane.getByLabel('File path', { exact: true }).fill(join(dir, 'absent.txt'));
      await pane.getByRole('button', { name: 'Send', exact: true }).click();
      await expect(pane.getByLabel('File path', { exact: true })).toHaveAttribute('aria-invalid', 'true');
      await expect(pane.getByRole('alert')).toContainText('No such file or directory');
    } finally {
      rmSync(dir, { recursive: true, force: true });
      await peer.close();
    }
  });
});
