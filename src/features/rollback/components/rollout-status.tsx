import type { Rollout } from '#core/cluster-schemas.ts';
import { LastOperation } from '#src/components/last-operation.tsx';
import { CLUSTER_SOURCE_LABEL } from '#src/components/status-badges.tsx';
import { shortSha } from '#src/lib/sha.ts';
import { formatAbsolute } from '#src/lib/time.ts';

const STEPS = [
  { state: 'committed', label: 'Committed' },
  { state: 'syncing', label: 'Syncing' },
  { state: 'healthy', label: 'Healthy' },
] as const;

function stepIndex(state: Rollout['state']): number {
  if (state === 'healthy') return 2;
  if (state === 'syncing' || state === 'degraded') return 1;
  return 0;
}

/**
 * Where the rollback commit stands in the cluster, from the agent's own report only (decision 018):
 * committed → syncing → healthy, or what Rewind cannot confirm and why.
 */
export function RolloutStatus({ rollout, commitSha }: { rollout: Rollout; commitSha: string }) {
  const agent = rollout.source === 'simulated' ? 'The simulated cluster' : CLUSTER_SOURCE_LABEL[rollout.source];
  const commit = <code className="sha">{shortSha(commitSha)}</code>;
  const reported = rollout.observedAt ? ` (reported ${formatAbsolute(rollout.observedAt)})` : '';
  const current = stepIndex(rollout.state);
  let message;
  switch (rollout.state) {
    case 'unknown':
      return (
        <p className="cluster-notice cluster-notice--unknown" role="status" data-testid="rollout" data-state="unknown">
          Cluster state unknown — {rollout.reason ?? 'no cluster connection configured'}. The git commit succeeded; Rewind cannot tell
          whether the cluster applied it.
        </p>
      );
    case 'committed':
      message = (
        <>
          Committed to git; waiting for {agent} to apply {commit}
          {rollout.confirmBy && <> (until {formatAbsolute(rollout.confirmBy, 'minutes')})</>}.
          {rollout.reason && <> {rollout.reason}.</>}
        </>
      );
      break;
    case 'syncing':
      message = (
        <>
          {agent} is applying {commit}: health {rollout.health}, sync {rollout.sync}
          {reported}.
        </>
      );
      break;
    case 'healthy':
      message = (
        <>
          {agent} reports {commit} live, healthy and synced{reported}.
        </>
      );
      break;
    case 'degraded':
      message = (
        <>
          {agent} applied {commit} but reports it <strong>degraded</strong>: {rollout.reason}.
        </>
      );
      break;
    case 'unconfirmed':
      message = (
        <>
          <strong>The git commit succeeded, but cluster sync cannot be confirmed</strong>: {rollout.reason}. The rollback is safe in
          Git; sync will occur when the agent reconnects. Rewind keeps watching.
        </>
      );
      break;
  }
  return (
    <div data-testid="rollout" data-state={rollout.state}>
      <ol className="rollout-steps" aria-label="Rollout in the cluster">
        {STEPS.map((step, index) => (
          <li
            key={step.state}
            className={`rollout-step${index < current || rollout.state === 'healthy' ? ' rollout-step--done' : ''}${index === current ? ' rollout-step--current' : ''}`}
            aria-current={index === current ? 'step' : undefined}
          >
            {step.label}
          </li>
        ))}
      </ol>
      <p className={`cluster-notice cluster-notice--${rollout.state === 'syncing' || rollout.state === 'committed' ? 'unknown' : rollout.state}`} role="status">
        {message}
      </p>
      <p className="rollout-operation">
        Last operation: <LastOperation operation={rollout.operation} source={rollout.source} reason={rollout.reason} />
      </p>
    </div>
  );
}
