/**
 * Emacs's process-name rule (spec §4.1): the requested name if free, else the
 * lowest free `NAME<N>` for N = 1, 2, ..., always built on the original string.
 */
export function uniqueProcessName(requested: string, isTaken: (name: string) => boolean): string {
  if (!isTaken(requested)) return requested;
  for (let suffix = 1; ; suffix++) {
    const candidate = `${requested}<${suffix}>`;
    if (!isTaken(candidate)) return candidate;
  }
}
