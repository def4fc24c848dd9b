import { describe, expect, it } from 'vitest';
import { buildIncidentReport, formatDuration, incidentMarkdown } from './incident-report.ts';
import type { TargetRuntimeStatus } from './ports.ts';
import type { AuditEvent, RollbackRequest } from './schemas.ts';

const sha = (c: string) => c.repeat(40);
const request: RollbackRequest = {
  id: 'rbk-1',
  tenant: 'acme',
  environment: 'production',
  mode: 'service',
  service: 'payments',
  targetSha: sha('a'),
  baseSha: sha('b'),
  justification: 'payments 500s after v2.14.0 | see *dashboard*',
  requestedBy: 'olu@example.com',
  createdAt: '2026-11-20T16:10:00.000Z',
  state: 'completed',
  requiredApprovals: 0,
  reviews: [],
  breakGlass: true,
  affectedServices: ['payments'],
  diffHash: 'x',
  notes: [{ by: 'dana@example.com', text: 'provider timeout confirmed', at: '2026-11-20T16:30:00.000Z' }],
  incident: { id: 'INC-42', url: 'https://status.example.com/i/42' },
};
const event = (type: string, at: string, details: Record<string, unknown> = {}, breakGlass = true): AuditEvent => ({
  id: `${type}-${at}`,
  at,
  actor: 'olu@example.com',
  type,
  requestId: type.startsWith('break-glass') ? undefined : 'rbk-1',
  breakGlass,
  details,
});

const report = buildIncidentReport({
  incident: request.incident!,
  requests: [request],
  events: [
    event('rollback.executed', '2026-11-20T16:12:00.000Z', { commitSha: sha('c') }),
    event('break-glass.opened', '2026-11-20T16:05:00.000Z', { justification: 'approvers asleep' }),
    event('rollback.requested', '2026-11-20T16:10:00.000Z'),
  ],
  badRevisions: [{ sha: sha('b'), summary: 'release payments v2.14.0', timestamp: '2026-11-20T15:36:00.000Z', outcome: 'failed', tenant: 'acme', environment: 'production' }],
});

describe('buildIncidentReport', () => {
  it('orders the timeline from the bad deploy and measures detection and response', () => {
    expect(report.title).toBe('Incident INC-42');
    expect(report.timeline.map((e) => e.what)).toEqual([
      'Deployed bbbbbbb "release payments v2.14.0" to acme/production',
      'Break-glass opened: approvers asleep',
      'Rollback requested: service rollback of payments in acme/production to aaaaaaa (rbk-1)',
      'Rollback committed: ccccccc (rbk-1)',
    ]);
    expect(formatDuration(report.durations.detection)).toBe('34 min');
    expect(formatDuration(report.durations.response)).toBe('2 min');
    expect(report.durations.resolution).toEqual({ ms: null, basis: expect.stringMatching(/^unknown: /) });
    expect(report.breakGlass).toBe(true);
  });

  it('says a response is unknown until a rollback is committed', () => {
    const pending = buildIncidentReport({ requests: [{ ...request, state: 'pending', incident: undefined }], events: [], badRevisions: [] });
    expect(pending.title).toBe('Rollback request rbk-1');
    expect(pending.durations.response.ms).toBeNull();
    expect(pending.durations.detection.basis).toMatch(/^unknown/);
  });
});

describe('incidentMarkdown', () => {
  it('follows the review template and keeps user text inert', () => {
    const markdown = incidentMarkdown(report);
    const headings = markdown.split('\n').filter((line) => line.startsWith('#'));
    expect(headings).toEqual(['# Post-Incident Review: Incident INC-42', '## Rollbacks', '### Timeline', '### Notes', '### Pipeline Questions', '### Action Items']);
    expect(markdown).toContain('- **Detection**: 34 min');
    expect(markdown).toContain('- **Response**: 2 min');
    expect(markdown).toContain('- **Resolution**: unknown');
    expect(markdown).toContain('2026-11-20T16:05:00.000Z ⚠ break-glass: Break-glass opened: approvers asleep — by olu@example.com');
    expect(markdown).toContain('Justification: payments 500s after v2.14.0 \\| see \\*dashboard\\*');
    expect(markdown).toContain('- [ ] Update runbook with rollback procedure');
    expect(markdown).toContain('4. What gate would have prevented this from reaching production?');
  });

  it('writes configured people as "Name (email)" and anyone else as the email (decision 047)', () => {
    const named = incidentMarkdown(report, (email) => (email === 'olu@example.com' ? 'Olu Adeyemi' : undefined));
    expect(named).toContain('Break-glass opened: approvers asleep — by Olu Adeyemi (olu@example.com)');
    expect(named).not.toMatch(/undefined/);
    const plain = incidentMarkdown(report).split('\n');
    const others = named.split('\n').filter((line, index) => line !== plain[index]);
    expect(others.every((line) => line.includes('Olu Adeyemi (olu@example.com)'))).toBe(true);
  });
});

describe('the cluster in the report (decision 044)', () => {
  const runtime = (over: Partial<TargetRuntimeStatus>): TargetRuntimeStatus => ({
    source: 'argocd',
    health: 'healthy',
    sync: 'synced',
    services: [],
    liveRevision: sha('c'),
    operation: null,
    observedAt: '2026-11-20T16:20:00.000Z',
    reason: null,
    outcomes: [],
    ...over,
  });
  const withCluster = (status: TargetRuntimeStatus, applied: boolean | null) =>
    buildIncidentReport({
      requests: [request],
      events: [event('rollback.executed', '2026-11-20T16:12:00.000Z', { commitSha: sha('c') })],
      badRevisions: [],
      cluster: [{ requestId: 'rbk-1', tenant: 'acme', environment: 'production', commitSha: sha('c'), status, applied }],
    });
  const clusterLines = (markdown: string) => markdown.split('\n').filter((l) => l.startsWith('Cluster sync and health'));

  it('puts the agent-reported sync time and the observed health in the timeline, naming the agent', () => {
    const argo = withCluster(runtime({ outcomes: [{ sha: sha('c'), outcome: 'success', at: '2026-11-20T16:14:30.000Z' }] }), true);
    const fromCluster = argo.timeline.filter((e) => e.source);
    expect(fromCluster).toEqual([
      { at: '2026-11-20T16:14:30.000Z', what: 'Live revision reached the rollback commit ccccccc in acme/production', source: 'Argo CD', requestId: 'rbk-1', breakGlass: false },
      { at: '2026-11-20T16:20:00.000Z', what: 'acme/production Healthy and Synced (observed; the agent gives no time of the change)', source: 'Argo CD', requestId: 'rbk-1', breakGlass: false },
    ]);
    expect(argo.cluster).toEqual([{ requestId: 'rbk-1', source: 'Argo CD', text: 'ccccccc in acme/production is live, Healthy and Synced' }]);
    const markdown = incidentMarkdown(argo);
    expect(markdown).toContain('- 2026-11-20T16:14:30.000Z: Live revision reached the rollback commit ccccccc in acme/production (reported by Argo CD)');
    expect(clusterLines(markdown)).toEqual(['Cluster sync and health (rbk-1): ccccccc in acme/production is live, Healthy and Synced (reported by Argo CD)']);
  });

  it('takes the sync time from a finished operation on the commit, and says when the agent gives none', () => {
    const op = { phase: 'succeeded' as const, agentPhase: 'Succeeded', message: '', revision: sha('c'), startedAt: null, finishedAt: '2026-11-20T16:13:00.000Z' };
    expect(withCluster(runtime({ source: 'flux', operation: op }), true).timeline.find((e) => e.source)).toMatchObject({ at: '2026-11-20T16:13:00.000Z', source: 'Flux' });
    const noTime = withCluster(runtime({}), true).timeline.find((e) => e.source)!;
    expect(noTime.at).toBe('2026-11-20T16:20:00.000Z');
    expect(noTime.what).toMatch(/the agent gives no sync time; this is when Rewind observed it/);
  });

  it('never invents: no connection is "unknown — no cluster connection", not live is said with why', () => {
    const none = withCluster(runtime({ source: 'none', health: 'unknown', sync: 'unknown', liveRevision: null, observedAt: null, reason: 'no cluster connection configured' }), null);
    expect(none.timeline.filter((e) => e.source)).toEqual([]);
    expect(clusterLines(incidentMarkdown(none))).toEqual(['Cluster sync and health (rbk-1): sync and health of ccccccc in acme/production: unknown — no cluster connection configured']);

    const behind = withCluster(runtime({ liveRevision: sha('b'), health: 'degraded' }), false);
    expect(behind.timeline.filter((e) => e.source)).toEqual([]);
    expect(behind.cluster[0]!.text).toBe('ccccccc in acme/production is not reported live: the live revision (bbbbbbb) does not reach it yet (observed 2026-11-20T16:20:00.000Z)');

    const unreachable = withCluster(runtime({ reason: 'Argo CD unreachable: connect ECONNREFUSED' }), true);
    expect(unreachable.timeline.filter((e) => e.what.includes('Healthy'))).toEqual([]);
    expect(unreachable.cluster[0]!.text).toMatch(/is live but not confirmed healthy: health healthy, sync synced \(Argo CD unreachable: connect ECONNREFUSED\)/);
  });

  it('says nothing was committed yet when no rollback reached git', () => {
    const pending = buildIncidentReport({ requests: [{ ...request, state: 'pending' }], events: [], badRevisions: [] });
    expect(pending.cluster).toEqual([]);
    expect(clusterLines(incidentMarkdown(pending))).toEqual(['Cluster sync and health: no rollback has been committed yet.']);
  });
});
