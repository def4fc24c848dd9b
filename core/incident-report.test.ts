import { describe, expect, it } from 'vitest';
import { buildIncidentReport, formatDuration, incidentMarkdown } from './incident-report.ts';
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
    expect(markdown).toContain('2026-11-20T16:05:00.000Z ⚠ break-glass: Break-glass opened: approvers asleep (olu@example.com)');
    expect(markdown).toContain('Justification: payments 500s after v2.14.0 \\| see \\*dashboard\\*');
    expect(markdown).toContain('- [ ] Update runbook with rollback procedure');
    expect(markdown).toContain('4. What gate would have prevented this from reaching production?');
  });
});
