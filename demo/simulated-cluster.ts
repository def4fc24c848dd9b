/**
 * The demo's simulated cluster: a stand-in for a GitOps agent that the demo server and the in-browser
 * mock use, and nothing else. Every status it gives is labelled simulated.
 */
import { systemClock } from '#core/basic-adapters.ts';
import { overallSync, worstHealth } from '#core/cluster-health.ts';
import { ROLLBACK_HEADER_PREFIX } from '#core/commit-message.ts';
import type { Clock, ClusterStatus, RevisionStore, TargetRuntimeStatus } from '#core/ports.ts';
import type { ServiceStatus } from '#core/schemas.ts';
import type { TargetConfig } from '#core/target-config.ts';

/** How the simulated cluster converges after a rollback commit: out of sync, then progressing. */
export const SIMULATED_CONVERGENCE = { outOfSyncMs: 2_000, progressingMs: 3_000 } as const;

/**
 * The demo's stand-in for Argo CD. A service follows the newest commit touching it:
 * - a rollback commit (core/commit-message.ts) converges over a few seconds of the injected clock:
 *   `out-of-sync` + `progressing` for 2 s after the commit time, then `synced` + `progressing` for 3 s,
 *   then `synced` + `healthy` (so the request page shows a rollback land and settle);
 * - otherwise it is `degraded` when that commit failed to deploy, `healthy` if not, and `synced`.
 * A service no commit touched is `unknown`; a rollback dated in the future (clock skew) counts as settled.
 */
export class SimulatedClusterStatus implements ClusterStatus {
  constructor(
    private readonly revisions: RevisionStore,
    private readonly clock: Clock = systemClock,
  ) {}

  async status(target: TargetConfig): Promise<TargetRuntimeStatus> {
    const now = this.clock.now().getTime();
    const services: ServiceStatus[] = await Promise.all(
      target.layout.services.map(async (service) => {
        const [latest] = await this.revisions.log({ paths: service.paths, limit: 1 });
        if (!latest) return { name: service.name, health: 'unknown', sync: 'unknown' } satisfies ServiceStatus;
        const settled: ServiceStatus = { name: service.name, health: latest.deployStatus === 'failed' ? 'degraded' : 'healthy', sync: 'synced' };
        if (!latest.message.startsWith(ROLLBACK_HEADER_PREFIX)) return settled;
        const elapsed = now - Date.parse(latest.timestamp);
        // Settled long ago, or dated in the future (another clock): nothing to converge.
        if (!(elapsed >= 0 && elapsed < SIMULATED_CONVERGENCE.outOfSyncMs + SIMULATED_CONVERGENCE.progressingMs)) return settled;
        return { name: service.name, health: 'progressing', sync: elapsed < SIMULATED_CONVERGENCE.outOfSyncMs ? 'out-of-sync' : 'synced' };
      }),
    );
    return {
      health: services.length ? worstHealth(services.map((s) => s.health)) : 'unknown',
      sync: services.length ? overallSync(services.map((s) => s.sync)) : 'unknown',
      services,
    };
  }
}
