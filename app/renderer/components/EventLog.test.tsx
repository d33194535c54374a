// @vitest-environment jsdom
import { act, cleanup, fireEvent, render, screen, within } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import type { LogLine } from '../../shared/api.js';
import { createWorkbenchStore } from '../store.js';
import { bufferInfo, processInfo } from '../test-fixtures.js';
import { EventLog } from './EventLog.js';

afterEach(cleanup);

const line = (text: string, extra: Partial<LogLine> = {}): LogLine => ({
  time: 0,
  kind: 'sentinel',
  processId: null,
  processName: null,
  buffer: null,
  text,
  ...extra,
});

describe('the event log', () => {
  it('is a log whose lines lead to their process, else to their buffer; lines with neither are plain text', () => {
    const store = createWorkbenchStore();
    store.getState().loadSnapshot({
      seq: 1,
      processes: [processInfo(1, 'srv')],
      buffers: [bufferInfo('*srv*'), bufferInfo('*gone*')],
      departed: [],
      log: [
        line('open from 127.0.0.1\n', { processId: 1, processName: 'srv', buffer: '*srv*' }),
        line('deleted\n', { processId: 7, processName: 'gone', buffer: '*gone*' }),
        line('connection broken by remote peer\n', { processId: 8, processName: 'lost', buffer: null }),
        line('Killed buffer *old*', { kind: 'message' }),
      ],
    });
    render(<EventLog store={store} />);
    const log = screen.getByRole('log', { name: 'Event log' });
    const links = within(log).getAllByRole('link');
    expect(links).toHaveLength(2);
    expect(links[0]!.textContent).toMatch(/ srv open from 127\.0\.0\.1$/);
    expect(links[1]!.textContent).toMatch(/ gone deleted$/);
    // One tab stop: the newest linked line.
    expect(links.map((l) => l.getAttribute('tabindex'))).toEqual(['-1', '0']);
    expect(log.textContent).toContain('lost connection broken by remote peer');

    fireEvent.click(links[0]!);
    expect(store.getState().selectedId).toBe(1);
    // The process is gone and unknown here: the line opens its buffer instead.
    fireEvent.click(links[1]!);
    expect(store.getState()).toMatchObject({ selectedId: null, viewedBuffer: '*gone*' });

    // Up and Down move between linked lines.
    links[1]!.focus();
    fireEvent.keyDown(links[1]!, { key: 'ArrowUp' });
    expect(document.activeElement).toBe(links[0]);

    // Once the buffer is killed too, the line leads nowhere and is no longer a link.
    act(() => void store.getState().applyBatch({ seq: 2, events: [{ type: 'buffer-killed', name: '*gone*' }] }));
    expect(within(log).getAllByRole('link')).toHaveLength(1);
  });
});
