import type { TargetCluster } from '#core/cluster-schemas.ts';
import type { Target } from '#core/schemas.ts';
import { formatAbsolute } from '#src/lib/time.ts';
import { shortSha } from '#src/lib/sha.ts';
import { RelativeTime } from './relative-time.tsx';
import { CLUSTER_SOURCE_LABEL } from './status-badges.tsx';
import './cluster-status.css';

/** "Argo CD, reported 2 min ago" / "simulated (demo)" / "unknown — no cluster connection configured". */
export function ClusterSource({ cluster }: { cluster: TargetCluster }) {
  if (cluster.source === 'none') return <span className="cluster-source">unknown — {cluster.reason ?? 'no cluster connection configured'}</span>;
  return (
    <span className="cluster-source" data-testid="cluster-source">
      {cluster.source === 'simulated' ? 'simulated cluster (demo)' : CLUSTER_SOURCE_LABEL[cluster.source]}
      {cluster.observedAt ? (
        <>
          , reported <RelativeTime iso={cluster.observedAt} />
        </>
      ) : (
        ', no report yet'
      )}
      {cluster.reason && <> — {cluster.reason}</>}
    </span>
  );
}

/**
 * "Live revision 5d4c8de (Argo CD)": the commit the agent last applied, with who reported it, or
 * "unknown — why". Never derived from git: the branch head is shown apart, as "Branch head".
 */
export function LiveRevisionFact({ cluster }: { cluster: TargetCluster }) {
  return (
    <span data-testid="target-live-revision">
      Live revision: <LiveRevision cluster={cluster} />
      {cluster.liveRevision && cluster.source !== 'none' && (
        <span className="muted"> ({cluster.source === 'simulated' ? 'simulated cluster' : `reported by ${CLUSTER_SOURCE_LABEL[cluster.source]}`})</span>
      )}
    </span>
  );
}

/** The commit the agent last applied, or "unknown" with why. */
export function LiveRevision({ cluster }: { cluster: TargetCluster }) {
  if (!cluster.liveRevision) return <span className="muted">unknown — {cluster.reason ?? 'the agent reports no revision'}</span>;
  return (
    <code className="sha" title={cluster.liveRevision}>
      {shortSha(cluster.liveRevision)}
    </code>
  );
}

/**
 * Says prominently when the cluster does not run the branch's newest commit for this target, or when
 * Rewind cannot tell (docs/decisions/017).
 */
export function LiveRevisionNotice({ target }: { target: Target }) {
  const { cluster } = target;
  const { deployment } = cluster;
  const prefix = cluster.source === 'simulated' ? 'Simulated: ' : '';
  if (cluster.source === 'none') return null;
  if (deployment.state === 'unknown') {
    return (
      <p className="cluster-notice cluster-notice--unknown" role="status" data-testid="live-notice">
        {prefix}What the cluster runs is unknown — {deployment.reason ?? cluster.reason ?? 'the agent did not say'}.
        {cluster.observedAt && <> Last report from {CLUSTER_SOURCE_LABEL[cluster.source]} at {formatAbsolute(cluster.observedAt, 'minutes')}.</>}
      </p>
    );
  }
  if (deployment.state === 'current' || !cluster.liveRevision) return null;
  const failed = deployment.failedToDeploy.length;
  return (
    <p className={`cluster-notice cluster-notice--${failed ? 'failed' : 'behind'}`} role="status" data-testid="live-notice">
      {prefix}The cluster runs <code className="sha">{shortSha(cluster.liveRevision)}</code>; the branch is at{' '}
      <code className="sha">{target.head ? shortSha(target.head.sha) : 'nothing'}</code>
      {deployment.since && <>, out of sync since {formatAbsolute(deployment.since, 'minutes')}</>}.{' '}
      {deployment.notDeployedCount} commit{deployment.notDeployedCount === 1 ? '' : 's'} not deployed yet
      {failed > 0 && <> ({failed} failed to deploy{cluster.operation?.message ? `: ${cluster.operation.message}` : ''})</>}.
    </p>
  );
}
