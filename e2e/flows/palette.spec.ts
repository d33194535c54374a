import { mkdirSync } from 'node:fs';
import { expect, test } from '../fixtures.js';

test.describe('the command palette', () => {
  test('runs a Lisp form, then commands by name with completion', async ({ page, control }) => {
    await page.keyboard.press('Control+Shift+P');
    const palette = page.getByRole('dialog', { name: 'Command palette' });
    const command = palette.getByRole('combobox', { name: 'Command' });
    await command.fill('(make-network-process :name "psrv" :server t :service t :noquery t)');
    await command.press('Enter');
    await expect(palette).toBeHidden();
    const table = page.getByRole('table', { name: 'Processes' });
    await expect(table.getByRole('row').filter({ has: page.getByRole('cell', { name: 'psrv', exact: true }) })).toContainText('listen');

    await page.keyboard.press('Alt+x');
    await command.fill('stop-p');
    await expect(palette.getByRole('option', { name: 'stop-process' })).toBeVisible();
    await command.press('Tab');
    await expect(command).toHaveValue('stop-process ');
    await command.pressSequentially('psrv');
    await command.press('Enter');
    await expect(palette.getByRole('status')).toHaveText('Stopped psrv');
    await expect(table.getByRole('row').filter({ has: page.getByRole('cell', { name: 'psrv', exact: true }) })).toContainText('stop');

    const port = (await control.snapshot({})).processes.find((p) => p.name === 'psrv')!.local as number[];
    await command.fill('(process-contact "psrv")');
    await command.press('Enter');
    await expect(palette.getByRole('status')).toHaveText(`(nil ${port[4]})`);
    mkdirSync('reports/screenshots', { recursive: true });
    await page.screenshot({ path: `reports/screenshots/palette-${test.info().project.name}.png` });
    await command.fill('(shell-command "ls")');
    await command.press('Enter');
    await expect(palette.getByRole('alert')).toHaveText('Unknown command shell-command');
    await command.press('Escape');
    await expect(palette).toBeHidden();
  });
});
