/**
 * The ClusterStatus port over one agent: maps a target (and its services) to agent objects, reads
 * them from the shared poller, and never reports what the agent did not say (decision 017).
 */
import type { ClusterSource, Health, RevisionOutcome, ServiceStatus, Sync } from '#core/cluster-schemas.ts';
import { overallSync, worstHealth } from '#core/cluster-health.ts';
import type { ClusterStatus, SyncRequestResult, TargetRuntimeStatus } from '#core/ports.ts';
import { targetKey, type TargetConfig } from '#core/target-config.ts';
import type { AgentClient, ObjectReport } from './agent.ts';
import type { ObjectPoller, ObjectState } from './object-poller.ts';

/** One object for the whole target (services from its resources), or one object per service. */
export type TargetObjects = { mode: 'target'; name: string } | { mode: 'services'; names: Map<string, string> };

function render(template: string, values: Record<string, string>): string {
  return template.replace(/\{(tenant|environment|service)\}/g, (_, key: string) => values[key] ?? '');
}

/**
 * Object names from a template (`{tenant}-{environment}`; with `{service}`, one object per service)
 * or an explicit map keyed `tenant/environment` or `tenant/environment/service`.
 */
export function objectsFor(naming: string | Record<string, string>, target: TargetConfig): TargetObjects | null {
  const key = targetKey(target);
  if (typeof naming === 'string') {
    const values = { tenant: target.tenant, environment: target.environment };
    if (!naming.includes('{service}')) return { mode: 'target', name: render(naming, values) };
    return { mode: 'services', names: new Map(target.layout.services.map((s) => [s.name, render(naming, { ...values, service: s.name })])) };
  }
  const whole = naming[key];
  if (whole) return { mode: 'target', name: whole };
  const names = new Map<string, string>();
  for (const service of target.layout.services) {
    const name = naming[`${key}/${service.name}`];
    if (name) names.set(service.name, name);
  }
  return names.size > 0 ? { mode: 'services', names } : null;
}

export interface AgentClusterStatusOptions {
  client: AgentClient;
  poller: ObjectPoller;
  naming: string | Record<string, string>;
  /** With one object per target: a service's resource name (`{service}` by default). */
  serviceResource: string;
  confirmWithinMs: number;
  /** The config key that names objects, quoted in reasons (`cluster.argocd.application`). */
  namingKey: string;
}

const unknownService = (name: string, reason: string): ServiceStatus => ({ name, health: 'unknown', sync: 'unknown', reason });

export class AgentClusterStatus implements ClusterStatus {
  readonly source: ClusterSource;
  readonly confirmWithinMs: number;
  /** Outcomes the agent pushed through a webhook, per object, newest first. */
  private readonly pushed = new Map<string, RevisionOutcome[]>();

  constructor(private readonly options: AgentClusterStatusOptions) {
    this.source = options.client.source;
    this.confirmWithinMs = options.confirmWithinMs;
  }

  /** Registers every target's objects with the poller, so they are read before anyone asks. */
  watch(targets: readonly TargetConfig[]): Map<string, TargetConfig[]> {
    const byObject = new Map<string, TargetConfig[]>();
    for (const target of targets) {
      for (const name of this.names(target)) {
        this.options.poller.watch(name);
        byObject.set(name, [...(byObject.get(name) ?? []), target]);
      }
    }
    return byObject;
  }

  /** A verified webhook's outcome: shown at once, and the object is read again at the next tick. */
  recordOutcome(object: string, outcome: RevisionOutcome): void {
    this.pushed.set(object, [outcome, ...(this.pushed.get(object) ?? [])].slice(0, 50));
    this.options.poller.pollSoon(object);
  }

  private withPushed(objects: readonly string[], outcomes: readonly RevisionOutcome[]): RevisionOutcome[] {
    const all = [...objects.flatMap((name) => this.pushed.get(name) ?? []), ...outcomes];
    const seen = new Set<string>();
    return all.filter((o) => {
      const key = `${o.sha}|${o.outcome}`;
      if (seen.has(key)) return false;
      seen.add(key);
      return true;
    });
  }

  names(target: TargetConfig): string[] {
    const objects = objectsFor(this.options.naming, target);
    if (!objects) return [];
    return objects.mode === 'target' ? [objects.name] : [...new Set(objects.names.values())];
  }

  private reasonOf(name: string, state: ObjectState): string | null {
    const { label, objectKind } = this.options.client;
    if (state.error) return `${label} ${objectKind} ${name}: ${state.error}`;
    if (state.report?.note) return `${label} ${objectKind} ${name}: ${state.report.note}`;
    return null;
  }

  async status(target: TargetConfig): Promise<TargetRuntimeStatus> {
    const { client, poller } = this.options;
    const objects = objectsFor(this.options.naming, target);
    const empty = (reason: string): TargetRuntimeStatus => ({
      source: this.source,
      health: 'unknown',
      sync: 'unknown',
      services: target.layout.services.map((s) => unknownService(s.name, reason)),
      liveRevision: null,
      operation: null,
      observedAt: null,
      reason,
      outcomes: [],
    });
    if (!objects) return empty(`no ${client.label} ${client.objectKind} is mapped to ${targetKey(target)} in ${this.options.namingKey}`);

    if (objects.mode === 'target') {
      const state = await poller.state(objects.name);
      const reason = this.reasonOf(objects.name, state);
      // A failed read keeps only the time of the last good report: stale health is never current.
      if (state.error || !state.report) return { ...empty(reason ?? 'no report yet'), observedAt: state.observedAt, outcomes: this.withPushed([objects.name], []) };
      const report = state.report;
      return {
        source: this.source,
        health: report.health,
        sync: report.sync,
        services: target.layout.services.map((service) => this.serviceFromResources(service.name, objects.name, report)),
        liveRevision: report.liveRevision,
        operation: report.operation,
        observedAt: state.observedAt,
        reason,
        outcomes: this.withPushed([objects.name], report.outcomes),
      };
    }

    const entries = await Promise.all(
      target.layout.services.map(async (service) => {
        const name = objects.names.get(service.name);
        return { service: service.name, name, state: name ? await poller.state(name) : null };
      }),
    );
    const services = entries.map(({ service, name, state }): ServiceStatus => {
      if (!name || !state) return unknownService(service, `no ${client.objectKind} is mapped to this service in ${this.options.namingKey}`);
      const reason = this.reasonOf(name, state);
      if (state.error || !state.report) return unknownService(service, reason ?? 'no report yet');
      return { name: service, health: state.report.health, sync: state.report.sync, liveRevision: state.report.liveRevision, ...(reason ? { reason } : {}) };
    });
    const reports = entries.flatMap(({ state }) => (state?.report && !state.error ? [state.report] : []));
    const reasons = [...new Set(entries.flatMap(({ name, state }) => (name && state ? [this.reasonOf(name, state)] : [])).filter((r): r is string => r !== null))];
    const lives = new Set(services.map((s) => s.liveRevision ?? null));
    // The target's live revision is only known when every service runs the same one.
    const live = lives.size === 1 ? ([...lives][0] ?? null) : null;
    if (lives.size > 1) reasons.push('the services run different revisions');
    const observed = entries.map(({ state }) => state?.observedAt ?? null);
    const running = reports.map((r) => r.operation).find((op) => op?.phase === 'running') ?? null;
    const failed = reports.map((r) => r.operation).find((op) => op?.phase === 'failed') ?? null;
    return {
      source: this.source,
      health: worstHealth(services.map((s) => s.health)),
      sync: overallSync(services.map((s) => s.sync)),
      services,
      liveRevision: live,
      operation: failed ?? running ?? reports[0]?.operation ?? null,
      observedAt: observed.includes(null) ? null : observed.sort()[0]!,
      reason: reasons.length ? reasons.join('; ') : null,
      outcomes: this.withPushed([...new Set(objects.names.values())], reports.flatMap((r) => r.outcomes)),
    };
  }

  private serviceFromResources(service: string, objectName: string, report: ObjectReport): ServiceStatus {
    const wanted = render(this.options.serviceResource, { service });
    const resources = report.resources.filter((r) => r.name === wanted);
    if (resources.length === 0) {
      return unknownService(service, `no resource named ${wanted} in ${this.options.client.objectKind} ${objectName}`);
    }
    const health: Health = worstHealth(resources.map((r) => r.health));
    const sync: Sync = overallSync(resources.map((r) => r.sync));
    return { name: service, health, sync, liveRevision: report.liveRevision };
  }

  async requestSync(target: TargetConfig, revision: string): Promise<SyncRequestResult> {
    const names = this.names(target);
    if (names.length === 0) return { accepted: false, message: `no ${this.options.client.objectKind} is mapped to ${targetKey(target)}` };
    const results = await Promise.all(names.map((name) => this.options.client.requestSync(name, revision)));
    for (const name of names) this.options.poller.pollSoon(name);
    return { accepted: results.every((r) => r.accepted), message: results.map((r) => r.message).join('; ') };
  }
}
