/**
 * The demo's simulated cluster: a stand-in for a GitOps agent that the demo server and the in-browser
 * mock use, and nothing else. Every status it gives is labelled `simulated` (docs/decisions/017).
 */
import { systemClock } from '#core/basic-adapters.ts';
import type { RevisionOutcome, ServiceStatus } from '#core/cluster-schemas.ts';
import { overallSync, worstHealth } from '#core/cluster-health.ts';
import { ROLLBACK_HEADER_PREFIX } from '#core/commit-message.ts';
import type { Clock, ClusterStatus, CommitRecord, RevisionStore, TargetRuntimeStatus } from '#core/ports.ts';
import type { TargetConfig } from '#core/target-config.ts';

/** How the simulated cluster converges after a rollback commit: out of sync, then progressing. */
export const SIMULATED_CONVERGENCE = { outOfSyncMs: 2_000, progressingMs: 3_000 } as const;

/**
 * How many of a target's newest deployments it reports outcomes for, as Argo CD keeps a sync history
 * of 10 by default (`revisionHistoryLimit`): older revisions have no report, and history says so.
 */
export const SIMULATED_HISTORY = 10;

type Phase = 'settled' | 'out-of-sync' | 'progressing';

function phaseOf(latest: CommitRecord, now: number): Phase {
  if (!latest.message.startsWith(ROLLBACK_HEADER_PREFIX)) return 'settled';
  const elapsed = now - Date.parse(latest.timestamp);
  // Settled long ago, or dated in the future (another clock): nothing to converge.
  if (!(elapsed >= 0 && elapsed < SIMULATED_CONVERGENCE.outOfSyncMs + SIMULATED_CONVERGENCE.progressingMs)) return 'settled';
  return elapsed < SIMULATED_CONVERGENCE.outOfSyncMs ? 'out-of-sync' : 'progressing';
}

/**
 * The demo's stand-in for Argo CD. The target's newest commit is live, except while a rollback commit
 * converges over a few seconds of the injected clock: for 2 s after its commit time the previous
 * commit stays live (`out-of-sync`), then the rollback is live but `progressing` for 3 s, then
 * `synced` + `healthy`. A service follows the newest commit touching it: `degraded` when that commit
 * failed to deploy, `healthy` if not; a service no commit touched is `unknown`. Outcomes: the newest
 * SIMULATED_HISTORY deployments, failed when the demo marks them so, else succeeded.
 */
export class SimulatedClusterStatus implements ClusterStatus {
  readonly source = 'simulated' as const;
  readonly confirmWithinMs = 60_000;

  constructor(
    private readonly revisions: RevisionStore,
    private readonly clock: Clock = systemClock,
  ) {}

  async status(target: TargetConfig): Promise<TargetRuntimeStatus> {
    const now = this.clock.now().getTime();
    const recent = await this.revisions.log({ paths: target.layout.paths, limit: SIMULATED_HISTORY });
    const [latest, previous] = recent;
    const targetPhase = latest ? phaseOf(latest, now) : 'settled';
    const services: ServiceStatus[] = await Promise.all(
      target.layout.services.map(async (service) => {
        const [newest] = await this.revisions.log({ paths: service.paths, limit: 1 });
        if (!newest) return { name: service.name, health: 'unknown', sync: 'unknown', reason: 'no commit touches this service' } satisfies ServiceStatus;
        const phase = phaseOf(newest, now);
        if (phase === 'settled') return { name: service.name, health: newest.deployStatus === 'failed' ? 'degraded' : 'healthy', sync: 'synced' } satisfies ServiceStatus;
        return { name: service.name, health: 'progressing', sync: phase === 'out-of-sync' ? 'out-of-sync' : 'synced' } satisfies ServiceStatus;
      }),
    );
    const live = targetPhase === 'out-of-sync' ? (previous ?? null) : (latest ?? null);
    // A converging rollback has no outcome yet; the deployments before it have theirs.
    const deployed = targetPhase === 'settled' ? recent : recent.slice(1);
    const outcomes: RevisionOutcome[] = deployed.map((commit) => ({ sha: commit.sha, outcome: commit.deployStatus ?? 'success', at: commit.timestamp }));
    return {
      source: 'simulated',
      health: services.length ? worstHealth(services.map((s) => s.health)) : 'unknown',
      sync: services.length ? overallSync(services.map((s) => s.sync)) : 'unknown',
      services,
      liveRevision: live?.sha ?? null,
      operation: latest && targetPhase !== 'settled'
        ? { phase: 'running', agentPhase: 'Simulated', message: 'simulated sync in progress', revision: latest.sha, startedAt: latest.timestamp, finishedAt: null }
        : null,
      observedAt: new Date(now).toISOString(),
      reason: latest ? null : 'no commit touches this target',
      outcomes,
    };
  }
}
