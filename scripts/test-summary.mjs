#!/usr/bin/env node
// Prints the closing line CI reads, "N passed, N failed[, N skipped]", from the
// JSON reports the test runners wrote. A failing step that is not a test run
// (type check, lint) counts as one failure so the line never reads green.
import { existsSync, readFileSync } from 'node:fs';

const exitStatus = Number(process.argv[2] ?? '0');
let passed = 0;
let failed = 0;
let skipped = 0;
const seen = [];

function read(path) {
  if (!existsSync(path)) return null;
  try {
    return JSON.parse(readFileSync(path, 'utf8'));
  } catch {
    return null;
  }
}

const vitest = read('reports/vitest.json');
if (vitest) {
  passed += vitest.numPassedTests ?? 0;
  failed += vitest.numFailedTests ?? 0;
  skipped += (vitest.numPendingTests ?? 0) + (vitest.numTodoTests ?? 0);
  seen.push('vitest');
}
for (const name of ['reports/playwright.json']) {
  const pw = read(name);
  if (!pw?.stats) continue;
  passed += (pw.stats.expected ?? 0) + (pw.stats.flaky ?? 0);
  failed += pw.stats.unexpected ?? 0;
  skipped += pw.stats.skipped ?? 0;
  seen.push(name);
}
if (exitStatus !== 0 && failed === 0) {
  console.log(`a step outside the test runners failed (exit ${exitStatus}); reports read: ${seen.join(', ') || 'none'}`);
  failed = 1;
}
console.log(`${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ''}`);
process.exit(exitStatus);
