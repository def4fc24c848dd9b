import type { Health, Sync } from '#core/cluster-schemas.ts';
import type { Plan } from '#core/schemas.ts';

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

export function HealthBadge({ health }: { health: Health }) {
  return (
    <span className={`badge badge--health-${health}`}>
      <span className="badge__dot" aria-hidden="true" />
      {HEALTH_LABEL[health]}
    </span>
  );
}

export function SyncBadge({ sync }: { sync: Sync }) {
  return (
    <span className={`badge badge--sync-${sync}`}>
      <span className="badge__dot" aria-hidden="true" />
      {SYNC_LABEL[sync]}
    </span>
  );
}

export function PlanBadge({ plan }: { plan: Plan }) {
  return <span className={`badge badge--plan badge--plan-${plan}`}>{plan}</span>;
}
