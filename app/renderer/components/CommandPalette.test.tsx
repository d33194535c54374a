// @vitest-environment jsdom
import { cleanup, fireEvent, render, screen } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import { ipcHarness } from '../../main/bridge/test-clients.js';
import { freePort } from '../../main/netproc/test-support.js';
import { createWorkbenchStore } from '../store.js';
import { CommandPalette } from './CommandPalette.js';

afterEach(cleanup);

describe('CommandPalette', () => {
  it('shows a refused request as its message and, below it, the signal as the echo area prints it', async () => {
    const { client } = await ipcHarness();
    const api = await client();
    const port = await freePort();
    render(
      <CommandPalette
        api={api}
        store={createWorkbenchStore()}
        onClose={() => undefined}
        onOpenForm={() => undefined}
        onFocusList={() => undefined}
      />,
    );
    const input = screen.getByRole('combobox', { name: 'Command' });
    fireEvent.change(input, { target: { value: `(make-network-process :name "c" :host "127.0.0.1" :service ${port})` } });
    fireEvent.keyDown(input, { key: 'Enter' });
    expect((await screen.findByRole('alert')).textContent).toBe('make client process failed: Connection refused');
    const signal = screen.getByLabelText('Lisp signal').textContent ?? '';
    expect(signal).toMatch(/^\(file-error "make client process failed" "Connection refused" :name "c" /);
    expect(signal).toContain(`:service ${port}`);
  });

  it('shows no signal for a mistake the palette itself catches', () => {
    render(
      <CommandPalette
        api={{} as never}
        store={createWorkbenchStore()}
        onClose={() => undefined}
        onOpenForm={() => undefined}
        onFocusList={() => undefined}
      />,
    );
    const input = screen.getByRole('combobox', { name: 'Command' });
    fireEvent.change(input, { target: { value: 'shell-command' } });
    fireEvent.keyDown(input, { key: 'Enter' });
    expect(screen.getByRole('alert').textContent).toBe('Unknown command shell-command');
    expect(screen.queryByLabelText('Lisp signal')).toBeNull();
  });
});
