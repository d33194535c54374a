import { mkdirSync } from 'node:fs';
import { expect, test } from '../fixtures.js';
import { bufferLog, newProcess, row } from './workbench.js';

test.describe('the workbench UI', () => {
  test('a TCP server and a client made from the form exchange data through the input line', async ({ page, control, peer }) => {
    const dialog = await newProcess(page, { preset: 'TCP server on a free port', name: 'srv' });
    await expect(dialog).toBeHidden();
    await expect(row(page, 'srv')).toContainText('listen');
    const srv = (await control.snapshot({})).processes.find((p) => p.name === 'srv')!;
    const port = String((srv.local as number[])[4]);

    await newProcess(page, { kind: 'TCP client', name: 'cli', host: '127.0.0.1', service: port });
    await expect(row(page, 'cli')).toContainText('open');
    const input = page.getByLabel('Input for cli');
    await input.fill('hello through the UI');
    await input.press('Enter');
    const cli = (await control.snapshot({})).processes.find((p) => p.name === 'cli')!;
    const accepted = row(page, `srv <127.0.0.1:${(cli.local as number[])[4]}>`);
    await expect(accepted).toContainText('open');
    // An outside peer joins too, and what it writes shows in its connection's buffer.
    const outside = await peer.connect(Number(port));
    outside.socket.write('from outside');
    const outsideName = `srv <127.0.0.1:${outside.socket.localPort}>`;
    await row(page, outsideName).click();
    await expect(page.getByRole('log', { name: `Contents of *srv* <127.0.0.1:${outside.socket.localPort}>` })).toHaveText('from outside');
    await accepted.click();
    await expect(bufferLog(page)).toContainText('hello through the UI');
    // The input line sends hex bytes too.
    await row(page, outsideName).click();
    await page.getByLabel('Input mode').selectOption('hex');
    await page.getByLabel(`Input for ${outsideName}`).fill('48 69 0a');
    await page.getByRole('button', { name: 'Send', exact: true }).click();
    await expect.poll(outside.received).toBe('Hi\n');
    await accepted.click();
    mkdirSync('reports/screenshots', { recursive: true });
    await page.screenshot({ path: `reports/screenshots/exchange-${test.info().project.name}.png` });
  });

  test('the form refuses a port outside 0–65535 inline and creates nothing', async ({ page, control }) => {
    const dialog = await newProcess(page, { kind: 'TCP client', name: 'bad', host: '127.0.0.1', service: '70000' });
    await expect(dialog.getByRole('alert')).toContainText('65535');
    await expect(dialog.getByLabel('Service (port or name)')).toHaveAttribute('aria-invalid', 'true');
    mkdirSync('reports/screenshots', { recursive: true });
    await page.screenshot({ path: `reports/screenshots/new-process-form-${test.info().project.name}.png` });
    expect((await control.snapshot({})).processes).toEqual([]);
  });

  test('an engine error shows in the form: connection refused', async ({ page }) => {
    const dialog = await newProcess(page, { kind: 'TCP client', name: 'nobody', host: '127.0.0.1', service: '1' });
    await expect(dialog.getByRole('alert')).toHaveText('make client process failed: Connection refused');
    // Under the message, the signal as Emacs's echo area prints it.
    await expect(dialog.getByLabel('Lisp signal')).toHaveText(
      /^\(file-error "make client process failed" "Connection refused" :name "nobody" /,
    );
  });

  test('stop and continue from the toolbar; the inspector shows process-contact three ways', async ({ page, control }) => {
    await newProcess(page, { preset: 'TCP server on a free port', name: 'srv', host: '127.0.0.1' });
    await row(page, 'srv').click();
    await page.getByRole('button', { name: 'Stop' }).click();
    await expect(row(page, 'srv')).toContainText('stop');
    await page.getByRole('button', { name: 'Continue' }).click();
    await expect(row(page, 'srv')).toContainText('listen');
    const port = ((await control.snapshot({})).processes[0]!.local as number[])[4];
    const inspector = page.getByRole('region', { name: 'Inspector' });
    await expect(inspector.getByLabel('Contact, nil form', { exact: true })).toHaveText(`("127.0.0.1" ${port})`);
    await expect(inspector.getByLabel('Contact, t form', { exact: true })).toContainText(`:server t`);
    await expect(inspector.getByRole('table', { name: 'Contact keys' })).toContainText(`:local[127 0 0 1 ${port}]`);
    mkdirSync('reports/screenshots', { recursive: true });
    await page.screenshot({ path: `reports/screenshots/workbench-${test.info().project.name}.png` });
  });
});

test.describe('the buffer view', () => {
  test('shows hex, searches text and hex bytes, and follow mode pauses on a match', async ({ page, control, peer }) => {
    const srv = (await control.makeNetworkProcess({ name: 'hexsrv', server: true, service: true, buffer: '*hex*' }))!;
    const { socket } = await peer.connect((srv.local as number[])[4] as number);
    socket.write('GET /index.html HTTP/1.1\r\nHost: localhost\r\n\r\n');
    const name = `hexsrv <127.0.0.1:${socket.localPort}>`;
    await row(page, name).click();
    const log = bufferLog(page);
    await expect(log).toContainText('Host: localhost');
    await page.getByLabel('Hex', { exact: true }).check();
    await expect(log).toContainText('00000000  47 45 54 20 2f 69 6e 64  65 78 2e 68 74 6d 6c 20  |GET /index.html |');
    await page.getByLabel('Hex', { exact: true }).uncheck();
    await page.getByLabel('Search buffer').fill('Host');
    await page.getByRole('button', { name: 'Next' }).click();
    await expect(page.getByRole('status').filter({ hasText: 'Match at byte' })).toHaveText('Match at byte 26');
    await expect(log.locator('mark')).toHaveText('Host');
    await expect(page.getByLabel('Follow')).not.toBeChecked();
    await page.getByLabel('Search mode').selectOption('hex');
    await page.getByLabel('Search buffer').fill('0d 0a 0d 0a');
    await page.getByRole('button', { name: 'Next' }).click();
    await expect(page.getByRole('status').filter({ hasText: 'Match at byte' })).toHaveText('Match at byte 41');
    await page.getByLabel('Follow').check();
    socket.write('more');
    await expect(log).toContainText('more');
  });

  test('a search after Home looks from the top, not from the match left behind', async ({ page, control, peer }) => {
    const srv = (await control.makeNetworkProcess({ name: 'linesrv', server: true, service: true, buffer: '*lines*' }))!;
    const { socket } = await peer.connect((srv.local as number[])[4] as number);
    socket.write(Array.from({ length: 400 }, (_, n) => `line ${String(n).padStart(4, '0')}\n`).join(''));
    await row(page, `linesrv <127.0.0.1:${socket.localPort}>`).click();
    const log = bufferLog(page);
    await expect(log).toContainText('line 0399');
    const status = page.getByRole('status').filter({ hasText: /match/i });
    await page.getByLabel('Search buffer').fill('line 03');
    await page.getByRole('button', { name: 'Next' }).click();
    await expect(status).toHaveText('Match at byte 3000');
    await log.focus();
    await page.keyboard.press('Home');
    await expect(log).toContainText('line 0000');
    await page.getByLabel('Search buffer').fill('line 00');
    await page.getByRole('button', { name: 'Next' }).click();
    await expect(status).toHaveText('Match at byte 0');
    await page.getByRole('button', { name: 'Next' }).click();
    await expect(status).toHaveText('Match at byte 10');
  });

  test('a binary-coded buffer shows bytes from 0x80 up as octal escapes, as Emacs does', async ({ page, control, peer }) => {
    const srv = (await control.makeNetworkProcess({ name: 'binsrv', server: true, service: true, buffer: '*bin*', coding: 'binary' }))!;
    const { socket } = await peer.connect((srv.local as number[])[4] as number);
    socket.write(Buffer.from([0x61, 0xc3, 0xa9, 0xff, 0x62, 0x0a]));
    await row(page, `binsrv <127.0.0.1:${socket.localPort}>`).click();
    await expect(bufferLog(page)).toContainText('a\\303\\251\\377b');
  });
});

test.describe('the inspector and the remembered layout', () => {
  test('puts and clears plist entries, and a reload keeps the selected process', async ({ page, control }) => {
    await control.makeNetworkProcess({ name: 'plisted', server: true, service: true });
    await row(page, 'plisted').click();
    const plist = page.getByRole('region', { name: 'Plist' });
    await plist.getByLabel('Property', { exact: true }).fill('note');
    await plist.getByLabel('Value', { exact: true }).fill('{"seen": [1, 2]}');
    await plist.getByRole('button', { name: 'Put' }).click();
    await expect(plist.getByRole('table', { name: 'Plist entries' })).toContainText('(:seen [1 2])');
    const id = (await control.snapshot({})).processes.find((p) => p.name === 'plisted')!.id;
    expect(await control.processGet({ id, key: 'note' })).toEqual({ seen: [1, 2] });
    await plist.getByRole('button', { name: 'Set note to nil' }).click();
    await expect.poll(() => control.processGet({ id, key: 'note' })).toBeNull();
    await page.reload();
    await expect(page.getByRole('region', { name: 'Inspector' }).getByRole('heading', { name: 'plisted' })).toBeVisible();
  });
});

test.describe('a large buffer', () => {
  test('the wheel, the keys and the scroll bar reach every row of a 64 MiB buffer', async ({ page, control, peer }) => {
    const srv = (await control.makeNetworkProcess({ name: 'big', server: true, service: true, buffer: '*big*' }))!;
    const { socket } = await peer.connect((srv.local as number[])[4] as number);
    const LINES = 1_048_576;
    // 64 bytes a line: line n starts at byte 64 n, and the whole is exactly the 64 MiB buffer cap.
    const line = (i: number): string => `line ${String(i).padStart(7, '0')} ${'x'.repeat(50)}\n`;
    const lineNo = (i: number): string => `line ${String(i).padStart(7, '0')}`;
    const parts: string[] = [];
    for (let i = 0; i < LINES; i++) parts.push(line(i));
    socket.write(parts.join(''));
    const name = `big <127.0.0.1:${socket.localPort}>`;
    await row(page, name).click();
    const log = bufferLog(page);
    const scrollbar = page.getByRole('scrollbar', { name: 'Position in buffer' });
    await expect(log).toContainText(lineNo(LINES - 1), { timeout: 30_000 });
    await expect(scrollbar).toHaveAttribute('aria-valuemax', String(64 * LINES));

    await scrollbar.click({ position: { x: 5, y: 1 } });
    await expect(log).toContainText(lineNo(0));
    await expect(page.getByLabel('Follow')).not.toBeChecked();
    await expect(scrollbar).toHaveAttribute('aria-valuenow', '0');

    // The wheel moves row by row: ten rows down, line 10 is the first one shown.
    await log.hover();
    await page.mouse.wheel(0, 180);
    await expect(scrollbar).toHaveAttribute('aria-valuenow', String(64 * 10));
    await expect(log).not.toContainText(lineNo(9));
    await expect(log).toContainText(lineNo(10));

    await log.focus();
    await page.keyboard.press('ArrowDown');
    await expect(scrollbar).toHaveAttribute('aria-valuenow', String(64 * 11));
    const beforePage = Number(await scrollbar.getAttribute('aria-valuenow')) / 64;
    await page.keyboard.press('PageDown');
    const afterPage = Number(await scrollbar.getAttribute('aria-valuenow')) / 64;
    expect(afterPage - beforePage).toBeGreaterThan(3);
    await expect(log).toContainText(lineNo(afterPage));

    // Halfway down the bar is halfway through the buffer, and the wheel goes on from there across reads.
    const box = (await scrollbar.boundingBox())!;
    await page.mouse.click(box.x + box.width / 2, box.y + box.height / 2);
    await expect.poll(async () => Number(await scrollbar.getAttribute('aria-valuenow')) / 64).toBeGreaterThan(LINES * 0.45);
    const middle = Number(await scrollbar.getAttribute('aria-valuenow')) / 64;
    expect(middle).toBeLessThan(LINES * 0.55);
    await expect(log).toContainText(lineNo(middle));
    await log.hover();
    for (let i = 0; i < 20; i++) await page.mouse.wheel(0, -18 * 100);
    await expect(scrollbar).toHaveAttribute('aria-valuenow', String(64 * (middle - 2000)));
    await expect(log).toContainText(lineNo(middle - 2000));
    mkdirSync('reports/screenshots', { recursive: true });
    await page.screenshot({ path: `reports/screenshots/large-buffer-${test.info().project.name}.png` });
    // The hex view opens where the text view was, and back.
    const at = 64 * (middle - 2000);
    await page.getByLabel('Hex', { exact: true }).check();
    await expect(log).toContainText(`${at.toString(16).padStart(8, '0')}  6c 69 6e 65`);
    await expect(scrollbar).toHaveAttribute('aria-valuenow', String(at));
    await page.getByLabel('Hex', { exact: true }).uncheck();
    await expect(log).toContainText(lineNo(middle - 2000));
    await expect(scrollbar).toHaveAttribute('aria-valuenow', String(at));

    await log.focus();
    await page.keyboard.press('Home');
    await expect(log).toContainText(lineNo(0));
    await page.keyboard.press('End');
    await expect(page.getByLabel('Follow')).toBeChecked();
    await expect(log).toContainText(lineNo(LINES - 1));
    // Past the 64 MiB cap the head is trimmed: the notice says how much, and the scroll bar starts later.
    socket.write('tail end\n'.repeat(100));
    await expect(page.getByRole('status').filter({ hasText: 'trimmed' })).toHaveText('900 bytes trimmed (buffer cap)');
    await expect(scrollbar).toHaveAttribute('aria-valuemin', '900');
    await expect(log).toContainText('tail end');
  });
});

test.describe('several buffers', () => {
  test('a buffer kept open as a tab stays reachable while another process is selected', async ({ page, control, peer }) => {
    const srv = (await control.makeNetworkProcess({ name: 'tabs', server: true, service: true, buffer: '*tabs*' }))!;
    const port = (srv.local as number[])[4] as number;
    const one = await peer.connect(port);
    const two = await peer.connect(port);
    one.socket.write('first connection');
    two.socket.write('second connection');
    const first = `tabs <127.0.0.1:${one.socket.localPort}>`;
    const second = `tabs <127.0.0.1:${two.socket.localPort}>`;
    await row(page, first).click();
    await expect(bufferLog(page)).toHaveText('first connection');
    await page.getByRole('button', { name: 'Keep open' }).click();
    await row(page, second).click();
    const tabs = page.getByRole('tablist', { name: 'Open buffers' });
    await tabs.getByRole('tab', { name: 'Selected process' }).click();
    await expect(bufferLog(page)).toHaveText('second connection');
    await tabs.getByRole('tab', { name: first }).click();
    await expect(bufferLog(page)).toHaveText('first connection');
    // Open buffers are part of the remembered layout.
    await page.reload();
    await expect(tabs.getByRole('tab', { name: first })).toBeVisible();
    await tabs.getByRole('tab', { name: first }).click();
    await expect(bufferLog(page)).toHaveText('first connection');
    await tabs.getByRole('button', { name: `Close ${first}` }).click();
    await expect(tabs.getByRole('tab', { name: first })).toHaveCount(0);
    await expect(bufferLog(page)).toHaveText('second connection');
  });
});

test.describe('the layout', () => {
  test('panes resize from the keyboard and keep their size after a reload', async ({ page }) => {
    const columns = page.getByRole('separator', { name: 'Resize the columns' });
    await expect(columns).toHaveAttribute('aria-valuenow', /\d+/);
    const before = Number(await columns.getAttribute('aria-valuenow'));
    await columns.focus();
    await page.keyboard.press('Shift+ArrowLeft');
    await expect(columns).toHaveAttribute('aria-valuenow', String(before - 10));
    await page.reload();
    await expect(page.getByRole('separator', { name: 'Resize the columns' })).toHaveAttribute('aria-valuenow', String(before - 10));
    const rows = page.getByRole('separator', { name: 'Resize the rows' });
    const rowsBefore = Number(await rows.getAttribute('aria-valuenow'));
    await rows.focus();
    await page.keyboard.press('ArrowDown');
    await expect(rows).toHaveAttribute('aria-valuenow', String(rowsBefore + 2));
  });
});

test.describe('the process list', () => {
  test('sorts by a column and folds a server over its connections', async ({ page, control, peer }) => {
    const srv = (await control.makeNetworkProcess({ name: 'fold', server: true, service: true }))!;
    await control.makeNetworkProcess({ name: 'aaa', server: true, service: true });
    const { socket } = await peer.connect((srv.local as number[])[4] as number);
    const child = `fold <127.0.0.1:${socket.localPort}>`;
    const table = page.getByRole('table', { name: 'Processes' });
    await expect(row(page, child)).toHaveCount(1);
    const names = async (): Promise<string[]> =>
      table.locator('tbody tr td:first-child').evaluateAll((cells) => cells.map((c) => c.getAttribute('aria-label') ?? ''));
    expect(await names()).toEqual(['aaa', 'fold', child]);
    await table.getByRole('button', { name: 'Process' }).click();
    await expect(table.getByRole('columnheader', { name: 'Process' })).toHaveAttribute('aria-sort', 'descending');
    expect(await names()).toEqual(['fold', child, 'aaa']);
    await table.getByRole('button', { name: 'Hide the 1 connection of fold' }).click();
    await expect(row(page, child)).toHaveCount(0);
    await table.getByRole('button', { name: 'Show the 1 connection of fold' }).click();
    await expect(row(page, child)).toHaveCount(1);
  });
});
