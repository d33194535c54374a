import { expect, test } from '../fixtures.js';
import { echoArea, row, runCommand } from './workbench.js';

test.describe('TLS servers and certificate pins (beyond Emacs)', () => {
  test('a self-signed TLS server from the form; a client that fails verification is pinned from the inspector and then connects', async ({
    page,
    control,
  }) => {
    const open = async () => {
      await page.getByRole('button', { name: 'New process' }).click();
      return page.getByRole('dialog', { name: 'New process' });
    };

    let dialog = await open();
    await dialog.getByLabel('Kind', { exact: true }).selectOption({ label: 'TCP server' });
    await dialog.getByLabel('Name', { exact: true }).fill('tlssrv');
    await dialog.getByLabel('Host', { exact: true }).fill('127.0.0.1');
    await dialog.getByLabel('Service (port or name)').fill('t');
    await dialog.getByLabel('TLS server').selectOption({ label: 'Generate a self-signed certificate' });
    await dialog.getByLabel('ALPN protocols offered').fill('h2, http/1.1');
    await dialog.getByRole('button', { name: 'Create' }).click();
    await expect(dialog).toBeHidden();
    await expect(row(page, 'tlssrv')).toContainText('listen');
    await row(page, 'tlssrv').click();
    const inspector = page.getByRole('region', { name: 'Inspector' });
    const tls = inspector.getByRole('region', { name: 'TLS' });
    await expect(tls).toContainText('generated, self-signed, in memory only');
    const fingerprint = (await tls.getByLabel('Server certificate fingerprint', { exact: true }).textContent())!;
    expect(fingerprint).toMatch(/^([0-9A-F]{2}:){31}[0-9A-F]{2}$/);
    const port = String(((await control.snapshot({})).processes.find((p) => p.name === 'tlssrv')!.local as number[])[4]);

    const client = async (name: string, nowait: boolean) => {
      dialog = await open();
      await dialog.getByLabel('Kind', { exact: true }).selectOption({ label: 'TCP client' });
      await dialog.getByLabel('Name', { exact: true }).fill(name);
      await dialog.getByLabel('Host', { exact: true }).fill('127.0.0.1');
      await dialog.getByLabel('Service (port or name)').fill(port);
      if (nowait) await dialog.getByLabel(':nowait').check();
      await dialog.getByLabel('Use TLS').check();
      await dialog.getByLabel('ALPN protocols', { exact: true }).fill('http/1.1');
      await dialog.getByRole('button', { name: 'Create' }).click();
      return dialog;
    };

    // Verification fails (self-signed, no pin): the :nowait client is left failed, showing the certificate it was shown.
    await expect(await client('tlsc', true)).toBeHidden();
    await expect(row(page, 'tlsc')).toContainText('failed');
    await row(page, 'tlsc').click();
    await expect(tls).toContainText('refused');
    await expect(tls.getByLabel('Peer certificate fingerprint', { exact: true })).toHaveText(fingerprint);
    await tls.getByRole('button', { name: 'Trust this certificate (pin fingerprint)' }).click();
    await expect(tls.getByRole('button', { name: 'Forget pin' })).toBeVisible();
    await expect(tls.getByLabel('Pinned fingerprint', { exact: true })).toHaveText(fingerprint);
    expect(await control.listCertificatePins({})).toMatchObject([{ host: '127.0.0.1', port: Number(port), fingerprint }]);

    // Reconnect: the pin vouches for the certificate.
    await expect(await client('tlsc2', false)).toBeHidden();
    await expect(row(page, 'tlsc2')).toContainText('open');
    await row(page, 'tlsc2').click();
    await expect(tls).toContainText('pinned (trusted by fingerprint)');
    await expect(tls).toContainText('http/1.1');
    await expect(page.getByRole('table', { name: 'Processes' }).getByRole('cell', { name: /^tlssrv <127\.0\.0\.1:\d+>$/ })).toHaveCount(1);

    // Forgetting the pin: the next attempt is refused again, and the form says why, with the fingerprint.
    await tls.getByRole('button', { name: 'Forget pin' }).click();
    await expect(tls.getByRole('button', { name: 'Forget pin' })).toHaveCount(0);
    dialog = await client('tlsc3', false);
    await expect(dialog.getByRole('alert').first()).toContainText(fingerprint);
    // Trusted from the form, by keyboard: the button follows Use TLS, fills the fingerprint in, and Enter there creates.
    await dialog.getByLabel('Use TLS').focus();
    await page.keyboard.press('Tab');
    await expect(dialog.getByRole('button', { name: 'Trust this fingerprint' })).toBeFocused();
    await page.keyboard.press('Enter');
    const pinField = dialog.getByLabel('Trusted fingerprint (SHA-256 pin)');
    await expect(pinField).toHaveValue(fingerprint);
    await expect(pinField).toBeFocused();
    await expect(dialog.getByRole('status').filter({ hasText: 'press Create again' })).toBeVisible();
    await page.keyboard.press('Enter');
    await expect(dialog).toBeHidden();
    await expect(row(page, 'tlsc3')).toContainText('open');
    expect(await control.listCertificatePins({})).toMatchObject([{ host: '127.0.0.1', port: Number(port), fingerprint }]);
    // The pins outlive the test: leave none for the next.
    await control.forgetCertificatePin({ host: '127.0.0.1', port: Number(port) });
  });

  test('M-x: a TLS server from a Lisp form, a client pinned by a form, and the pins listed', async ({ page, control }) => {
    await page.keyboard.press('Control+Shift+P');
    const palette = page.getByRole('dialog', { name: 'Command palette' });
    const command = palette.getByRole('combobox', { name: 'Command' });
    await command.fill(
      '(make-network-process :name "mtls" :server t :host "127.0.0.1" :service t :tls-server (:self-signed t :alpn ("h2")))',
    );
    await command.press('Enter');
    await expect(palette).toBeHidden();
    await expect(row(page, 'mtls')).toContainText('listen');
    const srv = (await control.snapshot({})).processes.find((p) => p.name === 'mtls')!;
    const port = (srv.local as number[])[4];
    const fingerprint = srv.tls!.localCertificate!.fingerprint256;

    // Refused before the pin: the message shows the fingerprint, wrapped inside the palette rather than spilling out of it.
    const refusedPalette = await runCommand(page, `(open-network-stream "mc0" nil "127.0.0.1" ${port} :type 'tls)`);
    const refusal = refusedPalette.getByRole('alert');
    await expect(refusal).toContainText(fingerprint);
    expect(await refusal.evaluate((el) => el.scrollWidth <= el.clientWidth)).toBe(true);
    const [message, box] = await Promise.all([refusal.boundingBox(), refusedPalette.boundingBox()]);
    expect(message!.x + message!.width).toBeLessThanOrEqual(box!.x + box!.width);
    await page.keyboard.press('Escape');
    await expect(refusedPalette).toBeHidden();
    await expect(await runCommand(page, `(netproc-pin-certificate "127.0.0.1" ${port} "${fingerprint}")`)).toBeHidden();
    await expect(echoArea(page)).toHaveText(`127.0.0.1:${port} ${fingerprint}`);
    await expect(await runCommand(page, `(open-network-stream "mc" nil "127.0.0.1" ${port} :type 'tls :alpn ("h2"))`)).toBeHidden();
    await expect(row(page, 'mc')).toContainText('open');
    await expect(page.getByRole('region', { name: 'TLS' })).toContainText('pinned (trusted by fingerprint)');

    await expect(await runCommand(page, '(process-contact "mc" :tls)')).toBeHidden();
    await expect(echoArea(page)).toContainText(`:alpn "h2"`);
    await expect(echoArea(page)).toContainText(`:pinned t`);
    await runCommand(page, `netproc-forget-certificate-pin 127.0.0.1 ${port}`);
    await expect(echoArea(page)).toHaveText('t');
    await runCommand(page, 'netproc-certificate-pins');
    await expect(echoArea(page)).toHaveText('No pinned certificates');
  });
});
