import { execFile } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';

const script = fileURLToPath(new URL('./test-summary.mjs', import.meta.url));
const fixture = (name: string): string => fileURLToPath(new URL(`./test-summary-fixtures/${name}`, import.meta.url));

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

type Report = { fixture: string } | { text: string } | null;

/** Runs the summary in a folder whose reports/ holds the given files (null: absent), as .ci/run does. */
async function summary(
  vitest: Report,
  playwright: Report,
  npmTestStatus = 0,
): Promise<{ lines: string[]; closing: string; exitCode: number }> {
  const dir = mkdtempSync(join(tmpdir(), 'netproc-test-summary-'));
  dirs.push(dir);
  mkdirSync(join(dir, 'reports'));
  for (const [name, report] of [
    ['vitest.json', vitest],
    ['playwright.json', playwright],
  ] as const) {
    if (report && 'fixture' in report) copyFileSync(fixture(report.fixture), join(dir, 'reports', name));
    else if (report) writeFileSync(join(dir, 'reports', name), report.text);
  }
  return new Promise((resolve, reject) => {
    execFile(process.execPath, [script, String(npmTestStatus)], { cwd: dir, timeout: 20_000 }, (err, stdout) => {
      if (err && typeof err.code !== 'number') return reject(err);
      const lines = stdout.trimEnd().split('\n');
      resolve({ lines, closing: lines[lines.length - 1] ?? '', exitCode: err ? (err.code as number) : 0 });
    });
  });
}

const vitestGood = { fixture: 'vitest-good.json' };
const playwrightGood = { fixture: 'playwright-good.json' };

describe('scripts/test-summary.mjs', () => {
  it('adds up good reports: passed includes flaky, skipped includes pending, and exits 0', async () => {
    const result = await summary(vitestGood, playwrightGood);
    expect(result.lines).toEqual(['9 passed, 0 failed, 2 skipped']);
    expect(result.exitCode).toBe(0);
  });

  it('counts a missing report as one failure, names it, and exits non-zero', async () => {
    const result = await summary(null, playwrightGood);
    expect(result.lines).toContain(
      'vitest: reports/vitest.json is missing: the runner did not run or did not finish; counted as 1 failure',
    );
    expect(result.closing).toBe('6 passed, 1 failed, 1 skipped');
    expect(result.exitCode).toBe(1);
  });

  it('says that Playwright did not run when npm test stopped before it', async () => {
    const result = await summary(vitestGood, null, 1);
    expect(result.lines).toEqual([
      'Playwright: reports/playwright.json is missing: the runner did not run or did not finish; counted as 1 failure',
      'npm test exited with status 1',
      '3 passed, 1 failed, 1 skipped',
    ]);
    expect(result.exitCode).toBe(1);
  });

  it('counts a corrupt or truncated report as one failure', async () => {
    const corrupt = await summary(vitestGood, { text: '{"stats": {"expected": 5, ' });
    expect(corrupt.lines[0]).toMatch(/^Playwright: reports\/playwright\.json is not valid JSON \(.+\); counted as 1 failure$/);
    expect(corrupt.closing).toBe('3 passed, 1 failed, 1 skipped');
    expect(corrupt.exitCode).toBe(1);
    const wrongShape = await summary({ text: '{"numPassedTests": 7}' }, playwrightGood);
    expect(wrongShape.lines[0]).toBe('vitest: reports/vitest.json lacks the test counts or the file list; counted as 1 failure');
    expect(wrongShape.closing).toBe('6 passed, 1 failed, 1 skipped');
  });

  it('counts a test file that failed to load, beside the failing test', async () => {
    const result = await summary({ fixture: 'vitest-load-failure.json' }, playwrightGood);
    expect(result.lines).toEqual([
      'vitest: /repo/app/b.test.ts failed outside any test (did not load?): cannot load',
      '7 passed, 2 failed, 2 skipped',
    ]);
    expect(result.exitCode).toBe(1);
  });

  it('counts a failed test inside describe blocks once, though vitest also counts each enclosing describe as a failed suite', async () => {
    const report = {
      numFailedTestSuites: 3,
      numPassedTests: 2,
      numFailedTests: 1,
      numPendingTests: 0,
      testResults: [
        {
          name: '/repo/app/fuzz.test.ts',
          status: 'failed',
          message: '',
          assertionResults: [
            { fullName: 'outer inner passes', status: 'passed' },
            { fullName: 'outer inner passes too', status: 'passed' },
            { fullName: 'outer inner fails', status: 'failed' },
          ],
        },
      ],
    };
    const result = await summary({ text: JSON.stringify(report) }, playwrightGood);
    expect(result.lines).toEqual(['8 passed, 1 failed, 1 skipped']);
    expect(result.exitCode).toBe(1);
  });

  it("counts each of Playwright's top-level errors (a spec that did not load runs no test at all)", async () => {
    const result = await summary(vitestGood, { fixture: 'playwright-errors.json' });
    expect(result.lines).toEqual([
      'Playwright: error outside any test (/repo/e2e/flows/broken.spec.ts:2): Error: spec cannot load',
      '3 passed, 1 failed, 1 skipped',
    ]);
    expect(result.exitCode).toBe(1);
  });

  it('counts a report that shows no test at all as one failure', async () => {
    const empty = JSON.stringify({ errors: [], stats: { expected: 0, unexpected: 0, flaky: 0, skipped: 0 } });
    const result = await summary(vitestGood, { text: empty });
    expect(result.lines[0]).toBe('Playwright: reports/playwright.json shows no test run at all; counted as 1 failure');
    expect(result.closing).toBe('3 passed, 1 failed, 1 skipped');
  });

  it('a failing step outside the runners is one failure, and its exit status is kept', async () => {
    const result = await summary(vitestGood, playwrightGood, 2);
    expect(result.lines).toEqual([
      'npm test exited with status 2',
      'a step outside the test runners failed; counted as 1 failure',
      '9 passed, 1 failed, 2 skipped',
    ]);
    expect(result.exitCode).toBe(2);
  });
});
