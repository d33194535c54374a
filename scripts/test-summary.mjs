#!/usr/bin/env node
// Prints the closing line CI reads, "N passed, N failed[, N skipped]", from the
// JSON reports the test runners wrote, and exits non-zero when anything failed.
//
// The line must never read green when something did not really pass, so each
// of these counts as one failure, with a line above saying which:
// - a report that is missing (the runner never ran, e.g. an earlier step failed)
//   or unreadable, or that shows no test at all;
// - a vitest test file that failed without a failing test (it did not load);
// - each of Playwright's top-level errors (a spec that did not load, a failed
//   global setup: Playwright then runs no test and its stats read all zero);
// - a failing step outside the test runners (type check, lint, build), when
//   nothing else explains the non-zero exit status.
//
// Usage: node scripts/test-summary.mjs [EXIT_STATUS_OF_NPM_TEST]  (reads ./reports)
import { readFileSync } from 'node:fs';

const REPORTS = [
  { path: 'reports/vitest.json', runner: 'vitest', count: countVitest },
  { path: 'reports/playwright.json', runner: 'Playwright', count: countPlaywright },
];

/** Cuts a runner's message to its first line, short enough for a CI log. */
function firstLine(text) {
  const line =
    String(text ?? '')
      .split('\n')
      .find((l) => l.trim() !== '') ?? '';
  return line.length > 200 ? `${line.slice(0, 200)}…` : line;
}

/** The report's JSON, or a sentence saying why there is none. */
function read(path) {
  let text;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    return { problem: err.code === 'ENOENT' ? 'is missing: the runner did not run or did not finish' : `cannot be read (${err.code})` };
  }
  try {
    return { report: JSON.parse(text) };
  } catch (err) {
    return { problem: `is not valid JSON (${err.message})` };
  }
}

const isCount = (n) => Number.isInteger(n) && n >= 0;

/** Vitest's JSON report (Jest's shape). */
function countVitest(report) {
  const counts = [report.numPassedTests, report.numFailedTests, report.numPendingTests];
  if (!counts.every(isCount) || !Array.isArray(report.testResults)) return { problem: 'lacks the test counts or the file list' };
  const notes = [];
  let failed = report.numFailedTests;
  for (const file of report.testResults) {
    const failedInside = (file.assertionResults ?? []).some((a) => a.status === 'failed');
    if (file.status === 'failed' && !failedInside) {
      failed++;
      notes.push(`vitest: ${file.name} failed outside any test (did not load?): ${firstLine(file.message) || 'no message'}`);
    }
  }
  // numFailedTestSuites is not read: vitest counts every failed describe block as a suite, so it exceeds the
  // failed files whenever a test inside a describe fails; a file that did not load is in testResults (above).
  return {
    passed: report.numPassedTests,
    failed,
    skipped: report.numPendingTests + (isCount(report.numTodoTests) ? report.numTodoTests : 0),
    notes,
  };
}

/** Playwright's JSON reporter. */
function countPlaywright(report) {
  const stats = report.stats;
  if (!stats || ![stats.expected, stats.unexpected, stats.flaky, stats.skipped].every(isCount)) return { problem: 'lacks its stats' };
  const errors = Array.isArray(report.errors) ? report.errors : [];
  const notes = errors.map((e) => {
    const where = e.location?.file ? ` (${e.location.file}:${e.location.line})` : '';
    return `Playwright: error outside any test${where}: ${firstLine(e.message ?? e.value)}`;
  });
  return { passed: stats.expected + stats.flaky, failed: stats.unexpected + errors.length, skipped: stats.skipped, notes };
}

function summarize(exitStatus) {
  const lines = [];
  let passed = 0;
  let failed = 0;
  let skipped = 0;
  for (const { path, runner, count } of REPORTS) {
    const { report, problem: unreadable } = read(path);
    const result = unreadable ? { problem: unreadable } : count(report);
    if (result.problem) {
      lines.push(`${runner}: ${path} ${result.problem}; counted as 1 failure`);
      failed++;
      continue;
    }
    lines.push(...result.notes);
    if (result.passed + result.failed + result.skipped === 0) {
      lines.push(`${runner}: ${path} shows no test run at all; counted as 1 failure`);
      failed++;
      continue;
    }
    passed += result.passed;
    failed += result.failed;
    skipped += result.skipped;
  }
  if (exitStatus !== 0) {
    lines.push(`npm test exited with status ${exitStatus}`);
    if (failed === 0) {
      lines.push('a step outside the test runners failed; counted as 1 failure');
      failed = 1;
    }
  }
  lines.push(`${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ''}`);
  return { lines, exitCode: exitStatus !== 0 ? exitStatus : failed > 0 ? 1 : 0 };
}

const argument = process.argv[2] ?? '0';
const exitStatus = /^\d+$/.test(argument) ? Number(argument) : 1;
const { lines, exitCode } = summarize(exitStatus);
for (const line of lines) console.log(line);
process.exit(exitCode);
