// Prints "N passed, N failed" from vitest's JSON report. A suite that failed to load counts
// as a failure; a missing report (the type check stopped the run) counts as one failure.
import { readFileSync } from 'node:fs';

const file = process.argv[2] ?? '.test-results/results.json';
try {
  const report = JSON.parse(readFileSync(file, 'utf8'));
  const passed = report.numPassedTests ?? 0;
  const brokenSuites = (report.testResults ?? []).filter(
    (suite) => suite.status === 'failed' && (suite.assertionResults ?? []).length === 0,
  ).length;
  const failed = (report.numFailedTests ?? 0) + brokenSuites;
  console.log(`${passed} passed, ${failed} failed`);
} catch {
  console.log('0 passed, 1 failed');
}
