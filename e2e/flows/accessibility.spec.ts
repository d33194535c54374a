import { AxeBuilder } from '@axe-core/playwright';
import type { Page } from '@playwright/test';
import { expect, test } from '../fixtures.js';
import { bufferLog, busyWorkbench, row } from './workbench.js';

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
      await expect(bufferLog(page)).toContainText('|GET / HTTP/1.1..|');
      expect(await seriousViolations(page)).toEqual([]);
      await page.keyboard.press('Control+Shift+P');
      await expect(page.getByRole('dialog', { name: 'Command palette' })).toBeVisible();
      expect(await seriousViolations(page)).toEqual([]);
      await page.keyboard.press('Escape');
      await page.getByRole('button', { name: 'New process', exact: true }).click();
      await expect(page.getByRole('dialog', { name: 'New process' })).toBeVisible();
      expect(await seriousViolations(page)).toEqual([]);
    });

    test('the buffer list with a departed connection, its save form, and the question before a kill', async ({ page, control, peer }) => {
      test.setTimeout(150_000);
      const { accepted, outside } = await busyWorkbench(page, control, peer);
      outside.socket.destroy();
      await expect(row(page, accepted)).toHaveClass(/departed/);
      // The departed row is checked as listed; the inspector is checked on a live process (its departed view is the inspector's own).
      await row(page, 'echo-server').click();
      expect(await seriousViolations(page)).toEqual([]);
      await page.keyboard.press('Control+Shift+B');
      await page.getByRole('cell', { name: '*echo-server*', exact: true }).click();
      expect(await seriousViolations(page)).toEqual([]);
      await page.getByRole('button', { name: 'Save buffer…' }).click();
      await page.getByLabel('File path').fill('not absolute');
      await page.getByRole('button', { name: 'Save', exact: true }).click();
      await expect(page.getByRole('form', { name: 'Save *echo-server*' }).getByRole('alert')).toContainText('absolute');
      expect(await seriousViolations(page)).toEqual([]);
      await page.getByRole('button', { name: 'Cancel' }).click();
      await page.getByRole('button', { name: 'Kill buffer' }).click();
      await expect(page.getByRole('alertdialog')).toBeVisible();
      expect(await seriousViolations(page)).toEqual([]);
      await page.getByRole('alertdialog').getByRole('button', { name: 'Cancel' }).click();
    });
  });
}
