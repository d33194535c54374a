import { expect, test } from '../fixtures.js';

test.describe('the desktop app', () => {
  test('starts, and its page sees window.netproc and nothing of Node', async ({ page }) => {
    await expect(page.getByRole('table', { name: 'Processes' })).toBeVisible();
    const surface = await page.evaluate(() => ({
      netproc: Object.keys((window as unknown as { netproc: object }).netproc).sort(),
      require: typeof (window as unknown as { require?: unknown }).require,
      process: typeof (window as unknown as { process?: unknown }).process,
      ipcRenderer: typeof (window as unknown as { ipcRenderer?: unknown }).ipcRenderer,
    }));
    expect(surface.require).toBe('undefined');
    expect(surface.process).toBe('undefined');
    expect(surface.ipcRenderer).toBe('undefined');
    expect(surface.netproc).toContain('makeNetworkProcess');
    expect(surface.netproc).toContain('onEvents');
  });

  test('the page comes from app://netproc, may write the clipboard, and may open no connection', async ({ page, electronApp }) => {
    await expect(page.getByRole('table', { name: 'Processes' })).toBeVisible();
    expect(page.url()).toBe('app://netproc/index.html');
    await page.evaluate(() => navigator.clipboard.writeText('copied by netproc'));
    expect(await electronApp!.evaluate(({ clipboard }) => clipboard.readText())).toBe('copied by netproc');
    // connect-src 'none': even our own origin cannot be fetched, so no page script can reach a socket.
    const fetched = await page.evaluate(() =>
      fetch('app://netproc/index.html').then(
        () => 'fetched',
        () => 'blocked',
      ),
    );
    expect(fetched).toBe('blocked');
    const cameraState = await page.evaluate(async () => (await navigator.permissions.query({ name: 'camera' as PermissionName })).state);
    expect(cameraState).toBe('denied');
  });

  // The UI flows in e2e/flows (a server and a client made from the form exchanging data, and the
  // rest) run in this project too, against this window.

  test('quitting with live processes asks first', async ({ control, electronApp }) => {
    await control.makeNetworkProcess({ name: 'live', server: true, service: true });
    const asked = await electronApp!.evaluate(async ({ app, dialog }) => {
      const questions: string[] = [];
      dialog.showMessageBox = (async (_w: unknown, options: { message: string }) => {
        questions.push(options.message);
        return { response: 0, checkboxChecked: false };
      }) as typeof dialog.showMessageBox;
      app.quit();
      await new Promise((r) => setTimeout(r, 200));
      return questions;
    });
    expect(asked).toEqual(['Active processes exist; kill them and exit anyway?']);
  });
});
