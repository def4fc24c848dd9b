#!/usr/bin/env node
// `npm test`: typecheck, unit + component + contract tests (vitest), then the Playwright journeys in
// headless Chromium. Ends with one plain line `tests: N passed, N failed, N skipped` over both runners.
// The PostgreSQL suites run against $REWIND_TEST_DATABASE_URL, else against one throwaway server
// started here for the whole run (scripts/postgres-test-server.mjs); a line says whether they ran.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { ensureChromium } from './ensure-chromium.mjs';
import { postgresTestAvailability, startThrowawayPostgres } from './postgres-test-server.mjs';
import { playwrightFailures, vitestFailures, vitestUnhandledErrors } from './test-failures.mjs';
import { VITEST_ERRORS_FILE } from './vitest-errors-reporter.mjs';

const REPORTS = 'reports';
rmSync(REPORTS, { recursive: true, force: true });
mkdirSync(REPORTS, { recursive: true });

/** Runs a step; its exit code or signal is kept so that a failure nothing else names still says how it ended. */
const exits = {};
function run(label, command, args, env = {}) {
  console.log(`\n▶ ${label}: ${command} ${args.join(' ')}`);
  const result = spawnSync(command, args, { stdio: 'inherit', env: { ...process.env, ...env } });
  exits[label] = result.signal ? `was killed by ${result.signal}` : `exited with code ${result.status}`;
  return result.status === 0;
}

const readJson = (file) => (existsSync(file) ? JSON.parse(readFileSync(file, 'utf8')) : null);
let passed = 0;
let failed = 0;
let skipped = 0;
const problems = [];

if (!run('typecheck', 'npx', ['tsc', '--noEmit', '-p', 'tsconfig.json'])) problems.push('typecheck failed');

const postgres = postgresTestAvailability();
let postgresServer = null;
const postgresEnv = {};
if (postgres.mode === 'url') {
  console.log('\n▶ PostgreSQL suites: against REWIND_TEST_DATABASE_URL');
} else if (postgres.mode === 'throwaway') {
  try {
    postgresServer = await startThrowawayPostgres(postgres.bin);
    postgresEnv.REWIND_TEST_DATABASE_URL = postgresServer.url;
    console.log(`\n▶ PostgreSQL suites: a throwaway server from ${postgres.bin} at ${postgresServer.url}`);
  } catch (error) {
    problems.push(`the throwaway PostgreSQL did not start: ${error.message}`);
  }
} else {
  console.log(`\n▶ PostgreSQL suites: SKIPPED: ${postgres.reason}`);
}

const UNIT = 'unit, component and contract tests';
let unitOk;
try {
  unitOk = run(UNIT, 'npx', [
    'vitest', 'run', '--reporter=default', '--reporter=json', `--outputFile.json=${REPORTS}/vitest.json`,
    '--reporter=./scripts/vitest-errors-reporter.mjs',
  ], postgresEnv);
} finally {
  await postgresServer?.stop();
}
const unit = readJson(`${REPORTS}/vitest.json`);
const postgresTests = { passed: 0, failed: 0, skipped: 0 };
for (const file of unit?.testResults ?? []) {
  for (const test of file.assertionResults ?? []) {
    if (!/postgres/i.test([...(test.ancestorTitles ?? []), test.title].join(' '))) continue;
    if (test.status === 'passed') postgresTests.passed += 1;
    else if (test.status === 'failed') postgresTests.failed += 1;
    else postgresTests.skipped += 1;
  }
}
if (unit) {
  passed += unit.numPassedTests;
  failed += unit.numFailedTests;
  skipped += unit.numPendingTests + (unit.numTodoTests ?? 0);
}
if (!unitOk) problems.push('vitest failed');

ensureChromium();
const e2eOk = run('end-to-end journeys (headless Chromium)', 'npx', ['playwright', 'test', '--reporter=list,json'], {
  PLAYWRIGHT_JSON_OUTPUT_NAME: `${REPORTS}/playwright.json`,
});
const e2e = readJson(`${REPORTS}/playwright.json`);
if (e2e) {
  passed += e2e.stats.expected + e2e.stats.flaky;
  failed += e2e.stats.unexpected;
  skipped += e2e.stats.skipped;
}
if (!e2eOk) problems.push('playwright failed');

const postgresLine =
  postgresTests.passed + postgresTests.failed === 0
    ? `SKIPPED (${postgresTests.skipped} tests): ${postgres.mode === 'skip' ? postgres.reason : 'see above'}`
    : `ran: ${postgresTests.passed} passed, ${postgresTests.failed} failed, ${postgresTests.skipped} skipped`;
console.log(`\nPostgreSQL suites: ${postgresLine}`);
// CI installs PostgreSQL (.ci/run): there, skipping its suites would hide a broken setup.
if (process.env.CI && postgresTests.passed + postgresTests.failed === 0) problems.push('the PostgreSQL suites did not run in CI');
const unitFailures = [...vitestFailures(unit), ...vitestUnhandledErrors(readJson(VITEST_ERRORS_FILE))];
if (!unitOk && unitFailures.length === 0) {
  unitFailures.push(`vitest ${exits[UNIT]} and named no failed test or error; its output above says why`);
}
const failures = [...unitFailures, ...playwrightFailures(e2e)];
if (failures.length) console.log(`\nFailed tests:\n${failures.map((line) => `  - ${line}`).join('\n')}`);
if (problems.length) console.log(`\nProblems: ${problems.join('; ')}`);
console.log(`\ntests: ${passed} passed, ${failed} failed, ${skipped} skipped`);
process.exit(problems.length || failed ? 1 : 0);
