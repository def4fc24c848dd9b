/** How per-service statuses roll up into a target's: the worst health wins, any drift is drift. */
import type { Health, Sync } from './cluster-schemas.ts';

const HEALTH_RANK: Record<Health, number> = { degraded: 3, progressing: 2, unknown: 1, healthy: 0 };

export function worstHealth(values: readonly Health[]): Health {
  return values.reduce<Health>((worst, h) => (HEALTH_RANK[h] > HEALTH_RANK[worst] ? h : worst), 'healthy');
}

export function overallSync(values: readonly Sync[]): Sync {
  if (values.includes('out-of-sync')) return 'out-of-sync';
  if (values.includes('unknown')) return 'unknown';
  return 'synced';
}
