import type { ClusterSource, Health, Sync } from '#core/cluster-schemas.ts';
import type { Plan } from '#core/schemas.ts';
import './cluster-status.css';

const HEALTH_LABEL: Record<Health, string> = {
  healthy: 'Healthy',
  progressing: 'Progressing',
  degraded: 'Degraded',
  unknown: 'Health unknown',
};

const SYNC_LABEL: Record<Sync, string> = {
  synced: 'Synced',
  'out-of-sync': 'Out of sync',
  unknown: 'Sync unknown',
};

/** Who said so: every cluster badge names its source (docs/decisions/017). */
export const CLUSTER_SOURCE_LABEL: Record<ClusterSource, string> = {
  simulated: 'simulated',
  argocd: 'Argo CD',
  flux: 'Flux',
  none: 'no cluster',
};

interface ClusterBadgeProps {
  /** Where the value comes from; shown on every known value. */
  source?: ClusterSource | undefined;
  /** Why the value is unknown; shown after "unknown". */
  reason?: string | null | undefined;
}

function SourceTag({ source }: { source?: ClusterSource | undefined }) {
  if (!source || source === 'none') return null;
  return <span className={`badge__source badge__source--${source}`}>{CLUSTER_SOURCE_LABEL[source]}</span>;
}

function Reason({ unknown, reason }: { unknown: boolean; reason?: string | null | undefined }) {
  if (!unknown || !reason) return null;
  return <span className="badge__reason"> — {reason}</span>;
}

export function HealthBadge({ health, source, reason }: { health: Health } & ClusterBadgeProps) {
  return (
    <span className={`badge badge--health-${health}`} data-source={source}>
      <span className="badge__dot" aria-hidden="true" />
      {HEALTH_LABEL[health]}
      <Reason unknown={health === 'unknown'} reason={reason} />
      <SourceTag source={source} />
    </span>
  );
}

export function SyncBadge({ sync, source, reason }: { sync: Sync } & ClusterBadgeProps) {
  return (
    <span className={`badge badge--sync-${sync}`} data-source={source}>
      <span className="badge__dot" aria-hidden="true" />
      {SYNC_LABEL[sync]}
      <Reason unknown={sync === 'unknown'} reason={reason} />
      <SourceTag source={source} />
    </span>
  );
}

export function PlanBadge({ plan }: { plan: Plan }) {
  return <span className={`badge badge--plan badge--plan-${plan}`}>{plan}</span>;
}
