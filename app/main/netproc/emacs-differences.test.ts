/**
 * Behaviour where the engine differed from the recorded Emacs 28.2 facts
 * (issue 10, "Emacs differences to close"). Each test names the spec's fact.
 */
import { describe, expect, it } from 'vitest';
import { engine, plainServer, waitFor } from './test-support.js';

describe('Emacs 28.2 differences, closed', () => {
  it('delete-process on a connection already gone after its peer closed makes exit status 0, with no event [spec §9, O-01 A, O-07 A]', async () => {
    const np = engine();
    const peer = await plainServer((s) => s.end());
    const events: string[] = [];
    const c = (await np.makeNetworkProcess({
      name: 'gone',
      host: '127.0.0.1',
      service: peer.port,
      sentinel: (_p, event) => events.push(event),
    }))!;
    await waitFor(() => np.processStatus(c) === 'closed');
    expect(np.processList()).not.toContain(c);
    expect(np.processExitStatus(c)).toBe(256);
    expect(np.deleteProcess(c)).toBeNull();
    expect(np.processExitStatus(c)).toBe(0);
    expect(np.processStatus(c)).toBe('closed');
    expect(events).toEqual(['connection broken by remote peer\n']);
  });
});
