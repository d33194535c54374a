import { expect, test } from '../fixtures.js';
import { row } from './workbench.js';

test.describe('the workbench shows the live process table', () => {
  test('a server and the connection it accepts from an outside peer appear with Emacs names', async ({ page, control, peer }) => {
    const table = page.getByRole('table', { name: 'Processes' });
    await expect(table).toBeVisible();
    const srv = (await control.makeNetworkProcess({ name: 'srv', server: true, service: true, buffer: '*srv*' }))!;
    const port = (srv.local as number[])[4] as number;
    await expect(table.getByRole('row', { name: /srv listen \*srv\*/ })).toBeVisible();
    const { socket } = await peer.connect(port);
    const name = `srv <127.0.0.1:${socket.localPort}>`;
    await expect(table.getByRole('cell', { name, exact: true })).toBeVisible();
    await expect(page.getByRole('log', { name: 'Event log' })).toContainText(`${name} open from 127.0.0.1`);
  });

  test('data typed by the peer reaches the buffer, and our reply reaches the peer', async ({ page, control, peer }) => {
    const srv = (await control.makeNetworkProcess({ name: 'echo', server: true, service: true, buffer: '*echo*' }))!;
    const { socket, received } = await peer.connect((srv.local as number[])[4] as number);
    socket.write('hello from the peer');
    const name = `echo <127.0.0.1:${socket.localPort}>`;
    await expect(page.getByRole('cell', { name, exact: true })).toBeVisible();
    const accepted = (await control.snapshot({})).processes.find((p) => p.name === name)!;
    await expect.poll(async () => (await control.readBuffer({ name: accepted.buffer! })).data).toBe('hello from the peer');
    await control.sendString({ id: accepted.id, text: 'hello from Netproc' });
    await expect.poll(received).toBe('hello from Netproc');
  });

  test('deleting a process removes its row and logs "deleted"', async ({ page, control }) => {
    const p = (await control.makeNetworkProcess({ name: 'doomed', server: true, service: true }))!;
    const table = page.getByRole('table', { name: 'Processes' });
    await expect(table.getByRole('cell', { name: 'doomed', exact: true })).toBeVisible();
    await control.deleteProcess({ ids: [p.id] });
    await expect(table.getByRole('cell', { name: 'doomed', exact: true })).toHaveCount(0);
    await expect(page.getByRole('log', { name: 'Event log' })).toContainText('doomed deleted');
  });

  test('a reload starts from a snapshot and shows every process again', async ({ page, control }) => {
    await control.makeNetworkProcess({ name: 'survivor', server: true, service: true });
    await expect(page.getByRole('cell', { name: 'survivor', exact: true })).toBeVisible();
    await page.reload();
    await expect(page.getByRole('cell', { name: 'survivor', exact: true })).toBeVisible();
  });

  test('at 1280×800 the default columns show a reconnecting row’s status and badge whole, and the port that tells connections apart', async ({
    page,
    control,
    peer,
  }) => {
    await page.setViewportSize({ width: 1280, height: 800 });
    await page.reload();
    const srv = (await control.makeNetworkProcess({ name: 'server', server: true, service: true, buffer: '*server*' }))!;
    const port = (srv.local as number[])[4] as number;
    const client = (await control.makeNetworkProcess({ name: 'rc', host: '127.0.0.1', service: port, buffer: '*rc*' }))!;
    // A minute between attempts: the badge holds still while it is measured.
    await control.setProcessReconnect({
      id: client.id,
      policy: { initialMs: 60_000, maxMs: 60_000, multiplier: 1, jitter: 0, maxAttempts: 10 },
    });
    const { socket } = await peer.connect(port);
    const outside = `server <127.0.0.1:${socket.localPort}>`;
    await expect(row(page, outside)).toContainText('open');
    // The server's side of the client's connection goes; the client closes and waits to reconnect.
    const clientPort = (client.local as number[])[4] as number;
    let served: number | undefined;
    await expect
      .poll(async () => (served = (await control.snapshot({})).processes.find((p) => p.remoteText === `127.0.0.1:${clientPort}`)?.id))
      .toBeDefined();
    await control.deleteProcess({ ids: [served as number] });
    const rc = row(page, 'rc');
    await expect(rc).toContainText('reconnecting 1/10');
    const status = rc.getByRole('cell').nth(1);
    await expect(status).toContainText('closed');
    expect(await status.evaluate((cell) => cell.scrollWidth <= cell.clientWidth)).toBe(true);
    // An accepted connection's name is cut in the middle, if at all: its port stays in view.
    const name = row(page, outside).getByRole('cell', { name: outside, exact: true });
    const tail = await name.evaluate((cell) => {
      const end = cell.querySelector('.keep-end-tail') as HTMLElement;
      return { text: end.textContent, inside: end.getBoundingClientRect().right <= cell.getBoundingClientRect().right };
    });
    expect(tail).toEqual({ text: `:${socket.localPort}>`, inside: true });
    // The buffer list's column titles fit too, sort arrow included.
    await page.getByRole('button', { name: 'Buffer list' }).click();
    const headers = page.getByRole('table', { name: 'Buffers' }).getByRole('columnheader');
    await expect(headers).toHaveCount(5);
    const cut = await headers.evaluateAll((ths) => ths.filter((th) => th.scrollWidth > th.clientWidth).map((th) => th.textContent));
    expect(cut).toEqual([]);
  });
});
