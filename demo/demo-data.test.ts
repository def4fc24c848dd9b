import { describe, it, expect } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { classifySource, formatRollbackMessage, subjectOf } from '#core/commit-message.ts';
import { roleSchema, userSchema } from '#core/schemas.ts';
import { matchesAny, targetKey, type TargetConfig } from '#core/target-config.ts';
import {
  DEMO_END,
  DEMO_REQUEST_IDS,
  DEMO_START,
  PERF_REVISIONS,
  findDemoStory,
  generateDemoRepo,
  touchesTarget,
  type DemoCommit,
  type DemoRepo,
} from './demo-data.ts';
import { Prng, mulberry32 } from './prng.ts';

const MAIN_TARGETS = ['acme/staging', 'acme/production', 'globex/staging', 'globex/production', 'initech/production'];
const END_MS = Date.parse(DEMO_END);
const START_MS = Date.parse(DEMO_START);
const FAKE_SHA = 'a'.repeat(40);

function fullMessage(commit: DemoCommit): string {
  if (!commit.rollback) return commit.message;
  const { targetId: _targetId, ...meta } = commit.rollback;
  return formatRollbackMessage({ ...meta, targetSha: FAKE_SHA });
}

function targetOf(repo: DemoRepo, key: string): TargetConfig {
  const target = repo.targets.find((t) => targetKey(t) === key);
  if (!target) throw new Error(`no target ${key}`);
  return target;
}

/** Replays the commits; returns the tree after every commit whose id is in `keep`, plus the final tree. */
function replay(commits: readonly DemoCommit[], keep: ReadonlySet<string>) {
  const files = new Map<string, string>();
  const snapshots = new Map<string, Map<string, string>>();
  for (const commit of commits) {
    for (const [path, content] of Object.entries(commit.changes)) {
      if (content === null) {
        expect(files.has(path), `${commit.id} deletes missing ${path}`).toBe(true);
        files.delete(path);
      } else {
        expect(files.get(path), `${commit.id} rewrites ${path} unchanged`).not.toBe(content);
        files.set(path, content);
      }
    }
    if (keep.has(commit.id)) snapshots.set(commit.id, new Map(files));
  }
  return { files, snapshots };
}

function filesUnder(files: ReadonlyMap<string, string>, specs: readonly string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [path, content] of [...files].sort(([a], [b]) => a.localeCompare(b))) {
    if (matchesAny(specs, path)) out[path] = content;
  }
  return out;
}

function parseYaml(path: string, text: string): unknown {
  const docs = parseAllDocuments(text);
  const list = Array.isArray(docs) ? docs : [];
  expect(list.length, `${path} has one document`).toBe(1);
  const doc = list[0]!;
  expect(doc.errors.map((e) => e.message), `${path} parses`).toEqual([]);
  return doc.toJS();
}

function fingerprint(repo: DemoRepo): string {
  let hash = 0x811c9dc5;
  const mix = (text: string) => {
    for (let i = 0; i < text.length; i++) hash = Math.imul(hash ^ text.charCodeAt(i), 0x01000193) >>> 0;
  };
  for (const c of repo.commits) {
    mix(c.id + c.timestamp + c.author.email + c.message + (c.deployStatus ?? '') + JSON.stringify(c.rollback ?? null));
    for (const [path, content] of Object.entries(c.changes)) mix(path + (content ?? '\u0000'));
  }
  return `${repo.commits.length}:${hash.toString(16)}`;
}

const repo = generateDemoRepo();
const story = findDemoStory(repo);

describe('prng', () => {
  it('is deterministic per seed and uniform enough', () => {
    const a = mulberry32(42);
    const b = mulberry32(42);
    const xs = Array.from({ length: 1000 }, () => a());
    expect(xs).toEqual(Array.from({ length: 1000 }, () => b()));
    expect(Math.min(...xs)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...xs)).toBeLessThan(1);
    const mean = xs.reduce((s, x) => s + x, 0) / xs.length;
    expect(mean).toBeGreaterThan(0.45);
    expect(mean).toBeLessThan(0.55);
    const rng = new Prng(7);
    for (let i = 0; i < 200; i++) {
      const n = rng.int(3, 5);
      expect(n >= 3 && n <= 5).toBe(true);
    }
    expect(rng.weighted([['never', 0], ['always', 1]] as const)).toBe('always');
  });
});

describe('generateDemoRepo (default)', () => {
  it('is deterministic: the same options give deep-equal output', () => {
    expect(generateDemoRepo()).toEqual(repo);
    expect(generateDemoRepo({ size: 'default', seed: 20261120 })).toEqual(repo);
    // Another seed varies the details but keeps the shape and the story.
    const other = generateDemoRepo({ seed: 7 });
    expect(fingerprint(other)).not.toBe(fingerprint(repo));
    expect(other.targets).toEqual(repo.targets);
    expect(() => findDemoStory(other)).not.toThrow();
  });

  it('dates the story from its anchor: every commit moves by the same whole minutes, nothing else changes (decision 044)', () => {
    expect(repo.anchor).toBe(DEMO_END);
    const anchor = '2027-03-04T05:06:59.999Z';
    const moved = generateDemoRepo({ anchor });
    // Floored to the minute, so even and odd seconds (main vs perf commits) stay so.
    expect(moved.anchor).toBe('2027-03-04T05:06:00.000Z');
    const offset = Date.parse(moved.anchor) - END_MS;
    expect(offset % 60_000).toBe(0);
    expect(moved.commits.map((c) => Date.parse(c.timestamp) - offset)).toEqual(repo.commits.map((c) => Date.parse(c.timestamp)));
    expect(moved.commits.map(({ timestamp: _, ...rest }) => rest)).toEqual(repo.commits.map(({ timestamp: _, ...rest }) => rest));
    // The ongoing incident is 24 minutes before the anchor, whatever the anchor.
    expect(Date.parse(moved.anchor) - Date.parse(findDemoStory(moved).paymentsFailedRelease.timestamp)).toBe(24 * 60_000);
    expect(generateDemoRepo({ anchor: new Date(anchor) })).toEqual(moved);
    expect(generateDemoRepo({ anchor: Date.parse(anchor) })).toEqual(moved);
    expect(() => generateDemoRepo({ anchor: 'yesterday' })).toThrow(/demo anchor yesterday is not a time/);
  });

  it('has the five main targets with their plans, features and policies', () => {
    expect(repo.targets.map(targetKey)).toEqual(MAIN_TARGETS);
    const acme = targetOf(repo, 'acme/production');
    expect(acme.plan).toBe('enterprise');
    expect(Object.values(acme.features).every(Boolean)).toBe(true);
    expect(acme.policy).toMatchObject({ requiredApprovals: 1, blockSelfApproval: true });
    expect(targetOf(repo, 'acme/staging').policy.requiredApprovals).toBe(0);
    expect(targetOf(repo, 'globex/production').policy.requiredApprovals).toBe(2);
    expect(targetOf(repo, 'globex/staging').policy.requiredApprovals).toBe(1);
    expect(targetOf(repo, 'globex/production').plan).toBe('pro');
    const initech = targetOf(repo, 'initech/production');
    expect(initech.plan).toBe('free');
    expect(initech.features).toEqual({ basic_rollback: true, rollback: false, selective_rollback: false, rollback_approval: false });
    expect(initech.policy.requiredApprovals).toBe(1);
    for (const target of repo.targets) {
      expect(target.policy.requesters).toEqual(['requester', 'approver', 'admin']);
      expect(target.policy.approvers).toEqual(['approver', 'admin']);
      expect(target.policy.breakGlass).toEqual(['break-glass', 'admin']);
      expect(target.layout.services.length).toBeGreaterThanOrEqual(3);
      expect(target.layout.paths).toEqual([`tenants/${target.tenant}/${target.environment}/`]);
    }
    expect(acme.layout.services.map((s) => s.name)).toEqual(['api-gateway', 'payments', 'checkout', 'web', 'search']);
  });

  it('has users for every role, the first one a requester who cannot approve', () => {
    expect(repo.users.length).toBeGreaterThanOrEqual(6);
    for (const user of repo.users) {
      expect(userSchema.parse(user)).toEqual(user);
      expect(user.email).toMatch(/@example\.com$/);
    }
    expect(repo.users[0]!.roles).toEqual(['requester']);
    const roles = new Set(repo.users.flatMap((u) => u.roles));
    for (const role of roleSchema.options) expect(roles.has(role), role).toBe(true);
    const authors = new Set(repo.commits.map((c) => c.author.email));
    const emails = new Set(repo.users.map((u) => u.email));
    for (const email of authors) expect(emails.has(email) || email === 'release-bot@example.com', email).toBe(true);
  });

  it('has strictly increasing whole-second timestamps within the 30 days before DEMO_END', () => {
    let previous = START_MS;
    for (const commit of repo.commits) {
      expect(commit.timestamp).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.000Z$/);
      const time = Date.parse(commit.timestamp);
      expect(time, commit.id).toBeGreaterThan(previous);
      previous = time;
    }
    expect(previous).toBeLessThan(END_MS);
    expect(END_MS - previous).toBeLessThan(2 * 60 * 60 * 1000);
    expect(new Set(repo.commits.map((c) => c.id)).size).toBe(repo.commits.length);
  });

  it('gives every target at least 60 revisions, and every changed path to exactly one target', () => {
    for (const target of repo.targets) {
      expect(repo.commits.filter((c) => touchesTarget(c, target)).length, targetKey(target)).toBeGreaterThanOrEqual(60);
    }
    for (const commit of repo.commits) {
      expect(Object.keys(commit.changes).length, commit.id).toBeGreaterThan(0);
      for (const path of Object.keys(commit.changes)) {
        const owners = repo.targets.filter((t) => matchesAny(t.layout.paths, path));
        expect(owners.length, path).toBe(1);
        const layout = owners[0]!.layout;
        const known = [...layout.bindings, ...layout.variables, ...layout.services.flatMap((s) => s.paths)];
        expect(matchesAny(known, path), path).toBe(true);
      }
    }
  });

  it('interleaves targets in time and touches two services in some commits', () => {
    const firstTouch = (key: string) => repo.commits.findIndex((c) => touchesTarget(c, targetOf(repo, key)));
    const lastTouch = (key: string) => repo.commits.findLastIndex((c) => touchesTarget(c, targetOf(repo, key)));
    for (const a of MAIN_TARGETS) {
      for (const b of MAIN_TARGETS) if (a !== b) expect(firstTouch(a)).toBeLessThan(lastTouch(b));
    }
    const multi = repo.commits.filter((c) =>
      repo.targets.some((t) => t.layout.services.filter((s) => Object.keys(c.changes).some((p) => matchesAny(s.paths, p))).length >= 2),
    );
    expect(multi.length).toBeGreaterThan(5);
  });

  it('writes YAML that parses, with realistic values files', () => {
    const { files } = replay(repo.commits, new Set());
    for (const commit of repo.commits) {
      for (const [path, content] of Object.entries(commit.changes)) if (content !== null) parseYaml(path, content);
    }
    let valuesFiles = 0;
    for (const [path, content] of files) {
      const data = parseYaml(path, content) as Record<string, unknown>;
      if (path.endsWith('/values.yaml')) {
        valuesFiles++;
        const lines = content.trimEnd().split('\n').length;
        expect(lines, path).toBeGreaterThanOrEqual(20);
        expect(lines, path).toBeLessThanOrEqual(40);
        const image = data.image as { repository: string; tag: string };
        expect(image.repository).toMatch(/^registry\.example\.com\/[a-z]+\/[a-z-]+$/);
        expect(image.tag).toMatch(/^v\d+\.\d+\.\d+$/);
        expect(typeof data.replicaCount).toBe('number');
        expect(data.resources).toMatchObject({ requests: { cpu: expect.any(String), memory: expect.any(String) } });
        for (const entry of data.env as { name: unknown; value: unknown }[]) {
          expect(typeof entry.name).toBe('string');
          expect(typeof entry.value, `${path} ${String(entry.name)}`).toBe('string');
        }
      } else if (path.endsWith('/kustomization.yaml')) {
        expect(data.kind).toBe('Kustomization');
        expect(Array.isArray(data.resources)).toBe(true);
      } else if (path.endsWith('/variables.yaml')) {
        expect(data).toMatchObject({ region: expect.any(String), domain: expect.any(String), logLevel: expect.any(String) });
        expect(typeof data.featureFlags).toBe('object');
      } else {
        expect(path).toMatch(/\/deployment-patch\.yaml$/);
        expect(data.kind).toBe('Deployment');
      }
    }
    expect(valuesFiles).toBe(21);
  });

  it('starts with bootstrap commits that create every file of each tenant', () => {
    expect(repo.commits.slice(0, 3).map((c) => subjectOf(c.message))).toEqual([
      'Bootstrap tenant acme',
      'Bootstrap tenant globex',
      'Bootstrap tenant initech',
    ]);
    const acme = repo.commits[0]!;
    expect(Object.keys(acme.changes)).toContain('tenants/acme/production/services/payments/deployment-patch.yaml');
    expect(Object.keys(acme.changes)).toContain('tenants/acme/staging/variables.yaml');
  });

  it('classifies releases, promotions and hotfixes on every main target; promotions are the bot carrying a staged tag', () => {
    for (const key of MAIN_TARGETS) {
      const target = targetOf(repo, key);
      const sources = new Set(repo.commits.filter((c) => touchesTarget(c, target)).map((c) => classifySource(fullMessage(c))));
      for (const source of ['release', 'promotion', 'hotfix'] as const) expect(sources.has(source), `${key} ${source}`).toBe(true);
    }
    const stagingTags = new Map<string, Set<string>>();
    for (const commit of repo.commits) {
      for (const [path, content] of Object.entries(commit.changes)) {
        const match = /^tenants\/([a-z]+)\/(staging|production)\/services\/([a-z-]+)\/values\.yaml$/.exec(path);
        if (!match || content === null) continue;
        const [, tenant, env, service] = match;
        const tag = /tag: "([^"]+)"/.exec(content)![1]!;
        const key = `${tenant}/${service}`;
        if (env === 'staging') {
          if (!stagingTags.has(key)) stagingTags.set(key, new Set());
          stagingTags.get(key)!.add(tag);
        } else if (tenant !== 'initech' && classifySource(commit.message) === 'promotion' && subjectOf(commit.message).startsWith('Promote ')) {
          expect(commit.author.email).toBe('release-bot@example.com');
          expect(stagingTags.get(key)?.has(tag), `${commit.id} promotes ${key} ${tag} seen in staging`).toBe(true);
        }
      }
    }
    for (const commit of repo.commits.filter((c) => c.rollback)) expect(classifySource(fullMessage(commit))).toBe('rollback');
  });

  it('points rollbacks at an earlier revision of the same target and restores exactly its files', () => {
    const rollbacks = repo.commits.filter((c) => c.rollback);
    expect(rollbacks.map((c) => [c.rollback!.requestId, c.rollback!.mode])).toEqual([
      [DEMO_REQUEST_IDS.globexRollback, 'full'],
      [DEMO_REQUEST_IDS.checkoutRollback, 'service'],
    ]);
    const index = new Map(repo.commits.map((c, i) => [c.id, i]));
    const { snapshots } = replay(repo.commits, new Set(rollbacks.flatMap((c) => [c.id, c.rollback!.targetId])));
    for (const commit of rollbacks) {
      const meta = commit.rollback!;
      expect(commit.message).toBe('');
      const target = targetOf(repo, `${meta.tenant}/${meta.environment}`);
      const targetCommit = repo.commits[index.get(meta.targetId)!]!;
      expect(index.get(meta.targetId)!).toBeLessThan(index.get(commit.id)!);
      expect(touchesTarget(targetCommit, target)).toBe(true);
      expect(touchesTarget(commit, target)).toBe(true);
      const scope = meta.mode === 'full' ? target.layout.paths : target.layout.services.find((s) => s.name === meta.service)!.paths;
      for (const path of Object.keys(commit.changes)) expect(matchesAny(scope, path), path).toBe(true);
      const before = filesUnder(snapshots.get(meta.targetId)!, scope);
      expect(Object.keys(before).length).toBeGreaterThan(0);
      expect(filesUnder(snapshots.get(commit.id)!, scope)).toEqual(before);
      expect(meta.justification.length).toBeGreaterThan(20);
      expect(meta.author).toMatch(/@example\.com$/);
      expect(meta.approval).toMatch(/^Approved by .+ \(quorum: \d\/\d\)$/);
    }
  });

  it('tells the incident story', () => {
    const acmeProd = targetOf(repo, 'acme/production');
    const history = repo.commits.filter((c) => touchesTarget(c, acmeProd));
    const at = (c: DemoCommit) => history.indexOf(c);

    // 10 days before the end: checkout v3.8.0 fails and a service rollback returns checkout to the revision before it.
    expect(story.checkoutFailedRelease.deployStatus).toBe('failed');
    expect(subjectOf(story.checkoutFailedRelease.message)).toBe('release checkout v3.8.0');
    const days = (END_MS - Date.parse(story.checkoutFailedRelease.timestamp)) / 86_400_000;
    expect(days).toBeGreaterThan(9);
    expect(days).toBeLessThan(11);
    expect(at(story.checkoutRollbackTarget)).toBe(at(story.checkoutFailedRelease) - 1);
    expect(at(story.checkoutRollback)).toBeGreaterThan(at(story.checkoutFailedRelease));
    expect(story.checkoutRollback.rollback).toMatchObject({
      tenant: 'acme',
      environment: 'production',
      mode: 'service',
      service: 'checkout',
      approval: 'Approved by dana@example.com (quorum: 1/1)',
      requestId: 'rbk-demo0001',
    });
    // Between the two, something else changed the target: a full rollback would have undone it.
    const between = history.slice(at(story.checkoutFailedRelease) + 1, at(story.checkoutRollback));
    expect(between.some((c) => Object.keys(c.changes).some((p) => p.endsWith('variables.yaml')))).toBe(true);

    // The very latest acme/production revision: the failed payments release, tag bump + env change.
    const last = history.at(-1)!;
    expect(last).toBe(story.paymentsFailedRelease);
    expect(subjectOf(last.message)).toBe('release payments v2.14.0');
    expect(last.deployStatus).toBe('failed');
    expect(Object.keys(last.changes)).toEqual(['tenants/acme/production/services/payments/values.yaml']);
    const values = last.changes['tenants/acme/production/services/payments/values.yaml']!;
    expect(values).toContain('tag: "v2.14.0"');
    expect(values).toContain('value: "800"');
    expect(END_MS - Date.parse(last.timestamp)).toBeLessThan(60 * 60 * 1000);
    expect(history.filter((c) => c.deployStatus === 'failed')).toEqual([story.checkoutFailedRelease, story.paymentsFailedRelease]);

    // acme/staging: a failed release fixed forward by a hotfix; the release stays failed.
    expect(story.stagingFailedRelease.deployStatus).toBe('failed');
    expect(story.stagingHotfix.deployStatus).toBeUndefined();
    expect(classifySource(story.stagingHotfix.message)).toBe('hotfix');
    expect(Date.parse(story.stagingHotfix.timestamp)).toBeGreaterThan(Date.parse(story.stagingFailedRelease.timestamp));

    // globex/production: an earlier full rollback with a quorum of two.
    expect(story.globexFailedRelease.deployStatus).toBe('failed');
    expect(story.globexRollback.rollback).toMatchObject({ mode: 'full', tenant: 'globex', environment: 'production' });
    expect(story.globexRollback.rollback!.approval).toContain('quorum: 2/2');
    expect(Date.parse(story.globexRollback.timestamp)).toBeLessThan(Date.parse(story.checkoutFailedRelease.timestamp));

    expect(repo.commits.filter((c) => c.deployStatus === 'failed')).toHaveLength(4);
  });
});

describe('generateDemoRepo (large)', () => {
  it('adds acme/perf with 50,000 revisions', () => {
    const large = generateDemoRepo({ size: 'large' });

    const perf = targetOf(large, 'acme/perf');
    expect(perf.plan).toBe('enterprise');
    expect(perf.layout.services).toHaveLength(4);
    const perfCommits = large.commits.filter((c) => touchesTarget(c, perf));
    expect(perfCommits.length).toBeGreaterThanOrEqual(PERF_REVISIONS);

    // Each perf revision carries only the one file it changed.
    expect(perfCommits.slice(1).filter((c) => Object.keys(c.changes).length !== 1)).toEqual([]);

    // The same repo plus the perf commits: the main targets' commits are untouched.
    expect(large.targets.slice(0, MAIN_TARGETS.length)).toEqual(repo.targets);
    expect(large.commits.filter((c) => !touchesTarget(c, perf))).toEqual(repo.commits);

    let previous = START_MS;
    for (const commit of large.commits) {
      const time = Date.parse(commit.timestamp);
      if (time <= previous) throw new Error(`${commit.id} at ${commit.timestamp} is not after the previous commit`);
      previous = time;
    }
    expect(previous).toBeLessThan(END_MS);
    for (const commit of large.commits) {
      for (const path of Object.keys(commit.changes)) {
        if (!large.targets.some((t) => matchesAny(t.layout.paths, path))) throw new Error(`${path} belongs to no target`);
      }
    }
    for (let i = 0; i < perfCommits.length; i += 499) {
      for (const [path, content] of Object.entries(perfCommits[i]!.changes)) parseYaml(path, content!);
    }

    const again = generateDemoRepo({ size: 'large' });
    expect(fingerprint(again)).toBe(fingerprint(large));
  }, 60_000); // generating 50,000 commits takes ~0.5 s alone, several seconds on a loaded CI machine
});
