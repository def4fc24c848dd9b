import type { ClusterStatus, TargetRuntimeStatus } from './ports.ts';
import type { TargetConfig } from './target-config.ts';

export const NO_CLUSTER_REASON = 'no cluster connection configured';

/**
 * The cluster status of a real repo with no `cluster:` configured: nothing is known, and every status
 * says so, rather than borrowing the demo's simulated health (docs/decisions/017).
 */
export class NoClusterStatus implements ClusterStatus {
  readonly source = 'none' as const;
  readonly confirmWithinMs = 0;

  async status(target: TargetConfig): Promise<TargetRuntimeStatus> {
    return {
      source: 'none',
      health: 'unknown',
      sync: 'unknown',
      services: target.layout.services.map((service) => ({ name: service.name, health: 'unknown', sync: 'unknown', reason: NO_CLUSTER_REASON })),
      liveRevision: null,
      operation: null,
      observedAt: null,
      reason: NO_CLUSTER_REASON,
      outcomes: [],
    };
  }
}
