import { describe, expect, it } from 'vitest';
import { playwrightFailures, vitestFailures, vitestUnhandledErrors } from './test-failures.mjs';

describe('the failed tests named at the end of npm test', () => {
  it('names vitest failures by file, titles and the first line of the error, and files that failed without a test', () => {
    // The shape vitest's JSON reporter writes (checked against a real run of a failing test and a file whose import throws).
    const report = {
      testResults: [
        {
          name: '/repo/core/a.test.ts',
          status: 'failed',
          message: '',
          assertionResults: [
            { title: 'fails', status: 'failed', ancestorTitles: ['outer'], failureMessages: ['\u001b[31mAssertionError: expected 1 to be 2\u001b[39m\n    at a.test.ts:2:57'] },
            { title: 'passes', status: 'passed', ancestorTitles: ['outer'], failureMessages: [] },
          ],
        },
        { name: '/repo/core/b.test.ts', status: 'failed', message: 'import broke', assertionResults: [] },
        { name: '/repo/core/c.test.ts', status: 'passed', message: '', assertionResults: [{ title: 'ok', status: 'passed', ancestorTitles: [], failureMessages: [] }] },
      ],
    };
    expect(vitestFailures(report, '/repo')).toEqual([
      'vitest core/a.test.ts › outer › fails: AssertionError: expected 1 to be 2',
      'vitest core/b.test.ts: import broke',
    ]);
    expect(vitestFailures(null)).toEqual([]);
  });

  it('names errors no test caught, by the test vitest saw them in, with the first frame outside node', () => {
    // The shape scripts/vitest-errors-reporter.mjs writes (checked against a real run of a test that rejects in a timer).
    const record = {
      reason: 'passed',
      errors: [
        {
          name: 'Error',
          message: 'late rejection from a timer',
          stack: 'Error: late rejection from a timer\n    at Timeout._onTimeout (/repo/core/z.test.ts:3:37)\n    at listOnTimeout (node:internal/timers:581:17)',
          testPath: '/repo/core/z.test.ts',
          testName: 'passes but leaves a rejection',
        },
        { name: 'TypeError', message: 'thrown after the run', stack: 'TypeError: thrown after the run\n    at node:internal/timers:519:7' },
      ],
    };
    expect(vitestUnhandledErrors(record, '/repo')).toEqual([
      'vitest unhandled error in core/z.test.ts › passes but leaves a rejection: Error: late rejection from a timer (at Timeout._onTimeout (/repo/core/z.test.ts:3:37))',
      'vitest unhandled error: TypeError: thrown after the run',
    ]);
    expect(vitestUnhandledErrors(null)).toEqual([]);
  });

  it('names Playwright tests whose last attempt failed, not flaky ones that passed on retry', () => {
    const failedResult = { status: 'failed', error: { message: 'Error: expect(locator).toBeVisible() failed\n\nLocator: …' } };
    const report = {
      suites: [
        {
          suites: [
            {
              specs: [
                { title: 'a journey', file: 'history.spec.ts', line: 4, tests: [{ projectName: 'real', status: 'unexpected', results: [failedResult, failedResult] }] },
                { title: 'a flaky one', file: 'history.spec.ts', line: 9, tests: [{ projectName: 'mock', status: 'flaky', results: [failedResult, { status: 'passed' }] }] },
              ],
            },
          ],
          specs: [],
        },
      ],
      errors: [{ message: 'Error: webServer exited early' }],
    };
    expect(playwrightFailures(report)).toEqual([
      'playwright [real] history.spec.ts:4 › a journey: Error: expect(locator).toBeVisible() failed',
      'playwright: Error: webServer exited early',
    ]);
  });
});
