import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { followTcpStream } from '../../app/main/capture/tshark-support.js';
import { expect, test } from '../fixtures.js';
import { bufferLog, expectInViewport, row } from './workbench.js';

test.describe('the traffic timeline', () => {
  test('shows every chunk in and out with status events, filters, moves by keyboard and jumps to the bytes', async ({
    page,
    control,
    peer,
  }) => {
    const srv = (await control.makeNetworkProcess({ name: 'tl-srv', server: true, service: true, buffer: '*tl-srv*' }))!;
    const { socket, received } = await peer.connect((srv.local as number[])[4] as number);
    const name = `tl-srv <127.0.0.1:${socket.localPort}>`;
    await expect(row(page, name)).toContainText('open');
    for (const line of ['GET /first HTTP/1.0\r\n', 'Host: example\r\n', '\r\n']) {
      socket.write(line);
      await expect
        .poll(async () => (await control.snapshot({})).processes.find((p) => p.name === name)?.counters.bytesIn)
        .toBeGreaterThan(0);
      await page.waitForTimeout(30);
    }
    const accepted = (await control.snapshot({})).processes.find((p) => p.name === name)!;
    await control.sendString({ id: accepted.id, text: 'HTTP/1.0 200 OK\r\n' });
    await expect.poll(received).toBe('HTTP/1.0 200 OK\r\n');

    await row(page, name).click();
    await page.getByRole('radio', { name: 'Traffic' }).click();
    const grid = page.getByRole('grid', { name: `Traffic timeline of ${name}` });
    await expect(grid).toBeVisible();
    // The open status (as process-status says it, not the engine's "run"), the received chunk(s), the sent chunk:
    // in with ↓, out with ↑, each in its own colour.
    await expect(grid.getByRole('gridcell', { name: 'open', exact: true })).toHaveCount(1);
    await expect(grid.getByRole('row').filter({ hasText: 'run' })).toHaveCount(0);
    const sent = grid.getByRole('row').filter({ hasText: 'HTTP/1.0 200 OK' });
    await expect(sent.getByRole('gridcell', { name: 'sent' })).toHaveText('↑out');
    const firstIn = grid.getByRole('row').filter({ hasText: 'GET /first' });
    await expect(firstIn.getByRole('gridcell', { name: 'received' })).toHaveText('↓in');
    const colour = async (locator: typeof sent) => locator.locator('.tl-data').evaluate((el) => getComputedStyle(el).color);
    expect(await colour(sent)).not.toBe(await colour(firstIn));

    // Filter by direction, then by text.
    await page.getByRole('toolbar', { name: 'Traffic filter' }).getByRole('radio', { name: 'Out' }).click();
    await expect(page.getByRole('status').filter({ hasText: 'matching record' })).toHaveText('1 matching record');
    await expect(grid.getByRole('row').filter({ hasText: 'GET /first' })).toHaveCount(0);
    await page.getByRole('toolbar', { name: 'Traffic filter' }).getByRole('radio', { name: 'All' }).click();
    await page.getByRole('searchbox', { name: 'Filter traffic' }).fill('Host:');
    await expect(page.getByRole('status').filter({ hasText: 'matching record' })).toHaveText('1 matching record');
    await expect(grid.getByRole('row').filter({ hasText: 'Host: example' })).toHaveCount(1);
    // A bad hex filter is refused next to the filter, naming the problem.
    await page.getByLabel('Filter mode').selectOption('hex');
    await page.getByRole('searchbox', { name: 'Filter traffic' }).fill('0d 0');
    await expect(page.getByRole('alert').filter({ hasText: 'hex' })).toContainText('one digit');
    await page.getByRole('searchbox', { name: 'Filter traffic' }).fill('48 6f 73 74');
    await expect(page.getByRole('status').filter({ hasText: 'matching record' })).toHaveText('1 matching record');
    await page.getByRole('searchbox', { name: 'Filter traffic' }).fill('');
    await page.getByLabel('Filter mode').selectOption('text');
    await expect(page.getByRole('status').filter({ hasText: /records?$/ })).toHaveText(/^\d+ records$/);

    // Keyboard: Home, then down to the chunk with "GET", Enter shows its bytes in the buffer, highlighted.
    await grid.focus();
    await page.keyboard.press('Home');
    await expect(grid.getByRole('row', { selected: true }).getByRole('gridcell', { name: 'open', exact: true })).toHaveCount(1);
    await page.keyboard.press('ArrowDown');
    await expect(grid.getByRole('row', { selected: true })).toContainText('GET /first');
    await page.keyboard.press('End');
    await expect(grid.getByRole('row', { selected: true })).toContainText('HTTP/1.0 200 OK');
    await page.keyboard.press('Home');
    await page.keyboard.press('ArrowDown');
    await page.keyboard.press('Enter');
    await expect(page.getByRole('radio', { name: 'Buffer', exact: true })).toHaveAttribute('data-state', 'on');
    await expect(page.getByRole('log').locator('mark').first()).toContainText('GET /first');

    // A click on a received row jumps too.
    await page.getByRole('radio', { name: 'Traffic' }).click();
    await grid.getByRole('row').filter({ hasText: 'Host: example' }).click();
    await expect(page.getByRole('log').locator('mark').first()).toContainText('Host: example');
  });

  test("a server's timeline gathers its connections, and a departed connection's traffic stays", async ({ page, control, peer }) => {
    const srv = (await control.makeNetworkProcess({ name: 'agg', server: true, service: true, buffer: '*agg*' }))!;
    const port = (srv.local as number[])[4] as number;
    const one = await peer.connect(port);
    one.socket.write('from one');
    const two = await peer.connect(port);
    two.socket.write('from two');
    const [onePort, twoPort] = [one.socket.localPort, two.socket.localPort];
    await expect(row(page, `agg <127.0.0.1:${twoPort}>`)).toBeVisible();
    one.socket.end();
    await row(page, 'agg').click();
    await page.getByRole('radio', { name: 'Traffic' }).click();
    const grid = page.getByRole('grid', { name: 'Traffic timeline of agg' });
    await expect(grid.getByRole('row').filter({ hasText: 'from one' })).toContainText(`agg <127.0.0.1:${onePort}>`);
    await expect(grid.getByRole('row').filter({ hasText: 'from two' })).toContainText(`agg <127.0.0.1:${twoPort}>`);
    await expect(grid.getByRole('row').filter({ hasText: 'closed (256) — connection broken by remote peer' })).toHaveCount(1);

    // One column template: the Data column starts at the same x in the header and on every row, and a
    // connection's address (its port tells it from its sibling) shows whole inside its cell.
    const left = async (cell: ReturnType<typeof grid.locator>) => (await cell.boundingBox())!.x;
    const dataX = await left(grid.getByRole('columnheader', { name: 'Data' }));
    for (const text of ['from one', 'from two']) {
      const dataRow = grid.getByRole('row').filter({ hasText: text });
      expect(await left(dataRow.getByRole('gridcell').last())).toBe(dataX);
      const peerCell = dataRow.getByRole('gridcell').filter({ hasText: '<127.0.0.1:' });
      const address = peerCell.getByText(/^<127\.0\.0\.1:\d+>$/);
      const [cellBox, addressBox] = [(await peerCell.boundingBox())!, (await address.boundingBox())!];
      expect(addressBox.x + addressBox.width).toBeLessThanOrEqual(cellBox.x + cellBox.width + 0.5);
    }
  });

  test('Export… writes the traffic as pcapng that tshark follows, and the buffer as an xxd hex dump; errors show by their field', async ({
    page,
    control,
    peer,
  }) => {
    const dir = mkdtempSync(join(tmpdir(), 'netproc-e2e-export-'));
    try {
      const srv = (await control.makeNetworkProcess({ name: 'exp', server: true, service: true, buffer: '*exp*' }))!;
      const port = (srv.local as number[])[4] as number;
      const { socket, received } = await peer.connect(port);
      const name = `exp <127.0.0.1:${socket.localPort}>`;
      socket.write('question?\n');
      await expect(row(page, name)).toContainText('10 B');
      const accepted = (await control.snapshot({})).processes.find((p) => p.name === name)!;
      await control.sendString({ id: accepted.id, text: 'answer!\n' });
      await expect.poll(received).toBe('answer!\n');

      await row(page, 'exp').click();
      await page.getByRole('button', { name: 'Export…' }).click();
      const dialog = page.getByRole('dialog', { name: 'Export exp' });
      await expectInViewport(page, dialog);
      await dialog.getByLabel('File path').fill('relative.pcapng');
      await dialog.getByRole('button', { name: 'Export', exact: true }).click();
      await expect(dialog.getByLabel('File path')).toHaveAttribute('aria-invalid', 'true');
      await expect(dialog.getByRole('alert')).toContainText('path: must be an absolute file path');
      const capture = join(dir, 'exp.pcapng');
      await dialog.getByLabel('File path').fill(capture);
      await dialog.getByRole('button', { name: 'Export', exact: true }).click();
      await expect(dialog.getByRole('status')).toContainText(`to ${capture} (`);
      const stream = followTcpStream(capture, 0);
      expect([stream.client.toString(), stream.server.toString()]).toEqual(['question?\n', 'answer!\n']);
      // Again to the same path: refused in the dialog's own words, naming the checkbox that replaces it.
      await dialog.getByRole('button', { name: 'Export', exact: true }).click();
      await expect(dialog.getByRole('alert')).toHaveText(
        'File path: a file already exists there (tick “Replace the file if it exists” to replace it)',
      );
      await dialog.getByLabel('Replace the file if it exists').check();
      await dialog.getByRole('button', { name: 'Export', exact: true }).click();
      await expect(dialog.getByRole('status')).toContainText(`to ${capture} (`);
      await dialog.getByRole('button', { name: 'Close' }).click();

      await row(page, name).click();
      await page.getByRole('button', { name: 'Export…' }).click();
      const again = page.getByRole('dialog', { name: `Export ${name}` });
      await again.getByLabel('Format').selectOption('text');
      await again.getByLabel('File path').fill(join(dir, 'exp.txt'));
      await again.getByRole('button', { name: 'Export', exact: true }).click();
      await expect(again.getByRole('status')).toContainText('Wrote 10 bytes');
      await again.getByLabel('Format').selectOption('hex');
      await again.getByLabel('File path').fill(join(dir, 'exp.hex'));
      await again.getByLabel('From byte').fill('9');
      await again.getByLabel('To byte').fill('3');
      await again.getByRole('button', { name: 'Export', exact: true }).click();
      await expect(again.getByLabel('To byte')).toHaveAttribute('aria-invalid', 'true');
      await expect(again.getByRole('alert')).toHaveText('To byte: must not be before “From byte”');
      await again.getByLabel('From byte').fill('');
      await again.getByLabel('To byte').fill('');
      await again.getByRole('button', { name: 'Export', exact: true }).click();
      await expect(again.getByRole('status')).toContainText('Wrote');
      expect(readFileSync(join(dir, 'exp.hex'), 'latin1')).toBe(
        execFileSync('/usr/bin/xxd', [join(dir, 'exp.txt')], { encoding: 'latin1' }),
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('Import capture… makes a read-only process of a capture (text2pcap), viewed and searched like any other; sends refused', async ({
    page,
  }) => {
    const dir = mkdtempSync(join(tmpdir(), 'netproc-e2e-import-'));
    try {
      writeFileSync(
        join(dir, 'c.txt'),
        'O 0000  47 45 54 20 2f 69 6e 64 65 78 0d 0a\nI 0000  48 54 54 50 20 32 30 30 20 4f 4b 0d 0a\nI 0000  62 6f 64 79 0d 0a\n',
      );
      const path = join(dir, 'web.pcapng');
      execFileSync('/usr/bin/text2pcap', ['-q', '-D', '-T', '40000,80', '-4', '10.1.1.1,10.1.1.2', join(dir, 'c.txt'), path]);
      await page.getByRole('button', { name: 'Import capture…' }).click();
      const dialog = page.getByRole('dialog', { name: 'Import capture' });
      await expectInViewport(page, dialog);
      await dialog.getByLabel('Capture file path').fill(join(dir, 'missing.pcapng'));
      await dialog.getByRole('button', { name: 'Import', exact: true }).click();
      await expect(dialog.getByLabel('Capture file path')).toHaveAttribute('aria-invalid', 'true');
      await expect(dialog.getByRole('alert')).toContainText('No such file or directory');
      await dialog.getByLabel('Capture file path').fill(path);
      await dialog.getByLabel('Conversation number').fill('4');
      await dialog.getByRole('button', { name: 'Import', exact: true }).click();
      await expect(dialog.getByRole('alert')).toContainText('conversation: the capture holds 1 (0 to 0)');
      await dialog.getByLabel('Conversation number').fill('');
      await dialog.getByRole('button', { name: 'Import', exact: true }).click();
      await expect(dialog).toBeHidden();
      await expect(page.getByRole('status').filter({ hasText: 'Imported web.pcapng' })).toContainText('conversation 0 of 1');
      await expect(row(page, 'web.pcapng')).toContainText('closed');

      // Its buffer holds what the client received, and searches like any other.
      await expect(bufferLog(page)).toContainText('HTTP 200 OK');
      await page.getByRole('searchbox', { name: 'Search buffer' }).fill('body');
      await page.getByRole('searchbox', { name: 'Search buffer' }).press('Enter');
      await expect(page.getByRole('status').filter({ hasText: 'Match at byte' })).toHaveText('Match at byte 13');
      // Sends are refused, saying why.
      await page.getByLabel('Input for web.pcapng').fill('hello');
      await page.getByRole('button', { name: 'Send', exact: true }).click();
      await expect(page.getByRole('alert').filter({ hasText: 'read-only' })).toContainText('imported from');
      // Nothing to stop, continue or end on a read-only record: those actions are off.
      const actions = page.getByRole('toolbar', { name: 'Process actions' });
      await expect(actions.getByRole('button', { name: 'Stop' })).toBeDisabled();
      await expect(actions.getByRole('button', { name: 'Send EOF' })).toBeDisabled();
      await expect(actions.getByRole('button', { name: 'Delete' })).toBeEnabled();

      // Its traffic: both directions, filterable.
      await page.getByRole('radio', { name: 'Traffic' }).click();
      const grid = page.getByRole('grid', { name: 'Traffic timeline of web.pcapng' });
      await expect(grid.getByRole('row').filter({ hasText: 'GET /index' }).getByRole('gridcell', { name: 'sent' })).toHaveText('↑out');
      await page.getByRole('searchbox', { name: 'Filter traffic' }).fill('body');
      await expect(page.getByRole('status').filter({ hasText: 'matching record' })).toHaveText('1 matching record');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
