/**
 * The main generator: a month of commits over the demo targets, in time order, from a seeded random
 * walk (demo-random-events.ts) and the incident story (demo-story.ts).
 */
import { Prng, deriveSeed } from './prng.ts';
import { DAY, type DemoCommit, END_MS, HOUR, MINUTE, SECOND, START_MS } from './demo-model.ts';
import { type Author, MARCUS, RELEASE_AUTHORS } from './demo-people.ts';
import { type ServiceSpec, tenantSpecs, type Version } from './tenant-specs.ts';
import { allFiles, compareVersions, envValue, fill, initialService, makeTarget, type ServiceState, stateChanges, type Target, type TargetKind, type TargetState, withEnv, withService } from './demo-manifests.ts';

// --- The main generator -----------------------------------------------------------------------------

export interface Lock {
  tenant: string;
  service: string;
  from: number;
  to: number;
}

export interface QuietWindow {
  target: string;
  from: number;
  to: number;
}

export const at = (iso: string): number => Date.parse(iso);

/** Story services are off-limits to the random walk around their story, so it never contradicts it. */
export const LOCKS: readonly Lock[] = [
  { tenant: 'globex', service: 'inventory', from: at('2026-11-02T00:00:00Z'), to: at('2026-11-04T12:00:00Z') },
  { tenant: 'globex', service: 'api-gateway', from: at('2026-11-02T00:00:00Z'), to: at('2026-11-04T12:00:00Z') },
  { tenant: 'acme', service: 'search', from: at('2026-11-08T12:00:00Z'), to: at('2026-11-09T13:00:00Z') },
  { tenant: 'acme', service: 'checkout', from: at('2026-11-09T00:00:00Z'), to: at('2026-11-11T12:00:00Z') },
  { tenant: 'acme', service: 'payments', from: at('2026-11-19T00:00:00Z'), to: END_MS },
];

/** No random commit of a target in these windows: the incidents read cleanly in its history. */
export const QUIET: readonly QuietWindow[] = [
  { target: 'globex/production', from: at('2026-11-03T12:30:00Z'), to: at('2026-11-03T15:00:00Z') },
  { target: 'acme/staging', from: at('2026-11-09T09:45:00Z'), to: at('2026-11-09T11:15:00Z') },
  { target: 'acme/production', from: at('2026-11-10T13:30:00Z'), to: at('2026-11-10T16:00:00Z') },
  { target: 'acme/production', from: at('2026-11-20T15:00:00Z'), to: END_MS },
];

/** Random commits per main target (each target also gets its bootstrap and story commits). */
export const RANDOM_COMMITS: Readonly<Record<string, number>> = {
  'acme/staging': 86,
  'acme/production': 72,
  'globex/staging': 72,
  'globex/production': 64,
  'initech/production': 64,
};

export const RANDOM_EARLIEST = START_MS + HOUR;
export const RANDOM_LATEST = at('2026-11-20T15:20:00Z');

export const DEMO_REQUEST_IDS = { checkoutRollback: 'rbk-demo0001', globexRollback: 'rbk-demo0002' } as const;

export const STORY_SUBJECTS = {
  globexRelease: 'release inventory v1.12.0, api-gateway v2.4.0',
  stagingRelease: 'release search v3.5.0',
  stagingHotfix: 'hotfix: search v3.5.1 (create the products-v2 alias on startup)',
  checkoutRelease: 'release checkout v3.8.0',
  paymentsRelease: 'release payments v2.14.0',
} as const;

export type DemoRollback = NonNullable<DemoCommit['rollback']>;
export type CommitExtra = Partial<Pick<DemoCommit, 'rollback' | 'deployStatus'>>;

export interface TimedEvent {
  at: number;
  order: number;
  run: (at: number) => void;
}

export interface GeneratorEvents {
  randomEvent(gen: MainGenerator, t: Target, time: number): void;
  addStory(gen: MainGenerator, add: (time: number, run: (at: number) => void) => void): void;
}

export class MainGenerator {
  readonly rng: Prng;
  readonly commits: DemoCommit[] = [];
  readonly times: number[] = [];
  readonly targets: Target[] = [];
  readonly byKey = new Map<string, Target>();
  /** tenant/service → highest version built so far. */
  readonly latest = new Map<string, Version>();
  /** tenant/service → when staging got its current tag. */
  readonly stagingSince = new Map<string, number>();
  /** tenant/service@tag → a tag that failed somewhere and must not be promoted. */
  readonly blocked = new Set<string>();
  readonly counters = new Map<string, number>();
  /** Story bookmarks: the revision before a failed release, and the state it had. */
  readonly marks = new Map<string, { id: string; state: TargetState }>();

  /**
   * `events`: the random walk (demo-random-events.ts) and the story (demo-story.ts), given by the
   * caller so that they may use the generator without it importing them back.
   */
  constructor(
    seed: number,
    private readonly events: GeneratorEvents,
  ) {
    this.rng = new Prng(deriveSeed(seed, 'main'));
    for (const tenant of tenantSpecs()) {
      for (const env of tenant.environments) {
        const kind: TargetKind = env.name === 'staging' ? 'staging' : 'production';
        const target = makeTarget(tenant, env, kind, tenant.services);
        this.targets.push(target);
        this.byKey.set(target.key, target);
      }
      for (const spec of tenant.services) this.latest.set(`${tenant.name}/${spec.name}`, spec.version);
    }
    // Initial versions: staging runs the latest build, production is sometimes one patch behind.
    for (const t of this.targets) {
      const services = new Map<string, ServiceState>();
      for (const spec of t.specs) {
        const v = spec.version;
        const behind = t.kind === 'production' && t.tenant.environments.length > 1 && v[2] > 0 && this.rng.chance(0.5);
        services.set(spec.name, initialService(t, spec, behind ? [v[0], v[1], v[2] - 1] : v));
        if (t.kind === 'staging') this.stagingSince.set(`${t.tenant.name}/${spec.name}`, START_MS - 2 * DAY);
      }
      t.state = { ...t.state, services };
    }
  }

  target(key: string): Target {
    const t = this.byKey.get(key);
    if (!t) throw new Error(`demo data: unknown target ${key}`);
    return t;
  }

  run(): void {
    const events: TimedEvent[] = [];
    let order = 0;
    const add = (time: number, run: (at: number) => void) => events.push({ at: evenSecond(time), order: order++, run });

    // Bootstrap: one commit per tenant creates every file of its environments.
    const bootstrapAt = [at('2026-10-21T16:04:00Z'), at('2026-10-21T16:10:00Z'), at('2026-10-21T16:16:00Z')];
    tenantSpecs().forEach((tenant, i) => add(bootstrapAt[i]!, (time) => this.bootstrap(tenant.name, time)));

    this.events.addStory(this, add);

    for (const t of this.targets) {
      const count = RANDOM_COMMITS[t.key] ?? 60;
      for (let i = 0; i < count; i++) add(this.sampleTime(t.key), (time) => this.events.randomEvent(this, t, time));
    }

    events.sort((a, b) => a.at - b.at || a.order - b.order);
    let previous = -Infinity;
    for (const event of events) {
      const time = Math.max(event.at, previous + 2 * SECOND);
      previous = time;
      event.run(time);
    }
  }

  // --- time ---

  sampleTime(key: string): number {
    const firstDay = Date.UTC(2026, 9, 21);
    for (;;) {
      const dayStart = firstDay + this.rng.int(0, 30) * DAY;
      const weekday = new Date(dayStart).getUTCDay();
      if ((weekday === 0 || weekday === 6) && !this.rng.chance(0.2)) continue;
      const minutes = this.rng.chance(0.06)
        ? this.rng.int(0, 24 * 60 - 1)
        : 7 * 60 + Math.floor(((this.rng.next() + this.rng.next()) / 2) * 11 * 60);
      const time = dayStart + minutes * MINUTE + this.rng.int(0, 59) * SECOND;
      if (time < RANDOM_EARLIEST || time > RANDOM_LATEST) continue;
      if (QUIET.some((w) => w.target === key && time >= w.from && time <= w.to)) continue;
      return time;
    }
  }

  locked(t: Target, service: string, time: number): boolean {
    return LOCKS.some((l) => l.tenant === t.tenant.name && l.service === service && time >= l.from && time <= l.to);
  }

  // --- commits ---

  emit(time: number, author: Author, message: string, changes: Record<string, string | null>, extra: CommitExtra = {}): DemoCommit {
    const paths = Object.keys(changes);
    if (paths.length === 0) throw new Error(`demo data: empty commit "${message.split('\n')[0]}"`);
    const commit: DemoCommit = {
      id: `c${String(this.commits.length + 1).padStart(5, '0')}`,
      timestamp: new Date(time).toISOString(),
      author: { ...author },
      message,
      changes,
    };
    if (extra.rollback) commit.rollback = extra.rollback;
    if (extra.deployStatus) commit.deployStatus = extra.deployStatus;
    this.commits.push(commit);
    this.times.push(time);
    for (const t of this.targets) if (paths.some((p) => p.startsWith(t.root))) t.lastCommitId = commit.id;
    return commit;
  }

  /** Moves a target to `next` in one commit carrying exactly the files that changed. */
  commit(t: Target, time: number, author: Author, message: string, next: TargetState, extra: CommitExtra = {}): DemoCommit {
    const before = t.state;
    const changes = stateChanges(t, before, next);
    if (t.kind === 'staging') {
      for (const [name, s] of next.services) {
        if (before.services.get(name)?.tag !== s.tag) this.stagingSince.set(`${t.tenant.name}/${name}`, time);
      }
    }
    t.state = next;
    return this.emit(time, author, message, changes, extra);
  }

  bootstrap(tenantName: string, time: number): void {
    const targets = this.targets.filter((t) => t.tenant.name === tenantName);
    const changes: Record<string, string | null> = {};
    for (const t of targets) for (const [path, content] of allFiles(t, t.state)) changes[path] = content;
    const tenant = targets[0]!.tenant;
    const envs = tenant.environments.map((e) => e.name).join(' and ');
    const message = `Bootstrap tenant ${tenantName}

Import the ${envs} environment${tenant.environments.length > 1 ? 's' : ''} of ${tenantName} from the legacy deploy repo.
Services: ${tenant.services.map((s) => s.name).join(', ')}.

Ticket: PLAT-${1100 + tenantName.length}
`;
    this.emit(time, MARCUS, message, changes);
  }

  // --- vocabulary ---

  ticket(prefix: string): string {
    const current = this.counters.get(prefix) ?? this.rng.int(1200, 2100);
    const next = current + this.rng.int(1, 9);
    this.counters.set(prefix, next);
    return `${prefix}-${next}`;
  }

  pipelineRun(): number {
    const current = this.counters.get('pipeline') ?? 48_000 + this.rng.int(0, 900);
    const next = current + this.rng.int(3, 60);
    this.counters.set('pipeline', next);
    return next;
  }

  human(): Author {
    return this.rng.weighted(RELEASE_AUTHORS);
  }

  nextVersion(t: Target, spec: ServiceSpec, allowMinor: boolean): Version {
    const key = `${t.tenant.name}/${spec.name}`;
    const v = this.latest.get(key) ?? spec.version;
    const next: Version = allowMinor && spec.minorBumps && this.rng.chance(0.3) ? [v[0], v[1] + 1, 0] : [v[0], v[1], v[2] + 1];
    this.latest.set(key, next);
    return next;
  }

  setLatest(t: Target, name: string, v: Version): void {
    const key = `${t.tenant.name}/${name}`;
    const current = this.latest.get(key);
    if (!current || compareVersions(v, current) > 0) this.latest.set(key, v);
  }

  /** Maybe a config change riding along with a release; returns the new state and a changelog line. */
  rideAlong(t: Target, spec: ServiceSpec, s: ServiceState): [ServiceState, string | null] {
    const roll = this.rng.next();
    if (roll < 0.22) {
      const names = Object.keys(spec.choices).filter((n) => envValue(s, n) !== undefined);
      if (names.length > 0) {
        const name = this.rng.pick(names);
        const options = (spec.choices[name] ?? []).filter((v) => v !== envValue(s, name));
        if (options.length > 0) {
          const value = this.rng.pick(options);
          return [withEnv(s, name, value), `Set ${name} to ${value}`];
        }
      }
    } else if (roll < 0.32 && s.env.length < 7) {
      const extra = spec.extraEnv.filter(([n]) => envValue(s, n) === undefined);
      if (extra.length > 0) {
        const [name, value] = this.rng.pick(extra);
        return [withEnv(s, name, fill(value, t)), `Add ${name}=${fill(value, t)}`];
      }
    } else if (roll < 0.38 && s.replicas < 12) {
      const replicas = s.replicas + 1;
      return [{ ...s, replicas }, `Run ${replicas} replicas`];
    }
    return [s, null];
  }

  storyRelease(
    key: string,
    time: number,
    author: Author,
    message: string,
    change: (state: TargetState, t: Target) => TargetState,
    options: { failed?: boolean; mark?: string } = {},
  ): void {
    const t = this.target(key);
    if (options.mark) this.marks.set(options.mark, { id: t.lastCommitId!, state: t.state });
    const next = change(t.state, t);
    for (const [name, s] of next.services) {
      if (s !== t.state.services.get(name)) {
        this.setLatest(t, name, s.version);
        if (options.failed) this.blocked.add(`${t.tenant.name}/${name}@${s.tag}`);
      }
    }
    this.commit(t, time, author, message, next, options.failed ? { deployStatus: 'failed' } : {});
  }

  rollback(key: string, time: number, author: Author, mark: string, meta: Omit<DemoRollback, 'targetId' | 'tenant' | 'environment'>): void {
    const t = this.target(key);
    const target = this.marks.get(mark);
    if (!target) throw new Error(`demo data: no bookmark ${mark}`);
    const next = meta.mode === 'full' ? target.state : withService(t.state, meta.service!, target.state.services.get(meta.service!)!);
    this.commit(t, time, author, '', next, {
      rollback: { tenant: t.tenant.name, environment: t.environment, ...meta, targetId: target.id },
    });
  }

}

export function evenSecond(time: number): number {
  return Math.floor(time / (2 * SECOND)) * 2 * SECOND;
}
