import { describe, expect, it } from 'vitest';
import { runQuick } from './run-quick.js';
import { rssSlopeMiBPerMinute, SOAK_BOUNDS, soakVerdict, type SoakOutcome } from './soak-report.js';

const MiB = 1024 * 1024;
const steady = (rssMiB: number[], fds = 40): SoakOutcome['steady'] => rssMiB.map((r, i) => ({ t: i * 10, rss: r * MiB, fds }));
const good: SoakOutcome = {
  clients: [
    { sent: 1000, received: 1000, inOrder: true },
    { sent: 2000, received: 2000, inOrder: true },
  ],
  steady: steady([80, 81, 80, 82]),
  fdsBefore: 30,
  fdsAfter: 30,
};

describe('the soak verdict', () => {
  it('is ok when every byte came back in order and memory and descriptors stayed within bounds', () => {
    expect(soakVerdict(good)).toEqual({ ok: true, reasons: [] });
  });

  it('is MISSED when a client lost a byte, got them out of order, or sent nothing', () => {
    const lost = soakVerdict({ ...good, clients: [good.clients[0]!, { sent: 2000, received: 1999, inOrder: false }] });
    expect(lost).toEqual({ ok: false, reasons: ['1 of 2 clients did not get back every byte in order'] });
    expect(soakVerdict({ ...good, clients: [{ sent: 1000, received: 1000, inOrder: false }] }).ok).toBe(false);
    expect(soakVerdict({ ...good, clients: [{ sent: 0, received: 0, inOrder: true }] }).ok).toBe(false);
    expect(soakVerdict({ ...good, clients: [] }).reasons).toEqual(['no client ran']);
  });

  it('is MISSED when memory or descriptors grew past the bounds, or descriptors stayed open', () => {
    expect(soakVerdict({ ...good, steady: steady([80, 90, 100, 80 + SOAK_BOUNDS.rssGrowthMiB + 1]) }).reasons).toEqual([
      `RSS grew ${(SOAK_BOUNDS.rssGrowthMiB + 1).toFixed(1)} MiB after the warm-up (bound ${SOAK_BOUNDS.rssGrowthMiB})`,
    ]);
    const fds = [40, 41, 40 + SOAK_BOUNDS.fdGrowth + 1].map((f, i) => ({ t: i, rss: 80 * MiB, fds: f }));
    expect(soakVerdict({ ...good, steady: fds }).ok).toBe(false);
    expect(soakVerdict({ ...good, fdsAfter: 31 }).reasons).toEqual(['1 descriptors left open after the clients left']);
    expect(soakVerdict({ ...good, steady: steady([80]) }).ok).toBe(false);
  });

  it('gives the RSS trend in MiB per minute', () => {
    // 1 MiB more every 10 s is 6 MiB a minute.
    expect(rssSlopeMiBPerMinute(steady([80, 81, 82, 83]))).toBeCloseTo(6, 10);
    expect(rssSlopeMiBPerMinute(steady([80]))).toBeNaN();
  });
});

// The figures are read by people; this runs the soak at its smoke size and checks that it says what it found.
describe('bench:soak (smoke size)', () => {
  it('echoes through the engine, samples every second and accounts for every byte and descriptor', async () => {
    const output = await runQuick('./soak.ts', 60_000, ['--clients', '3', '--seconds', '2']);
    const samples = output.split('\n').filter((line) => /^ +\d+ s +RSS/.test(line));
    expect(samples).toHaveLength(3);
    expect(output).toMatch(/trend after the \d+\.\d s warm-up: RSS -?\d+\.\d\d MiB\/min \(.*\), fds \d+ → \d+/);
    expect(output).toMatch(/echoed: [1-9]\d* B sent, \d+ B back; 3 of 3 clients got every byte back in order/);
    const fds = /descriptors: (\d+) before the clients came, (\d+) after they left\n/.exec(output);
    expect(fds?.[2]).toBe(fds?.[1]);
    expect(output).toMatch(/^soak verdict: (ok|MISSED) \(bounds: /m);
  }, 90_000);
});
