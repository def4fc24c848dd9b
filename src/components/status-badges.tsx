import type { Health, Plan, Sync } from '#core/schemas.ts';
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

/**
 * A live status (health, sync) is only as current as the link to the server: while it is lost, the
 * badge is greyed (`badge--stale-status`, colours in CSS variables) and says it is the last one known.
 */
function LiveBadge({ kind, label }: { kind: string; label: string }) {
  const stale = useConnectionLost();
  return (
    <span
      className={`badge ${kind}${stale ? ' badge--stale-status' : ''}`}
      title={stale ? 'Last known status: Rewind cannot reach the server right now' : undefined}
      data-stale={stale || undefined}
    >
      <span className="badge__dot" aria-hidden="true" />
      {stale && <span className="visually-hidden">Last known: </span>}
      {label}
    </span>
  );
}

export function HealthBadge({ health }: { health: Health }) {
  return <LiveBadge kind={`badge--health-${health}`} label={HEALTH_LABEL[health]} />;
}

export function SyncBadge({ sync }: { sync: Sync }) {
  return <LiveBadge kind={`badge--sync-${sync}`} label={SYNC_LABEL[sync]} />;
}

export function PlanBadge({ plan }: { plan: Plan }) {
  return <span className={`badge badge--plan badge--plan-${plan}`}>{plan}</span>;
}
