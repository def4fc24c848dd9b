/**
 * Port implementations with no I/O, shared by the real server, the in-memory backend and tests: a static
 * catalog and directory, clocks and id generators.
 */
import type { Clock, IdGenerator, TargetCatalog, UserDirectory } from './ports.ts';
import type { User } from './schemas.ts';
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
