import { describe, expect, it } from 'vitest';
import type { CommitRecord, LogQuery, RevisionStore } from './ports.ts';
import type { Revision } from './schemas.ts';
import { defaultLayout, matchesAny, servicesTouched, type TargetConfig } from './target-config.ts';
import { VersionReader } from './revision-versions.ts';
import { versionInHistory, versionLabel, versionProvenance } from './version-display.ts';

const values = (service: string, tag: string) => `image:\n  repository: registry.example.com/${service}\n  tag: "${tag}"\n`;
const root = 'tenants/acme/production/services';

/** A linear history in memory that counts what is read, so the test can hold the reader to "cheap". */
class CountingStore {
  readonly commits: { sha: string; changes: Record<string, string | null> }[] = [];
  reads = 0;
  logs = 0;
  add(changes: Record<string, string | null>): string {
    const sha = String(this.commits.length + 1).padStart(40, '0');
    this.commits.push({ sha, changes });
    return sha;
  }
  async log(query: LogQuery): Promise<CommitRecord[]> {
    this.logs++;
    let start = this.commits.length - 1;
    if (query.after) start = this.commits.findIndex((c) => c.sha === query.after) - 1;
    const found: CommitRecord[] = [];
    for (let i = start; i >= 0 && found.length < query.limit; i--) {
      const paths = Object.keys(this.commits[i]!.changes).filter((p) => matchesAny(query.paths, p));
      if (paths.length) found.push({ sha: this.commits[i]!.sha, timestamp: '2026-01-01T00:00:00Z', author: { name: 'a', email: 'a@x' }, message: 'm', paths });
    }
    return found;
  }
  async readFiles(paths: readonly string[], sha: string): Promise<Map<string, string>> {
    this.reads++;
    const files = new Map<string, string>();
    for (const commit of this.commits.slice(0, this.commits.findIndex((c) => c.sha === sha) + 1)) {
      for (const [path, text] of Object.entries(commit.changes)) {
        if (!matchesAny(paths, path)) continue;
        if (text === null) files.delete(path);
        else files.set(path, text);
      }
    }
    return files;
  }
}

const target: TargetConfig = {
  tenant: 'acme',
  environment: 'production',
  plan: 'enterprise',
  features: { basic_rollback: true, rollback: true, selective_rollback: true, rollback_approval: true },
  policy: { requiredApprovals: 1, blockSelfApproval: true, requesters: ['admin'], approvers: ['admin'], breakGlass: ['admin'] },
  layout: defaultLayout('acme', 'production', ['payments', 'search']),
};

function revisionsOf(store: CountingStore): Revision[] {
  return [...store.commits].reverse().map((c) => ({
    sha: c.sha,
    shortSha: c.sha.slice(0, 7),
    timestamp: '2026-01-01T00:00:00Z',
    author: { name: 'a', email: 'a@x' },
    summary: 'm',
    services: servicesTouched(target.layout, Object.keys(c.changes)),
    source: 'release' as const,
    status: 'success' as const,
  }));
}

function history() {
  const store = new CountingStore();
  store.add({ [`${root}/payments/values.yaml`]: values('payments', 'v2.13.12'), [`${root}/search/deploy.yaml`]: 'kind: ConfigMap\n' });
  store.add({ [`${root}/payments/values.yaml`]: values('payments', 'v2.13.14') });
  store.add({ [`${root}/search/deploy.yaml`]: 'kind: ConfigMap\ndata: {}\n' });
  store.add({ [`${root}/payments/values.yaml`]: values('payments', 'v3.0.0') });
  return store;
}

describe('VersionReader.annotate', () => {
  it('gives each changed service its version before and at the revision, with provenance', { timeout: 30_000 }, async () => {
    const store = history();
    const revisions = revisionsOf(store);
    await new VersionReader(store as unknown as RevisionStore).annotate(target, revisions);
    const summary = revisions.map((r) => r.versions!.map((v) => `${v.service} ${versionLabel(v.from)} → ${versionLabel(v.to)}`));
    expect(summary).toEqual([
      ['payments v2.13.14 → v3.0.0'],
      ['search version unknown → version unknown'],
      ['payments v2.13.12 → v2.13.14'],
      ['payments version unknown → v2.13.12', 'search version unknown → version unknown'],
    ]);
    const first = revisions.at(-1)!.versions![0]!;
    expect(versionProvenance(first.from)).toBe('version unknown: the service did not exist before this revision');
    expect(versionProvenance(first.to)).toBe(`read from image.tag in ${root}/payments/values.yaml`);
    expect(versionProvenance(revisions[1]!.versions![0]!.to)).toBe('version unknown: no image tag, chart version or version label in its manifests');
  });

  it('reads only changed services, once per commit, with one log walk per page', { timeout: 30_000 }, async () => {
    const store = history();
    const reader = new VersionReader(store as unknown as RevisionStore);
    await reader.annotate(target, revisionsOf(store));
    // payments at commits 1, 2, 4; search at 1, 3: five reads, and one log walk for the page.
    expect(store.reads).toBe(5);
    expect(store.logs).toBe(1);
    await reader.annotate(target, revisionsOf(store));
    expect([store.reads, store.logs]).toEqual([5, 1]);
  });

  it('finds the previous commit of a service the page left out (a filtered page)', { timeout: 30_000 }, async () => {
    const store = history();
    const page = revisionsOf(store).filter((r) => r.sha === store.commits[3]!.sha);
    await new VersionReader(store as unknown as RevisionStore).annotate(target, page);
    expect(page[0]!.versions).toMatchObject([{ service: 'payments', from: { version: 'v2.13.14' }, to: { version: 'v3.0.0' } }]);
  });

  it('reads every service at a head', { timeout: 30_000 }, async () => {
    const store = history();
    const versions = await new VersionReader(store as unknown as RevisionStore).versionsAt(target, store.commits[3]!.sha);
    expect(versions.map((v) => [v.service, versionLabel(v.version)])).toEqual([
      ['payments', 'v3.0.0'],
      ['search', 'version unknown'],
    ]);
  });
});

describe('versionInHistory', () => {
  it('reads a service at a revision that did not change it from the newest older one that did', { timeout: 30_000 }, async () => {
    const store = history();
    const revisions = revisionsOf(store);
    await new VersionReader(store as unknown as RevisionStore).annotate(target, revisions);
    // Index 1 changed search only: payments there is what commit 2 deployed.
    expect(versionInHistory(revisions, 1, 'payments')).toMatchObject({ version: 'v2.13.14' });
    expect(versionInHistory(revisions, 0, 'payments')).toMatchObject({ version: 'v3.0.0' });
    expect(versionInHistory(revisions.slice(0, 2), 1, 'payments')).toBeNull();
  });
});
