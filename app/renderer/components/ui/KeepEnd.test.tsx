// @vitest-environment jsdom
import { cleanup, render } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import { KeepEnd, keptEnd } from './KeepEnd.js';

afterEach(cleanup);

describe('KeepEnd', () => {
  it('keeps the part that tells accepted connections, addresses and uniquified names apart', () => {
    expect(keptEnd('server <127.0.0.1:43544>')).toBe(':43544>');
    expect(keptEnd('*server* <127.0.0.1:43544>')).toBe(':43544>');
    expect(keptEnd('127.0.0.1:47414')).toBe(':47414');
    expect(keptEnd('echo <::1:5555><1>')).toBe(':5555><1>');
    expect(keptEnd('client<2>')).toBe('<2>');
    expect(keptEnd('plain')).toBe('');
    expect(keptEnd(':80')).toBe('');
  });

  it('renders the whole text, in two parts only when it has such an end', () => {
    const { container } = render(
      <p>
        <KeepEnd text="srv <127.0.0.1:43544>" />|<KeepEnd text="plain" />
      </p>,
    );
    expect(container.textContent).toBe('srv <127.0.0.1:43544>|plain');
    expect(container.querySelector('.keep-end-tail')?.textContent).toBe(':43544>');
    expect(container.querySelectorAll('.keep-end')).toHaveLength(1);
  });
});
