// @vitest-environment jsdom
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { act, cleanup, fireEvent, render, screen } from '@testing-library/react';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ipcHarness } from '../../main/bridge/test-clients.js';
import { onCleanup, waitFor } from '../../main/netproc/test-support.js';
import { createWorkspaceFiles } from '../../main/workspace-files.js';
import { serializeWorkspace, emptyWorkspace, type WorkspaceLayout } from '../../shared/workspace.js';
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
    render(<WorkspaceMenu api={api} store={createWorkbenchStore()} onEcho={(t) => echoes.push(t)} onLayout={(l) => layouts.push(l)} />, {
      wrapper: TooltipProvider,
    });
    await waitFor(() => screen.queryByRole('button', { name: 'Workspace: lab' }) !== null);
    expect(echoes).toEqual([`Opened ${join(folder, 'lab.netproc.json')}: 0 processes, not started`]);
    expect(layouts).toEqual([layout]);
    expect(loadSettings()).toMatchObject(layout);
  });

  it('on the desktop, a last workspace that is gone is mentioned, not opened', async () => {
    const { api } = await desktop(['gone.netproc.json']);
    const echoes: string[] = [];
    render(<WorkspaceMenu api={api} store={createWorkbenchStore()} onEcho={(t) => echoes.push(t)} onLayout={() => {}} />, {
      wrapper: TooltipProvider,
    });
    await waitFor(() => echoes.length > 0);
    expect(echoes[0]).toMatch(/^Could not open the last workspace again: path: cannot read the file/);
    expect(screen.getByRole('button', { name: 'Workspace: untitled' })).toBeTruthy();
  });

  it('on the web host, opens nothing by itself and opens by upload', async () => {
    const harness = await ipcHarness();
    const api = await harness.client();
    render(<WorkspaceMenu api={api} store={createWorkbenchStore()} onEcho={() => {}} onLayout={() => {}} />, { wrapper: TooltipProvider });
    const input = screen.getByLabelText<HTMLInputElement>('Workspace file');
    const file = new File([serializeWorkspace(emptyWorkspace())], 'up.netproc.json', { type: 'application/json' });
    await act(async () => {
      fireEvent.change(input, { target: { files: [file] } });
    });
    await waitFor(() => screen.queryByRole('button', { name: 'Workspace: up' }) !== null);
  });
});
