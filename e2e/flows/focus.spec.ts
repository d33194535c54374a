import type { Page } from '@playwright/test';
import { expect, test } from '../fixtures.js';
import { bufferLog, busyWorkbench, echoArea, row } from './workbench.js';

/**
 * From wherever focus is, the keys to the shown buffer's input line: Esc for
 * each dialog or menu on top, then Ctrl+I. Returns how many were pressed.
 */
async function keysToInputLine(page: Page): Promise<number> {
  let keys = 0;
  while (keys < 5 && (await page.locator('[role="dialog"], [role="menu"]').count()) > 0) {
    await page.keyboard.press('Escape');
    keys++;
  }
  await page.keyboard.press('Control+i');
  return keys + 1;
}

/**
 * Tabs through what is reachable from the keyboard, once round, and names
 * each control whose focus does not show (no outline, no ring).
 * Returns how many controls were reached, and those without a ring.
 */
async function tabRound(page: Page, limit: number): Promise<{ reached: number; unmarked: string[] }> {
  const unmarked: string[] = [];
  let reached = 0;
  for (let i = 0; i < limit; i++) {
    await page.keyboard.press('Tab');
    const seen = await page.evaluate(() => {
      const el = document.activeElement as HTMLElement | null;
      if (!el || el === document.body) return { again: false, name: null, ring: true };
      const again = el.dataset.focusChecked === 'yes';
      el.dataset.focusChecked = 'yes';
      const style = getComputedStyle(el);
      const ring = (style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) >= 1) || style.boxShadow !== 'none';
      const name = `${el.tagName.toLowerCase()} "${el.getAttribute('aria-label') ?? el.textContent?.trim().slice(0, 40) ?? ''}"`;
      return { again, name, ring };
    });
    if (seen.again) break;
    if (seen.name === null) continue;
    reached++;
    if (!seen.ring) unmarked.push(seen.name);
  }
  return { reached, unmarked };
}

test.describe('the focus model', () => {
  test('the selected buffer’s input line is at most three keys from anywhere: Ctrl+I, after Esc for what is on top', async ({
    page,
    control,
    peer,
  }) => {
    const { accepted } = await busyWorkbench(page, control, peer);
    const input = page.getByLabel(`Input for ${accepted}`);
    const places: Array<[string, () => Promise<unknown>]> = [
      ['the page, nothing focused', () => page.evaluate(() => (document.activeElement as HTMLElement | null)?.blur())],
      ['the process list', () => page.getByRole('table', { name: 'Processes' }).locator('tbody').focus()],
      ['a pane separator', () => page.getByRole('separator', { name: 'Resize the columns' }).focus()],
      ['the inspector', () => page.getByRole('group', { name: 'Inspector' }).focus()],
      ['the event filter', () => page.getByLabel('Filter events').focus()],
      ['the theme switch', () => page.getByRole('radio', { name: 'Dark theme' }).focus()],
      ['the buffer’s rows', () => bufferLog(page).focus()],
      ['the buffer search', () => page.getByLabel('Search buffer').focus()],
      ['the New process dialog', () => page.keyboard.press('Control+n')],
      ['the command palette', () => page.keyboard.press('Alt+x')],
      ['the Columns menu', () => page.getByRole('button', { name: 'Choose columns' }).click()],
    ];
    for (const [where, go] of places) {
      await go();
      const keys = await keysToInputLine(page);
      await expect(input, `from ${where}`).toBeFocused();
      expect(keys, `keys from ${where}`).toBeLessThanOrEqual(3);
    }
    // With nothing to type to (the process is gone, its buffer still shown), Ctrl+I lands on the list, where ↓ selects one.
    await control.deleteProcess({ ids: (await control.snapshot({})).processes.map((p) => p.id) });
    await expect(input).toBeDisabled();
    await page.getByLabel('Filter events').focus();
    await page.keyboard.press('Control+i');
    await expect(page.getByRole('table', { name: 'Processes' }).locator('tbody')).toBeFocused();
  });

  test('with a departed process that has no buffer selected, F6 still goes pane to pane and Ctrl+I says why it cannot', async ({
    page,
    control,
  }) => {
    // As the trial had it: a UDP server made without :buffer, selected, the buffer list shown, then the server deleted.
    const u2 = (await control.makeNetworkProcess({ name: 'u2', type: 'datagram', server: true, host: '127.0.0.1', service: true }))!;
    await row(page, 'u2').click();
    await page.getByRole('button', { name: 'Buffer list' }).click();
    await control.deleteProcess({ ids: [u2.id] });
    await expect(page.getByLabel('Input for u2')).toBeDisabled();
    const bufferList = page.getByRole('table', { name: 'Buffers' }).locator('tbody');
    await bufferList.focus();
    await page.keyboard.press('F6');
    await expect(page.getByRole('region', { name: 'Buffers' })).toBeFocused();
    await page.keyboard.press('F6');
    await expect(page.getByRole('group', { name: 'Inspector' })).toBeFocused();
    await page.keyboard.press('Shift+F6');
    await expect(page.getByRole('region', { name: 'Buffers' })).toBeFocused();
    await page.keyboard.press('Shift+F6');
    await expect(bufferList).toBeFocused();
    await page.getByRole('group', { name: 'Inspector' }).focus();
    await page.keyboard.press('Control+i');
    await expect(echoArea(page)).toHaveText('u2 is no longer a process: there is nothing to send to');
    await expect(bufferList).toBeFocused();
  });

  test('every control reached with Tab shows a focus ring: the workbench, the New process dialog, the palette', async ({
    page,
    control,
    peer,
  }) => {
    await busyWorkbench(page, control, peer);
    await page.evaluate(() => (document.activeElement as HTMLElement | null)?.blur());
    const workbench = await tabRound(page, 120);
    expect(workbench.unmarked).toEqual([]);
    expect(workbench.reached).toBeGreaterThan(20);

    await page.keyboard.press('Control+n');
    const dialog = page.getByRole('dialog', { name: 'New process' });
    await dialog.getByLabel('Use TLS').check();
    const form = await tabRound(page, 80);
    expect(form.unmarked).toEqual([]);
    expect(form.reached).toBeGreaterThan(20);
    await page.keyboard.press('Escape');

    await page.keyboard.press('Alt+x');
    const palette = await tabRound(page, 10);
    expect(palette.unmarked).toEqual([]);
    expect(palette.reached).toBeGreaterThan(0);
  });
});
