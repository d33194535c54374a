import type { Locator, Page } from '@playwright/test';
import { expect, test } from '../fixtures.js';
import { row, runCommand } from './workbench.js';

const dialogOf = (page: Page) => page.getByRole('dialog', { name: 'New process' });

/** True while focus is inside the New process dialog. */
const focusInside = (page: Page) =>
  page.evaluate(() => document.activeElement?.closest('[role="dialog"]')?.getAttribute('aria-modal') === 'true');

async function expectShown(dialog: Locator, labels: Record<string, boolean>) {
  for (const [label, shown] of Object.entries(labels)) await expect(dialog.getByLabel(label, { exact: true })).toHaveCount(shown ? 1 : 0);
}

test.describe('the New process dialog', () => {
  test('opens from the button, Ctrl+N, the empty state and M-x; focus starts on the first field, stays inside, and Esc returns it', async ({
    page,
  }) => {
    const button = page.getByRole('button', { name: 'New process', exact: true });
    await button.click();
    const dialog = dialogOf(page);
    await expect(dialog).toBeVisible();
    await expect(dialog.getByLabel('Kind', { exact: true })).toBeFocused();
    // Tab and Shift+Tab go round the dialog's controls and never leave it.
    for (let i = 0; i < 30; i++) {
      await page.keyboard.press('Tab');
      expect(await focusInside(page)).toBe(true);
    }
    for (let i = 0; i < 10; i++) {
      await page.keyboard.press('Shift+Tab');
      expect(await focusInside(page)).toBe(true);
    }
    await page.keyboard.press('Escape');
    await expect(dialog).toBeHidden();
    await expect(button).toBeFocused();

    // Ctrl+N from the process list; Esc goes back there.
    const list = page.getByRole('table', { name: 'Processes' }).locator('tbody');
    await list.focus();
    await page.keyboard.press('Control+n');
    await expect(dialog.getByLabel('Kind', { exact: true })).toBeFocused();
    await page.keyboard.press('Escape');
    await expect(list).toBeFocused();

    await page.getByRole('note', { name: 'No network processes yet' }).getByRole('button', { name: 'Make a network process…' }).click();
    await expect(dialog.getByLabel('Kind', { exact: true })).toBeFocused();
    await dialog.getByRole('button', { name: 'Cancel' }).click();
    await expect(dialog).toBeHidden();

    // M-x make-network-process opens it in the palette's place; Esc returns to where focus was before M-x.
    const filter = page.getByLabel('Filter events');
    await filter.focus();
    await runCommand(page, 'make-network-process');
    await expect(page.getByRole('dialog', { name: 'Command palette' })).toBeHidden();
    await expect(dialog.getByLabel('Kind', { exact: true })).toBeFocused();
    await page.keyboard.press('Escape');
    await expect(filter).toBeFocused();
  });

  test('Enter in a field creates: a server, then a client connected to it', async ({ page, control }) => {
    await page.keyboard.press('Control+n');
    const dialog = dialogOf(page);
    await dialog.getByLabel('Kind', { exact: true }).selectOption({ label: 'TCP server' });
    await expect(dialog.getByLabel('Name', { exact: true })).toHaveValue('server');
    await dialog.getByLabel('Service (port or name)').fill('t');
    await dialog.getByLabel('Service (port or name)').press('Enter');
    await expect(dialog).toBeHidden();
    await expect(row(page, 'server')).toContainText('listen');
    const port = String(((await control.snapshot({})).processes.find((p) => p.name === 'server')!.local as number[])[4]);

    await page.keyboard.press('Control+n');
    await expect(dialog.getByLabel('Name', { exact: true })).toHaveValue('tcp-client');
    await dialog.getByLabel('Service (port or name)').fill(port);
    await dialog.getByLabel('Host', { exact: true }).press('Enter');
    await expect(dialog).toBeHidden();
    await expect(row(page, 'tcp-client')).toContainText('open');
    await expect(
      row(
        page,
        `server <127.0.0.1:${((await control.snapshot({})).processes.find((p) => p.name === 'tcp-client')!.local as number[])[4]}>`,
      ),
    ).toContainText('open');
  });

  test('shows only the fields that apply to the kind, and the name follows the kind until edited', async ({ page }) => {
    await page.keyboard.press('Control+n');
    const dialog = dialogOf(page);
    const kind = dialog.getByLabel('Kind', { exact: true });
    const name = dialog.getByLabel('Name', { exact: true });
    await expectShown(dialog, { Host: true, ':nowait': true, ':keepalive': true, ':nodelay': true, 'Use TLS': true, 'Socket path': false });
    // Each field says what its keyword means.
    await expect(dialog.getByLabel(':nowait', { exact: true })).toHaveAccessibleDescription(/return at once.*sentinel says "open"/);
    await expect(dialog.getByLabel('Host', { exact: true })).toHaveAccessibleDescription(/^:host — /);

    await kind.selectOption({ label: 'UDP server' });
    await expect(name).toHaveValue('udp');
    await expectShown(dialog, {
      Host: true,
      ':nowait': false,
      ':keepalive': false,
      ':nodelay': false,
      'Use TLS': false,
      'TLS server': false,
    });

    await kind.selectOption({ label: 'Unix socket client' });
    await expect(name).toHaveValue('unix-client');
    await expectShown(dialog, { Host: false, Family: false, 'Service (port or name)': false, ':nowait': true, 'Use TLS': false });
    await expect(dialog.getByLabel('Socket path', { exact: true })).toHaveAttribute('placeholder', /^\/.+\.sock$/);

    await kind.selectOption({ label: 'TCP server' });
    await expect(name).toHaveValue('server');
    await expectShown(dialog, { ':nowait': false, ':keepalive': true, 'TLS server': true, 'Use TLS': false, 'Socket path': false });

    await kind.selectOption({ label: 'TCP client' });
    await dialog.getByLabel('Use TLS').check();
    await expectShown(dialog, { 'CA file': true, 'Server name (SNI)': true });

    await name.fill('mine');
    await kind.selectOption({ label: 'UDP client' });
    await expect(name).toHaveValue('mine');
    // A preset starts over, and the name follows the kind again.
    await dialog.getByRole('button', { name: 'TCP server on a free port' }).click();
    await expect(name).toHaveValue('server');
    await kind.selectOption({ label: 'UDP server' });
    await expect(name).toHaveValue('udp');
  });

  test('an engine error shows next to the field it names, and the dialog stays open with the values', async ({ page }) => {
    await page.keyboard.press('Control+n');
    const dialog = dialogOf(page);
    await dialog.getByLabel('Name', { exact: true }).fill('nobody');
    // Port 1 on loopback: nothing listens there, so the engine's connect is refused.
    await dialog.getByLabel('Service (port or name)').fill('1');
    await dialog.getByRole('button', { name: 'Create' }).click();
    const service = dialog.getByLabel('Service (port or name)');
    await expect(service).toHaveAttribute('aria-invalid', 'true');
    await expect(service).toHaveAccessibleDescription(/make client process failed: Connection refused/);
    await expect(service).toBeFocused();
    await expect(dialog.getByLabel('Name', { exact: true })).toHaveValue('nobody');
    await expect(service).toHaveValue('1');
    await expect(dialog.getByLabel('Host', { exact: true })).not.toHaveAttribute('aria-invalid', 'true');
    // The refusal fixed, the same dialog creates it.
    await dialog.getByLabel('Name', { exact: true }).fill('nobody-server');
    await dialog.getByLabel('Kind', { exact: true }).selectOption({ label: 'TCP server' });
    await service.fill('t');
    await service.press('Enter');
    await expect(dialog).toBeHidden();
    await expect(row(page, 'nobody-server')).toContainText('listen');
  });

  test('at 1280×800 each keyword checkbox’s description starts on its line, the long Reconnect one too', async ({ page }) => {
    await page.setViewportSize({ width: 1280, height: 800 });
    await page.keyboard.press('Control+n');
    const dialog = dialogOf(page);
    for (const label of [':nowait', 'Reconnect']) {
      const box = dialog.getByRole('checkbox', { name: label, exact: true });
      const help = dialog.locator(`#${await box.getAttribute('id')}-help`);
      const [check, text] = [await box.boundingBox(), await help.boundingBox()];
      // The description's first line sits beside the checkbox, not under it.
      expect(text!.y, label).toBeLessThan(check!.y + check!.height);
      expect(text!.x, label).toBeGreaterThan(check!.x + check!.width);
    }
  });
});
