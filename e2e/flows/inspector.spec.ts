import net from 'node:net';
import { expect, test } from '../fixtures.js';
import { newProcess, row } from './workbench.js';

/**
 * A peer on loopback that floods each connection once told to: 64 KiB blocks
 * while the socket takes them, then it waits for 'drain'; at most `limit`
 * bytes in all. Closed, with its sockets, by `close`.
 */
async function floodingPeer(limit = 64 * 1024 * 1024) {
  const sockets: net.Socket[] = [];
  let sent = 0;
  const server = net.createServer((socket) => {
    sockets.push(socket);
    socket.on('error', () => undefined);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const flood = (socket: net.Socket): void => {
    const block = Buffer.alloc(64 * 1024, 'f');
    while (sent < limit && !socket.destroyed) {
      sent += block.length;
      if (!socket.write(block)) return void socket.once('drain', () => flood(socket));
    }
  };
  return {
    port: (server.address() as net.AddressInfo).port,
    start: () => sockets.forEach(flood),
    connected: () => sockets.length,
    waitingToSend: () => sockets.reduce((n, s) => n + s.writableLength, 0),
    close: () => {
      for (const s of sockets) s.destroy();
      return new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

test.describe('the inspector', () => {
  test('the header stays while the sections scroll; folded and opened sections survive a reload; Copy puts a value on the clipboard', async ({
    page,
    control,
    host,
  }) => {
    const srv = (await control.makeNetworkProcess({ name: 'inspected', server: true, host: '127.0.0.1', service: true }))!;
    const port = (srv.local as number[])[4];
    await row(page, 'inspected').click();
    const inspector = page.getByRole('region', { name: 'Inspector' });
    const heading = inspector.getByRole('heading', { name: 'inspected' });
    await expect(heading).toBeVisible();

    // Open everything, then scroll to the last section: the first has left the view, the header has not.
    await inspector.getByRole('button', { name: 'Socket options' }).click();
    await inspector.getByRole('button', { name: 'Kernel queues' }).click();
    await inspector.getByRole('combobox', { name: ':linger' }).scrollIntoViewIfNeeded();
    await expect(inspector.getByRole('button', { name: 'Status', exact: true })).not.toBeInViewport();
    await expect(heading).toBeInViewport();
    await expect(inspector.getByText('listen', { exact: true }).first()).toBeInViewport();

    await inspector.getByRole('button', { name: 'Counters' }).click();
    await expect(inspector.getByRole('button', { name: 'Counters' })).toHaveAttribute('aria-expanded', 'false');
    await page.reload();
    await expect(heading).toBeVisible();
    await expect(inspector.getByRole('button', { name: 'Counters' })).toHaveAttribute('aria-expanded', 'false');
    await expect(inspector.getByRole('button', { name: 'Socket options' })).toHaveAttribute('aria-expanded', 'true');
    await expect(inspector.getByRole('button', { name: 'Kernel queues' })).toHaveAttribute('aria-expanded', 'true');
    await expect(inspector.getByRole('button', { name: 'Contact', exact: true })).toHaveAttribute('aria-expanded', 'true');

    if (host === 'web') await page.context().grantPermissions(['clipboard-read', 'clipboard-write']);
    const copy = inspector.getByRole('button', { name: 'Copy local address', exact: true });
    await copy.click();
    // The feedback sits beside the button; in the desktop app it proves the clipboard permission was granted.
    await expect(copy.locator('xpath=..').getByRole('status')).toHaveText('Copied');
    if (host === 'web') expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(`127.0.0.1:${port}`);
    await inspector.getByRole('button', { name: 'Copy :service', exact: true }).click();
    if (host === 'web') expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(String(port));
  });

  test("a stopped client's Kernel queues show its receive queue filling while its peer floods, and draining once continued", async ({
    page,
  }) => {
    test.skip(process.platform !== 'linux', 'the kernel queues are read from Linux /proc/net');
    // 16 MiB: well past what the kernel queues hold each way, and little enough to drain in time on a busy machine.
    const peer = await floodingPeer(16 * 1024 * 1024);
    try {
      await expect(
        await newProcess(page, { kind: 'TCP client', name: 'flooded', host: '127.0.0.1', service: String(peer.port) }),
      ).toBeHidden();
      await expect(row(page, 'flooded')).toContainText('open');
      await row(page, 'flooded').click();
      await page.getByRole('button', { name: 'Stop' }).click();
      await expect(row(page, 'flooded')).toContainText('stop');
      await expect.poll(peer.connected).toBe(1);
      peer.start();

      const inspector = page.getByRole('region', { name: 'Inspector' });
      await inspector.getByRole('button', { name: 'Kernel queues' }).click();
      const queues = inspector.getByRole('region', { name: 'Kernel queues' });
      const meter = queues.getByRole('meter', { name: 'Receive queue fill' });
      await expect(meter).toBeVisible({ timeout: 10_000 });
      // The kernel's queue grows past 64 KiB, then stops: the peer's own queue backs up behind TCP's flow control.
      await expect.poll(async () => Number(await meter.getAttribute('value')), { timeout: 10_000 }).toBeGreaterThan(64 * 1024);
      await expect.poll(peer.waitingToSend, { timeout: 10_000 }).toBeGreaterThan(0);
      await expect(queues).toContainText(/Receive queue \d+\.\d KiB of \d+\.\d (KiB|MiB) \(\d+ %\)/);
      await expect(queues).toContainText('Not growing: nothing is read while stopped, so TCP’s flow control holds the peer back', {
        timeout: 10_000,
      });
      await expect(queues.getByLabel('Unsent bytes held by Node', { exact: true })).toHaveText('0 B');

      await page.getByRole('button', { name: 'Continue' }).click();
      await expect(queues.getByLabel('Receive queue', { exact: true })).toHaveText('0 B', { timeout: 20_000 });
    } finally {
      await peer.close();
    }
  });

  test('socket options: :keepalive and :linger on a TCP client; :nodelay on a UDP socket shows Emacs’s error beside it', async ({
    page,
    control,
  }) => {
    const udp = (await control.makeNetworkProcess({ name: 'udp-opts', type: 'datagram', server: true, host: '127.0.0.1', service: true }))!;
    await row(page, 'udp-opts').click();
    const inspector = page.getByRole('region', { name: 'Inspector' });
    await inspector.getByRole('button', { name: 'Socket options' }).click();
    const options = inspector.getByRole('region', { name: 'Socket options' });
    const nodelay = options.getByRole('checkbox', { name: ':nodelay' });
    await nodelay.click();
    await expect(options.getByRole('alert')).toHaveText('Cannot set network option: Protocol not available');
    await expect(options.getByLabel('Lisp signal for :nodelay')).toHaveText(
      '(file-error "Cannot set network option" "Protocol not available" :nodelay t)',
    );
    await expect(nodelay).not.toBeChecked();
    await expect(nodelay).toHaveAttribute('aria-invalid', 'true');
    expect(await control.processContact({ id: udp.id, key: 'nodelay' })).toBeNull();
    // The socket-level options apply to a UDP socket too.
    await options.getByRole('checkbox', { name: ':keepalive' }).click();
    await expect(options.getByRole('checkbox', { name: ':keepalive' })).toBeChecked();
    expect(await control.processContact({ id: udp.id, key: 'keepalive' })).toBe(true);

    const resets: string[] = [];
    const accepted: net.Socket[] = [];
    const server = net.createServer((s) => {
      accepted.push(s);
      s.on('error', (e: NodeJS.ErrnoException) => resets.push(e.code ?? ''));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const port = (server.address() as net.AddressInfo).port;
      const tcp = (await control.makeNetworkProcess({ name: 'tcp-opts', host: '127.0.0.1', service: port }))!;
      await row(page, 'tcp-opts').click();
      await options.getByRole('checkbox', { name: ':nodelay' }).click();
      await expect(options.getByRole('checkbox', { name: ':nodelay' })).toBeChecked();
      await expect(options.getByRole('alert')).toHaveCount(0);
      await options.getByRole('combobox', { name: ':linger' }).selectOption('t');
      await expect.poll(() => control.processContact({ id: tcp.id, key: 'linger' })).toBe(true);
      await expect(options.getByRole('combobox', { name: ':linger' })).toHaveValue('t');
      // :linger t: deleting the process resets the connection instead of closing it in order.
      await page.getByRole('button', { name: 'Delete' }).click();
      await expect.poll(() => resets).toEqual(['ECONNRESET']);
    } finally {
      for (const s of accepted) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });
});
