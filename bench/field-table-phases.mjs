// Where a cold field table's time goes (decision 050): the phases of `GET .../compare/fields` on the
// compare bench's synthetic repos, one by one, against raw `git diff --histogram`. Not a suite of
// `npm run bench` (it explains fields_cold rather than gating it); run it after the compare bench has
// built its repos:
//   BENCH_SIZES=20000 npm run bench compare-endpoint   # builds /tmp/rewind-bench-compare-v1-20000
//   node --import tsx bench/field-table-phases.mjs      # BENCH_SIZES and BENCH_RUNS as there
// Prints min / median ms of each phase (parse caches emptied before each) and the load average.
import { execFile } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { diffYamlFieldsDetailed } from '#core/field-diff.ts';
import { maskSecretTexts } from '#core/secret-masking.ts';
import { clearTextCaches, parseYamlValues } from '#core/yaml-documents.ts';
import { PlainYamlMemo } from '#core/yaml-plain-memo.ts';
import { GitRevisionStore } from '#server/git/git-revision-store.ts';

const execFileAsync = promisify(execFile);
const SIZES = (process.env.BENCH_SIZES ?? '20000').split(',').map(Number);
const RUNS = Number(process.env.BENCH_RUNS ?? 15);
const WARMUP = 2;
const FILE = 'tenants/t/e/services/app/values.yaml';

const time = async (fn) => {
  const started = performance.now();
  await fn();
  return performance.now() - started;
};
const summary = (values) => {
  const sorted = values.slice(WARMUP).sort((a, b) => a - b);
  return `${sorted[0].toFixed(1)} / ${sorted[sorted.length >> 1].toFixed(1)}`;
};

for (const lines of SIZES) {
  const dir = join(tmpdir(), `rewind-bench-compare-v1-${lines}`);
  const ready = join(dir, 'rewind-bench-ready.json');
  if (!existsSync(ready)) throw new Error(`${dir} is missing: run BENCH_SIZES=${lines} npm run bench compare-endpoint first`);
  const { shas } = JSON.parse(readFileSync(ready, 'utf8'));
  const store = await GitRevisionStore.open({ repoPath: dir, branch: 'main', writeCommitGraph: false });
  try {
    for (const change of ['edited', 'moved']) {
      const phases = {};
      const add = (name, ms) => (phases[name] ??= []).push(ms);
      const load = [loadavg()[0]];
      for (let i = 0; i < WARMUP + RUNS; i++) {
        add('git diff --histogram (baseline)', await time(() => execFileAsync('git', ['--git-dir', dir, 'diff', '--histogram', shas.base, shas[change], '--', 'tenants/t/e'])));
        let raw;
        add('store.diff (diff-tree -p, cat-file)', await time(async () => (raw = await store.diff({ paths: ['tenants/t/e/**'], from: shas.base, to: shas[change], withTexts: true }))));
        const { oldText, newText } = raw.find((file) => file.path === FILE);
        add('secret masking', await time(() => maskSecretTexts(oldText, newText)));
        clearTextCaches();
        add('read older text alone', await time(() => parseYamlValues(oldText)));
        clearTextCaches();
        add('read newer text alone', await time(() => parseYamlValues(newText)));
        clearTextCaches();
        const memo = new PlainYamlMemo();
        add('read older text, recording', await time(() => parseYamlValues(oldText, undefined, { record: memo })));
        add('read newer text, reusing', await time(() => parseYamlValues(newText, undefined, { reuse: memo })));
        add('field diff, both texts read (cached)', await time(() => diffYamlFieldsDetailed(oldText, newText)));
        clearTextCaches();
        add('field diff, cold (all of the above)', await time(() => diffYamlFieldsDetailed(oldText, newText)));
      }
      load.push(loadavg()[0]);
      console.log(`${lines} lines, ${change} (min / median ms of ${RUNS}; load ${load.map((l) => l.toFixed(2)).join(' -> ')})`);
      for (const [name, values] of Object.entries(phases)) console.log(`  ${name.padEnd(40)} ${summary(values)}`);
    }
  } finally {
    await store.close();
  }
}
clearTextCaches();
