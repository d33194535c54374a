/** How the flows find things in the workbench: by role and label, as a user would. */
import type { Page } from '@playwright/test';

/** The process list's row for the process called `name`. */
export function row(page: Page, name: string) {
  return page
    .getByRole('table', { name: 'Processes' })
    .getByRole('row')
    .filter({ has: page.getByRole('cell', { name, exact: true }) });
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
  await page.getByRole('button', { name: 'New process' }).click();
  const dialog = page.getByRole('dialog', { name: 'New process' });
  if (fields.preset) await dialog.getByRole('button', { name: fields.preset }).click();
  if (fields.kind) await dialog.getByLabel('Kind', { exact: true }).selectOption({ label: fields.kind });
  await dialog.getByLabel('Name', { exact: true }).fill(fields.name);
  if (fields.host !== undefined) await dialog.getByLabel('Host', { exact: true }).fill(fields.host);
  if (fields.service !== undefined) await dialog.getByLabel('Service (port or name)').fill(fields.service);
  await dialog.getByRole('button', { name: 'Create' }).click();
  return dialog;
}
