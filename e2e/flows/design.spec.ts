import { mkdirSync } from 'node:fs';
import { expect, openWorkbench, startWebHost, test, webControl } from '../fixtures.js';
import { bufferLog, busyWorkbench, row } from './workbench.js';

test.describe('the design', () => {
  test('each pane has a titled header, and the empty workbench says what to do next', async ({ page }) => {
    for (const title of ['Processes', 'Buffers', 'Inspector', 'Events'])
      await expect(page.getByRole('heading', { name: title, level: 2 })).toBeVisible();
    const none = page.getByRole('note', { name: 'No network processes yet' });
    await expect(none).toContainText('Ctrl+N');
    await expect(none).toContainText('make-network-process');
    // Named apart from the top bar's New process, so flows that click that one by name find only it.
    await none.getByRole('button', { name: 'Make a network process…' }).click();
    await expect(page.getByRole('dialog', { name: 'New process' })).toBeVisible();
    await page.keyboard.press('Escape');
    await expect(page.getByRole('note', { name: 'No process selected' })).toBeVisible();
    // The engine's log is shared by every test on this host: empty when this test runs first, else filtered down to nothing.
    await page.getByLabel('Filter events').fill('nothing-logged-has-this-text');
    await expect(page.getByRole('note', { name: /^No (events yet|matching events)$/ })).toBeVisible();
  });

  test('status shows as a coloured chip with its word, and an empty buffer says how to send', async ({ page, control }) => {
    const srv = (await control.makeNetworkProcess({ name: 'chips', server: true, service: true }))!;
    const client = (await control.makeNetworkProcess({
      name: 'chips-client',
      host: '127.0.0.1',
      service: (srv.local as number[])[4] as number,
    }))!;
    await expect(row(page, 'chips')).toContainText('listen');
    await expect(row(page, 'chips-client')).toContainText('open');
    const chipColour = (name: string) =>
      row(page, name)
        .getByText(/^(listen|open)$/)
        .evaluate((el) => getComputedStyle(el).backgroundColor);
    expect(await chipColour('chips')).not.toBe(await chipColour('chips-client'));
    // The kind icon names the kind for assistive technology and on hover.
    await expect(row(page, 'chips').locator('.kind')).toHaveAttribute('title', 'TCP server');
    await row(page, `chips <127.0.0.1:${(client.local as number[])[4]}>`).click();
    await expect(page.getByRole('note', { name: 'Nothing received yet' })).toContainText('press Enter to send');
  });

  test('columns are chosen and resized, and both are remembered across a reload', async ({ page, control }) => {
    await control.makeNetworkProcess({ name: 'cols', server: true, service: true });
    const table = page.getByRole('table', { name: 'Processes' });
    await expect(table.getByRole('columnheader', { name: 'Local' })).toHaveCount(0);
    await page.getByRole('button', { name: 'Choose columns' }).click();
    await page.getByRole('menuitemcheckbox', { name: 'Local' }).click();
    await page.keyboard.press('Escape');
    await expect(table.getByRole('columnheader', { name: /^Local/ })).toBeVisible();
    const resizer = table.getByRole('separator', { name: 'Resize the Process column' });
    const before = Number(await resizer.getAttribute('aria-valuenow'));
    await resizer.focus();
    await page.keyboard.press('ArrowRight');
    await expect(resizer).toHaveAttribute('aria-valuenow', String(before + 10));
    await page.reload();
    await expect(table.getByRole('columnheader', { name: /^Local/ })).toBeVisible();
    await expect(table.getByRole('separator', { name: 'Resize the Process column' })).toHaveAttribute('aria-valuenow', String(before + 10));
    // Numbers line up on the right.
    expect(
      await table
        .getByRole('cell')
        .filter({ hasText: /^0 B$/ })
        .first()
        .evaluate((el) => getComputedStyle(el).textAlign),
    ).toBe('right');
  });

  test('at 1280×800 the process list fits its pane, long names end in an ellipsis with the whole name on hover', async ({
    page,
    control,
  }) => {
    await page.setViewportSize({ width: 1280, height: 800 });
    const long = `a-server-with-a-rather-long-name-${'x'.repeat(40)}`;
    await control.makeNetworkProcess({ name: long, server: true, service: true });
    const cell = page.getByRole('cell', { name: long, exact: true });
    await expect(cell).toHaveAttribute('title', long);
    const fits = await page.evaluate(() => {
      const table = document.querySelector('table[aria-label="Processes"]')!.getBoundingClientRect();
      const pane = document.querySelector('.pane-list')!.getBoundingClientRect();
      return table.width <= pane.width;
    });
    expect(fits).toBe(true);
    expect(await cell.evaluate((el) => el.scrollWidth > el.clientWidth && getComputedStyle(el).textOverflow === 'ellipsis')).toBe(true);
  });

  test('the selected row stays in view as the arrow keys move through a long list', async ({ page, control }) => {
    await page.setViewportSize({ width: 1280, height: 800 });
    const COUNT = 30;
    for (let i = 0; i < COUNT; i++)
      await control.makeNetworkProcess({ name: `p${String(i).padStart(2, '0')}`, server: true, service: true });
    await row(page, 'p00').click();
    for (let i = 1; i < COUNT; i++) await page.keyboard.press('ArrowDown');
    await expect(row(page, `p${COUNT - 1}`)).toHaveAttribute('aria-selected', 'true');
    // Whole but for a pixel's fraction of its bottom border.
    await expect(row(page, `p${COUNT - 1}`)).toBeInViewport({ ratio: 0.95 });
    await expect(row(page, 'p00')).not.toBeInViewport();
    // Back up to the top: the first row shows below the sticky header, not under it.
    for (let i = 1; i < COUNT; i++) await page.keyboard.press('ArrowUp');
    await expect(row(page, 'p00')).toHaveAttribute('aria-selected', 'true');
    const [rowTop, headerBottom] = await page.evaluate(() => [
      document.querySelector('tr[aria-selected="true"]')!.getBoundingClientRect().top,
      document.querySelector('table[aria-label="Processes"] thead')!.getBoundingClientRect().bottom,
    ]);
    expect(rowTop).toBeGreaterThanOrEqual(headerBottom - 1);
  });

  test('at 1280×800 the input line never wraps; in a narrow pane its actions move into More and still work', async ({
    page,
    control,
    peer,
  }) => {
    await page.setViewportSize({ width: 1280, height: 800 });
    const { outside } = await busyWorkbench(page, control, peer);
    const line = page.getByRole('toolbar', { name: 'Input line' });
    const oneLine = () => line.evaluate((el) => el.getBoundingClientRect().height < 40);
    expect(await oneLine()).toBe(true);
    await expect(line.getByRole('button', { name: 'Send EOF' })).toBeVisible();
    // Widen the list until the buffer pane is narrow.
    const columns = page.getByRole('separator', { name: 'Resize the columns' });
    await columns.focus();
    for (let i = 0; i < 4; i++) await page.keyboard.press('Shift+ArrowRight');
    await expect(line.getByRole('button', { name: 'Send EOF' })).toHaveCount(0);
    expect(await oneLine()).toBe(true);
    await line.getByRole('button', { name: 'More' }).click();
    const ended = new Promise<void>((done) => outside.socket.once('end', done));
    await page.getByRole('menuitem', { name: 'Send EOF' }).click();
    await ended;
  });

  test('the hex view shows offset, hex and ASCII whole at 1280×800', async ({ page, control, peer }) => {
    await page.setViewportSize({ width: 1280, height: 800 });
    await busyWorkbench(page, control, peer);
    await page.getByLabel('Hex', { exact: true }).check();
    const log = bufferLog(page);
    await expect(log).toContainText('|GET / HTTP/1.1..|');
    const whole = await log.evaluate((el) => el.scrollWidth <= el.clientWidth);
    expect(whole).toBe(true);
  });

  test('F6 and Shift+F6 cycle the panes; the buffer input is two keys from page load', async ({ page, control, peer }) => {
    const { accepted } = await busyWorkbench(page, control, peer);
    await page.locator('body').click({ position: { x: 5, y: 5 } });
    await page.keyboard.press('F6');
    await expect(page.getByRole('table', { name: 'Processes' }).locator('tbody')).toBeFocused();
    await page.keyboard.press('F6');
    await expect(page.getByLabel(`Input for ${accepted}`)).toBeFocused();
    await page.keyboard.press('F6');
    await expect(page.getByRole('group', { name: 'Inspector' })).toBeFocused();
    await page.keyboard.press('F6');
    await expect(page.getByLabel('Filter events')).toBeFocused();
    await page.keyboard.press('F6');
    await expect(page.getByRole('table', { name: 'Processes' }).locator('tbody')).toBeFocused();
    await page.keyboard.press('Shift+F6');
    await expect(page.getByLabel('Filter events')).toBeFocused();
    // The focus ring shows where focus is.
    expect(await page.getByLabel('Filter events').evaluate((el) => getComputedStyle(el).outlineStyle)).toBe('solid');
  });

  test('input mode and hex view are remembered per process, so one process’s choice never changes another’s send', async ({
    page,
    control,
    peer,
  }) => {
    const srv = (await control.makeNetworkProcess({ name: 'modes', server: true, service: true }))!;
    const port = (srv.local as number[])[4] as number;
    const one = await peer.connect(port);
    const two = await peer.connect(port);
    const first = `modes <127.0.0.1:${one.socket.localPort}>`;
    const second = `modes <127.0.0.1:${two.socket.localPort}>`;
    await row(page, first).click();
    await page.getByLabel('Input mode').selectOption('hex');
    await page.getByLabel('Hex', { exact: true }).check();
    await row(page, second).click();
    await expect(page.getByLabel('Input mode')).toHaveValue('text');
    await expect(page.getByLabel('Hex', { exact: true })).not.toBeChecked();
    await page.getByLabel(`Input for ${second}`).fill('plain text');
    await page.getByLabel(`Input for ${second}`).press('Enter');
    await expect.poll(two.received).toBe('plain text\n');
    await row(page, first).click();
    await expect(page.getByLabel('Input mode')).toHaveValue('hex');
    await expect(page.getByLabel('Hex', { exact: true })).toBeChecked();
    // So is an unsent draft: the other's input line starts empty (Enter there cannot send it), and the draft is back on return.
    await page.getByLabel(`Input for ${first}`).fill('ab cd');
    await row(page, second).click();
    await expect(page.getByLabel(`Input for ${second}`)).toHaveValue('');
    await row(page, first).click();
    await expect(page.getByLabel(`Input for ${first}`)).toHaveValue('ab cd');
    await page.reload();
    await row(page, first).click();
    await expect(page.getByLabel('Input mode')).toHaveValue('hex');
    // A bad hex string is refused next to the input that holds it, without moving the layout.
    const logTop = () => bufferLog(page).evaluate((el) => el.getBoundingClientRect().top);
    const top = await logTop();
    await page.getByLabel(`Input for ${first}`).fill('zz');
    await page.getByLabel(`Input for ${first}`).press('Enter');
    await expect(page.getByRole('form', { name: `Send to ${first}` }).getByRole('alert')).not.toBeEmpty();
    await expect(page.getByLabel(`Input for ${first}`)).toHaveAttribute('aria-invalid', 'true');
    expect(await logTop()).toBe(top);
    // The failure belongs to that process's send: another's input line shows none, and it is there again on return.
    await row(page, second).click();
    await expect(page.getByRole('form', { name: `Send to ${second}` }).getByRole('alert')).toBeEmpty();
    await row(page, first).click();
    await expect(page.getByRole('form', { name: `Send to ${first}` }).getByRole('alert')).not.toBeEmpty();
    await expect(page.getByLabel(`Input for ${first}`)).toHaveValue('zz');
  });

  test('the theme switch overrides the system theme and is remembered', async ({ page }) => {
    await page.emulateMedia({ colorScheme: 'light' });
    const background = () => page.locator('body').evaluate((el) => getComputedStyle(el).backgroundColor);
    const light = await background();
    await page.getByRole('radio', { name: 'Dark theme' }).click();
    const dark = await background();
    expect(dark).not.toBe(light);
    await page.reload();
    expect(await background()).toBe(dark);
    await page.getByRole('radio', { name: 'System theme' }).click();
    expect(await background()).toBe(light);
  });

  test('the favicon is served and linked', async ({ page }) => {
    const href = await page.locator('link[rel="icon"]').getAttribute('href');
    const response = await page.request.get(new URL(href!, page.url()).toString());
    expect(response.status()).toBe(200);
    expect(response.headers()['content-type']).toContain('image/svg+xml');
  });
});

test.describe('the README screenshots', () => {
  test.skip(({ host }) => host !== 'web', 'the README shows the web host’s screenshots');

  test('light and dark, at 1280×800 and 1920×1080, and the New process dialog, of a host of their own', async ({ browser, peer }) => {
    // A fresh host and engine: the event log shows this scenario's events, none of earlier tests'.
    const host = await startWebHost();
    const context = await browser.newContext();
    try {
      const page = await context.newPage();
      await openWorkbench(page, host);
      const control = await webControl(host);
      try {
        await busyWorkbench(page, control.api, peer);
        const events = page.getByRole('log', { name: 'Event log' }).getByRole('listitem');
        await expect(events.first()).toBeVisible();
        for (const line of await events.allTextContents()) expect(line).toMatch(/echo-server|client/);
        mkdirSync('docs', { recursive: true });
        for (const scheme of ['light', 'dark'] as const) {
          await page.emulateMedia({ colorScheme: scheme });
          for (const [width, height] of [
            [1280, 800],
            [1920, 1080],
          ] as const) {
            await page.setViewportSize({ width, height });
            await page.waitForTimeout(300);
            await page.screenshot({ path: `docs/screenshot-${scheme}-${width}x${height}.png` });
          }
        }
        // The README's first step: the New process dialog with the server preset chosen.
        await page.emulateMedia({ colorScheme: 'light' });
        await page.setViewportSize({ width: 1280, height: 800 });
        await page.keyboard.press('Control+n');
        await page.getByRole('dialog', { name: 'New process' }).getByRole('button', { name: 'TCP server on a free port' }).click();
        await page.waitForTimeout(300);
        await page.screenshot({ path: 'docs/screenshot-new-process.png' });
      } finally {
        control.close();
      }
    } finally {
      await context.close();
      host.child.kill('SIGTERM');
    }
  });
});
