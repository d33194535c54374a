// @vitest-environment jsdom
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { act, cleanup, fireEvent, render, screen } from '@testing-library/react';
import { readFileSync } from 'node:fs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ipcHarness } from '../../main/bridge/test-clients.js';
import { onCleanup, waitFor } from '../../main/netproc/test-support.js';
import { createWorkspaceFiles } from '../../main/workspace-files.js';
import { parseWorkspace, serializeWorkspace, emptyWorkspace, type WorkspaceLayout } from '../../shared/workspace.js';
import { createMessageLibraryStore } from '../message-library.js';
import { loadSettings } from '../settings.js';
import { createWorkbenchStore } from '../store.js';
import { TooltipProvider } from './ui/Button.js';
import { workspaceName, WorkspaceMenu } from './WorkspaceMenu.js';

afterEach(cleanup);
beforeEach(() => localStorage.clear());

/** The desktop's workspace files over a real bridge, with dialogs that answer nothing (no dialog should be needed). */
async function desktop(recent: string[]) {
  const folder = mkdtempSync(join(tmpdir(), 'netproc-workspace-menu-'));
  onCleanup(() => rmSync(folder, { recursive: true, force: true }));
  const recentFile = join(folder, 'recent.json');
  writeFileSync(recentFile, JSON.stringify(recent.map((name) => join(folder, name))));
  const refuse = async (): Promise<never> => {
    throw new Error('no dialog expected');
  };
  const files = createWorkspaceFiles({ showOpenDialog: refuse, showSaveDialog: refuse }, () => null, recentFile);
  const harness = await ipcHarness({ workspaceFiles: files });
  return { folder, api: await harness.client() };
}

describe('the Workspace menu', () => {
  it('names a workspace after its file', () => {
    expect(workspaceName('lab.netproc.json')).toBe('lab');
    expect(workspaceName('/home/u/lab.json')).toBe('lab');
    expect(workspaceName('.json')).toBe('workspace');
  });

  it('on the desktop, opens the last workspace again at start, without starting it, and applies its layout', async () => {
    const { folder, api } = await desktop(['lab.netproc.json']);
    const layout: WorkspaceLayout = { columns: 33, showClosed: true };
    writeFileSync(join(folder, 'lab.netproc.json'), serializeWorkspace({ ...emptyWorkspace(), layout }));
    const echoes: string[] = [];
    const layouts: WorkspaceLayout[] = [];
    render(
      <WorkspaceMenu
        api={api}
        store={createWorkbenchStore()}
        library={createMessageLibraryStore()}
        onEcho={(t) => echoes.push(t)}
        onLayout={(l) => layouts.push(l)}
      />,
      {
        wrapper: TooltipProvider,
      },
    );
    await waitFor(() => screen.queryByRole('button', { name: 'Workspace: lab' }) !== null);
    expect(echoes).toEqual([`Opened ${join(folder, 'lab.netproc.json')}: 0 processes, not started`]);
    expect(layouts).toEqual([layout]);
    expect(loadSettings()).toMatchObject(layout);
  });

  it('on the desktop, a last workspace that is gone is mentioned, not opened', async () => {
    const { api } = await desktop(['gone.netproc.json']);
    const echoes: string[] = [];
    render(
      <WorkspaceMenu
        api={api}
        store={createWorkbenchStore()}
        library={createMessageLibraryStore()}
        onEcho={(t) => echoes.push(t)}
        onLayout={() => {}}
      />,
      {
        wrapper: TooltipProvider,
      },
    );
    await waitFor(() => echoes.length > 0);
    expect(echoes[0]).toMatch(/^Could not open the last workspace again: path: cannot read the file/);
    expect(screen.getByRole('button', { name: 'Workspace: untitled' })).toBeTruthy();
  });

  it('on the web host, opens nothing by itself and opens by upload', async () => {
    const harness = await ipcHarness();
    const api = await harness.client();
    render(
      <WorkspaceMenu
        api={api}
        store={createWorkbenchStore()}
        library={createMessageLibraryStore()}
        onEcho={() => {}}
        onLayout={() => {}}
      />,
      { wrapper: TooltipProvider },
    );
    const input = screen.getByLabelText<HTMLInputElement>('Workspace file');
    const file = new File([serializeWorkspace(emptyWorkspace())], 'up.netproc.json', { type: 'application/json' });
    await act(async () => {
      fireEvent.change(input, { target: { files: [file] } });
    });
    await waitFor(() => screen.queryByRole('button', { name: 'Workspace: up' }) !== null);
  });

  it('opening a workspace puts its messages in the library in place of what it held; Save writes the library as it is now', async () => {
    const { folder, api } = await desktop([]);
    const library = createMessageLibraryStore();
    library.getState().add({ name: 'before', kind: 'text', body: 'old' });
    const file = join(folder, 'lab.netproc.json');
    const saved = [
      { name: 'greeting', kind: 'text' as const, body: 'hi {{seq}}\\r\\n', repeat: { intervalMs: 10, count: null } },
      { name: 'raw', kind: 'hex' as const, body: 'de ad' },
    ];
    writeFileSync(file, serializeWorkspace({ ...emptyWorkspace(), messages: saved }));
    writeFileSync(join(folder, 'recent.json'), JSON.stringify([file]));
    const echoes: string[] = [];
    render(
      <WorkspaceMenu api={api} store={createWorkbenchStore()} library={library} onEcho={(t) => echoes.push(t)} onLayout={() => {}} />,
      {
        wrapper: TooltipProvider,
      },
    );
    const menu = async (item: string) => {
      const trigger = screen.getByRole('button', { name: /^Workspace: / });
      await act(async () => {
        fireEvent.pointerDown(trigger, { button: 0, ctrlKey: false, pointerType: 'mouse' });
      });
      await act(async () => {
        fireEvent.click(await screen.findByRole('menuitem', { name: item }));
      });
    };
    // At start the desktop opens its last workspace again, and the library the window kept stays: it is the newer.
    await waitFor(() => screen.queryByRole('button', { name: 'Workspace: lab' }) !== null);
    expect(
      library
        .getState()
        .library()
        .messages.map((m) => m.name),
    ).toEqual(['before']);

    // Opened by the user, its messages replace the library's.
    await menu('Recent');
    await act(async () => {
      fireEvent.click(await screen.findByRole('menuitem', { name: file }));
    });
    await waitFor(() => library.getState().messages.length === 2);
    expect(library.getState().library()).toEqual({ messages: saved });
    expect(echoes.at(-1)).toBe(`Opened ${file}: 0 processes, not started; 2 messages in the library`);

    // Save writes what the library holds now, not what the file held.
    library.getState().add({ name: 'added', kind: 'file', body: '/tmp/payload.bin' });
    await menu('Save');
    await waitFor(() => echoes.at(-1)?.startsWith('Saved') === true);
    const written = parseWorkspace(readFileSync(file, 'utf8'));
    expect(written.ok && written.workspace.messages.map((m) => m.name)).toEqual(['greeting', 'raw', 'added']);
    expect(echoes.at(-1)).toBe(`Saved ${file}: 0 processes, 3 messages`);
  });

  it('on the web host, an uploaded workspace with no messages leaves an empty library', async () => {
    const harness = await ipcHarness();
    const api = await harness.client();
    const library = createMessageLibraryStore();
    library.getState().add({ name: 'before', kind: 'text', body: 'old' });
    render(<WorkspaceMenu api={api} store={createWorkbenchStore()} library={library} onEcho={() => {}} onLayout={() => {}} />, {
      wrapper: TooltipProvider,
    });
    const file = new File([serializeWorkspace(emptyWorkspace())], 'empty.netproc.json', { type: 'application/json' });
    await act(async () => {
      fireEvent.change(screen.getByLabelText<HTMLInputElement>('Workspace file'), { target: { files: [file] } });
    });
    await waitFor(() => screen.queryByRole('button', { name: 'Workspace: empty' }) !== null);
    expect(library.getState().messages).toEqual([]);
  });
});
