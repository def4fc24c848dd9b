/** The large variant's `acme/perf` target: 50,000 revisions on odd seconds. */
import { Prng, deriveSeed } from './prng.ts';
import { type DemoCommit, END_MS, HOUR, MINUTE, PERF_REVISIONS, SECOND, START_MS } from './demo-model.ts';
import { MARCUS, RELEASE_BOT, type Author } from './demo-people.ts';
import { tenantSpecs, type Version } from './tenant-specs.ts';
import { allFiles, initialService, makeTarget, renderValues, type ServiceState, tagOf, type Target, valuesPath } from './demo-manifests.ts';
import { at } from './demo-generator.ts';

// --- The large variant: acme/perf ----------------------------------------------------------------

export const PERF_SERVICES = ['api-gateway', 'payments', 'checkout', 'search'];
export const PERF_PROFILES = ['checkout-peak', 'search-burst', 'steady-state', 'soak-24h', 'black-friday'];

export interface PerfResult {
  target: Target;
  commits: DemoCommit[];
  times: number[];
}

/**
 * 50,000 revisions of a load-test environment, one every ~52 s, each changing one values.yaml. Commits
 * sit on odd seconds so they never collide with the main targets' (even) seconds.
 */
export function generatePerf(seed: number): PerfResult {
  const rng = new Prng(deriveSeed(seed, 'perf'));
  const acme = tenantSpecs().find((t) => t.name === 'acme')!;
  const specs = PERF_SERVICES.map((name) => acme.services.find((s) => s.name === name)!);
  const t = makeTarget(acme, { name: 'perf', requiredApprovals: 0, blockSelfApproval: true }, 'perf', specs);
  const services = new Map<string, ServiceState>();
  for (const spec of specs) services.set(spec.name, initialService(t, spec, spec.version));
  t.state = { ...t.state, services };

  const commits: DemoCommit[] = [];
  const times: number[] = [];
  const push = (time: number, author: Author, message: string, changes: Record<string, string | null>) => {
    commits.push({ id: `p${String(commits.length + 1).padStart(6, '0')}`, timestamp: new Date(time).toISOString(), author, message, changes });
    times.push(time);
  };

  const bootstrapAt = at('2026-10-21T16:30:01Z');
  const files: Record<string, string | null> = {};
  for (const [path, content] of allFiles(t, t.state)) files[path] = content;
  push(
    bootstrapAt,
    { ...MARCUS },
    `Bootstrap acme/perf environment

Load-test environment for acme: ${specs.map((s) => s.name).join(', ')}. Driven by the perf pipeline.
`,
    files,
  );

  const paths = specs.map((spec) => valuesPath(t, spec.name));
  const states = specs.map((spec) => services.get(spec.name)!);
  const versions: Version[] = specs.map((spec) => spec.version);
  const bot = { ...RELEASE_BOT };
  const first = START_MS + HOUR;
  const last = END_MS - 2 * MINUTE;
  // Commit i lands in [base(i), base(i + 1)): about 52 s apart, to the end of the window.
  const firstSecond = first / SECOND;
  const span = (last - first) / SECOND;
  const base = (i: number) => firstSecond + Math.floor((i * span) / PERF_REVISIONS);
  let build = 30_000 + rng.int(0, 999);
  for (let i = 0; i < PERF_REVISIONS; i++) {
    const from = base(i);
    let second = from + rng.int(0, base(i + 1) - from - 2);
    if (second % 2 === 0) second += 1;
    const index = rng.int(0, specs.length - 1);
    const spec = specs[index]!;
    const current = states[index]!;
    const profile = PERF_PROFILES[rng.int(0, PERF_PROFILES.length - 1)]!;
    let next: ServiceState;
    let message: string;
    if (rng.next() < 0.9) {
      build += 1;
      let v = versions[index]!;
      if (rng.next() < 0.002) versions[index] = v = [v[0], v[1], v[2] + 1];
      const tag = `${tagOf(v)}-build.${build}`;
      next = { ...current, version: v, tag };
      message = `release ${spec.name} ${tag}\n\nLoad test run #${build} (profile: ${profile}).\n`;
    } else {
      const replicas = current.replicas >= 12 ? 2 : current.replicas + 2;
      next = { ...current, replicas };
      message = `scale ${spec.name} to ${replicas} replicas\n\nCapacity step for load profile ${profile}.\n`;
    }
    states[index] = next;
    push(second * SECOND, bot, message, { [paths[index]!]: renderValues(t, spec, next) });
  }
  return { target: t, commits, times };
}
