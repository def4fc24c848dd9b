import type { HistoryResponse, Revision, RevisionSource, RevisionStatus, Target, User } from '#core/schemas.ts';

/** A deterministic 40-hex sha for fixture number `n`. */
export function fakeSha(n: number): string {
  return (n.toString(16).padStart(7, '0') + 'abcdef0123456789'.repeat(3)).slice(0, 40);
}

export function makeTarget(overrides: Partial<Target> = {}): Target {
  return {
    tenant: 'acme',
    environment: 'production',
    plan: 'enterprise',
    features: { basic_rollback: true, rollback: true, selective_rollback: true, rollback_approval: true },
    policy: { requiredApprovals: 1, blockSelfApproval: true, requesters: ['requester', 'approver', 'admin'], approvers: ['approver', 'admin'], breakGlass: ['break-glass', 'admin'] },
    head: { sha: fakeSha(0), timestamp: '2025-11-20T10:00:00Z' },
    health: 'degraded',
    sync: 'synced',
    services: [
      { name: 'api-gateway', health: 'healthy', sync: 'synced' },
      { name: 'payments', health: 'degraded', sync: 'synced' },
      { name: 'checkout', health: 'healthy', sync: 'out-of-sync' },
    ],
    cluster: {
      source: 'simulated',
      liveRevision: fakeSha(0),
      operation: null,
      observedAt: '2025-11-20T10:01:00Z',
      reason: null,
      outcomes: [],
      deployment: { state: 'current', notDeployed: [], notDeployedCount: 0, failedToDeploy: [], since: null },
    },
    ...overrides,
  };
}

const SOURCES: RevisionSource[] = ['release', 'promotion', 'hotfix', 'release'];

/** Revision `n` of a history whose newest revision is number 0, one hour apart. */
export function makeRevision(n: number, overrides: Partial<Revision> = {}): Revision {
  const sha = fakeSha(n);
  const status: RevisionStatus = 'success';
  return {
    sha,
    shortSha: sha.slice(0, 7),
    timestamp: new Date(Date.UTC(2025, 10, 20, 10) - n * 3_600_000).toISOString(),
    author: { name: `Author ${n}`, email: `author${n}@example.com` },
    summary: `Change number ${n}`,
    services: ['api-gateway'],
    source: SOURCES[n % SOURCES.length] ?? 'release',
    status,
    ...overrides,
  };
}

export function makeHistoryPage(from: number, count: number, nextCursor: string | null): HistoryResponse {
  return { revisions: Array.from({ length: count }, (_, i) => makeRevision(from + i)), nextCursor };
}

export const demoUsers: User[] = [
  { email: 'alice@example.com', name: 'Alice Admin', roles: ['requester', 'approver', 'admin'] },
  { email: 'bob@example.com', name: 'Bob Approver', roles: ['approver'] },
];
