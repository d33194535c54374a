// @vitest-environment jsdom
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cleanup, fireEvent, render, screen } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import { ipcHarness } from '../../main/bridge/test-clients.js';
import { onCleanup, waitFor } from '../../main/netproc/test-support.js';
import { exportErrorText, ExportDialog } from './ExportDialog.js';
import { TooltipProvider } from './ui/Button.js';

afterEach(cleanup);

/** A listening server with a buffer over a real bridge, and a folder to export into. */
async function setup() {
  const folder = mkdtempSync(join(tmpdir(), 'netproc-export-dialog-'));
  onCleanup(() => rmSync(folder, { recursive: true, force: true }));
  const api = await (await ipcHarness()).client();
  const server = (await api.makeNetworkProcess({ name: 'exp', server: true, host: '127.0.0.1', service: 0, buffer: '*exp*' }))!;
  render(<ExportDialog api={api} processId={server.id} processName="exp" buffer="*exp*" onClose={() => {}} returnFocus={() => {}} />, {
    wrapper: TooltipProvider,
  });
  return { folder };
}

describe('Export… errors', () => {
  it('keep their field and reason, naming the form’s labels instead of the contract’s keys', () => {
    expect(exportErrorText('path', 'path: a file already exists there (overwrite: true replaces it)')).toBe(
      'File path: a file already exists there (tick “Replace the file if it exists” to replace it)',
    );
    expect(exportErrorText('end', 'end: must not be before start')).toBe('To byte: must not be before “From byte”');
    expect(exportErrorText('start', 'start: pcapng writes the whole conversation: a byte range is for text and hex')).toBe(
      'From byte: pcapng writes the whole conversation: a byte range is for text and hex',
    );
    // A field the form has no control for is left as the engine said it.
    expect(exportErrorText('id', 'id: no such process')).toBe('id: no such process');
    expect(exportErrorText(null, 'disk full')).toBe('disk full');
  });

  it('a file already at the path: the error under File path names the Replace checkbox', async () => {
    const { folder } = await setup();
    const path = join(folder, 'taken.pcapng');
    writeFileSync(path, 'keep me');
    fireEvent.change(screen.getByLabelText('File path'), { target: { value: path } });
    fireEvent.click(screen.getByRole('button', { name: 'Export' }));
    const alert = await waitFor(() => screen.queryByRole('alert'));
    expect(alert.textContent).toBe('File path: a file already exists there (tick “Replace the file if it exists” to replace it)');
    expect(screen.getByLabelText('File path').getAttribute('aria-invalid')).toBe('true');
    expect(readFileSync(path, 'utf8')).toBe('keep me');
  });

  it('a range that ends before it starts: the error under To byte names From byte', async () => {
    const { folder } = await setup();
    fireEvent.change(screen.getByLabelText('Format'), { target: { value: 'text' } });
    fireEvent.change(screen.getByLabelText('File path'), { target: { value: join(folder, 'exp.txt') } });
    fireEvent.change(screen.getByLabelText('From byte'), { target: { value: '9' } });
    fireEvent.change(screen.getByLabelText('To byte'), { target: { value: '3' } });
    fireEvent.click(screen.getByRole('button', { name: 'Export' }));
    const alert = await waitFor(() => screen.queryByRole('alert'));
    expect(alert.textContent).toBe('To byte: must not be before “From byte”');
    expect(screen.getByLabelText('To byte').getAttribute('aria-invalid')).toBe('true');
  });

  it('says what it wrote, counted in words', async () => {
    const { folder } = await setup();
    const path = join(folder, 'empty.txt');
    fireEvent.change(screen.getByLabelText('Format'), { target: { value: 'text' } });
    fireEvent.change(screen.getByLabelText('File path'), { target: { value: path } });
    fireEvent.click(screen.getByRole('button', { name: 'Export' }));
    const status = await waitFor(() => screen.queryByRole('status') ?? screen.queryByRole('alert'));
    // The server's buffer is empty: nothing but the count, in words.
    expect(status.textContent).toBe(`Wrote 0 bytes to ${path}`);
    expect(readFileSync(path, 'utf8')).toBe('');
  });
});
