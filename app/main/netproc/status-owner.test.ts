/**
 * Design rule (Emacs's pset_status then status_notify): one function,
 * Netproc.changeStatus, assigns a process's status; nothing else does.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

describe('who may change a status', () => {
  it('only changeStatus assigns process.status in the engine', () => {
    const here = dirname(fileURLToPath(import.meta.url));
    const assignments: string[] = [];
    for (const file of readdirSync(here).filter((f) => f.endsWith('.ts') && !f.endsWith('.test.ts'))) {
      readFileSync(join(here, file), 'utf8')
        .split('\n')
        .forEach((line, i) => {
          if (/\.status\s*=[^=]/.test(line)) assignments.push(`${file}:${i + 1}: ${line.trim()}`);
        });
    }
    expect(assignments).toEqual([expect.stringMatching(/^netproc\.ts:\d+: process\.status = status;$/)]);
  });
});
