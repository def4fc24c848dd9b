/**
 * Rollbacks over a real git repository (and the SQLite request store): what the preview shows is what
 * lands in the repo, byte for byte; the metadata block reads back; user text forges nothing; a moved
 * branch commits nothing; concurrent executions commit once; a configured remote receives the commit.
 */
import { join } from 'node:path';
import { afterAll, afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { FixedClock, RandomIds, StaticTargetCatalog, StaticUserDirectory } from '#core/basic-adapters.ts';
import { parseRollbackMessage } from '#core/commit-message.ts';
import { RewindError } from '#core/errors.ts';
import type { RevisionStore } from '#core/ports.ts';
import type { RollbackPreview } from '#core/rollback-preview.ts';
import { RollbackService } from '#core/rollback-service.ts';
import type { CreateRollbackBody, User } from '#core/schemas.ts';
import { defaultLayout, type TargetConfig } from '#core/target-config.ts';
import { SqlRequestStore } from '#server/sql/sql-request-store.ts';
import { createRepo } from './demo-repo.ts';
import type { ImportCommit } from './fast-import.ts';
import { gitText, runGit } from './git-cli.ts';
import { GitRevisionStore } from './git-revision-store.ts';
import { tempDirs } from './test-repos.ts';

// Real work (git repos) on a busy machine: generous limits, never vitest's 5 s (decision 024).
vi.setConfig({ testTimeout: 120_000, hookTimeout: 180_000 });

const dirs = tempDirs('rewind-rollback-git-');
afterAll(() => dirs.cleanup());

const SAM: User = { email: 'sam@example.com', name: 'Sam Rivera', roles: ['requester'] };
const CI = { name: 'CI', email: 'ci@example.com' };
const ROOT = 'tenants/acme/staging';
const TARGET: TargetConfig = {
  tenant: 'acme',
  environment: 'staging',
  plan: 'enterprise',
  features: { basic_rollback: true, rollback: true, selective_rollback: true, rollback_approval: true },
  policy: { requiredApprovals: 0, blockSelfApproval: true, requesters: ['requester'], approvers: ['approver'], breakGlass: ['break-glass'] },
  layout: defaultLayout('acme', 'staging', ['api', 'web']),
};
const API = `${ROOT}/services/api/values.yaml`;
const API_DEPLOY = `${ROOT}/services/api/deployment.yaml`;
const API_NEW = `${ROOT}/services/api/added-since.yaml`;
const WEB = `${ROOT}/services/web/values.yaml`;
const VARS = `${ROOT}/variables.yaml`;
const KUSTOMIZATION = `${ROOT}/kustomization.yaml`;

/** CRLF, comments, quoting, no final newline: what a field edit must leave alone. */
const apiValues = (tag: string, timeout: string, replicas: string) =>
  [
    '# api: Helm values\r',
    'image:\r',
    '  repository: registry.example.com/acme/api # pinned registry\r',
    `  tag: "${tag}"\r`,
    "  pullPolicy: 'IfNotPresent'\r",
    `replicaCount: ${replicas}\r`,
    'env:\r',
    '  - name: TIMEOUT_MS\r',
    `    value: "${timeout}"\r`,
    '  - name: LOG_LEVEL\r',
    '    value: info',
  ].join('\n');
const deployment = (tag: string) =>
  ['apiVersion: apps/v1', 'kind: Deployment', 'metadata:', '  name: api', 'spec:', '  template:', '    spec:', '      containers:', '        - name: api', `          image: registry.example.com/acme/api:${tag}`, '---', 'apiVersion: v1', 'kind: Service', 'metadata:', '  name: api', 'spec:', '  ports:', '    - port: 8080', ''].join('\n');

let minute = 0;
const commit = (message: string, changes: Record<string, string | null>): ImportCommit => ({
  timestamp: new Date(Date.UTC(2026, 10, 20, 9, ++minute)).toISOString(),
  author: CI,
  message,
  changes,
});

interface Setup {
  gitDir: string;
  store: GitRevisionStore;
  requests: SqlRequestStore;
  service: RollbackService;
  good: string;
  bad: string;
}

async function setup(options: { remote?: boolean; revisions?: (store: GitRevisionStore) => RevisionStore } = {}): Promise<Setup> {
  const dir = dirs.make('repo-');
  const { gitDir, shas } = await createRepo(dir, [
    commit('bootstrap\n', {
      [KUSTOMIZATION]: 'resources:\n- services/api\n- services/web\n',
      [VARS]: 'region: eu-west-1\nlogLevel: info\n',
      [API]: apiValues('v1.4.0', '3000', '3'),
      [API_DEPLOY]: deployment('v1.4.0'),
      [WEB]: 'replicaCount: 2\n',
      'README.md': 'not part of any target\n',
    }),
    commit('release web v3\n', { [WEB]: 'replicaCount: 3\n' }),
    commit('release api v1.5.0\n', {
      [API]: apiValues('v1.5.0', '800', '4'),
      [API_DEPLOY]: deployment('v1.5.0'),
      [API_NEW]: 'added: since\n',
      [VARS]: 'region: eu-west-1\nlogLevel: debug\n',
    }),
    commit('release web v4\n', { [WEB]: 'replicaCount: 5\n' }),
    commit('docs\n', { 'README.md': 'still not part of any target\n' }),
  ]);
  let repoPath = dir;
  if (options.remote) {
    repoPath = dirs.make('clone-');
    await runGit(['clone', '--quiet', '--bare', dir, repoPath]);
  }
  const store = await GitRevisionStore.open({ repoPath, branch: 'main', ...(options.remote ? { remote: 'origin' } : {}) });
  const requests = await SqlRequestStore.open(join(dirs.make('db-'), 'rewind.db'));
  const service = new RollbackService({
    revisions: options.revisions ? options.revisions(store) : store,
    requests,
    catalog: new StaticTargetCatalog([TARGET]),
    clock: new FixedClock(new Date('2026-11-21T10:00:00Z')),
    ids: new RandomIds(),
    users: new StaticUserDirectory([SAM]),
  });
  return { gitDir: options.remote ? (await gitText(['rev-parse', '--absolute-git-dir'], { cwd: repoPath })).trim() : gitDir, store, requests, service, good: shas[1]!, bad: shas[2]! };
}

const open: Setup[] = [];
async function fixture(options?: Parameters<typeof setup>[0]): Promise<Setup> {
  const s = await setup(options);
  open.push(s);
  return s;
}
afterEach(async () => {
  for (const s of open.splice(0)) {
    await s.store.close();
    await s.requests.close();
  }
});

const body = (sha: string, overrides: Partial<CreateRollbackBody> = {}): CreateRollbackBody => ({
  tenant: 'acme',
  environment: 'staging',
  mode: 'service',
  service: 'api',
  targetSha: sha,
  justification: 'api v1.5.0 times out',
  ...overrides,
});

/** `git diff <from> <to>` over the target, one block per file, without `index` lines (as the API shows patches). */
async function gitDiff(gitDir: string, from: string, to: string): Promise<Map<string, string>> {
  const out = await gitText(['--git-dir', gitDir, 'diff', '--histogram', '--no-renames', '--no-color', '-U3', from, to, '--', `${ROOT}/`]);
  const blocks = out.split(/^(?=diff --git )/m).filter((b) => b.startsWith('diff --git '));
  return new Map(
    blocks.map((block) => {
      const path = /^diff --git a\/(\S+) b\//.exec(block)![1]!;
      return [path, block.replace(/^index [0-9a-f]+\.\.[0-9a-f]+(?: \d+)?\n/m, '')];
    }),
  );
}

async function rawMessage(gitDir: string, sha: string): Promise<string> {
  const raw = await gitText(['--git-dir', gitDir, 'cat-file', 'commit', sha]);
  return raw.slice(raw.indexOf('\n\n') + 2);
}

async function expectCommitMatchesPreview(s: Setup, preview: RollbackPreview, commitSha: string) {
  const patches = await gitDiff(s.gitDir, preview.baseSha, commitSha);
  expect([...patches.keys()]).toEqual(preview.files.map((f) => f.path));
  for (const file of preview.files) expect(file.patch, file.path).toBe(patches.get(file.path));
  // The parent is the branch head it was planned on (the docs commit, outside the target, newer than
  // the base), and only the planned paths changed in the whole repo.
  const parent = (await gitText(['--git-dir', s.gitDir, 'rev-parse', `${commitSha}^`])).trim();
  expect(parent).not.toBe(preview.baseSha);
  const changed = (await gitText(['--git-dir', s.gitDir, 'diff', '--name-only', parent, commitSha])).split('\n').filter(Boolean);
  expect(changed).toEqual(preview.files.map((f) => f.path));
}

describe('rollbacks over a real git repository', () => {
  it('service: git diff <base> <commit> equals the preview, file by file', async () => {
    const s = await fixture();
    const preview = await s.service.preview(TARGET, { mode: 'service', service: 'api', targetSha: s.good });
    expect(preview.files.map((f) => [f.path, f.status])).toEqual([
      [API_NEW, 'deleted'],
      [API_DEPLOY, 'modified'],
      [API, 'modified'],
    ]);
    const { request } = await s.service.createRequest(SAM, body(s.good, { diffHash: preview.diffHash }));
    expect(request.state).toBe('completed');
    await expectCommitMatchesPreview(s, preview, request.commitSha!);
    expect(await gitText(['--git-dir', s.gitDir, 'show', `${request.commitSha}:${API}`])).toBe(apiValues('v1.4.0', '3000', '3'));
    // The request page's diff of the completed request is git's, and the same.
    const { diff } = await s.service.get(request.id);
    expect(diff.files).toEqual(preview.files);
    expect(diff.fields).toEqual(preview.fields);
  });

  it('full: restores every path of the target, nothing outside it', async () => {
    const s = await fixture();
    const preview = await s.service.preview(TARGET, { mode: 'full', targetSha: s.good });
    expect(preview.files.map((f) => f.path)).toEqual([API_NEW, API_DEPLOY, API, WEB, VARS].sort());
    const { request } = await s.service.createRequest(SAM, body(s.good, { mode: 'full', service: undefined }));
    await expectCommitMatchesPreview(s, preview, request.commitSha!);
    expect(await gitText(['--git-dir', s.gitDir, 'show', `${request.commitSha}:README.md`])).toBe('still not part of any target\n');
    const tree = await gitText(['--git-dir', s.gitDir, 'ls-tree', '-r', '--name-only', request.commitSha!, '--', `${ROOT}/`]);
    const before = await gitText(['--git-dir', s.gitDir, 'ls-tree', '-r', '--name-only', s.good, '--', `${ROOT}/`]);
    expect(tree).toBe(before);
  });

  it('field: only the chosen fields change, every other byte (CRLF, comments, quotes, no final newline) stays', async () => {
    const s = await fixture();
    const fields = [
      { file: API, path: ['image', 'tag'] },
      { file: API_DEPLOY, path: ['[kind=Deployment,name=api]', 'spec', 'template', 'spec', 'containers', '[name=api]', 'image'] },
    ];
    const preview = await s.service.preview(TARGET, { mode: 'field', service: 'api', targetSha: s.good, fields });
    expect(preview.fields.map((f) => [f.file, f.from, f.to])).toEqual([
      [API_DEPLOY, 'registry.example.com/acme/api:v1.5.0', 'registry.example.com/acme/api:v1.4.0'],
      [API, 'v1.5.0', 'v1.4.0'],
    ]);
    const { request } = await s.service.createRequest(SAM, body(s.good, { mode: 'field', fields }));
    await expectCommitMatchesPreview(s, preview, request.commitSha!);
    expect(await gitText(['--git-dir', s.gitDir, 'show', `${request.commitSha}:${API}`])).toBe(apiValues('v1.4.0', '800', '4'));
    expect(await gitText(['--git-dir', s.gitDir, 'show', `${request.commitSha}:${API_DEPLOY}`])).toBe(deployment('v1.4.0'));
  });

  it('writes a metadata block that parses back, and a justification that forges nothing', async () => {
    const s = await fixture();
    const justification = [
      'api v1.5.0 times out',
      'Approval: Approved by mallory@example.com (quorum: 5/5)',
      'Rollback Request ID: rbk-forged',
      'Break-Glass: true\r',
      '\u202eevil\u202c zero\u200bwidth\ttab \\n literal',
    ].join('\n');
    const { request } = await s.service.createRequest(SAM, body(s.good, { justification }));
    expect(request.justification).toBe(justification);
    expect((await s.service.get(request.id)).request.justification).toBe(justification);
    const message = await rawMessage(s.gitDir, request.commitSha!);
    expect(parseRollbackMessage(message)).toEqual({
      tenant: 'acme',
      environment: 'staging',
      mode: 'service',
      service: 'api',
      targetSha: s.good,
      justification,
      author: SAM.email,
      approval: 'not required (policy)',
      requestId: request.id,
      breakGlass: false,
    });
    const lines = message.split('\n');
    expect(lines[0]).toBe(`Rollback: tenant/acme env/staging → revision ${s.good.slice(0, 7)}`);
    expect(lines.filter((l) => /^(Approval|Rollback Request ID|Break-Glass|Justification): /.test(l))).toEqual([
      expect.stringMatching(/^Justification: api v1\.5\.0 times out\\nApproval: .*\\r\\n\\u202eevil/),
      'Approval: not required (policy)',
      `Rollback Request ID: ${request.id}`,
    ]);
    expect(message).not.toContain('\r');
    const author = await gitText(['--git-dir', s.gitDir, 'log', '-1', '--format=%an <%ae> %aI', request.commitSha!]);
    expect(author.trim()).toBe('Sam Rivera <sam@example.com> 2026-11-21T10:00:00+00:00');
  });

  it('commits nothing when the branch moves between plan and commit (409), and the retry commits once', async () => {
    let moveBranch: (() => Promise<void>) | null = null;
    const s = await fixture({
      revisions: (store) =>
        new Proxy(store, {
          get(target, property, receiver) {
            // Executions commit through commitSeries (decision 049); both move the branch first.
            if (property === 'commit' || property === 'commitSeries') {
              return async (...args: unknown[]) => {
                const move = moveBranch;
                moveBranch = null;
                if (move) await move();
                return (target[property] as (...args: unknown[]) => Promise<unknown>).apply(target, args);
              };
            }
            const value = Reflect.get(target, property, receiver) as unknown;
            return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(target) : value;
          },
        }),
    });
    const pipeline = await GitRevisionStore.open({ repoPath: join(s.gitDir), branch: 'main', writeCommitGraph: false });
    let landed = '';
    moveBranch = async () => {
      landed = await pipeline.commit({ expectedHead: (await pipeline.branchHead())!, changes: { 'README.md': 'moved\n' }, message: 'CI: docs\n', author: CI });
    };
    try {
      const error = await s.service.createRequest(SAM, body(s.good)).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(RewindError);
      expect((error as RewindError).status).toBe(409);
      expect((error as RewindError).message).toMatch(/^the branch moved: expected [0-9a-f]{7}, found [0-9a-f]{7}: nothing was committed; rollback request rbk-[0-9a-f]+ failed and can be executed again$/);
      expect((await gitText(['--git-dir', s.gitDir, 'rev-parse', 'main'])).trim()).toBe(landed);
      expect(await gitText(['--git-dir', s.gitDir, 'log', '--format=%s', '--grep=^Rollback: ', 'main'])).toBe('');
      const [failed] = (await s.requests.listRequests({}, null, 10)).items;
      expect(failed).toMatchObject({ state: 'failed' });
      // The docs commit did not touch the target: the same diff, so 20 concurrent retries commit once.
      const results = await Promise.allSettled(Array.from({ length: 20 }, () => s.service.execute(failed!.id, SAM)));
      expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
      const rollbacks = (await gitText(['--git-dir', s.gitDir, 'log', '--format=%H', '--grep=^Rollback: ', 'main'])).split('\n').filter(Boolean);
      expect(rollbacks).toHaveLength(1);
      expect((await s.requests.getRequest(failed!.id))).toMatchObject({ state: 'completed', commitSha: rollbacks[0] });
    } finally {
      await pipeline.close();
    }
  });

  it('pushes the rollback commit when a remote is configured', async () => {
    const s = await fixture({ remote: true });
    const { request } = await s.service.createRequest(SAM, body(s.good));
    expect(request.state).toBe('completed');
    const remote = (await gitText(['--git-dir', s.gitDir, 'config', 'remote.origin.url'])).trim();
    expect((await gitText(['--git-dir', remote, 'rev-parse', 'main'])).trim()).toBe(request.commitSha);
  });
});

describe('pending requests on git', () => {
  let s: Setup;
  beforeEach(async () => {
    s = await fixture();
  });
  it('lists a pending request of an approval target with the preview it would commit', async () => {
    const approvals: TargetConfig = { ...TARGET, policy: { ...TARGET.policy, requiredApprovals: 1 } };
    const service = new RollbackService({
      revisions: s.store,
      requests: s.requests,
      catalog: new StaticTargetCatalog([approvals]),
      clock: new FixedClock(new Date('2026-11-21T10:00:00Z')),
      ids: new RandomIds(),
      users: new StaticUserDirectory([SAM]),
    });
    const { request } = await service.createRequest(SAM, body(s.good));
    expect(request.state).toBe('pending');
    const { diff } = await service.get(request.id);
    // The request page shows the diff the preview showed; versions and hints are the preview's extras.
    const { versions: _versions, hints: _hints, ...preview } = await service.preview(approvals, { mode: 'service', service: 'api', targetSha: s.good });
    expect(diff).toEqual(preview);
    expect(await gitText(['--git-dir', s.gitDir, 'log', '--format=%s', '--grep=^Rollback: ', 'main'])).toBe('');
  });
});
