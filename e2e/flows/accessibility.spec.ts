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
      await page.getByRole('radio', { name: 'Traffic' }).click();
      await expect(page.getByRole('grid', { name: /^Traffic timeline of / })).toContainText('GET / HTTP/1.1');
      expect(await seriousViolations(page)).toEqual([]);
      await page.getByRole('radio', { name: 'Buffer', exact: true }).click();
      await page.keyboard.press('Control+Shift+P');
      await expect(page.getByRole('dialog', { name: 'Command palette' })).toBeVisible();
      expect(await seriousViolations(page)).toEqual([]);
      await page.keyboard.press('Escape');
      await page.getByRole('button', { name: 'New process', exact: true }).click();
      await expect(page.getByRole('dialog', { name: 'New process' })).toBeVisible();
      expect(await seriousViolations(page)).toEqual([]);
    });
  });
}
