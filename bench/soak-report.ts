/** The figures and the verdict of bench/soak.ts, kept apart so that they can be tested without a soak. */

export interface SoakSample {
  /** Seconds since the clients started sending. */
  t: number;
  rss: number;
  fds: number;
}

/** Least-squares slope of RSS in MiB per minute; NaN with fewer than two samples. */
export function rssSlopeMiBPerMinute(samples: SoakSample[]): number {
  const n = samples.length;
  if (n < 2) return NaN;
  const meanT = samples.reduce((sum, s) => sum + s.t, 0) / n;
  const meanRss = samples.reduce((sum, s) => sum + s.rss, 0) / n;
  let covariance = 0;
  let variance = 0;
  for (const s of samples) {
    covariance += (s.t - meanT) * (s.rss - meanRss);
    variance += (s.t - meanT) ** 2;
  }
  return variance === 0 ? NaN : (covariance / variance / (1024 * 1024)) * 60;
}

/** The bounds the verdict states; growth is measured after the warm-up, when every buffer has had time to reach its cap. */
export const SOAK_BOUNDS = {
  rssGrowthMiB: 32,
  fdGrowth: 2,
};

export interface SoakOutcome {
  /** Per client: bytes sent, bytes echoed back, and whether the echo was the same stream in the same order. */
  clients: Array<{ sent: number; received: number; inOrder: boolean }>;
  /** Samples after the warm-up, while every client was connected. */
  steady: SoakSample[];
  /** Descriptors before the clients connected, and after they all left. */
  fdsBefore: number;
  fdsAfter: number;
}

export function soakVerdict(outcome: SoakOutcome): { ok: boolean; reasons: string[] } {
  const reasons: string[] = [];
  const lost = outcome.clients.filter((c) => c.sent === 0 || c.received !== c.sent || !c.inOrder);
  if (outcome.clients.length === 0) reasons.push('no client ran');
  else if (lost.length) reasons.push(`${lost.length} of ${outcome.clients.length} clients did not get back every byte in order`);
  const first = outcome.steady[0];
  const last = outcome.steady[outcome.steady.length - 1];
  if (!first || !last || outcome.steady.length < 2) reasons.push('fewer than two samples after the warm-up');
  else {
    const growth = (last.rss - first.rss) / (1024 * 1024);
    if (!(growth <= SOAK_BOUNDS.rssGrowthMiB))
      reasons.push(`RSS grew ${growth.toFixed(1)} MiB after the warm-up (bound ${SOAK_BOUNDS.rssGrowthMiB})`);
    if (!(last.fds - first.fds <= SOAK_BOUNDS.fdGrowth))
      reasons.push(`descriptors grew ${first.fds} → ${last.fds} (bound +${SOAK_BOUNDS.fdGrowth})`);
  }
  if (!(outcome.fdsAfter <= outcome.fdsBefore))
    reasons.push(`${outcome.fdsAfter - outcome.fdsBefore} descriptors left open after the clients left`);
  return { ok: reasons.length === 0, reasons };
}
