import { expect, test } from '../fixtures.js';

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
});
