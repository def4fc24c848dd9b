import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { vi } from 'vitest';
import { createRewindServer } from '#server/node/rewind-server.ts';
import { writeLayoutRepo } from '#tests/support/layout-repo.ts';
import { describeGeneratorsContract, GENERATOR_COMMITS } from './generators-contract.ts';
import { describeLayoutsContract, FLUX, FLUX_COMMITS, type LayoutHarness } from './layouts-contract.ts';
import type { FixtureCommit } from '#tests/support/layout-repo.ts';

describeLayoutsContract('real server (git + SQLite over HTTP)', () => gitHarness(FLUX_COMMITS));
describeGeneratorsContract('real server (git + SQLite over HTTP)', () => gitHarness(GENERATOR_COMMITS));

async function gitHarness(commits: FixtureCommit[]): Promise<LayoutHarness> {
  const dir = mkdtempSync(join(tmpdir(), 'rewind-layouts-'));
  const shas = writeLayoutRepo(join(dir, 'fleet'), FLUX.files, commits);
  // Rewind serves a bare clone (a work tree with the served branch checked out is refused, decision 035).
  execFileSync('git', ['clone', '-q', '--bare', join(dir, 'fleet'), join(dir, 'fleet.git')]);
  const configFile = join(dir, 'rewind.config.yaml');
  writeFileSync(configFile, readFileSync(`docs/examples/${FLUX.example}.rewind.config.yaml`, 'utf8'));
  vi.spyOn(console, 'log').mockImplementation(() => {});
  vi.spyOn(console, 'warn').mockImplementation(() => {});
  const server = await createRewindServer({ configFile, repo: join(dir, 'fleet.git'), dataDir: join(dir, 'data'), host: '127.0.0.1', port: 0, log: () => {} });
  return {
    request: (path, init) => fetch(new URL(path.replace(/^\//, ''), server.url), init),
    shas,
    close: async () => {
      await server.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
