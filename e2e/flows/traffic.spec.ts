import { expect, test } from '../fixtures.js';
import { row } from './workbench.js';

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
    // The open status, the received chunk(s), the sent chunk: in with ↓, out with ↑, each in its own colour.
    await expect(grid.getByRole('row').filter({ hasText: 'status run' })).toHaveCount(1);
    const sent = grid.getByRole('row').filter({ hasText: 'HTTP/1.0 200 OK' });
    await expect(sent.getByRole('gridcell', { name: 'sent' })).toHaveText('out');
    const firstIn = grid.getByRole('row').filter({ hasText: 'GET /first' });
    await expect(firstIn.getByRole('gridcell', { name: 'received' })).toHaveText('in');
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
    await expect(grid.getByRole('row', { selected: true })).toContainText('status run');
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
    await expect(grid.getByRole('row').filter({ hasText: 'connection broken by remote peer' })).toHaveCount(1);
  });
});
