/** How the flows find things in the workbench: by role and label, as a user would. */
import { expect, type Locator, type Page } from '@playwright/test';
import type { NetprocApi } from '../../app/shared/api.js';
import type { Peer } from '../fixtures.js';

/** The buffer view's text (the event log is a log too, named apart). */
export function bufferLog(page: Page) {
  return page.getByRole('log', { name: /^Contents of/ });
}

/** The process list's row for the process called `name`. */
export function row(page: Page, name: string | RegExp) {
  return page
    .getByRole('table', { name: 'Processes' })
    .getByRole('row')
    .filter({ has: page.getByRole('cell', { name, exact: true }) });
}

/** A dialog is on screen: its whole box inside the page's viewport (not dimmed behind, pushed below the fold). */
export async function expectInViewport(page: Page, dialog: Locator) {
  await expect(dialog).toBeVisible();
  const box = (await dialog.boundingBox())!;
  const viewport = page.viewportSize()!;
  expect(box.x).toBeGreaterThanOrEqual(0);
  expect(box.y).toBeGreaterThanOrEqual(0);
  expect(box.x + box.width).toBeLessThanOrEqual(viewport.width);
  expect(box.y + box.height).toBeLessThanOrEqual(viewport.height);
}

export interface NewProcessFields {
  preset?: string;
  kind?: string;
  name: string;
  host?: string;
  service?: string;
}

/** Fills the new-process form and presses Create; returns the dialog (hidden on success, showing the error otherwise). */
export async function newProcess(page: Page, fields: NewProcessFields) {
  await page.getByRole('button', { name: 'New process', exact: true }).click();
  const dialog = page.getByRole('dialog', { name: 'New process' });
  if (fields.preset) await dialog.getByRole('button', { name: fields.preset }).click();
  if (fields.kind) await dialog.getByLabel('Kind', { exact: true }).selectOption({ label: fields.kind });
  await dialog.getByLabel('Name', { exact: true }).fill(fields.name);
  if (fields.host !== undefined) await dialog.getByLabel('Host', { exact: true }).fill(fields.host);
  if (fields.service !== undefined) await dialog.getByLabel('Service (port or name)').fill(fields.service);
  await dialog.getByRole('button', { name: 'Create' }).click();
  return dialog;
}

/** A server, a client connected to it, and data both ways: the workbench as it looks in use. */
export async function busyWorkbench(page: Page, control: NetprocApi, peer: Peer) {
  const srv = (await control.makeNetworkProcess({ name: 'echo-server', server: true, service: true, buffer: '*echo-server*' }))!;
  const port = (srv.local as number[])[4] as number;
  const cli = (await control.makeNetworkProcess({ name: 'client', host: '127.0.0.1', service: port, buffer: '*client*' }))!;
  const outside = await peer.connect(port);
  outside.socket.write('GET / HTTP/1.1\r\nHost: localhost\r\n\r\n');
  await control.sendString({ id: cli.id, text: 'hello from the client\n' });
  const accepted = `echo-server <127.0.0.1:${outside.socket.localPort}>`;
  await expect(row(page, accepted)).toContainText('open');
  await row(page, accepted).click();
  await expect(bufferLog(page)).toContainText('GET / HTTP/1.1');
  return { port, accepted, outside };
}

/** Runs a command from M-x as typed; returns the palette (hidden once the command ran, showing the error otherwise). */
export async function runCommand(page: Page, text: string) {
  await page.keyboard.press('Alt+x');
  const palette = page.getByRole('dialog', { name: 'Command palette' });
  const command = palette.getByRole('combobox', { name: 'Command' });
  await command.fill(text);
  await command.press('Enter');
  return palette;
}

/** Where a command's answer stays, as in Emacs's echo area. */
export function echoArea(page: Page) {
  return page.getByRole('status', { name: 'Echo area' });
}
