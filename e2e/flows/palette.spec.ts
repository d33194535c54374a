import { mkdirSync } from 'node:fs';
import { expect, test } from '../fixtures.js';
import { echoArea, row, runCommand } from './workbench.js';

test.describe('the command palette', () => {
  test('runs a Lisp form, then commands by name with completion; each closes it and answers in the echo area', async ({
    page,
    control,
  }) => {
    await page.keyboard.press('Control+Shift+P');
    const palette = page.getByRole('dialog', { name: 'Command palette' });
    const command = palette.getByRole('combobox', { name: 'Command' });
    await command.fill('(make-network-process :name "psrv" :server t :service t :noquery t)');
    await command.press('Enter');
    await expect(palette).toBeHidden();
    await expect(row(page, 'psrv')).toContainText('listen');
    await expect(echoArea(page)).toHaveText('#<process psrv>');

    await page.keyboard.press('Alt+x');
    await command.fill('stop-p');
    await expect(palette.getByRole('option', { name: 'stop-process' })).toBeVisible();
    await command.press('Tab');
    await expect(command).toHaveValue('stop-process ');
    await command.pressSequentially('psrv');
    await command.press('Enter');
    await expect(palette).toBeHidden();
    await expect(echoArea(page)).toHaveText('Stopped psrv');
    await expect(row(page, 'psrv')).toContainText('stop');

    const port = (await control.snapshot({})).processes.find((p) => p.name === 'psrv')!.local as number[];
    await expect(await runCommand(page, '(process-contact "psrv")')).toBeHidden();
    await expect(echoArea(page)).toHaveText(`(nil ${port[4]})`);
    mkdirSync('reports/screenshots', { recursive: true });
    await page.screenshot({ path: `reports/screenshots/palette-${test.info().project.name}.png` });

    // A mistake stays in the palette, with what was typed, until Esc.
    await runCommand(page, '(shell-command "ls")');
    await expect(palette.getByRole('alert')).toHaveText('Unknown command shell-command');
    await expect(command).toHaveValue('(shell-command "ls")');
    await expect(command).toHaveAttribute('aria-invalid', 'true');
    await command.press('Escape');
    await expect(palette).toBeHidden();
  });

  test('the arrow keys move a visible highlight that assistive technology is told of', async ({ page }) => {
    await page.keyboard.press('Alt+x');
    const palette = page.getByRole('dialog', { name: 'Command palette' });
    const command = palette.getByRole('combobox', { name: 'Command' });
    await command.fill('process');
    const options = palette.getByRole('option');
    const highlighted = palette.getByRole('option', { selected: true });
    await expect(highlighted).toHaveCount(1);
    const first = (await options.first().textContent())!;
    await expect(highlighted).toHaveText(first);
    await command.press('ArrowDown');
    await expect(highlighted).toHaveText((await options.nth(1).textContent())!);
    // The combobox names the highlighted option, as the listbox pattern asks.
    await expect(command).toHaveAttribute('aria-activedescendant', (await highlighted.getAttribute('id'))!);
    const background = (locator: typeof highlighted) => locator.evaluate((el) => getComputedStyle(el).backgroundColor);
    expect(await background(highlighted)).not.toBe(await background(options.first()));
    await command.press('ArrowUp');
    await expect(highlighted).toHaveText(first);
    // Enter runs the highlighted command while only a name is typed: here it needs a process, so it says which.
    await command.fill('stop-proc');
    await command.press('Enter');
    await expect(palette.getByRole('alert')).toHaveText('stop-process: which process? Select one or type its name');
  });

  test('arguments after the name are read as Lisp: process-contact NAME t, NAME :local, the query flag', async ({ page, control }) => {
    const srv = (await control.makeNetworkProcess({ name: 'contact', server: true, service: true, host: '127.0.0.1' }))!;
    const port = (srv.local as number[])[4];
    await expect(row(page, 'contact')).toContainText('listen');

    await expect(await runCommand(page, 'process-contact contact t')).toBeHidden();
    await expect(echoArea(page)).toHaveText(new RegExp(`^\\(:name "contact" .*:server t .*:local \\[127 0 0 1 ${port}\\]\\)$`));
    await expect(await runCommand(page, 'process-contact contact :local')).toBeHidden();
    await expect(echoArea(page)).toHaveText(`[127 0 0 1 ${port}]`);

    await expect(await runCommand(page, 'set-process-query-on-exit-flag contact nil')).toBeHidden();
    await expect(echoArea(page)).toHaveText('contact: query on exit nil');
    await expect.poll(async () => (await control.snapshot({})).processes.find((p) => p.name === 'contact')!.queryOnExit).toBe(false);

    // An accepted connection's name has spaces: taken whole when it names a process.
    const client = (await control.makeNetworkProcess({ name: 'peer', host: '127.0.0.1', service: port }))!;
    const accepted = `contact <127.0.0.1:${(client.local as number[])[4]}>`;
    await expect(row(page, accepted)).toContainText('open');
    await expect(await runCommand(page, `process-contact ${accepted} :remote`)).toBeHidden();
    await expect(echoArea(page)).toHaveText(`[127 0 0 1 ${(client.local as number[])[4]}]`);

    const palette = await runCommand(page, 'process-contact nobody t');
    await expect(palette.getByRole('alert')).toHaveText('Process nobody does not exist');
  });

  test('M-x list-processes puts the process list back in the buffer list’s place, with focus in it', async ({ page }) => {
    await runCommand(page, 'list-buffers');
    await expect(page.getByRole('table', { name: 'Buffers' })).toBeVisible();
    await expect(await runCommand(page, 'list-processes')).toBeHidden();
    await expect(page.getByRole('table', { name: 'Buffers' })).toHaveCount(0);
    await expect(page.getByRole('table', { name: 'Processes' }).locator('tbody')).toBeFocused();
  });
});
