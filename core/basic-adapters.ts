/**
 * Port implementations with no I/O, shared by the real server and the mock backend (server/ may not
 * import mocks/, so they live here): a static catalog and directory, clocks, id generators, and the
 * simulated cluster status of the demo.
 */
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

/**
 * The demo's stand-in for Argo CD: a service is degraded when the newest revision touching it failed
 * to deploy, healthy otherwise, and always synced. (The approvals issue adds post-rollback convergence.)
 */
export class SimulatedClusterStatus implements ClusterStatus {
  constructor(private readonly revisions: RevisionStore) {}

  async status(target: TargetConfig): Promise<TargetRuntimeStatus> {
    const services: ServiceStatus[] = await Promise.all(
      target.layout.services.map(async (service) => {
        const [latest] = await this.revisions.log({ paths: service.paths, limit: 1 });
        const health: Health = !latest ? 'unknown' : latest.deployStatus === 'failed' ? 'degraded' : 'healthy';
        return { name: service.name, health, sync: latest ? 'synced' : 'unknown' } satisfies ServiceStatus;
      }),
    );
    return {
      health: services.length ? worstHealth(services.map((s) => s.health)) : 'unknown',
      sync: services.length ? overallSync(services.map((s) => s.sync)) : 'unknown',
      services,
    };
  }
}
