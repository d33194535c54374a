import dgram from 'node:dgram';
import net from 'node:net';
import { expect, test } from '../fixtures.js';
import type { Page } from '@playwright/test';
import { bufferLog, newProcess, row } from './workbench.js';

async function createFromForm(page: Page, preset: string, name: string) {
  await expect(await newProcess(page, { preset, name })).toBeHidden();
}

test.describe('real sockets from the workbench', () => {
  test('a UDP socket receives datagrams and replies to the last sender', async ({ page, control }) => {
    await createFromForm(page, 'UDP socket', 'udp');
    await expect(row(page, 'udp')).toContainText('open');
    const port = ((await control.snapshot({})).processes.find((p) => p.name === 'udp')!.local as number[])[4] as number;
    const sender = dgram.createSocket('udp4');
    const replies: string[] = [];
    sender.on('message', (m) => replies.push(m.toString()));
    try {
      await new Promise<void>((r) => sender.bind(0, '127.0.0.1', () => r()));
      await new Promise<void>((r) => sender.send('ping over udp', port, '127.0.0.1', () => r()));
      await row(page, 'udp').click();
      await expect(bufferLog(page)).toContainText('ping over udp');
      await page.getByLabel('Line ending').selectOption('none');
      await page.getByLabel('Input for udp').fill('pong');
      await page.getByRole('button', { name: 'Send', exact: true }).click();
      await expect.poll(() => replies).toEqual(['pong']);
    } finally {
      sender.close();
    }
  });

  test('a stopped connection holds the peer back; continue releases everything', async ({ page, control, peer }) => {
    const srv = (await control.makeNetworkProcess({ name: 'held', server: true, service: true, buffer: '*held*' }))!;
    const { socket } = await peer.connect((srv.local as number[])[4] as number);
    const name = `held <127.0.0.1:${socket.localPort}>`;
    await row(page, name).click();
    await page.getByRole('button', { name: 'Stop' }).click();
    await expect(row(page, name)).toContainText('stop');
    const total = 24 * 1024 * 1024;
    for (let i = 0; i < total / 65536; i++) socket.write(Buffer.alloc(65536, 'h'));
    // TCP flow control: the kernel buffers fill and the peer cannot send the rest.
    await expect.poll(() => socket.writableLength, { timeout: 10_000 }).toBeGreaterThan(0);
    await page.waitForTimeout(300);
    expect(socket.writableLength).toBeGreaterThan(0);
    const acc = (await control.snapshot({})).processes.find((p) => p.name === name)!;
    expect(acc.counters.bytesIn).toBe(0);
    await page.getByRole('button', { name: 'Continue' }).click();
    await expect
      .poll(async () => (await control.snapshot({})).buffers.find((b) => b.name === acc.buffer)?.end, { timeout: 20_000 })
      .toBe(total);
  });

  test('a stopped server lets new clients wait; continue accepts them', async ({ page, control }) => {
    await createFromForm(page, 'TCP server on a free port', 'gate');
    await row(page, 'gate').click();
    await page.getByRole('button', { name: 'Stop' }).click();
    await expect(row(page, 'gate')).toContainText('stop');
    const port = ((await control.snapshot({})).processes.find((p) => p.name === 'gate')!.local as number[])[4] as number;
    const waiting = net.connect(port, '127.0.0.1');
    waiting.on('error', () => undefined);
    try {
      await new Promise((r) => waiting.once('connect', r));
      await page.waitForTimeout(300);
      await expect(page.getByRole('cell', { name: `gate <127.0.0.1:${waiting.localPort}>`, exact: true })).toHaveCount(0);
      await page.getByRole('button', { name: 'Continue' }).click();
      await expect(row(page, `gate <127.0.0.1:${waiting.localPort}>`)).toContainText('open');
    } finally {
      waiting.destroy();
    }
  });

  test('deleting from the toolbar writes "Process NAME deleted" into the buffer, which stays with the departed row', async ({
    page,
    control,
    peer,
  }) => {
    const srv = (await control.makeNetworkProcess({ name: 'bye', server: true, service: true, buffer: '*bye*' }))!;
    const { socket } = await peer.connect((srv.local as number[])[4] as number);
    const name = `bye <127.0.0.1:${socket.localPort}>`;
    socket.write('last words');
    await row(page, name).click();
    await expect(bufferLog(page)).toHaveText('last words');
    const bufferName = `*bye* <127.0.0.1:${socket.localPort}>`;
    await page.getByRole('button', { name: 'Delete' }).click();
    // Its buffer outlives it, so its row stays, departed, until the buffer is killed.
    await expect(row(page, name)).toHaveClass(/departed/);
    await expect(row(page, name)).toContainText('closed');
    await expect(bufferLog(page)).toContainText(`last words Process ${name} deleted`);
    await expect.poll(async () => (await control.readBuffer({ name: bufferName })).data).toBe(`last words\nProcess ${name} deleted\n`);
  });
});
