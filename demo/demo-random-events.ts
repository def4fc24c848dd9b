/** The random walk of the demo's month: releases, promotions, hotfixes, tuning and config changes. */
import { DAY, HOUR } from './demo-model.ts';
import { HOTFIX_AUTHORS, MARCUS, RELEASE_BOT } from './demo-people.ts';
import { type ServiceSpec, type Version } from './tenant-specs.ts';
import { compareVersions, CPU_LADDER, type KustomizationState, MEMORY_LADDER, type PatchState, serviceOf, type ServiceState, stepUp, tagOf, type Target, type VariablesState, withFlag, withService, withVersion } from './demo-manifests.ts';
import type { MainGenerator } from './demo-generator.ts';

export function randomEvent(gen: MainGenerator, t: Target, time: number): void {
  const free = t.specs.filter((spec) => !gen.locked(t, spec.name, time));
  const patched = free.filter((spec) => serviceOf(t, spec.name).patch);
  if (free.length === 0) return variablesChange(gen, t, time);
  if (t.kind === 'production' && t.tenant.environments.length > 1) {
    const candidates = promotable(gen, t, free, time);
    const kind = gen.rng.weighted([
      ['promotion', candidates.length > 0 ? 40 : 0],
      ['release-staged', candidates.length > 0 ? 12 : 0],
      // Nothing staged and soaked: teams ship a small build straight to production now and then.
      ['release', candidates.length > 0 ? 0 : 24],
      ['hotfix', 6],
      ['tune', 12],
      ['variables', 4],
      ['kustomization', 1.5],
      ['patch', patched.length > 0 ? 4 : 0],
    ] as const);
    if (kind === 'promotion') return promotion(gen, t, time, candidates);
    if (kind === 'release-staged') return releaseStaged(gen, t, time, gen.rng.pick(candidates));
    if (kind === 'release') return release(gen, t, time, [gen.rng.pick(free)]);
    return commonEvent(gen, kind, t, time, free, patched);
  }
  const kind = gen.rng.weighted([
    ['release', t.kind === 'staging' ? 42 : 38],
    ['release-two', free.length >= 2 ? (t.kind === 'staging' ? 10 : 6) : 0],
    ['ci-promotion', t.kind === 'staging' ? 10 : 20],
    ['tune', 9],
    ['variables', 8],
    ['kustomization', 4],
    ['hotfix', t.kind === 'staging' ? 5 : 8],
    ['patch', patched.length > 0 ? 5 : 0],
  ] as const);
  if (kind === 'release') return release(gen, t, time, [gen.rng.pick(free)]);
  if (kind === 'release-two') return release(gen, t, time, gen.rng.sample(free, 2));
  if (kind === 'ci-promotion') return ciPromotion(gen, t, time, gen.rng.pick(free));
  return commonEvent(gen, kind, t, time, free, patched);
}

export function commonEvent(gen: MainGenerator, kind: 'hotfix' | 'tune' | 'variables' | 'kustomization' | 'patch', t: Target, time: number, free: ServiceSpec[], patched: ServiceSpec[]): void {
  if (kind === 'hotfix') return hotfix(gen, t, time, gen.rng.pick(free));
  if (kind === 'tune') return tune(gen, t, time, gen.rng.pick(free));
  if (kind === 'variables') return variablesChange(gen, t, time);
  if (kind === 'kustomization') return kustomizationChange(gen, t, time);
  return patchChange(gen, t, time, gen.rng.pick(patched));
}

/** Services whose staging tag is newer than production's, soaked 3 h, and never failed. */
export function promotable(gen: MainGenerator, t: Target, free: ServiceSpec[], time: number): ServiceSpec[] {
  const staging = gen.target(`${t.tenant.name}/staging`);
  return free.filter((spec) => {
    const s = serviceOf(staging, spec.name);
    const p = serviceOf(t, spec.name);
    const since = gen.stagingSince.get(`${t.tenant.name}/${spec.name}`) ?? time;
    return compareVersions(s.version, p.version) > 0 && !gen.blocked.has(`${t.tenant.name}/${spec.name}@${s.tag}`) && time - since >= 3 * HOUR;
  });
}

export function release(gen: MainGenerator, t: Target, time: number, specs: ServiceSpec[]): void {
  let next = t.state;
  const parts: string[] = [];
  const bumps: string[] = [];
  const notes: string[] = [];
  for (const spec of specs) {
    const before = serviceOf(t, spec.name);
    const version = gen.nextVersion(t, spec, true);
    let s = withVersion(before, version);
    if (specs.length === 1) {
      const [ridden, note] = gen.rideAlong(t, spec, s);
      s = ridden;
      if (note) notes.push(note);
    }
    next = withService(next, spec.name, s);
    parts.push(`${spec.name} ${s.tag}`);
    bumps.push(`${spec.name} from ${before.tag} to ${s.tag}`);
    const picked = gen.rng.sample(spec.changelog, gen.rng.int(1, specs.length > 1 ? 2 : 3));
    notes.unshift(...(specs.length > 1 ? picked.map((n) => `${spec.name}: ${n}`) : picked));
  }
  const spec = specs[0]!;
  const message = `release ${parts.join(', ')}

Bumps ${bumps.join(' and ')} in ${t.key}.

${notes.map((n) => `- ${n}`).join('\n')}

Ticket: ${gen.ticket(spec.ticket)}
`;
  gen.commit(t, time, gen.human(), message, next);
}

export function releaseStaged(gen: MainGenerator, t: Target, time: number, spec: ServiceSpec): void {
  const staging = serviceOf(gen.target(`${t.tenant.name}/staging`), spec.name);
  const before = serviceOf(t, spec.name);
  let s = withVersion(before, staging.version);
  const notes: string[] = [];
  if (gen.rng.chance(0.3)) {
    s = { ...s, replicas: s.replicas + 1 };
    notes.push(`- Run ${s.replicas} replicas in production`);
  }
  const days = Math.max(1, Math.round((time - (gen.stagingSince.get(`${t.tenant.name}/${spec.name}`) ?? time)) / DAY));
  const message = `release ${spec.name} ${s.tag}

Release ${spec.name} ${s.tag} to production by hand (in staging for ${days} day${days > 1 ? 's' : ''}).
${notes.length > 0 ? `\n${notes.join('\n')}\n` : ''}
Ticket: ${gen.ticket(spec.ticket)}
`;
  gen.commit(t, time, gen.human(), message, withService(t.state, spec.name, s));
}

export function promotion(gen: MainGenerator, t: Target, time: number, candidates: ServiceSpec[]): void {
  const specs = candidates.length >= 2 && gen.rng.chance(0.2) ? gen.rng.sample(candidates, 2) : [gen.rng.pick(candidates)];
  const staging = gen.target(`${t.tenant.name}/staging`);
  let next = t.state;
  const parts: string[] = [];
  let soak = Infinity;
  for (const spec of specs) {
    const version = serviceOf(staging, spec.name).version;
    next = withService(next, spec.name, withVersion(serviceOf(t, spec.name), version));
    parts.push(`${spec.name} ${tagOf(version)}`);
    soak = Math.min(soak, time - (gen.stagingSince.get(`${t.tenant.name}/${spec.name}`) ?? time));
  }
  const hours = Math.floor(soak / HOUR);
  const message = `Promote ${parts.join(', ')} to production

Promoted from ${staging.key} after ${hours}h in staging with no alerts.

Pipeline-Run: ${gen.pipelineRun()}
Promoted-From: ${staging.key}
`;
  gen.commit(t, time, RELEASE_BOT, message, next);
}

/** The pipeline ships a green build on its own: to staging, or straight to production without one. */
export function ciPromotion(gen: MainGenerator, t: Target, time: number, spec: ServiceSpec): void {
  const version = gen.nextVersion(t, spec, false);
  const s = withVersion(serviceOf(t, spec.name), version);
  const run = gen.pipelineRun();
  const why =
    t.kind === 'staging'
      ? `Build ${run} of ${spec.name} passed the main-branch pipeline (unit, integration and contract tests).`
      : `Build ${run} of ${spec.name} passed integration and smoke tests; ${t.tenant.name} has no staging environment.`;
  const message = `Promote ${spec.name} ${s.tag} to ${t.environment}

${why}

Pipeline-Run: ${run}
`;
  gen.commit(t, time, RELEASE_BOT, message, withService(t.state, spec.name, s));
}

export function hotfix(gen: MainGenerator, t: Target, time: number, spec: ServiceSpec): void {
  const version = gen.nextVersion(t, spec, false);
  const s = withVersion(serviceOf(t, spec.name), version);
  const reason = gen.rng.pick(spec.hotfixes);
  const message = `hotfix: ${spec.name} ${s.tag} (${reason})

Fix ${reason} in ${t.key}, shipped straight to ${t.environment}.

Ticket: ${gen.ticket(spec.ticket)}
`;
  gen.commit(t, time, gen.rng.weighted(HOTFIX_AUTHORS), message, withService(t.state, spec.name, s));
}

export function tune(gen: MainGenerator, t: Target, time: number, spec: ServiceSpec): void {
  const s = serviceOf(t, spec.name);
  const roll = gen.rng.next();
  let next: ServiceState;
  let subject: string;
  let why: string;
  const memory = stepUp(MEMORY_LADDER, s.memory[1]);
  const cpu = stepUp(CPU_LADDER, s.cpu[0]);
  if (roll < 0.55 || (!memory && !cpu)) {
    const floor = t.kind === 'staging' ? 1 : 2;
    const options = [s.replicas - 1, s.replicas + 1, s.replicas + 2].filter((n) => n >= floor && n <= 12);
    const replicas = gen.rng.pick(options);
    next = { ...s, replicas };
    subject = `scale ${spec.name} to ${replicas} replicas`;
    why = replicas > s.replicas ? gen.rng.pick(['Headroom for the weekend sale.', 'CPU above 70% at peak since Monday.', 'Match the traffic forecast for next week.']) : gen.rng.pick(['Traffic is back to normal after the campaign.', 'Over-provisioned: p95 CPU below 20% all week.']);
  } else if (memory && (roll < 0.8 || !cpu)) {
    next = { ...s, memory: [s.memory[0], memory] };
    subject = `${spec.name}: raise memory limit to ${memory}`;
    why = `OOMKilled ${gen.rng.int(2, 6)} times under load in the last 24h.`;
  } else {
    next = { ...s, cpu: [cpu!, s.cpu[1]] };
    subject = `${spec.name}: raise CPU request to ${cpu}`;
    why = 'Throttling at peak; request closer to the observed p90.';
  }
  const message = `${subject}

${why}
`;
  gen.commit(t, time, gen.human(), message, withService(t.state, spec.name, next));
}

export function variablesChange(gen: MainGenerator, t: Target, time: number): void {
  const v = t.state.variables;
  const roll = gen.rng.next();
  let next: VariablesState;
  let subject: string;
  let why: string;
  const unused = t.tenant.flagPool.filter((f) => !v.flags.some(([n]) => n === f));
  if (roll < 0.45 && v.flags.length > 0) {
    const [name, on] = gen.rng.pick(v.flags);
    next = withFlag(v, name, !on);
    subject = `${t.key}: ${on ? 'disable' : 'enable'} ${name}`;
    why = on ? `Turn ${name} off again: not ready for ${t.environment} yet.` : `Turn ${name} on in ${t.environment}.`;
  } else if (roll < 0.6 && unused.length > 0) {
    const name = gen.rng.pick(unused);
    const on = t.kind !== 'production';
    next = withFlag(v, name, on);
    subject = `${t.key}: add feature flag ${name} (${on ? 'on' : 'off'})`;
    why = `New flag for the ${name} rollout.`;
  } else if (roll < 0.75) {
    const rate = gen.rng.pick(['0.01', '0.05', '0.1', '0.2'].filter((r) => r !== v.tracingSampleRate));
    next = { ...v, tracingSampleRate: rate };
    subject = `${t.key}: set tracing sample rate to ${rate}`;
    why = 'Trace volume vs. cost, per the observability review.';
  } else if (roll < 0.88 || t.kind === 'production') {
    const window = gen.rng.pick(['Sun 02:00-04:00 UTC', 'Sat 23:00-01:00 UTC', 'Tue 03:00-05:00 UTC'].filter((w) => w !== v.maintenanceWindow));
    next = { ...v, maintenanceWindow: window };
    subject = `${t.key}: move maintenance window to ${window}`;
    why = 'Agreed with the tenant in the last service review.';
  } else {
    const level = v.logLevel === 'debug' ? 'info' : 'debug';
    next = { ...v, logLevel: level };
    subject = `${t.key}: set logLevel to ${level}`;
    why = level === 'debug' ? 'Chasing a flaky integration test.' : 'Back to normal verbosity.';
  }
  const message = `${subject}

${why}
`;
  gen.commit(t, time, gen.human(), message, { ...t.state, variables: next });
}

export function kustomizationChange(gen: MainGenerator, t: Target, time: number): void {
  const k = t.state.kustomization;
  const pool = ['../../../platform/network-policies', '../../../platform/pod-disruption-budgets', '../../../platform/external-secrets'];
  const missing = pool.filter((r) => !k.resources.includes(r));
  let next: KustomizationState;
  let subject: string;
  if (missing.length > 0 && gen.rng.chance(0.3)) {
    const resource = gen.rng.pick(missing);
    next = { ...k, resources: [...k.resources, resource] };
    subject = `${t.key}: add ${resource.split('/').at(-1)} to kustomization resources`;
  } else {
    const v = k.chartVersion;
    const chartVersion: Version = gen.rng.chance(0.2) ? [v[0], v[1] + 1, 0] : [v[0], v[1], v[2] + 1];
    next = { ...k, chartVersion };
    subject = `${t.key}: bump platform service chart to ${chartVersion.join('.')}`;
  }
  const message = `${subject}

Platform change rolled out environment by environment.

Ticket: ${gen.ticket('PLAT')}
`;
  gen.commit(t, time, gen.rng.chance(0.6) ? MARCUS : gen.human(), message, { ...t.state, kustomization: next });
}

export function patchChange(gen: MainGenerator, t: Target, time: number, spec: ServiceSpec): void {
  const s = serviceOf(t, spec.name);
  const p = s.patch!;
  let patch: PatchState;
  let subject: string;
  if (gen.rng.chance(0.6)) {
    const grace = gen.rng.pick([30, 45, 60, 90].filter((g) => g !== p.grace));
    patch = { ...p, grace };
    subject = `${spec.name}: terminationGracePeriodSeconds ${grace}`;
  } else {
    const maxSkew = p.maxSkew === 1 ? 2 : 1;
    patch = { ...p, maxSkew };
    subject = `${spec.name}: topology spread maxSkew ${maxSkew}`;
  }
  const message = `${subject}

Drain behaviour seen in the last node rotation.
`;
  gen.commit(t, time, gen.human(), message, withService(t.state, spec.name, { ...s, patch }));
}
