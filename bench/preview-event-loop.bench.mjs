// `/api/me` during YAML bomb previews (`npm run bench preview-event-loop`; issue 11): the real server
// (`createRewindServer`, git CLI store, HTTP over loopback) on a repo whose target holds a 1 MB deeply
// nested manifest, a 1 MB bracket bomb, and their releases. While rollback previews of those files
// run back to back (about 10 s), `/api/me` is called one after another; its latency is reported (p50,
// p99, max; against the same calls with nothing else running as baseline; goal p99 ≤ 100 ms, issue 11 measured 8.2 s before the YAML moved to the worker), with the
// previews' own durations. Checked, or the bench fails: every preview answers 200 or 422, every
// `/api/me` 200.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createRepo } from '#server/git/demo-repo.ts';
import { nestedManifest } from '#server/node/nested-manifest.ts';
import { createRewindServer } from '#server/node/rewind-server.ts';

const VALUES = 'tenants/acme/production/services/api/values.yaml';
const DURATION_MS = 10_000;
const author = { name: 'CI', email: 'ci@example.com' };

function percentile(sorted, p) {
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}

function check(condition, message) {
  if (!condition) throw new Error(`preview-event-loop: ${message}`);
}

export async function run(report) {
  const dir = mkdtempSync(join(tmpdir(), 'rewind-bench-preview-'));
  const log = console.log;
  try {
    const { shas } = await createRepo(join(dir, 'repo'), [
      { timestamp: '2026-11-01T10:00:00Z', author, message: 'nested v1', changes: { [VALUES]: nestedManifest(1_000_000, 80, 'v1') } },
      { timestamp: '2026-11-02T10:00:00Z', author, message: 'bomb', changes: { [VALUES]: `a: ${'['.repeat(500_000)}${']'.repeat(500_000)}\n` } },
      { timestamp: '2026-11-03T10:00:00Z', author, message: 'nested v2', changes: { [VALUES]: nestedManifest(1_000_000, 80, 'v2') } },
    ]);
    const config = join(dir, 'rewind.config.yaml');
    writeFileSync(config, [`repo: { path: ${JSON.stringify(join(dir, 'repo'))} }`, 'targets:', '  pattern: { services: "tenants/{tenant}/{environment}/services/{service}/" }', ''].join('\n'));
    console.log = () => {};
    const server = await createRewindServer({ configFile: config, dataDir: join(dir, 'data'), host: '127.0.0.1', port: 0, log: () => {}, prestartFieldDiffWorker: true });
    console.log = log;
    try {
      // The same calls with nothing else running: what the machine gives `/api/me` anyway (the baseline).
      const idle = [];
      const idleUntil = performance.now() + 3_000;
      while (performance.now() < idleUntil) {
        const started = performance.now();
        await (await fetch(new URL('api/me', server.url))).arrayBuffer();
        idle.push(performance.now() - started);
      }
      idle.sort((a, b) => a - b);
      const previewTimes = [];
      let stop = false;
      const previews = (async () => {
        // Head is nested v2: previews back to the bomb (both sides parsed or refused) and to nested v1.
        for (let i = 0; !stop; i++) {
          const started = performance.now();
          const response = await fetch(new URL('api/targets/acme/production/rollback-preview', server.url), {
            method: 'POST',
            headers: { 'Content-Type': 'application/json' },
            body: JSON.stringify({ mode: 'service', service: 'api', targetSha: shas[i % 2] }),
          });
          await response.arrayBuffer();
          check(response.status === 200 || response.status === 422, `preview answered ${response.status}`);
          previewTimes.push(performance.now() - started);
        }
      })();
      // Let the first preview reach the worker before measuring.
      await new Promise((resolve) => setTimeout(resolve, 200));
      const latencies = [];
      const until = performance.now() + DURATION_MS;
      while (performance.now() < until) {
        const started = performance.now();
        const response = await fetch(new URL('api/me', server.url));
        await response.arrayBuffer();
        check(response.status === 200, `/api/me answered ${response.status}`);
        latencies.push(performance.now() - started);
      }
      stop = true;
      await previews;
      latencies.sort((a, b) => a - b);
      previewTimes.sort((a, b) => a - b);
      const round = (ms) => Math.round(ms * 10) / 10;
      const ratio = (value, base) => (base > 0 ? Math.round((value / base) * 10) / 10 : null);
      const p50 = percentile(latencies, 50);
      const p99 = percentile(latencies, 99);
      const idle50 = percentile(idle, 50);
      const idle99 = percentile(idle, 99);
      report({ name: 'api-me during yaml bomb previews: p50', value: round(p50), unit: 'ms', baseline: round(idle50), ratio: ratio(p50, idle50) });
      report({ name: 'api-me during yaml bomb previews: p99 (goal <= 100)', value: round(p99), unit: 'ms', baseline: round(idle99), ratio: ratio(p99, idle99) });
      report({ name: 'api-me during yaml bomb previews: max', value: round(latencies.at(-1)), unit: 'ms' });
      report({ name: 'api-me during yaml bomb previews: calls', value: latencies.length, unit: 'count' });
      report({ name: 'yaml bomb preview (1 MB nested / bracket bomb): p50', value: round(percentile(previewTimes, 50)), unit: 'ms' });
      report({ name: 'yaml bomb preview: count', value: previewTimes.length, unit: 'count' });
    } finally {
      await server.close();
    }
  } finally {
    console.log = log;
    rmSync(dir, { recursive: true, force: true });
  }
}
