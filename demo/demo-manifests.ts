/**
 * A demo target's state (immutable: a snapshot is just a reference), its files rendered from it, and
 * the state updates the generator makes.
 */
import { defaultLayout, type AccessPolicy, type TargetConfig } from '#core/target-config.ts';
import { APPROVERS, BREAK_GLASS, REQUESTERS, type EnvironmentSpec, type Pair, type ServiceSpec, type TenantSpec, type Version } from './tenant-specs.ts';

// --- Target state (immutable: a snapshot is just a reference) -------------------------------------

export interface EnvVar {
  readonly name: string;
  readonly value: string;
}

export interface PatchState {
  readonly grace: number;
  readonly maxSkew: number;
  readonly priorityClass: string;
}

export interface ServiceState {
  readonly version: Version;
  readonly tag: string;
  readonly replicas: number;
  readonly cpu: Pair;
  readonly memory: Pair;
  readonly env: readonly EnvVar[];
  readonly patch: PatchState | null;
}

export interface VariablesState {
  readonly logLevel: string;
  readonly tracingSampleRate: string;
  readonly maintenanceWindow: string;
  readonly flags: readonly (readonly [string, boolean])[];
}

export interface KustomizationState {
  readonly chartVersion: Version;
  readonly resources: readonly string[];
}

export interface TargetState {
  readonly services: ReadonlyMap<string, ServiceState>;
  readonly variables: VariablesState;
  readonly kustomization: KustomizationState;
}

export type TargetKind = 'staging' | 'production' | 'perf';

export interface Target {
  key: string;
  tenant: TenantSpec;
  environment: string;
  kind: TargetKind;
  root: string;
  specs: ServiceSpec[];
  config: TargetConfig;
  state: TargetState;
  lastCommitId: string | null;
}

export const tagOf = (v: Version): string => `v${v[0]}.${v[1]}.${v[2]}`;

export function compareVersions(a: Version, b: Version): number {
  return a[0] - b[0] || a[1] - b[1] || a[2] - b[2];
}

export function makeTarget(tenant: TenantSpec, env: EnvironmentSpec, kind: TargetKind, specs: ServiceSpec[]): Target {
  const policy: AccessPolicy = {
    requiredApprovals: env.requiredApprovals,
    blockSelfApproval: env.blockSelfApproval,
    requesters: [...REQUESTERS],
    approvers: [...APPROVERS],
    breakGlass: [...BREAK_GLASS],
  };
  const config: TargetConfig = {
    tenant: tenant.name,
    environment: env.name,
    plan: tenant.plan,
    features: { ...tenant.features },
    policy,
    layout: defaultLayout(
      tenant.name,
      env.name,
      specs.map((s) => s.name),
    ),
  };
  return {
    key: `${tenant.name}/${env.name}`,
    tenant,
    environment: env.name,
    kind,
    root: `tenants/${tenant.name}/${env.name}/`,
    specs,
    config,
    state: { services: new Map(), variables: initialVariables(tenant, kind), kustomization: { chartVersion: [1, 4, 2], resources: ['../../../platform/base', '../../../platform/monitoring'] } },
    lastCommitId: null,
  };
}

export function fill(value: string, t: Target): string {
  const domain = t.kind === 'production' ? t.tenant.domain : `${t.environment}.${t.tenant.domain}`;
  return value.replaceAll('{ns}', `${t.tenant.name}-${t.environment}`).replaceAll('{domain}', domain).replaceAll('{env}', t.environment);
}

export function initialService(t: Target, spec: ServiceSpec, version: Version): ServiceState {
  const replicas = t.kind === 'staging' ? Math.max(1, Math.round(spec.replicas / 2)) : spec.replicas;
  return {
    version,
    tag: tagOf(version),
    replicas,
    cpu: spec.cpu,
    memory: spec.memory,
    env: spec.env.map(([name, value]) => ({ name, value: fill(value, t) })),
    patch: spec.patch ? { grace: 45, maxSkew: 1, priorityClass: t.kind === 'production' ? 'business-critical' : 'standard' } : null,
  };
}

export function initialVariables(tenant: TenantSpec, kind: TargetKind): VariablesState {
  return {
    logLevel: kind === 'production' ? 'info' : 'debug',
    tracingSampleRate: kind === 'production' ? '0.05' : '0.2',
    maintenanceWindow: 'Sun 02:00-04:00 UTC',
    flags: tenant.flags.map(([name, on]) => [name, kind === 'production' ? on : on || name === tenant.flags[0]?.[0]] as const),
  };
}

// --- Rendering ------------------------------------------------------------------------------------

export const PLAIN_SCALAR = /^[A-Za-z/][A-Za-z0-9_./-]*$/;
export const YAML_KEYWORD = /^(true|false|yes|no|on|off|y|n|null)$/i;

/** A YAML scalar for an env value: Kubernetes wants strings, so numbers, booleans and URLs are quoted. */
export function envScalar(value: string): string {
  return PLAIN_SCALAR.test(value) && !YAML_KEYWORD.test(value) ? value : JSON.stringify(value);
}

/** A resource quantity: `500m` and `1Gi` stay plain, a bare number is quoted as kubectl writes it. */
export function quantity(value: string): string {
  return /^[0-9.]+$/.test(value) ? `"${value}"` : value;
}

export function valuesPath(t: Target, name: string): string {
  return `${t.root}services/${name}/values.yaml`;
}

export function patchPath(t: Target, name: string): string {
  return `${t.root}services/${name}/deployment-patch.yaml`;
}

export function renderValues(t: Target, spec: ServiceSpec, s: ServiceState): string {
  let env = '';
  for (const e of s.env) env += `  - name: ${e.name}\n    value: ${envScalar(e.value)}\n`;
  return `# ${spec.name}: Helm values for ${t.key}
# Owned by ${spec.team}. Releases bump image.tag; promotions copy it from staging.
image:
  repository: registry.example.com/${t.tenant.name}/${spec.name}
  tag: "${s.tag}"
  pullPolicy: IfNotPresent
replicaCount: ${s.replicas}
resources:
  requests:
    cpu: ${quantity(s.cpu[0])}
    memory: ${s.memory[0]}
  limits:
    cpu: ${quantity(s.cpu[1])}
    memory: ${s.memory[1]}
service:
  port: ${spec.port}
probes:
  readinessPath: /healthz/ready
  livenessPath: /healthz/live
# Container environment: Kubernetes wants every value as a string.
env:
${env}`;
}

export function renderPatch(t: Target, spec: ServiceSpec, p: PatchState): string {
  return `# Strategic-merge patch over the chart's Deployment for ${spec.name} in ${t.key}.
apiVersion: apps/v1
kind: Deployment
metadata:
  name: ${spec.name}
spec:
  template:
    spec:
      priorityClassName: ${p.priorityClass}
      terminationGracePeriodSeconds: ${p.grace}
      topologySpreadConstraints:
        - maxSkew: ${p.maxSkew}
          topologyKey: topology.kubernetes.io/zone
          whenUnsatisfiable: DoNotSchedule
          labelSelector:
            matchLabels:
              app.kubernetes.io/name: ${spec.name}
`;
}

export function renderKustomization(t: Target, state: TargetState): string {
  const k = state.kustomization;
  const lines = [
    `# ${t.key}: what Argo CD applies (application ${t.tenant.name}-${t.environment}).`,
    '# Every service is rendered from the platform chart with its own values.yaml.',
    'apiVersion: kustomize.config.k8s.io/v1beta1',
    'kind: Kustomization',
    `namespace: ${t.tenant.name}-${t.environment}`,
    'resources:',
    ...k.resources.map((r) => `  - ${r}`),
    'labels:',
    '  - pairs:',
    `      tenant: ${t.tenant.name}`,
    `      environment: ${t.environment}`,
    '    includeSelectors: false',
    'helmCharts:',
  ];
  for (const spec of t.specs) {
    lines.push(
      '  - name: service',
      '    repo: https://charts.example.com/platform',
      `    version: ${k.chartVersion.join('.')}`,
      `    releaseName: ${spec.name}`,
      `    valuesFile: services/${spec.name}/values.yaml`,
    );
  }
  const patched = t.specs.filter((spec) => state.services.get(spec.name)?.patch);
  if (patched.length > 0) {
    lines.push('patches:');
    for (const spec of patched) {
      lines.push(`  - path: services/${spec.name}/deployment-patch.yaml`, '    target:', '      kind: Deployment', `      name: ${spec.name}`);
    }
  }
  return `${lines.join('\n')}\n`;
}

export function renderVariables(t: Target, v: VariablesState): string {
  const domain = fill('{domain}', t);
  const lines = [
    `# Environment-level values of ${t.key}, shared by every service.`,
    '# A change here rolls out to all services of the environment.',
    `tenant: ${t.tenant.name}`,
    `environment: ${t.environment}`,
    `region: ${t.tenant.region}`,
    `domain: ${domain}`,
    `logLevel: ${v.logLevel}`,
    'ingress:',
    '  className: nginx',
    `  tlsIssuer: ${t.kind === 'production' ? 'letsencrypt-prod' : 'letsencrypt-staging'}`,
    'observability:',
    `  tracingSampleRate: "${v.tracingSampleRate}"`,
    `  alertChannel: "#${t.tenant.name}-${t.environment}-alerts"`,
    `maintenanceWindow: "${v.maintenanceWindow}"`,
    'featureFlags:',
    ...v.flags.map(([name, on]) => `  ${name}: ${on}`),
  ];
  return `${lines.join('\n')}\n`;
}

export function serviceFiles(t: Target, spec: ServiceSpec, s: ServiceState | undefined): Map<string, string> {
  const files = new Map<string, string>();
  if (!s) return files;
  files.set(valuesPath(t, spec.name), renderValues(t, spec, s));
  if (s.patch) files.set(patchPath(t, spec.name), renderPatch(t, spec, s.patch));
  return files;
}

export function allFiles(t: Target, state: TargetState): Map<string, string> {
  const files = new Map<string, string>();
  files.set(`${t.root}variables.yaml`, renderVariables(t, state.variables));
  files.set(`${t.root}kustomization.yaml`, renderKustomization(t, state));
  for (const spec of t.specs) for (const [path, content] of serviceFiles(t, spec, state.services.get(spec.name))) files.set(path, content);
  return files;
}

export function diffInto(changes: Record<string, string | null>, before: Map<string, string>, after: Map<string, string>): void {
  for (const [path, content] of after) if (before.get(path) !== content) changes[path] = content;
  for (const path of before.keys()) if (!after.has(path)) changes[path] = null;
}

/** The file changes from one state of a target to another; only parts whose state object changed are rendered. */
export function stateChanges(t: Target, before: TargetState, after: TargetState): Record<string, string | null> {
  const changes: Record<string, string | null> = {};
  for (const spec of t.specs) {
    const a = before.services.get(spec.name);
    const b = after.services.get(spec.name);
    if (a !== b) diffInto(changes, serviceFiles(t, spec, a), serviceFiles(t, spec, b));
  }
  if (before.variables !== after.variables) {
    diffInto(changes, new Map([[`${t.root}variables.yaml`, renderVariables(t, before.variables)]]), new Map([[`${t.root}variables.yaml`, renderVariables(t, after.variables)]]));
  }
  if (before.kustomization !== after.kustomization) {
    const path = `${t.root}kustomization.yaml`;
    diffInto(changes, new Map([[path, renderKustomization(t, before)]]), new Map([[path, renderKustomization(t, after)]]));
  }
  return changes;
}

// --- State updates ----------------------------------------------------------------------------------

export function serviceOf(t: Target, name: string): ServiceState {
  const s = t.state.services.get(name);
  if (!s) throw new Error(`demo data: ${t.key} has no service ${name}`);
  return s;
}

export function withService(state: TargetState, name: string, next: ServiceState): TargetState {
  const services = new Map(state.services);
  services.set(name, next);
  return { ...state, services };
}

export function withVersion(s: ServiceState, version: Version): ServiceState {
  return { ...s, version, tag: tagOf(version) };
}

export function withEnv(s: ServiceState, name: string, value: string): ServiceState {
  const exists = s.env.some((e) => e.name === name);
  const env = exists ? s.env.map((e) => (e.name === name ? { name, value } : e)) : [...s.env, { name, value }];
  return { ...s, env };
}

export function envValue(s: ServiceState, name: string): string | undefined {
  return s.env.find((e) => e.name === name)?.value;
}

export function withFlag(v: VariablesState, name: string, on: boolean): VariablesState {
  const exists = v.flags.some(([n]) => n === name);
  const flags = exists ? v.flags.map(([n, o]) => [n, n === name ? on : o] as const) : [...v.flags, [name, on] as const];
  return { ...v, flags };
}

export const MEMORY_LADDER = ['256Mi', '384Mi', '512Mi', '768Mi', '1Gi', '1536Mi', '2Gi', '3Gi'];
export const CPU_LADDER = ['100m', '200m', '250m', '500m', '750m', '1', '1500m', '2'];

export function stepUp(ladder: readonly string[], value: string): string | null {
  const index = ladder.indexOf(value);
  return index >= 0 && index < ladder.length - 1 ? ladder[index + 1]! : null;
}
