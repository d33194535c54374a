import { resolve } from 'node:path';
import { smtpServer, type SmtpPeer } from '../../app/main/netproc/smtp-test-server.js';
import { expect, test } from '../fixtures.js';
import { echoArea, row } from './workbench.js';

const CA = resolve('app/main/netproc/fixtures/ca.pem');

test.describe('STARTTLS (open-network-stream :type starttls)', () => {
  let peer: SmtpPeer;
  const closers: Array<() => Promise<void>> = [];
  test.beforeEach(async () => {
    peer = await smtpServer('starttls', (close) => closers.push(close));
  });
  test.afterEach(async () => {
    for (const close of closers.splice(0)) await close();
  });

  test('from M-x, smtpmail’s form upgrades the connection and prints the return list', async ({ page }) => {
    await page.keyboard.press('Control+Shift+P');
    const palette = page.getByRole('dialog', { name: 'Command palette' });
    const command = palette.getByRole('combobox', { name: 'Command' });
    await command.fill(
      `(open-network-stream "smtp" (get-buffer-create "*smtp*") "localhost" ${peer.port} :type 'starttls` +
        ` :capability-command "EHLO x\\r\\n" :end-of-command "^[0-9]+ .*\\r\\n" :success "^2.*\\n"` +
        ` :starttls-function (lambda (c) (and (string-match "[ -]STARTTLS" c) "STARTTLS\\r\\n")) :ca-file "${CA}" :return-list t)`,
    );
    await command.press('Enter');
    await expect(palette).toBeHidden();
    await expect(echoArea(page)).toHaveText(
      '(#<process smtp> :greeting "220 test.example ESMTP ready\\r\\n" :capabilities "250-test.example over TLS\\r\\n250 AUTH PLAIN\\r\\n" :type tls :error nil)',
    );
    await expect(row(page, 'smtp')).toContainText('open');
    // The server read the second EHLO from a TLS socket on the same connection.
    expect(peer.connections).toHaveLength(1);
    expect(peer.lines).toEqual(['plain:EHLO x', 'plain:STARTTLS', 'tls:EHLO x']);
    expect(peer.secured[0]?.encrypted).toBe(true);
    await expect(page.getByRole('log', { name: 'Contents of *smtp*' })).toContainText('220 Ready to start TLS');
  });

  test('from the New process form, the STARTTLS client kind connects; without STARTTLS it says why', async ({ page }) => {
    await page.getByRole('button', { name: 'New process' }).click();
    const dialog = page.getByRole('dialog', { name: 'New process' });
    await dialog.getByRole('button', { name: 'SMTP with STARTTLS' }).click();
    await expect(dialog.getByLabel('Kind', { exact: true })).toHaveValue('starttls-client');
    await dialog.getByLabel('Host', { exact: true }).fill('localhost');
    await dialog.getByLabel('Service (port or name)').fill(String(peer.port));
    await dialog.getByLabel('CA file').fill(CA);
    await dialog.getByRole('button', { name: 'Create' }).click();
    await expect(dialog).toBeHidden();
    await expect(row(page, 'smtp')).toContainText('open');
    expect(peer.secured).toHaveLength(1);

    const plain = await smtpServer('no-starttls', (close) => closers.push(close));
    await page.getByRole('button', { name: 'New process' }).click();
    await dialog.getByRole('button', { name: 'SMTP with STARTTLS' }).click();
    await dialog.getByLabel('Name', { exact: true }).fill('plain');
    await dialog.getByLabel('Host', { exact: true }).fill('localhost');
    await dialog.getByLabel('Service (port or name)').fill(String(plain.port));
    await dialog.getByRole('button', { name: 'Create' }).click();
    await expect(dialog.getByRole('alert')).toContainText('Server does not support TLS');
    await expect(dialog.getByRole('alert')).toContainText('do not offer STARTTLS');
    // The attempt was deleted, as network-stream deletes it; its buffer, with what the server said, outlives it
    // (its row is seen once the modal dialog, which hides the page from assistive technology, is closed).
    await dialog.getByRole('button', { name: 'Cancel' }).click();
    await expect(row(page, 'plain')).toHaveClass(/departed/);
    await expect(row(page, 'plain')).toContainText('closed');
  });
});
