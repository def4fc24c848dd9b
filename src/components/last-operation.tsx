import type { ClusterOperation, ClusterSource } from '#core/cluster-schemas.ts';
import { CLUSTER_SOURCE_LABEL } from './status-badges.tsx';
import { shortSha } from '#src/lib/sha.ts';
import { formatAbsolute } from '#src/lib/time.ts';

const PHASE_LABEL = { running: 'Running', succeeded: 'Succeeded', failed: 'Failed' } as const;

/**
 * The agent's last sync / reconcile as it reported it: phase (and the agent's own word when it
 * differs), the commit, when it finished or started, and its message. Nothing is made up: without
 * an agent or a report it says so (decision 017).
 */
export function LastOperation({ operation, source, reason }: { operation: ClusterOperation | null; source: ClusterSource; reason: string | null }) {
  if (source === 'none') return <span className="muted">unknown — {reason ?? 'no cluster connection configured'}</span>;
  if (!operation) return <span className="muted">{reason ? `unknown — ${reason}` : `none reported by ${source === 'simulated' ? 'the simulated cluster' : CLUSTER_SOURCE_LABEL[source]}`}</span>;
  const label = PHASE_LABEL[operation.phase];
  const when = operation.finishedAt ? `finished ${formatAbsolute(operation.finishedAt, 'minutes')}` : operation.startedAt ? `started ${formatAbsolute(operation.startedAt, 'minutes')}` : null;
  return (
    <span data-testid="last-operation" data-phase={operation.phase}>
      <strong>{label}</strong>
      {operation.agentPhase.toLowerCase() !== operation.phase && <span className="muted"> ({operation.agentPhase})</span>}
      {operation.revision && (
        <>
          {' '}
          on <code className="sha" title={operation.revision}>{shortSha(operation.revision)}</code>
        </>
      )}
      {when && <>, {when}</>}
      {operation.message && <>: {operation.message}</>}
      {source === 'simulated' && <span className="muted"> (simulated)</span>}
    </span>
  );
}
