import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import tls from 'node:tls';
import { expect, test } from '../fixtures.js';
import { row } from './workbench.js';

const FIXTURES = resolve('app/main/netproc/fixtures');

test.describe('the input line', () => {
  test('sends a file byte for byte, Ctrl+D sends EOF, and sentinel lines stand apart', async ({ page, control, peer }) => {
    const srv = (await control.makeNetworkProcess({ name: 'files', server: true, service: true, buffer: '*files*' }))!;
    const outside = await peer.connect((srv.local as number[])[4] as number);
    const localPort = outside.socket.localPort;
    const name = `files <127.0.0.1:${localPort}>`;
    await row(page, name).click();
    await expect(page.getByLabel(`Input for ${name}`)).toBeVisible();

    // Larger than one piece (1 MiB), so it goes as several requests that must arrive in order.
    const lines: string[] = [];
    for (let i = 0; i < 90_000; i++) lines.push(`${i} é ${'z'.repeat(i % 40)}\n`);
    const content = Buffer.from(lines.join(''));
    const chooser = page.waitForEvent('filechooser');
    // At the default 1280 px the input line keeps room for typing, so Send file… waits in its More menu.
    await page.getByRole('toolbar', { name: 'Input line' }).getByRole('button', { name: 'More' }).click();
    await page.getByRole('menuitem', { name: 'Send file…' }).click();
    await (await chooser).setFiles({ name: 'payload.txt', mimeType: 'text/plain', buffer: content });
    await expect(page.getByRole('status').filter({ hasText: 'payload.txt' })).toHaveText(`Sent payload.txt (${content.length} bytes)`, {
      timeout: 20_000,
    });
    await expect.poll(() => Buffer.byteLength(outside.received()), { timeout: 15_000 }).toBe(content.length);
    expect(outside.received() === content.toString()).toBe(true);

    outside.socket.write('last words\n');
    const log = page.getByRole('log', { name: `Contents of *files* <127.0.0.1:${localPort}>` });
    await expect(log).toContainText('last words');
    // EOF reaches the peer as the end of its input; a Node peer then closes its side too.
    const ended = new Promise<void>((done) => outside.socket.once('end', done));
    await page.getByLabel(`Input for ${name}`).press('Control+d');
    await ended;
    // The sentinel's text (a blank line, then its `Process NAME EVENT` line) is set apart; the peer's own text is not.
    await expect(log.locator('.sentinel-row', { hasText: 'Process' })).toContainText(`Process ${name} `);
    await expect(log.locator('.sentinel-row', { hasText: 'last words' })).toHaveCount(0);
    await expect(log.locator('.row', { hasText: 'last words' })).toHaveCount(1);
    // The connection left the process list (delete-exited-processes), but its buffer stays in view, as in Emacs,
    // and its row stays listed as departed while the buffer lives.
    await expect(row(page, name)).toHaveClass(/departed/);
    await expect(page.getByRole('region', { name: 'Inspector' }).getByRole('note')).toContainText('No longer in the process list');
    await expect(page.getByLabel(`Input for ${name}`)).toBeDisabled();
  });
});

test.describe('TLS from the form', () => {
  test('a TLS client verifies the server with a CA file, refuses it without, and exchanges data', async ({ page }) => {
    const received: string[] = [];
    const sockets: tls.TLSSocket[] = [];
    const server = tls.createServer(
      { key: readFileSync(`${FIXTURES}/server.key`), cert: readFileSync(`${FIXTURES}/server.pem`) },
      (socket) => {
        sockets.push(socket);
        socket.on('data', (d) => received.push(d.toString()));
        socket.on('error', () => undefined);
        socket.write('hello over tls\n');
      },
    );
    await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
    const port = String((server.address() as { port: number }).port);
    try {
      // No CA file: the test CA is unknown, so verification fails and the form says why.
      await page.getByRole('button', { name: 'New process', exact: true }).click();
      const dialog = page.getByRole('dialog', { name: 'New process' });
      await dialog.getByLabel('Kind', { exact: true }).selectOption({ label: 'TCP client' });
      await dialog.getByLabel('Name', { exact: true }).fill('secure');
      await dialog.getByLabel('Host', { exact: true }).fill('127.0.0.1');
      await dialog.getByLabel('Service (port or name)').fill(port);
      await dialog.getByLabel('Use TLS').check();
      await dialog.getByRole('button', { name: 'Create' }).click();
      await expect(dialog.getByRole('alert')).toContainText(/certificate/i);

      await dialog.getByLabel('CA file').fill(`${FIXTURES}/ca.pem`);
      await dialog.getByRole('button', { name: 'Create' }).click();
      await expect(dialog).toBeHidden();
      await expect(row(page, 'secure')).toContainText('open');
      await row(page, 'secure').click();
      await expect(page.getByRole('log', { name: 'Contents of *secure*' })).toContainText('hello over tls');
      await page.getByLabel('Input for secure').fill('ping');
      await page.getByLabel('Input for secure').press('Enter');
      await expect.poll(() => received.join('')).toBe('ping\n');
    } finally {
      for (const socket of sockets) socket.destroy();
      await new Promise((done) => server.close(done));
    }
  });
});
