import dgram from 'node:dgram';
import { expect, test } from '../fixtures.js';
import { bufferLog, row } from './workbench.js';

/** A UDP socket on loopback that records what it receives and from which port. */
async function udpPeer(): Promise<{ socket: dgram.Socket; port: number; received: string[] }> {
  const socket = dgram.createSocket('udp4');
  const received: string[] = [];
  socket.on('message', (m, from) => received.push(`${m.toString()} from ${from.port}`));
  await new Promise<void>((r) => socket.bind(0, '127.0.0.1', () => r()));
  return { socket, port: socket.address().port, received };
}

test.describe('per-peer UDP', () => {
  test('two UDP peers in their own rows under the server; a peer row replies to that peer only', async ({ page, control }) => {
    await page.getByRole('button', { name: 'New process', exact: true }).click();
    const dialog = page.getByRole('dialog', { name: 'New process' });
    await dialog.getByRole('button', { name: 'UDP socket' }).click();
    await dialog.getByLabel('Name', { exact: true }).fill('peers');
    await dialog.getByRole('checkbox', { name: 'A row per peer' }).check();
    await dialog.getByRole('button', { name: 'Create' }).click();
    await expect(dialog).toBeHidden();
    await expect(row(page, 'peers')).toContainText('open');
    const server = (await control.snapshot({})).processes.find((p) => p.name === 'peers')!;
    expect(server.splitPeers).toBe(true);
    const port = (server.local as number[])[4] as number;

    const a = await udpPeer();
    const b = await udpPeer();
    try {
      await new Promise<void>((r) => a.socket.send('hello from a', port, '127.0.0.1', () => r()));
      await new Promise<void>((r) => b.socket.send('hello from b', port, '127.0.0.1', () => r()));
      const rowA = row(page, `peers <127.0.0.1:${a.port}>`);
      const rowB = row(page, `peers <127.0.0.1:${b.port}>`);
      await expect(rowA).toContainText('open');
      await expect(rowB).toContainText('open');
      await expect(rowA).toContainText('UDP peer of a server');
      // Both sit under the server, which can fold them away.
      await page.getByRole('button', { name: 'Hide the 2 peers of peers' }).click();
      await expect(rowA).toBeHidden();
      await page.getByRole('button', { name: 'Show the 2 peers of peers' }).click();

      // The server's buffer keeps everything, as Emacs's does.
      await row(page, 'peers').click();
      await expect(bufferLog(page)).toContainText('hello from a');
      await expect(bufferLog(page)).toContainText('hello from b');

      // A's row has only a's datagram, and its input answers a from the server's port.
      await rowA.click();
      await expect(bufferLog(page)).toContainText('hello from a');
      await expect(bufferLog(page)).not.toContainText('hello from b');
      await page.getByLabel('Line ending').selectOption('none');
      await page.getByLabel(`Input for peers <127.0.0.1:${a.port}>`).fill('just for a');
      await page.getByRole('button', { name: 'Send', exact: true }).click();
      await expect.poll(() => a.received).toEqual([`just for a from ${port}`]);
      // b sent last, so the server alone would have answered b: nothing reached b.
      await page.waitForTimeout(200);
      expect(b.received).toEqual([]);
    } finally {
      a.socket.close();
      b.socket.close();
    }
  });
});
