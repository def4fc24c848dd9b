import { describe, expect, it } from 'vitest';
// Tests may use the in-memory adapter; core's own code may not (eslint enforces it).
import { InMemoryRevisionStore } from '#in-memory/in-memory-revision-store.ts';
import { MAX_SCAN_PER_PAGE, agentOutcomesOf, decodeCursor, encodeCursor, readHistoryPage } from './history.ts';
import { buildRolledBackIndex } from './rolled-back-index.ts';
import { historyQuerySchema } from './schemas.ts';
import { defaultLayout, type TargetConfig } from './target-config.ts';

const target: TargetConfig = {
  tenant: 'acme',
  environment: 'production',
  plan: 'enterprise',
  features: { basic_rollback: true, rollback: true, selective_rollback: true, rollback_approval: true },
  policy: { requiredApprovals: 1, blockSelfApproval: true, requesters: ['requester'], approvers: ['approver'], breakGlass: ['admin'] },
  layout: defaultLayout('acme', 'production', ['payments', 'web']),
};
const root = 'tenants/acme/production';
const author = { name: 'Jane', email: 'jane@example.com' };
let minute = 0;
const at = () => new Date(Date.UTC(2026, 10, 1) + ++minute * 60_000).toISOString();

function release(store: InMemoryRevisionStore, service: string, version: string, deployStatus?: 'failed') {
  return store.append({
    timestamp: at(),
    author,
    message: `release ${service} ${version}`,
    changes: { [`${root}/services/${service}/values.yaml`]: `tag: ${version}\n` },
    ...(deployStatus ? { deployStatus } : {}),
  });
}

const query = (q: Record<string, unknown> = {}) => historyQuerySchema.parse(q);

describe('readHistoryPage', () => {
  it('walks the whole history by cursor, newest first, with no overlap when commits land meanwhile', async () => {
    const store = new InMemoryRevisionStore();
    const shas = Array.from({ length: 23 }, (_, i) => release(store, i % 2 ? 'web' : 'payments', `v1.${i}`));
    store.append({ timestamp: at(), author, message: 'elsewhere', changes: { 'tenants/globex/production/x.yaml': 'x' } });
    const index = await buildRolledBackIndex(store, target);

    const seen: string[] = [];
    let cursor: string | undefined;
    for (let page = 0; page < 10; page++) {
      const result = await readHistoryPage(store, target, query({ limit: 5, cursor }), index);
      seen.push(...result.revisions.map((r) => r.sha));
      if (page === 1) release(store, 'web', 'v9.0.0'); // lands between page 2 and 3
      if (!result.nextCursor) break;
      cursor = result.nextCursor;
    }
    expect(seen).toEqual([...shas].reverse());
  });

  it('applies filters while scanning and keeps cursors consistent', async () => {
    const store = new InMemoryRevisionStore();
    for (let i = 0; i < 30; i++) release(store, i % 3 ? 'web' : 'payments', `v2.${i}`, i % 7 === 0 ? 'failed' : undefined);
    const index = await buildRolledBackIndex(store, target);
    const failed: string[] = [];
    let cursor: string | undefined;
    do {
      const result = await readHistoryPage(store, target, query({ limit: 2, status: 'failed', cursor }), index);
      expect(result.revisions.every((r) => r.status === 'failed')).toBe(true);
      failed.push(...result.revisions.map((r) => r.summary));
      cursor = result.nextCursor ?? undefined;
    } while (cursor);
    expect(failed).toEqual(['release web v2.28', 'release payments v2.21', 'release web v2.14', 'release web v2.7', 'release payments v2.0']);
  });

  it('bounds the scan of one page and hands back a cursor to continue', async () => {
    const store = new InMemoryRevisionStore();
    release(store, 'payments', 'v0', 'failed');
    for (let i = 0; i < MAX_SCAN_PER_PAGE + 10; i++) release(store, 'web', `v${i}`);
    const first = await readHistoryPage(store, target, query({ status: 'failed' }), new Map());
    expect(first.revisions).toEqual([]);
    expect(first.nextCursor).not.toBeNull();
    const second = await readHistoryPage(store, target, query({ status: 'failed', cursor: first.nextCursor }), new Map());
    expect(second.revisions.map((r) => r.summary)).toEqual(['release payments v0']);
    expect(second.nextCursor).toBeNull();
  });

  it('rejects malformed and unknown cursors', async () => {
    const store = new InMemoryRevisionStore();
    release(store, 'web', 'v1');
    await expect(readHistoryPage(store, target, query({ cursor: 'zzz' }), new Map())).rejects.toThrow('invalid cursor');
    await expect(readHistoryPage(store, target, query({ cursor: encodeCursor('f'.repeat(40)) }), new Map())).rejects.toThrow('invalid cursor');
    expect(() => decodeCursor(`c1.${'A'.repeat(40)}`)).toThrow('invalid cursor');
  });
});

describe('agent outcomes in history (decision 037)', () => {
  it("an agent's outcome outranks the git note, a rollback outranks both, and every status names its source", async () => {
    const store = new InMemoryRevisionStore();
    const noted = release(store, 'payments', 'v1', 'failed');
    const silent = release(store, 'web', 'v1');
    const reported = release(store, 'payments', 'v2');
    const agent = agentOutcomesOf({ source: 'argocd', outcomes: [{ sha: reported, outcome: 'failed' }, { sha: noted, outcome: 'success' }, { sha: reported, outcome: 'success' }] });
    const page = await readHistoryPage(store, target, query(), new Map(), agent);
    const bySha = new Map(page.revisions.map((r) => [r.sha, r]));
    // The newest report of a commit counts: failed, from Argo CD.
    expect(bySha.get(reported)).toMatchObject({ status: 'failed', statusSource: 'argocd' });
    expect(bySha.get(noted)).toMatchObject({ status: 'success', statusSource: 'argocd' });
    expect(bySha.get(silent)).toMatchObject({ status: 'unknown', statusSource: 'none' });
    // The status filter sees the agent's word, and `unknown` finds the revisions nobody reported on.
    expect((await readHistoryPage(store, target, query({ status: 'unknown' }), new Map(), agent)).revisions.map((r) => r.sha)).toEqual([silent]);
    expect((await readHistoryPage(store, target, query({ status: 'success' }), new Map(), agent)).revisions.map((r) => r.sha)).toEqual([noted]);
    expect((await readHistoryPage(store, target, query({ status: 'failed' }), new Map(), agent)).revisions.map((r) => r.sha)).toEqual([reported]);
    // Without an agent, the git note.
    const plain = await readHistoryPage(store, target, query(), new Map());
    expect(plain.revisions.find((r) => r.sha === noted)).toMatchObject({ status: 'failed', statusSource: 'git-note' });
    expect(agentOutcomesOf({ source: 'none', outcomes: [] })).toBeUndefined();
    const undone = await readHistoryPage(store, target, query(), new Map([[reported, { by: noted, whole: true }]]), agent);
    expect(undone.revisions[0]).toMatchObject({ status: 'rolled-back', statusSource: 'rollback' });
  });
});
