// A vitest reporter that writes the run's unhandled errors (an exception or rejection no test caught,
// which fail the run while every test passes) to a JSON file, so `npm test` can name them at its end
// beside the failed tests (scripts/test-failures.mjs). vitest's JSON reporter leaves them out.
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';

export const VITEST_ERRORS_FILE = 'reports/vitest-errors.json';

export default class VitestErrorsReporter {
  onTestRunEnd(_testModules, unhandledErrors, reason) {
    const file = process.env.REWIND_VITEST_ERRORS_FILE || VITEST_ERRORS_FILE;
    const errors = (unhandledErrors ?? []).map((error) => ({
      name: error?.name,
      message: error?.message,
      stack: String(error?.stack ?? '').split('\n').slice(0, 8).join('\n'),
      // vitest tags an error with the test that was running when it surfaced, when it knows it.
      testPath: error?.VITEST_TEST_PATH,
      testName: error?.VITEST_TEST_NAME,
    }));
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, JSON.stringify({ reason, errors }, null, 2));
  }
}
