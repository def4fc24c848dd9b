import type { ClusterSource, Health, Sync } from '#core/cluster-schemas.ts';
import type { Plan } from '#core/schemas.ts';
import './cluster-status.css';
import { useConnectionLost } from '#src/lib/connection-store.ts';

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

/**
 * A live status (health, sync) is only as current as the link to the server: while it is lost, the
 * badge is greyed (`badge--stale-status`, colours in CSS variables) and says it is the last one known.
 */
function LiveBadge({ kind, label, unknown, source, reason }: { kind: string; label: string; unknown: boolean } & ClusterBadgeProps) {
  const stale = useConnectionLost();
  return (
    <span
      className={`badge ${kind}${stale ? ' badge--stale-status' : ''}`}
      title={stale ? 'Last known status: Rewind cannot reach the server right now' : undefined}
      data-stale={stale || undefined}
      data-source={source}
    >
      <span className="badge__dot" aria-hidden="true" />
      {stale && <span className="visually-hidden">Last known: </span>}
      {label}
      <Reason unknown={unknown} reason={reason} />
      <SourceTag source={source} />
    </span>
  );
}

export function HealthBadge({ health, source, reason }: { health: Health } & ClusterBadgeProps) {
  return <LiveBadge kind={`badge--health-${health}`} label={HEALTH_LABEL[health]} unknown={health === 'unknown'} source={source} reason={reason} />;
}

export function SyncBadge({ sync, source, reason }: { sync: Sync } & ClusterBadgeProps) {
  return <LiveBadge kind={`badge--sync-${sync}`} label={SYNC_LABEL[sync]} unknown={sync === 'unknown'} source={source} reason={reason} />;
}

export function PlanBadge({ plan }: { plan: Plan }) {
  return <span className={`badge badge--plan badge--plan-${plan}`}>{plan}</span>;
}
