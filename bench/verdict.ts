/**
 * A benchmark's verdict follows from its figure and nothing else: a target
 * states its bound once, prints it, and judges the figure against it.
 */

export interface Target {
  /** As printed in the target column, e.g. ">= 0.60". */
  text: string;
  /** Whether the figure meets the target; a figure that is not a finite number never does. */
  met(figure: number): boolean;
}

function finite(figure: number): boolean {
  return Number.isFinite(figure);
}

export function atLeast(bound: number, digits = 2, unit = ''): Target {
  return { text: `>= ${bound.toFixed(digits)}${unit}`, met: (figure) => finite(figure) && figure >= bound };
}

export function atMost(bound: number, digits = 2, unit = ''): Target {
  return { text: `<= ${bound.toFixed(digits)}${unit}`, met: (figure) => finite(figure) && figure <= bound };
}

export function below(bound: number, digits = 2, unit = ''): Target {
  return { text: `< ${bound.toFixed(digits)}${unit}`, met: (figure) => finite(figure) && figure < bound };
}

/** The figure must equal `expected` exactly (e.g. every connection served). */
export function exactly(expected: number, text = String(expected)): Target {
  return { text, met: (figure) => figure === expected };
}

/** A figure shown for reading, with no target: it prints "info" and can never miss. */
export const INFO: Target = { text: 'info', met: () => true };

/** The word printed after a figure: "ok", "MISSED", or "-" for a figure without a target. */
export function verdict(figure: number, target: Target): 'ok' | 'MISSED' | '-' {
  if (target === INFO) return '-';
  return target.met(figure) ? 'ok' : 'MISSED';
}
