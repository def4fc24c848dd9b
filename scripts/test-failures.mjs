// The failed tests of a run, one line each (`runner file › title: the error's first line`), printed
// again at the very end of `npm test`: a CI log is often read from its tail only.

// Colour codes (ESC [ … m) go: the line is read as text.
const ANSI_COLOUR = new RegExp(`${String.fromCharCode(27)}\\[[0-9;]*m`, 'g');
const firstLine = (text) => String(text ?? '').replace(ANSI_COLOUR, '').split('\n').find((line) => line.trim() !== '')?.trim().slice(0, 300) ?? '';

/** From vitest's JSON report: failed tests, and files that failed without one (a hook, an import). */
export function vitestFailures(report, cwd = process.cwd()) {
  const found = [];
  for (const file of report?.testResults ?? []) {
    const name = file.name.startsWith(`${cwd}/`) ? file.name.slice(cwd.length + 1) : file.name;
    const failed = (file.assertionResults ?? []).filter((test) => test.status === 'failed');
    for (const test of failed) {
      found.push(`vitest ${name} › ${[...(test.ancestorTitles ?? []), test.title].join(' › ')}: ${firstLine(test.failureMessages?.[0])}`);
    }
    if (failed.length === 0 && file.status === 'failed') found.push(`vitest ${name}: ${firstLine(file.message) || 'the file failed'}`);
  }
  return found;
}

/** From scripts/vitest-errors-reporter.mjs's file: errors no test caught, by the test vitest saw them in. */
export function vitestUnhandledErrors(record, cwd = process.cwd()) {
  return (record?.errors ?? []).map((error) => {
    const path = typeof error.testPath === 'string' && error.testPath.startsWith(`${cwd}/`) ? error.testPath.slice(cwd.length + 1) : error.testPath;
    const where = [path, error.testName].filter(Boolean).join(' › ');
    const what = firstLine(error.message ? `${error.name ?? 'Error'}: ${error.message}` : error.stack) || 'an error without a message';
    const at = String(error.stack ?? '').split('\n').map((line) => line.trim()).find((line) => line.startsWith('at ') && !line.includes('node:internal'));
    return `vitest unhandled error${where ? ` in ${where}` : ''}: ${what}${at ? ` (${at})` : ''}`;
  });
}

/** From Playwright's JSON report: each test whose last attempt failed. */
export function playwrightFailures(report) {
  const found = [];
  const visit = (suites) => {
    for (const suite of suites ?? []) {
      visit(suite.suites);
      for (const spec of suite.specs ?? []) {
        for (const test of spec.tests ?? []) {
          if (test.status !== 'unexpected') continue;
          const last = test.results?.at(-1);
          found.push(`playwright [${test.projectName}] ${spec.file}:${spec.line} › ${spec.title}: ${firstLine(last?.error?.message) || last?.status || 'failed'}`);
        }
      }
    }
  };
  visit(report?.suites);
  for (const error of report?.errors ?? []) found.push(`playwright: ${firstLine(error.message)}`);
  return found;
}
