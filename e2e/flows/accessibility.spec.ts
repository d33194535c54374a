import { AxeBuilder } from '@axe-core/playwright';
import type { Page } from '@playwright/test';
import { expect, test } from '../fixtures.js';
import { bufferLog, busyWorkbench, row } from './workbench.js';

/** Serious and critical axe violations, each as "rule: the elements it found", so a failure names what to fix; within SELECTOR if given. */
async function seriousViolations(page: Page, selector?: string): Promise<string[]> {
  const builder = new AxeBuilder({ page });
  const results = await (selector ? builder.include(selector) : builder).analyze();
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

// After both schemes' screens above, since these add sentinel lines to the event log the web host keeps between tests; the
// check covers the inspector's pane, the rest of the page being checked above.
for (const scheme of ['light', 'dark'] as const) {
  test.describe(`accessibility of the inspector, ${scheme}`, () => {
    test.beforeEach(async ({ page }) => {
      await page.emulateMedia({ colorScheme: scheme });
    });

    test('the inspector with every section open, live kernel queues and an option refused', async ({ page, control, peer }) => {
      test.setTimeout(150_000);
      await busyWorkbench(page, control, peer);
      const inspector = page.getByRole('region', { name: 'Inspector' });
      for (const title of ['Kernel queues', 'Socket options']) {
        const toggle = inspector.getByRole('button', { name: title, exact: true });
        if ((await toggle.getAttribute('aria-expanded')) === 'false') await toggle.click();
      }
      await expect(inspector.getByRole('region', { name: 'Kernel queues' }).getByLabel('Send queue', { exact: true })).toBeVisible();
      expect(await seriousViolations(page, '.pane-inspector')).toEqual([]);
      // Auto-reply rules: a rule being edited, with a template error at its field.
      const rules = inspector.getByRole('button', { name: 'Auto-reply rules', exact: true });
      if ((await rules.getAttribute('aria-expanded')) === 'false') await rules.click();
      const rulesSection = inspector.getByRole('region', { name: 'Auto-reply rules' });
      await rulesSection.getByRole('button', { name: 'Add rule' }).click();
      const rule = rulesSection.getByRole('group', { name: 'Rule 1' });
      await rule.getByLabel('Pattern', { exact: true }).fill('^GET (\\S+)');
      await rule.getByLabel('Reply', { exact: true }).fill('{{nope}}');
      await expect(rule.getByRole('alert')).toContainText('unknown variable');
      expect(await seriousViolations(page, '.pane-inspector')).toEqual([]);
      // An error beside its control: a UDP socket refuses :nodelay.
      await control.makeNetworkProcess({ name: 'udp', type: 'datagram', server: true, host: '127.0.0.1', service: true });
      await row(page, 'udp').click();
      await inspector.getByRole('checkbox', { name: ':nodelay' }).click();
      await expect(inspector.getByRole('alert')).toHaveText('Cannot set network option: Protocol not available');
      expect(await seriousViolations(page, '.pane-inspector')).toEqual([]);
    });
  });
}

// The Messages pane, checked within itself (the rest of the page is checked above): a message with a template error at
// its field, its preview, a repeat's count and the list of repeats.
for (const scheme of ['light', 'dark'] as const) {
  test.describe(`accessibility of the Messages pane, ${scheme}`, () => {
    test.beforeEach(async ({ page }) => {
      await page.emulateMedia({ colorScheme: scheme });
    });

    test('the library, the editor with an error at its field, and a finished repeat', async ({ page, control, peer }) => {
      test.setTimeout(150_000);
      await busyWorkbench(page, control, peer);
      await page.keyboard.press('Control+Shift+M');
      const pane = page.getByRole('complementary', { name: 'Messages' });
      await expect(pane.getByRole('note', { name: 'No messages yet' })).toBeVisible();
      expect(await seriousViolations(page, '.pane-messages')).toEqual([]);
      await pane.getByRole('button', { name: 'New message' }).first().click();
      await pane.getByLabel('Template', { exact: true }).fill('bad \\q');
      await expect(pane.getByLabel('Template', { exact: true })).toHaveAttribute('aria-invalid', 'true');
      expect(await seriousViolations(page, '.pane-messages')).toEqual([]);
      await pane.getByLabel('Template', { exact: true }).fill('tick {{seq}}\\n');
      await pane.getByRole('checkbox', { name: 'Repeat' }).check();
      await pane.getByLabel('Every (ms)').fill('5');
      await pane.getByLabel('Times').fill('3');
      await pane.getByRole('button', { name: 'Repeat', exact: true }).click();
      await expect(pane.getByRole('status', { name: 'Sent by message', exact: true })).toHaveText('3 of 3');
      expect(await seriousViolations(page, '.pane-messages')).toEqual([]);
    });
  });
}

// The buffer list, its save form and the kill question, with a departed connection listed.
for (const scheme of ['light', 'dark'] as const) {
  test.describe(`accessibility of the buffer list, ${scheme}`, () => {
    test.beforeEach(async ({ page }) => {
      await page.emulateMedia({ colorScheme: scheme });
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
