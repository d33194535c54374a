import { readFileSync } from 'node:fs';
import net from 'node:net';
import { join } from 'node:path';
import type { Page } from '@playwright/test';
import { expect, openWorkbench, startWebHost, test, webControl } from '../fixtures.js';
import { bufferLog, row } from './workbench.js';

async function workspaceMenu(page: Page, item: string): Promise<void> {
  await page.getByRole('button', { name: /^Workspace:/ }).click();
  await page.getByRole('menu', { name: 'Workspace' }).getByRole('menuitem', { name: item, exact: true }).click();
}

async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

test.describe('workspaces', () => {
  test.skip(({ host }) => host !== 'web', 'the web host saves by download and opens by upload');

  test('save a server and its client, delete all, open the file, start all: the same processes are back and talk', async ({
    browser,
  }, testInfo) => {
    // A host of its own: Delete all deletes every process of its engine.
    const host = await startWebHost();
    const context = await browser.newContext({ acceptDownloads: true });
    const control = await webControl(host);
    try {
      const page = await context.newPage();
      await openWorkbench(page, host);
      // A port given, not chosen at run time, so that the client's definition finds the server again.
      const port = await freePort();
      await control.api.makeNetworkProcess({ name: 'ws-echo', server: true, host: '127.0.0.1', service: port, filter: 'echo' });
      await control.api.makeNetworkProcess({ name: 'ws-client', host: '127.0.0.1', service: port, buffer: '*ws-client*' });
      await expect(row(page, 'ws-client')).toContainText('open');
      // A message in the library is saved with the workspace.
      await page.keyboard.press('Control+Shift+M');
      const messages = page.getByRole('complementary', { name: 'Messages' });
      await messages.getByRole('button', { name: 'New message' }).first().click();
      await messages.getByLabel('Name', { exact: true }).fill('hello-ws');
      await messages.getByLabel('Template', { exact: true }).fill('hello again');
      await expect(messages.getByRole('button', { name: 'Edit hello-ws' })).toBeVisible();

      const downloading = page.waitForEvent('download');
      await workspaceMenu(page, 'Save');
      const download = await downloading;
      expect(download.suggestedFilename()).toBe('untitled.netproc.json');
      const file = join(testInfo.outputDir, 'lab.netproc.json');
      await download.saveAs(file);
      const saved = JSON.parse(readFileSync(file, 'utf8')) as {
        processes: Array<{ args: { name: string } }>;
        messages: Array<{ name: string; body: string }>;
      };
      expect(saved.processes.map((d) => d.args.name)).toEqual(['ws-echo', 'ws-client']);
      expect(saved.messages).toEqual([{ name: 'hello-ws', kind: 'text', body: 'hello again' }]);
      // Cleared from the library, it comes back only with the workspace.
      await messages.getByRole('button', { name: 'Delete hello-ws' }).click();
      await expect(messages.getByRole('button', { name: 'Edit hello-ws' })).toHaveCount(0);

      await workspaceMenu(page, 'Delete all…');
      const confirm = page.getByRole('dialog', { name: 'Delete all processes?' });
      await confirm.getByRole('button', { name: 'Delete all' }).click();
      await expect(row(page, 'ws-echo')).toHaveCount(0);
      // The client's buffer outlives it, so its row stays among the closed ones; the engine has no process left.
      await expect.poll(async () => (await control.api.snapshot({})).processes.length).toBe(0);
      await expect(row(page, 'ws-client')).not.toContainText('open');

      const choosing = page.waitForEvent('filechooser');
      await workspaceMenu(page, 'Open…');
      await (await choosing).setFiles(file);
      await expect(page.getByRole('button', { name: 'Workspace: lab' })).toBeVisible();
      await expect(page.getByLabel('Echo area')).toContainText(
        'Opened lab.netproc.json: 2 processes, not started; 1 message in the library',
      );
      await expect(row(page, 'ws-echo')).toHaveCount(0);
      await expect(messages.getByRole('button', { name: 'Edit hello-ws' })).toBeVisible();

      await workspaceMenu(page, 'Start all');
      await expect(row(page, 'ws-echo')).toContainText('listen');
      await expect(row(page, 'ws-client')).toContainText('open');
      await row(page, 'ws-client').click();
      // The message from the workspace is sent from the library to the client the workspace made.
      await messages.getByRole('button', { name: 'Send: hello-ws' }).click();
      // The server's echo filter, saved by name, answers.
      await expect(bufferLog(page)).toContainText('hello again');
      await expect
        .poll(async () => (await control.api.snapshot({})).processes.find((p) => p.name === 'ws-client')?.counters.bytesIn ?? 0)
        .toBeGreaterThan(0);
    } finally {
      control.close();
      await context.close();
      host.child.kill('SIGTERM');
    }
  });

  test('a bad file is refused with the path of its first bad field, and nothing is opened', async ({ page }) => {
    const choosing = page.waitForEvent('filechooser');
    await workspaceMenu(page, 'Open…');
    const bad = {
      format: 'netproc-workspace',
      version: 1,
      processes: [{ kind: 'make-network-process', args: { name: 'bad', host: '127.0.0.1', service: 70000 } }],
      messages: [],
      layout: {},
    };
    await (await choosing).setFiles({ name: 'bad.netproc.json', mimeType: 'application/json', buffer: Buffer.from(JSON.stringify(bad)) });
    const dialog = page.getByRole('dialog', { name: 'Could not open bad.netproc.json' });
    await expect(dialog.getByRole('alert')).toContainText('processes[0].args.service');
    await dialog.getByRole('button', { name: 'Close' }).click();
    await expect(page.getByRole('button', { name: 'Workspace: untitled' })).toBeFocused();

    const newer = page.waitForEvent('filechooser');
    await workspaceMenu(page, 'Open…');
    await (
      await newer
    ).setFiles({ name: 'future.json', mimeType: 'application/json', buffer: Buffer.from(JSON.stringify({ ...bad, version: 3 })) });
    await expect(page.getByRole('dialog', { name: 'Could not open future.json' })).toContainText(
      'This workspace was made by a newer Netproc: version 3; this one reads up to 1',
    );
  });
});
