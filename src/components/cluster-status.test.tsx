import { render, screen } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { deployMarks } from '#src/features/history/api/deploy-marks.ts';
import { RolloutStatus } from '#src/features/rollback/components/rollout-status.tsx';
import { fakeSha, makeRevision, makeTarget } from '#src/test/fixtures.ts';
import { ClusterSource, LiveRevisionNotice } from './cluster-status.tsx';
import { HealthBadge } from './status-badges.tsx';

const behind = makeTarget({
  head: { sha: fakeSha(0), timestamp: '2025-11-20T12:30:00Z' },
  cluster: {
    source: 'argocd',
    liveRevision: fakeSha(3),
    operation: { phase: 'failed', agentPhase: 'Failed', message: 'ImagePullBackOff', revision: fakeSha(1), startedAt: null, finishedAt: null },
    observedAt: '2025-11-20T12:31:00Z',
    reason: null,
    outcomes: [],
    deployment: { state: 'behind', notDeployed: [fakeSha(0), fakeSha(1), fakeSha(2)], notDeployedCount: 3, failedToDeploy: [fakeSha(1), fakeSha(2)], since: '2025-11-20T12:04:00Z' },
  },
});

describe('cluster status in the UI', () => {
  it('says prominently when the cluster runs an older revision than the branch', () => {
    render(<LiveRevisionNotice target={behind} />);
    expect(screen.getByTestId('live-notice')).toHaveTextContent(
      `The cluster runs ${fakeSha(3).slice(0, 7)}; the branch is at ${fakeSha(0).slice(0, 7)}, out of sync since 2025-11-20 12:04 UTC. 3 commits not deployed yet (2 failed to deploy: ImagePullBackOff).`,
    );
  });

  it('says unknown with the reason, never healthy, without a cluster', () => {
    const none = makeTarget({
      health: 'unknown',
      sync: 'unknown',
      cluster: { ...behind.cluster, source: 'none', liveRevision: null, operation: null, observedAt: null, reason: 'no cluster connection configured', deployment: { state: 'unknown', notDeployed: [], notDeployedCount: 0, failedToDeploy: [], since: null, reason: 'no cluster connection configured' } },
    });
    render(
      <>
        <HealthBadge health={none.health} source={none.cluster.source} reason={none.cluster.reason} />
        <ClusterSource cluster={none.cluster} />
      </>,
    );
    expect(screen.getByText('Health unknown').closest('.badge')).toHaveTextContent('Health unknown — no cluster connection configured');
    expect(screen.getByText(/^unknown — no cluster/)).toBeInTheDocument();
    expect(screen.queryByText(/Healthy/)).not.toBeInTheDocument();
  });

  it('marks the live row, the rows not deployed yet and those that failed to deploy', () => {
    const revisions = [0, 1, 2, 3, 4].map((n) => makeRevision(n));
    const marks = deployMarks(behind, revisions, false);
    expect(revisions.map((r) => marks.get(r.sha) ?? '')).toEqual(['not-deployed', 'failed-deploy', 'failed-deploy', 'live', '']);
    // Filtered, only the exact live commit is called live.
    expect([...deployMarks(behind, [revisions[4]!], true).values()]).toEqual([]);
    const unknown = makeTarget({ cluster: { ...behind.cluster, deployment: { ...behind.cluster.deployment, state: 'unknown' } } });
    expect(deployMarks(unknown, revisions, false).size).toBe(0);
  });

  it('tells what the agent cannot confirm after a rollback, and that it keeps watching', () => {
    render(
      <RolloutStatus
        commitSha={fakeSha(9)}
        rollout={{
          state: 'unconfirmed',
          source: 'argocd',
          liveRevision: fakeSha(3),
          health: 'healthy',
          sync: 'synced',
          observedAt: '2025-11-20T12:31:00Z',
          operation: null,
          reason: 'Argo CD unreachable: connect ECONNREFUSED',
          committedAt: '2025-11-20T12:30:00Z',
          confirmBy: '2025-11-20T12:35:00Z',
        }}
      />,
    );
    expect(screen.getByRole('status')).toHaveTextContent(
      'The git commit succeeded, but cluster sync cannot be confirmed: Argo CD unreachable: connect ECONNREFUSED. The rollback is safe in Git; sync will occur when the agent reconnects. Rewind keeps watching.',
    );
    expect(screen.getByText('Committed')).toHaveAttribute('aria-current', 'step');
  });

  it("shows the agent's last operation under the rollout, as the agent reported it", () => {
    render(
      <RolloutStatus
        commitSha={fakeSha(9)}
        rollout={{
          state: 'degraded',
          source: 'argocd',
          liveRevision: fakeSha(9),
          health: 'degraded',
          sync: 'synced',
          observedAt: '2025-11-20T12:31:00Z',
          operation: { phase: 'failed', agentPhase: 'Failed', message: 'one or more objects failed to apply', revision: fakeSha(9), startedAt: '2025-11-20T12:30:10Z', finishedAt: '2025-11-20T12:30:40Z' },
          reason: 'one or more objects failed to apply',
          committedAt: '2025-11-20T12:30:00Z',
          confirmBy: '2025-11-20T12:35:00Z',
        }}
      />,
    );
    expect(screen.getByTestId('last-operation')).toHaveTextContent(`Failed on ${fakeSha(9).slice(0, 7)}, finished 2025-11-20 12:30 UTC: one or more objects failed to apply`);
  });
});
