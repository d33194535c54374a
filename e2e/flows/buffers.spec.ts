import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from '@playwright/test';
import type { NetprocApi, ProcessInfo } from '../../app/shared/api.js';
import { expect, test } from '../fixtures.js';
import { bufferLog, expectInViewport, row } from './workbench.js';

const NCAT = '/usr/bin/ncat';

/**
 * A client that connects, says `text` and leaves: ncat --send-only where it
 * is installed, else a Node socket doing the same. Both bounded in time.
 */
async function shortLivedClient(port: number, text: string): Promise<void> {
  if (existsSync(NCAT)) {
    const run = spawnSync(NCAT, ['--send-only', '127.0.0.1', String(port)], { input: text, timeout: 10_000 });
    if (run.status !== 0) throw new Error(`ncat failed (${run.status}): ${run.stderr.toString()}`);
    return;
  }
  await new Promise<void>((resolve, reject) => {
    const socket = net.connect(port, '127.0.0.1', () => socket.end(text));
    const timer = setTimeout(() => socket.destroy(new Error('the short-lived client took over 10 s')), 10_000);
    socket.on('close', () => (clearTimeout(timer), resolve()));
    socket.on('error', (err) => (clearTimeout(timer), reject(err)));
  });
}

/** The connection `server` accepted that has left the process list (its buffer still lives). */
async function departedOf(control: NetprocApi, server: ProcessInfo): Promise<ProcessInfo> {
  let found: ProcessInfo | undefined;
  await expect.poll(async () => (found = (await control.snapshot({})).departed.find((p) => p.serverId === server.id))).toBeTruthy();
  return found!;
}

/** Names in the process list, top to bottom. */
function listedNames(page: Page): Promise<string[]> {
  return page
    .getByRole('table', { name: 'Processes' })
    .locator('tbody tr td:first-child')
    .evaluateAll((cells) => cells.map((c) => c.getAttribute('aria-label') ?? ''));
}

function bufferRow(page: Page, name: string) {
  return page
    .getByRole('table', { name: 'Buffers' })
    .getByRole('row')
    .filter({ has: page.getByRole('cell', { name, exact: true }) });
}

test.describe('buffers outlive their processes', () => {
  test('a short-lived client’s row stays under its server with its buffer, survives a reload, and the buffer list opens, saves, clears and kills it', async ({
    page,
    control,
  }) => {
    const srv = (await control.makeNetworkProcess({ name: 'hello-srv', server: true, service: true, buffer: '*hello-srv*' }))!;
    await shortLivedClient((srv.local as number[])[4] as number, 'hello\n');
    const gone = await departedOf(control, srv);
    const bufferName = gone.buffer!;
    expect(bufferName).toBe(`*hello-srv* <${gone.remoteText}>`);

    // Listed under its server, marked departed, with 'Show closed' on (the default).
    await expect(row(page, gone.name)).toHaveClass(/departed/);
    await expect(row(page, gone.name)).toContainText('closed');
    expect(await listedNames(page)).toEqual(['hello-srv', gone.name]);
    await row(page, gone.name).click();
    await expect(page.getByRole('log', { name: `Contents of ${bufferName}` })).toContainText('hello');
    await page.getByRole('button', { name: 'Keep open' }).click();

    // A reload starts from the snapshot: the departed row and its tab are still there.
    await page.reload();
    await expect(row(page, gone.name)).toHaveClass(/departed/);
    const tabs = page.getByRole('tablist', { name: 'Open buffers' });
    await tabs.getByRole('tab', { name: gone.name }).click();
    await expect(bufferLog(page)).toContainText('hello');
    await expect(bufferLog(page)).toContainText(`Process ${gone.name} connection broken by remote peer`);
    // Hiding closed processes hides it; showing them brings it back.
    await page.getByLabel('Show closed processes').uncheck();
    await expect(row(page, gone.name)).toHaveCount(0);
    await page.getByLabel('Show closed processes').check();
    await expect(row(page, gone.name)).toHaveCount(1);

    // The buffer list, from the keyboard.
    await page.keyboard.press('Control+Shift+B');
    const list = page.getByRole('table', { name: 'Buffers' });
    await expect(list).toBeVisible();
    await expect(bufferRow(page, bufferName)).toContainText(`${gone.name} (departed)`);
    await expect(bufferRow(page, '*hello-srv*')).toContainText('hello-srv');
    await bufferRow(page, bufferName).click();
    await page.keyboard.press('Enter');
    await expect(page.getByRole('log', { name: `Contents of ${bufferName}` })).toContainText('hello');
    // A double-click opens a buffer too, without selecting the text under the pointer.
    await bufferRow(page, '*hello-srv*').getByRole('cell').nth(2).dblclick();
    await expect(page.getByRole('log', { name: 'Contents of *hello-srv*' })).toBeVisible();
    expect(await page.evaluate(() => window.getSelection()?.toString())).toBe('');
    await bufferRow(page, bufferName).dblclick();

    // Save it to a file, as its bytes.
    const dir = mkdtempSync(join(tmpdir(), 'netproc-e2e-save-'));
    try {
      const file = join(dir, 'hello.txt');
      await page.getByRole('button', { name: 'Save buffer…' }).click();
      const form = page.getByRole('form', { name: `Save ${bufferName}` });
      await form.getByLabel('File path').fill('hello.txt');
      await form.getByRole('button', { name: 'Save', exact: true }).click();
      await expect(form.getByRole('alert')).toHaveText('path: must be an absolute file path');
      await expect(form.getByLabel('File path')).toHaveAttribute('aria-invalid', 'true');
      await form.getByLabel('File path').fill(file);
      await form.getByRole('button', { name: 'Save', exact: true }).click();
      await expect(page.getByRole('status').filter({ hasText: 'Saved' })).toContainText(`to ${file}`);
      expect(readFileSync(file, 'utf8')).toBe(`hello\n\nProcess ${gone.name} connection broken by remote peer\n`);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }

    await page.getByRole('button', { name: 'Clear buffer' }).click();
    await expect.poll(async () => (await control.readBuffer({ name: bufferName })).length).toBe(0);
    await expect(bufferRow(page, bufferName)).toContainText('0 B');

    // No live process uses it: it is killed without a question, and the departed row goes with it.
    await page.getByRole('button', { name: 'Kill buffer' }).click();
    await expect(bufferRow(page, bufferName)).toHaveCount(0);
    expect((await control.snapshot({})).departed).toEqual([]);
    await page.getByRole('button', { name: 'Close buffer list' }).click();
    await expect(page.getByRole('table', { name: 'Processes' })).toBeVisible();
    await page.getByRole('cell', { name: 'hello-srv', exact: true }).click();
    await expect(row(page, gone.name)).toHaveCount(0);
  });

  test('M-x list-buffers shows the list; killing a buffer with a live process asks first, then deletes it', async ({ page, control }) => {
    await control.makeNetworkProcess({ name: 'live-srv', server: true, service: true, buffer: '*live*' });
    await page.keyboard.press('Alt+X');
    await page.getByRole('combobox', { name: 'Command' }).fill('list-buffers');
    await page.keyboard.press('Enter');
    await bufferRow(page, '*live*').click();
    await page.keyboard.press('k');
    const question = page.getByRole('alertdialog');
    await expectInViewport(page, question);
    await expect(question).toContainText('Buffer "*live*" has a running process; kill it?');
    await question.getByRole('button', { name: 'Cancel' }).click();
    expect((await control.snapshot({})).processes.map((p) => p.name)).toEqual(['live-srv']);
    await page.getByRole('button', { name: 'Kill buffer' }).click();
    await page.getByRole('alertdialog').getByRole('button', { name: 'Kill buffer and process' }).click();
    await expect(bufferRow(page, '*live*')).toHaveCount(0);
    await expect.poll(async () => (await control.snapshot({})).processes).toEqual([]);
    await expect(page.getByRole('log', { name: 'Event log' })).toContainText('live-srv deleted');
  });
});

test.describe('the event log', () => {
  test('a line selects its process; the log follows new lines unless scrolled up, then offers the latest', async ({
    page,
    control,
    peer,
  }) => {
    const srv = (await control.makeNetworkProcess({ name: 'ev', server: true, service: true, buffer: '*ev*' }))!;
    const port = (srv.local as number[])[4] as number;
    const log = page.getByRole('log', { name: 'Event log' });
    // Enough lines to overflow the pane: two for each connection (accept, open).
    const first = await peer.connect(port);
    const firstName = `ev <127.0.0.1:${first.socket.localPort}>`;
    for (let i = 0; i < 30; i++) await peer.connect(port);
    await expect(log.getByRole('link')).toHaveCount(62);

    const atBottom = () => log.evaluate((el) => el.scrollHeight - el.scrollTop - el.clientHeight <= 8);
    await expect.poll(atBottom).toBe(true);
    expect(await log.evaluate((el) => el.scrollHeight > el.clientHeight)).toBe(true);

    // The line for the first connection selects it.
    await log.getByRole('link', { name: new RegExp(`${firstName.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} open from`) }).click();
    await expect(row(page, firstName)).toHaveAttribute('aria-selected', 'true');
    await expect(page.getByRole('log', { name: `Contents of *ev* <127.0.0.1:${first.socket.localPort}>` })).toBeVisible();

    // Scrolled up, the log holds still while lines arrive, and offers a way back.
    await log.hover();
    await page.mouse.wheel(0, -5000);
    const jump = page.getByRole('button', { name: /^Jump to latest/ });
    await expect(jump).toBeVisible();
    const top = await log.evaluate((el) => el.scrollTop);
    for (let i = 0; i < 3; i++) await peer.connect(port);
    await expect(jump).toHaveText('Jump to latest (6 new)');
    expect(await log.evaluate((el) => el.scrollTop)).toBe(top);
    await jump.click();
    await expect(jump).toHaveCount(0);
    await expect.poll(atBottom).toBe(true);
    await expect(log.getByRole('link')).toHaveCount(68);
    // Following again: the next lines scroll into view by themselves.
    await peer.connect(port);
    await expect(log.getByRole('link')).toHaveCount(70);
    await expect.poll(atBottom).toBe(true);
  });
});
