/**
 * The README's "First five minutes", step by step, by the names a user sees:
 * if the walkthrough and the UI drift apart, this fails.
 */
import { expect, test } from '../fixtures.js';
import { bufferLog, echoArea, row, runCommand } from './workbench.js';

test('first five minutes: start a server, connect a client, send, stop and continue, inspect, delete', async ({ page, control }) => {
  const dialog = page.getByRole('dialog', { name: 'New process' });
  const log = bufferLog(page);
  const events = page.getByRole('region', { name: 'Events' });

  // 1. Start a server.
  await page.keyboard.press('Control+n');
  await dialog.getByRole('button', { name: 'TCP server on a free port' }).click();
  await expect(dialog.getByLabel('Kind', { exact: true })).toHaveValue('tcp-server');
  await expect(dialog.getByLabel('Name', { exact: true })).toHaveValue('server');
  await dialog.getByRole('button', { name: 'Create' }).click();
  await expect(row(page, 'server')).toContainText('listen');
  await runCommand(page, 'process-contact server :service');
  await expect(echoArea(page)).toHaveText(/^\d+$/);
  const port = (await echoArea(page).textContent())!;

  // 2. Connect a client to it.
  await page.keyboard.press('Control+n');
  await expect(dialog.getByLabel('Kind', { exact: true })).toHaveValue('tcp-client');
  await expect(dialog.getByLabel('Name', { exact: true })).toHaveValue('tcp-client');
  await expect(dialog.getByLabel('Host', { exact: true })).toHaveValue('127.0.0.1');
  await dialog.getByLabel('Service (port or name)').fill(port);
  await dialog.getByLabel('Service (port or name)').press('Enter');
  await expect(row(page, 'tcp-client')).toContainText('open');
  const connection = row(page, /^server <127\.0\.0\.1:\d+>$/);
  await expect(connection).toContainText('open');
  await expect(events).toContainText('server accept from 127.0.0.1');
  await expect(events).toContainText(/server <127\.0\.0\.1:\d+> open from 127\.0\.0\.1/);

  // 3. Send, both ways.
  await page.keyboard.press('Control+i');
  await expect(page.getByLabel('Input for tcp-client')).toBeFocused();
  await page.keyboard.type('hello');
  await page.keyboard.press('Enter');
  await connection.click();
  await expect(log).toContainText('hello');
  await page.keyboard.press('Control+i');
  await page.keyboard.type('hi back');
  await page.keyboard.press('Enter');
  await row(page, 'tcp-client').click();
  await expect(log).toContainText('hi back');

  // 4. Stop and continue.
  await page.getByRole('button', { name: 'Stop' }).click();
  await expect(row(page, 'tcp-client')).toContainText('stop');
  await connection.click();
  await page.keyboard.press('Control+i');
  await page.keyboard.type('while you were stopped');
  await page.keyboard.press('Enter');
  await row(page, 'tcp-client').click();
  // Held in the kernel, not read: the buffer waits.
  await page.waitForTimeout(500);
  await expect(log).not.toContainText('while you were stopped');
  await page.getByRole('button', { name: 'Continue' }).click();
  await expect(row(page, 'tcp-client')).toContainText('open');
  await expect(log).toContainText('while you were stopped');

  // 5. Inspect.
  const inspector = page.getByRole('region', { name: 'Inspector' });
  await expect(inspector.getByRole('heading', { name: 'tcp-client' })).toBeVisible();
  await expect(inspector.getByLabel('Contact, nil form', { exact: true })).toHaveText(`("127.0.0.1" ${port})`);
  await runCommand(page, 'process-contact tcp-client t');
  await expect(echoArea(page)).toHaveText(new RegExp(`^\\(:name "tcp-client" .*:service ${port} .*:remote \\[127 0 0 1 ${port}\\]`));

  // 6. Delete.
  await page.getByRole('button', { name: 'Delete' }).click();
  // It leaves the process table; its row stays, marked departed, while its buffer lives (the buffer outlives it, as in Emacs).
  await expect(row(page, 'tcp-client')).toHaveClass(/departed/);
  await expect(log).toContainText('Process tcp-client deleted');
  await expect(events).toContainText('tcp-client deleted');
  await expect(await runCommand(page, 'delete-process server')).toBeHidden();
  await expect(echoArea(page)).toHaveText('Deleted server');
  await expect(row(page, 'server')).toHaveClass(/departed/);
  expect((await control.snapshot({})).processes.map((p) => p.name)).not.toContain('server');
});
