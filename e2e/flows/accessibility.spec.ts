import { AxeBuilder } from '@axe-core/playwright';
import type { Page } from '@playwright/test';
import { expect, test } from '../fixtures.js';
import { busyWorkbench } from './workbench.js';

/** Serious and critical axe violations, each as "rule: the elements it found", so a failure names what to fix. */
async function seriousViolations(page: Page): Promise<string[]> {
  const results = await new AxeBuilder({ page }).analyze();
  return results.violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${v.id} (${v.impact}): ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
}

for (const scheme of ['light', 'dark'] as const) {
  test.describe(`accessibility, ${scheme}`, () => {
    test.beforeEach(async ({ page }) => {
      await page.emulateMedia({ colorScheme: scheme });
    });

    test('the empty workbench', async ({ page }) => {
      expect(await seriousViolations(page)).toEqual([]);
    });

    test('busy: a server, a client and data; then the hex view, then the palette and the form', async ({ page, control, peer }) => {
      // axe takes several seconds a screen on a shared two-core machine.
      test.setTimeout(150_000);
      await busyWorkbench(page, control, peer);
      expect(await seriousViolations(page)).toEqual([]);
      await page.getByLabel('Hex', { exact: true }).check();
      await expect(page.getByRole('log')).toContainText('|GET / HTTP/1.1..|');
      expect(await seriousViolations(page)).toEqual([]);
      await page.keyboard.press('Control+Shift+P');
      await expect(page.getByRole('dialog', { name: 'Command palette' })).toBeVisible();
      expect(await seriousViolations(page)).toEqual([]);
      await page.keyboard.press('Escape');
      await page.getByRole('button', { name: 'New process', exact: true }).click();
      await expect(page.getByRole('dialog', { name: 'New process' })).toBeVisible();
      expect(await seriousViolations(page)).toEqual([]);
    });

    test('the New process dialog: a TLS client with an error at its field, a TLS server, STARTTLS', async ({ page }) => {
      test.setTimeout(120_000);
      await page.keyboard.press('Control+n');
      const dialog = page.getByRole('dialog', { name: 'New process' });
      await dialog.getByLabel('Use TLS').check();
      await dialog.getByLabel('Service (port or name)').fill('70000');
      await dialog.getByRole('button', { name: 'Create' }).click();
      await expect(dialog.getByLabel('Service (port or name)')).toHaveAttribute('aria-invalid', 'true');
      expect(await seriousViolations(page)).toEqual([]);
      await dialog.getByLabel('Kind', { exact: true }).selectOption({ label: 'TCP server' });
      await dialog.getByLabel('TLS server').selectOption({ label: 'Certificate and key files' });
      expect(await seriousViolations(page)).toEqual([]);
      await dialog.getByLabel('Kind', { exact: true }).selectOption({ label: 'STARTTLS client (open-network-stream)' });
      expect(await seriousViolations(page)).toEqual([]);
    });
  });
}
