/**
 * The RevisionStore contract, written once and run against every adapter (in-memory, git CLI), so the
 * mock backend and the real one page, filter and commit identically. Expectations are written as
 * commit subjects: shas differ between adapters, behaviour must not.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { ROLLBACK_HEADER_PREFIX, formatRollbackMessage } from '#core/commit-message.ts';
import { RewindError } from '#core/errors.ts';
import type { CommitRecord, RevisionStore } from '#core/ports.ts';
import type { NewCommit } from '#in-memory/in-memory-revision-store.ts';

export interface RevisionStoreHarness {
  store: RevisionStore;
  /** Adds a commit on the branch behind the store's back (as CI pushing to the repo would). */
  append(commit: NewCommit): Promise<string>;
  /** Records a deployment outcome after the fact (git notes in the git store). */
  setDeployStatus?(sha: string, status: 'success' | 'failed'): Promise<void>;
  close(): Promise<void>;
}

/** Builds a store holding `initial` (oldest first) on its branch. */
export type MakeRevisionStore = (initial: readonly NewCommit[]) => Promise<RevisionStoreHarness>;

const ACME = 'tenants/acme/prod/';
const API = `${ACME}services/api/values.yaml`;
const WEB = `${ACME}services/web/values.yaml`;
const WEB_PATCH = `${ACME}services/web/deployment-patch.yaml`;
const VARS = `${ACME}variables.yaml`;
const KUST = `${ACME}kustomization.yaml`;
const ODD = `${ACME}notes[1].txt`;
const GLOBEX_API = 'tenants/globex/prod/services/api/values.yaml';

const START = Date.parse('2026-03-01T10:00:00.000Z');
const at = (minutes: number) => new Date(START + minutes * 60_000).toISOString();
const ALICE = { name: 'Alice Example', email: 'alice@example.com' };
const BOB = { name: 'Bob Example', email: 'bob@example.com' };

/** A small infra repo: subjects s0..s9 are unique, so results compare across adapters by subject. */
function fixture(): NewCommit[] {
  const commits: NewCommit[] = [
    {
      timestamp: at(0),
      author: ALICE,
      message: 's0 bootstrap\n\nAll targets.\n',
      changes: {
        [KUST]: 'resources: [services/api, services/web]\n',
        [VARS]: 'logLevel: info\n',
        [API]: 'image: api:1.0.0\n',
        [WEB]: 'image: web:1.0.0\n',
        [GLOBEX_API]: 'image: gx-api:1.0.0\n',
        'README.md': '# infra\n',
      },
    },
    { timestamp: at(1), author: BOB, message: 's1 release api 1.1.0\n', changes: { [API]: 'image: api:1.1.0\n' } },
    { timestamp: at(2), author: ALICE, message: 's2 release globex api 1.1.0\n', changes: { [GLOBEX_API]: 'image: gx-api:1.1.0\n' } },
    {
      timestamp: at(3),
      author: BOB,
      message: 's3 release web 1.1.0 with debug logs\n',
      changes: { [WEB]: 'image: web:1.1.0\n', [VARS]: 'logLevel: debug\n' },
      deployStatus: 'failed',
    },
    { timestamp: at(4), author: ALICE, message: 's4 readme and odd file\n', changes: { 'README.md': '# infra repo\n', [ODD]: 'odd\n' } },
    { timestamp: at(5), author: BOB, message: 's5 add web patch\n', changes: { [WEB_PATCH]: 'replicas: 3\n' } },
    { timestamp: at(6), author: BOB, message: 's6 drop web patch\n', changes: { [WEB_PATCH]: null } },
  ];
  return commits;
}

/** The rollback commit s7 (api back to s0) needs s0's sha, so it is appended once the store exists. */
function rollbackTo(targetSha: string): NewCommit {
  return {
    timestamp: at(7),
    author: ALICE,
    message: formatRollbackMessage({
      tenant: 'acme',
      environment: 'prod',
      targetSha,
      mode: 'service',
      service: 'api',
      justification: 'api 1.2 broke checkout\nRollback: forged line',
      author: ALICE.email,
      approval: 'Approved by bob@example.com (quorum: 1/1)',
      requestId: 'rbk-0001',
    }),
    changes: { [API]: 'image: api:1.0.0\n' },
  };
}

const LATER: NewCommit[] = [
  {
    timestamp: at(8),
    author: BOB,
    message: 's8 kustomization tweak\n\nRollback: this line in the body is not a rollback header\n',
    changes: { [KUST]: 'resources: [services/api, services/web]\nnamespace: acme\n' },
  },
  { timestamp: at(9), author: ALICE, message: 'hotfix: s9 api 1.1.1\n', changes: { [API]: 'image: api:1.1.1\n' } },
];

/** s0..s9 from the subject; the rollback commit's subject is its header, so it is s7. */
const subject = (record: CommitRecord) =>
  record.message.startsWith(ROLLBACK_HEADER_PREFIX) ? 's7' : (record.message.split('\n')[0] ?? '').replace(/^hotfix: /, '').split(' ')[0]!;

export function describeRevisionStoreContract(name: string, makeStore: MakeRevisionStore): void {
  describe(`RevisionStore contract: ${name}`, () => {
    let open: RevisionStoreHarness[] = [];
    afterEach(async () => {
      await Promise.all(open.map((h) => h.close()));
      open = [];
    });

    /** The fixture with the rollback (s7) and s8, s9 on top; returns the harness and shas by subject. */
    async function build() {
      const initial = fixture();
      const harness = await makeStore(initial);
      open.push(harness);
      const all = await harness.store.log({ paths: ['tenants/', 'README.md'], limit: 100 });
      const sha = new Map(all.map((r) => [subject(r), r.sha]));
      sha.set('s7', await harness.append(rollbackTo(sha.get('s0')!)));
      for (const commit of LATER) {
        const added = await harness.append(commit);
        sha.set(commit.message.startsWith('hotfix') ? 's9' : 's8', added);
      }
      const shaOf = (s: string) => {
        const found = sha.get(s);
        if (!found) throw new Error(`no commit ${s}`);
        return found;
      };
      return { ...harness, shaOf };
    }

    const subjects = (records: readonly CommitRecord[]) => records.map(subject);

    it('logs newest first, and strictly after a cursor', async () => {
      const { store, shaOf } = await build();
      const all = await store.log({ paths: [ACME], limit: 100 });
      expect(subjects(all)).toEqual(['s9', 's8', 's7', 's6', 's5', 's4', 's3', 's1', 's0']);
      expect(all[0]!.sha).toBe(await store.branchHead());
      expect(subjects(await store.log({ paths: [ACME], limit: 2, after: shaOf('s7') }))).toEqual(['s6', 's5']);
      // A cursor that did not touch these paths still starts strictly after it.
      expect(subjects(await store.log({ paths: [ACME], limit: 5, after: shaOf('s2') }))).toEqual(['s1', 's0']);
      expect(await store.log({ paths: [ACME], limit: 5, after: shaOf('s0') })).toEqual([]);

      // Paging by cursor neither overlaps nor skips.
      const paged: CommitRecord[] = [];
      let after: string | undefined;
      for (;;) {
        const page = await store.log({ paths: [ACME], limit: 2, ...(after ? { after } : {}) });
        paged.push(...page);
        if (page.length < 2) break;
        after = page.at(-1)!.sha;
      }
      expect(paged.map((r) => r.sha)).toEqual(all.map((r) => r.sha));
    });

    it('logs from a commit inclusive with `at`: whether a commit touched the paths', async () => {
      const { store, shaOf } = await build();
      expect(subjects(await store.log({ paths: [ACME], limit: 2, at: shaOf('s3') }))).toEqual(['s3', 's1']);
      // s2 touched only globex: the first acme commit from it is an older one.
      expect(subjects(await store.log({ paths: [ACME], limit: 1, at: shaOf('s2') }))).toEqual(['s1']);
      expect(subjects(await store.log({ paths: ['tenants/globex/'], limit: 1, at: shaOf('s2') }))).toEqual(['s2']);
      expect(subjects(await store.log({ paths: [ACME], limit: 1, at: shaOf('s0') }))).toEqual(['s0']);
    });

    it('reads commit metadata as it was written', async () => {
      const { store, shaOf } = await build();
      const [s3] = await store.log({ paths: [VARS], limit: 1, after: shaOf('s8') });
      expect(s3).toMatchObject({
        sha: shaOf('s3'),
        timestamp: at(3),
        author: BOB,
        message: 's3 release web 1.1.0 with debug logs\n',
      });
      const [s9] = await store.log({ paths: [API], limit: 1 });
      expect(s9!.message).toBe('hotfix: s9 api 1.1.1\n');
      expect(s9!.author).toEqual(ALICE);
    });

    it.each([
      ['a directory prefix', [`${ACME}services/`], ['s9', 's7', 's6', 's5', 's3', 's1', 's0']],
      ['a glob within segments', ['tenants/*/prod/services/api/values.yaml'], ['s9', 's7', 's2', 's1', 's0']],
      ['a glob across segments', ['tenants/*/prod/services/api/**'], ['s9', 's7', 's2', 's1', 's0']],
      ['a leading **', ['**/deployment-patch.yaml'], ['s6', 's5']],
      ['a glob over file names', [`${ACME}services/*/values.yaml`], ['s9', 's7', 's3', 's1', 's0']],
      ['a ? wildcard', ['tenants/acme/pro?/variables.yaml'], ['s3', 's0']],
      ['an exact file', [VARS], ['s3', 's0']],
      ['an exact file with glob characters in its name', [ODD], ['s4']],
      ['a glob that must not read [1] as a character class', [`${ACME}notes[1].*`], ['s4']],
      ['an exact file spec naming a directory (matches nothing)', [`${ACME}services`], []],
      ['a ** inside a segment', ['tenants/acme**'], ['s9', 's8', 's7', 's6', 's5', 's4', 's3', 's1', 's0']],
      ['several specs', [VARS, KUST], ['s8', 's3', 's0']],
      ['a spec outside every target', ['README.md'], ['s4', 's0']],
      ['no specs', [], []],
      ['a spec that no repo path can match', ['/etc/passwd', '../x', ''], []],
    ])('filters by %s', async (_, paths, expected) => {
      const { store } = await build();
      expect(subjects(await store.log({ paths, limit: 100 }))).toEqual(expected);
      // The same with small pages: cursors work with every kind of spec.
      const paged: CommitRecord[] = [];
      let after: string | undefined;
      for (let i = 0; i < 20; i++) {
        const page = await store.log({ paths, limit: 1, ...(after ? { after } : {}) });
        paged.push(...page);
        if (page.length === 0) break;
        after = page[0]!.sha;
      }
      expect(subjects(paged)).toEqual(expected);
    });

    it('restricts the paths of each record to the query, sorted', async () => {
      const { store, shaOf } = await build();
      const byWeb = await store.log({ paths: [`${ACME}services/web/`], limit: 100 });
      expect(byWeb.find((r) => r.sha === shaOf('s3'))!.paths).toEqual([WEB]);
      const byAcme = await store.log({ paths: [ACME], limit: 100 });
      expect(byAcme.find((r) => r.sha === shaOf('s0'))!.paths).toEqual([KUST, API, WEB, VARS]);
      expect(byAcme.find((r) => r.sha === shaOf('s3'))!.paths).toEqual([WEB, VARS]);
      expect(byAcme.find((r) => r.sha === shaOf('s4'))!.paths).toEqual([ODD]);
      // A deletion is a change of the deleted path.
      expect(byAcme.find((r) => r.sha === shaOf('s6'))!.paths).toEqual([WEB_PATCH]);
      const both = await store.log({ paths: ['README.md', GLOBEX_API], limit: 100 });
      expect(both.find((r) => r.sha === shaOf('s0'))!.paths).toEqual(['README.md', GLOBEX_API]);
    });

    it('lists a range: reachable from until, not from since, touching the paths, newest first', async () => {
      const { store, shaOf } = await build();
      expect(await store.range({ paths: [API], since: shaOf('s1'), until: shaOf('s9') })).toEqual([shaOf('s9'), shaOf('s7')]);
      expect(await store.range({ paths: [ACME], since: shaOf('s3'), until: shaOf('s7') })).toEqual([
        shaOf('s7'),
        shaOf('s6'),
        shaOf('s5'),
        shaOf('s4'),
      ]);
      expect(await store.range({ paths: [`${ACME}services/*/values.yaml`], since: shaOf('s0'), until: shaOf('s3') })).toEqual([
        shaOf('s3'),
        shaOf('s1'),
      ]);
      expect(await store.range({ paths: [API], since: shaOf('s9'), until: shaOf('s9') })).toEqual([]);
    });

    it('lists rollback commits by their header only', async () => {
      const { store, shaOf } = await build();
      const rollbacks = await store.logRollbacks([ACME]);
      expect(rollbacks.map((r) => r.sha)).toEqual([shaOf('s7')]);
      expect(rollbacks[0]!.paths).toEqual([API]);
      expect(rollbacks[0]!.message).toContain(`Target Revision: ${shaOf('s0')}`);
      expect(await store.logRollbacks(['tenants/globex/prod/'])).toEqual([]);
      expect(await store.logRollbacks([`${ACME}services/api/`])).toHaveLength(1);
      // New rollbacks on top are found (stores may cache what they found before).
      const again = await store.commit({
        expectedHead: (await store.branchHead())!,
        changes: { [API]: 'image: api:1.1.0\n' },
        message: rollbackTo(shaOf('s0')).message,
        author: BOB,
        timestamp: at(10),
      });
      expect((await store.logRollbacks([ACME])).map((r) => r.sha)).toEqual([again, shaOf('s7')]);
    });

    it('reads files at old and new revisions, deleted files included', async () => {
      const { store, shaOf } = await build();
      const first = await store.readFiles([ACME], shaOf('s0'));
      expect([...first.keys()]).toEqual([KUST, API, WEB, VARS]);
      expect(first.get(API)).toBe('image: api:1.0.0\n');
      const withPatch = await store.readFiles([`${ACME}services/web/`], shaOf('s5'));
      expect(Object.fromEntries(withPatch)).toEqual({ [WEB_PATCH]: 'replicas: 3\n', [WEB]: 'image: web:1.1.0\n' });
      const afterDelete = await store.readFiles([`${ACME}services/web/`], shaOf('s6'));
      expect([...afterDelete.keys()]).toEqual([WEB]);
      const head = await store.readFiles([ACME], shaOf('s9'));
      expect(head.get(API)).toBe('image: api:1.1.1\n');
      expect(head.get(VARS)).toBe('logLevel: debug\n');
      expect(head.get(ODD)).toBe('odd\n');
      expect(Object.fromEntries(await store.readFiles([`${ACME}services/*/values.yaml`, GLOBEX_API], shaOf('s2')))).toEqual({
        [API]: 'image: api:1.1.0\n',
        [WEB]: 'image: web:1.0.0\n',
        [GLOBEX_API]: 'image: gx-api:1.1.0\n',
      });
      expect(await store.readFiles([`${ACME}services`], shaOf('s9'))).toEqual(new Map());
      expect(await store.readFiles(['tenants/nobody/'], shaOf('s9'))).toEqual(new Map());
    });

    it('resolves full and abbreviated ids of branch commits, and nothing else', async () => {
      const { store, shaOf } = await build();
      const s3 = shaOf('s3');
      expect(await store.resolveCommit(s3)).toBe(s3);
      expect(await store.resolveCommit(s3.slice(0, 7))).toBe(s3);
      expect(await store.resolveCommit(s3.slice(0, 12))).toBe(s3);
      expect(await store.resolveCommit(s3.slice(0, 3))).toBeNull();
      expect(await store.resolveCommit('f'.repeat(40))).toBeNull();
      expect(await store.resolveCommit('HEAD')).toBeNull();
      expect(await store.resolveCommit('main')).toBeNull();
      expect(await store.resolveCommit(`${s3}^`)).toBeNull();
      expect(await store.resolveCommit(s3.toUpperCase())).toBeNull();
      expect(await store.resolveCommit('')).toBeNull();
    });

    it('refuses an abbreviated id that names several commits', async () => {
      // 1,000 commits make a shared 4-digit prefix all but certain (and the data is deterministic).
      const many: NewCommit[] = Array.from({ length: 1000 }, (_, i) => ({
        timestamp: at(i),
        author: ALICE,
        message: `c${i}\n`,
        changes: { [`files/f${i % 10}.txt`]: `${i}\n` },
      }));
      const harness = await makeStore(many);
      open.push(harness);
      const shas = (await harness.store.log({ paths: ['files/'], limit: 2000 })).map((r) => r.sha);
      expect(shas).toHaveLength(1000);
      const byPrefix = new Map<string, string[]>();
      for (const sha of shas) byPrefix.set(sha.slice(0, 4), [...(byPrefix.get(sha.slice(0, 4)) ?? []), sha]);
      const shared = [...byPrefix].find(([, list]) => list.length > 1);
      const unique = [...byPrefix].find(([, list]) => list.length === 1);
      expect(shared).toBeDefined();
      expect(await harness.store.resolveCommit(shared![0])).toBeNull();
      expect(await harness.store.resolveCommit(unique![0])).toBe(unique![1][0]);
      // A longer prefix that tells them apart resolves.
      const [a, b] = shared![1] as [string, string];
      let length = 5;
      while (a.slice(0, length) === b.slice(0, length)) length++;
      expect(await harness.store.resolveCommit(a.slice(0, length))).toBe(a);
    });

    it('commits with compare-and-swap; the commit shows in the log and the files', async () => {
      const { store, shaOf } = await build();
      const head = await store.branchHead();
      expect(head).toBe(shaOf('s9'));
      const sha = await store.commit({
        expectedHead: head!,
        changes: { [API]: 'image: api:1.0.0\n', [`${ACME}services/api/new.yaml`]: 'added: true\n' },
        message: 'restore api 1.0.0\n\nBecause.\n',
        author: BOB,
        timestamp: at(20),
      });
      expect(sha).toMatch(/^[0-9a-f]{40}$/);
      expect(await store.branchHead()).toBe(sha);
      const [top] = await store.log({ paths: [ACME], limit: 1 });
      expect(top).toEqual({
        sha,
        timestamp: at(20),
        author: BOB,
        message: 'restore api 1.0.0\n\nBecause.\n',
        paths: [`${ACME}services/api/new.yaml`, API],
      });
      const files = await store.readFiles([`${ACME}services/api/`], sha);
      expect(Object.fromEntries(files)).toEqual({ [`${ACME}services/api/new.yaml`]: 'added: true\n', [API]: 'image: api:1.0.0\n' });
      // Untouched files stay as they were.
      expect((await store.readFiles([VARS], sha)).get(VARS)).toBe('logLevel: debug\n');
      expect(await store.resolveCommit(sha)).toBe(sha);
    });

    it('refuses a commit on a stale head with CONFLICT and leaves the branch alone', async () => {
      const { store, shaOf, append } = await build();
      const planned = (await store.branchHead())!;
      const moved = await append({ timestamp: at(30), author: BOB, message: 'someone else\n', changes: { [WEB]: 'image: web:2.0.0\n' } });
      const attempt = store.commit({
        expectedHead: planned,
        changes: { [API]: 'image: api:0.9.0\n' },
        message: 'too late\n',
        author: ALICE,
        timestamp: at(31),
      });
      await expect(attempt).rejects.toBeInstanceOf(RewindError);
      await expect(attempt).rejects.toMatchObject({ code: 'CONFLICT', message: expect.stringMatching(/branch moved/) });
      expect(await store.branchHead()).toBe(moved);
      expect((await store.readFiles([API], moved)).get(API)).toBe('image: api:1.1.1\n');
      expect(subjects(await store.log({ paths: [ACME], limit: 2 }))).toEqual(['someone', 's9']);
      await expect(
        store.commit({ expectedHead: shaOf('s0'), changes: {}, message: 'x\n', author: ALICE, timestamp: at(32) }),
      ).rejects.toMatchObject({ code: 'CONFLICT' });
    });

    it('deletes a file through a commit', async () => {
      const { store } = await build();
      const sha = await store.commit({
        expectedHead: (await store.branchHead())!,
        changes: { [VARS]: null },
        message: 'drop variables\n',
        author: ALICE,
        timestamp: at(40),
      });
      expect([...(await store.readFiles([ACME], sha)).keys()]).toEqual([KUST, ODD, API, WEB]);
      const [top] = await store.log({ paths: [VARS], limit: 1 });
      expect(top).toMatchObject({ sha, paths: [VARS] });
    });

    it('surfaces a failed deployment on the record', async () => {
      const { store, shaOf, setDeployStatus } = await build();
      const all = await store.log({ paths: [ACME], limit: 100 });
      const status = Object.fromEntries(all.map((r) => [subject(r), r.deployStatus ?? 'none']));
      expect(status).toEqual({ s9: 'none', s8: 'none', s7: 'none', s6: 'none', s5: 'none', s4: 'none', s3: 'failed', s1: 'none', s0: 'none' });
      if (setDeployStatus) {
        expect((await store.logRollbacks([ACME]))[0]!.deployStatus).toBeUndefined();
        await setDeployStatus(shaOf('s9'), 'failed');
        await setDeployStatus(shaOf('s3'), 'success');
        const [s9] = await store.log({ paths: [API], limit: 1 });
        expect(s9!.deployStatus).toBe('failed');
        const [s3] = await store.log({ paths: [VARS], limit: 1, after: shaOf('s8') });
        expect(s3!.deployStatus).toBe('success');
        await setDeployStatus(shaOf('s7'), 'failed');
        expect((await store.logRollbacks([ACME]))[0]!.deployStatus).toBe('failed');
      }
    });

    it('diffs two revisions per file, restricted to the paths, sorted by path', async () => {
      const { store, shaOf } = await build();
      const diffs = await store.diff({ paths: [ACME], from: shaOf('s0'), to: shaOf('s9') });
      expect(diffs.map(({ path, status, additions, deletions }) => ({ path, status, additions, deletions }))).toEqual([
        { path: KUST, status: 'modified', additions: 1, deletions: 0 },
        { path: ODD, status: 'added', additions: 1, deletions: 0 },
        { path: API, status: 'modified', additions: 1, deletions: 1 },
        { path: WEB, status: 'modified', additions: 1, deletions: 1 },
        { path: VARS, status: 'modified', additions: 1, deletions: 1 },
      ]);
      // The same patch text from every adapter.
      expect(diffs.find((d) => d.path === API)!.patch).toBe(
        `diff --git a/${API} b/${API}\n--- a/${API}\n+++ b/${API}\n@@ -1 +1 @@\n-image: api:1.0.0\n+image: api:1.1.1\n`,
      );
      expect(diffs.find((d) => d.path === ODD)!.patch).toBe(`diff --git a/${ODD} b/${ODD}\nnew file mode 100644\n--- /dev/null\n+++ b/${ODD}\n@@ -0,0 +1 @@\n+odd\n`);
      expect(diffs.find((d) => d.path === KUST)!.patch).toBe(
        `diff --git a/${KUST} b/${KUST}\n--- a/${KUST}\n+++ b/${KUST}\n@@ -1 +1,2 @@\n resources: [services/api, services/web]\n+namespace: acme\n`,
      );
      const deleted = await store.diff({ paths: [`${ACME}services/web/`], from: shaOf('s5'), to: shaOf('s6') });
      expect(deleted.map(({ path, status, additions, deletions }) => ({ path, status, additions, deletions }))).toEqual([
        { path: WEB_PATCH, status: 'deleted', additions: 0, deletions: 1 },
      ]);
      expect(deleted[0]!.patch).toBe(
        `diff --git a/${WEB_PATCH} b/${WEB_PATCH}\ndeleted file mode 100644\n--- a/${WEB_PATCH}\n+++ /dev/null\n@@ -1 +0,0 @@\n-replicas: 3\n`,
      );
      expect(await store.diff({ paths: [VARS], from: shaOf('s3'), to: shaOf('s9') })).toEqual([]);
      expect((await store.diff({ paths: [VARS, GLOBEX_API], from: shaOf('s0'), to: shaOf('s3') })).map((d) => d.path)).toEqual([
        VARS,
        GLOBEX_API,
      ]);
    });

    it('diffs one file literally with `file`, and with the context asked for', async () => {
      const { store, shaOf } = await build();
      const all = await store.diff({ paths: [ACME], from: shaOf('s0'), to: shaOf('s9') });
      expect(await store.diff({ paths: [ACME], from: shaOf('s0'), to: shaOf('s9'), file: API })).toEqual(all.filter((d) => d.path === API));
      // Outside the paths, a pattern, or unchanged: nothing.
      expect(await store.diff({ paths: [`${ACME}services/web/`], from: shaOf('s0'), to: shaOf('s9'), file: API })).toEqual([]);
      expect(await store.diff({ paths: [ACME], from: shaOf('s0'), to: shaOf('s9'), file: `${ACME}services/*/values.yaml` })).toEqual([]);
      expect(await store.diff({ paths: [ACME], from: shaOf('s3'), to: shaOf('s9'), file: VARS })).toEqual([]);
      const [none] = await store.diff({ paths: [ACME], from: shaOf('s0'), to: shaOf('s9'), file: KUST, context: 0 });
      expect(none!.patch).toBe(`diff --git a/${KUST} b/${KUST}\n--- a/${KUST}\n+++ b/${KUST}\n@@ -1,0 +2 @@ resources: [services/api, services/web]\n+namespace: acme\n`);
      const [wide] = await store.diff({ paths: [ACME], from: shaOf('s0'), to: shaOf('s9'), file: KUST, context: 1_000_000, withTexts: true });
      expect(wide!.patch).toBe(all.find((d) => d.path === KUST)!.patch);
    });

    it('answers an empty page for limit 0 and a short one at the end', async () => {
      const { store } = await build();
      expect(await store.log({ paths: [ACME], limit: 0 })).toEqual([]);
      expect(subjects(await store.log({ paths: ['README.md'], limit: 10 }))).toEqual(['s4', 's0']);
    });
  });
}
