/**
 * Port implementations with no I/O, shared by the real server and the mock backend (server/ may not
 * import mocks/, so they live here): a static catalog and directory, clocks, id generators, and the
 * simulated cluster status of the demo.
 */
import { ROLLBACK_HEADER_PREFIX } from './commit-message.ts';
import type {
  Clock,
  ClusterStatus,
  IdGenerator,
  RevisionStore,
  TargetCatalog,
  TargetRuntimeStatus,
  UserDirectory,
} from './ports.ts';
import type { Health, ServiceStatus, Sync, User } from './schemas.ts';
import type { TargetConfig } from './target-config.ts';

export class StaticTargetCatalog implements TargetCatalog {
  private readonly targets: TargetConfig[];
  constructor(targets: TargetConfig[]) {
    this.targets = [...targets].sort((a, b) =>
      a.tenant === b.tenant ? a.environment.localeCompare(b.environment) : a.tenant.localeCompare(b.tenant),
    );
  }
  async list(): Promise<TargetConfig[]> {
    return this.targets;
  }
  async get(tenant: string, environment: string): Promise<TargetConfig | null> {
    return this.targets.find((t) => t.tenant === tenant && t.environment === environment) ?? null;
  }
}

export class StaticUserDirectory implements UserDirectory {
  constructor(private readonly users: User[]) {}
  async list(): Promise<User[]> {
    return this.users;
  }
  /** Emails compare case-insensitively: identity proxies do not agree on case. */
  async find(email: string): Promise<User | null> {
    const wanted = email.toLowerCase();
    return this.users.find((u) => u.email.toLowerCase() === wanted) ?? null;
  }
}

export const systemClock: Clock = { now: () => new Date() };

export class FixedClock implements Clock {
  constructor(private current: Date) {}
  now(): Date {
    return new Date(this.current);
  }
  advance(ms: number): void {
    this.current = new Date(this.current.getTime() + ms);
  }
}

export class RandomIds implements IdGenerator {
  next(prefix: string): string {
    return `${prefix}${crypto.randomUUID().replace(/-/g, '').slice(0, 12)}`;
  }
}

export class SequentialIds implements IdGenerator {
  private counter = 0;
  next(prefix: string): string {
    this.counter += 1;
    return `${prefix}${this.counter.toString(36).padStart(6, '0')}`;
  }
}

const HEALTH_RANK: Record<Health, number> = { degraded: 3, progressing: 2, unknown: 1, healthy: 0 };

export function worstHealth(values: readonly Health[]): Health {
  return values.reduce<Health>((worst, h) => (HEALTH_RANK[h] > HEALTH_RANK[worst] ? h : worst), 'healthy');
}

export function overallSync(values: readonly Sync[]): Sync {
  if (values.includes('out-of-sync')) return 'out-of-sync';
  if (values.includes('unknown')) return 'unknown';
  return 'synced';
}

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
