/**
 * The demo data set: targets, users and a month of commits to an infra repo, generated from a seed.
 *
 * One generator serves the in-browser mock backend, the tests and the demo git repo (written with
 * `git fast-import`), so nothing here knows a sha: commits come out in chronological order, a rollback
 * names the commit it returns to by `id`, and the writer formats the rollback message once shas exist
 * (see `demoCommitMessage` in load-demo.ts). It runs in the browser too: no Node modules, no clock, no
 * Math.random; every choice comes from the seeded PRNG in prng.ts.
 *
 * The story (see `findDemoStory`):
 * - globex/production, about 17 days before the end: `release inventory v1.12.0, api-gateway v2.4.0`
 *   (with the reservationsV2 flag) fails and is undone by a **full** rollback (rbk-demo0002, quorum 2/2).
 * - acme/staging, 11 days before: `release search v3.5.0` fails and is fixed forward by
 *   `hotfix: search v3.5.1 …`; the release stays failed.
 * - acme/production, 10 days before: `release checkout v3.8.0` fails; on-call raises the log level, then
 *   a **service** rollback of checkout (rbk-demo0001, quorum 1/1) restores checkout alone; the debug log
 *   level survives it, which a full rollback would have reverted.
 * - acme/production, 24 minutes before the end: `release payments v2.14.0` (image tag and a provider
 *   timeout) fails: the ongoing incident the demo invites you to roll back.
 *
 * Timestamps are whole seconds (git's resolution). Commits of the main targets sit on even seconds and
 * those of the large variant's `acme/perf` target on odd seconds, so the large variant is exactly the
 * default one plus the perf commits: same ids (`c00042`; perf commits are `p000042`), same times.
 */
import type { RollbackMetadata } from '#core/commit-message.ts';
import type { Features, Plan, User } from '#core/schemas.ts';
import { DEFAULT_ROLES } from '#core/review-rules.ts';
import { defaultLayout, matchesAny, type AccessPolicy, type TargetConfig } from '#core/target-config.ts';
import { Prng, deriveSeed } from './prng.ts';

export interface DemoCommit {
  /** Stable key, e.g. "c00042" (perf commits of the large variant: "p000042"). */
  id: string;
  /** ISO 8601 UTC, strictly increasing across the whole repo. */
  timestamp: string;
  author: { name: string; email: string };
  /** Full commit message (subject, blank line, body/trailers). For rollback commits: '' (the writer formats it). */
  message: string;
  /** Present on rollback commits. */
  rollback?: Omit<RollbackMetadata, 'targetSha'> & { targetId: string };
  /** Repo path → new full file content; null deletes the file. */
  changes: Record<string, string | null>;
  /** Deployments that failed after being applied. */
  deployStatus?: 'failed';
}

export interface DemoRepo {
  targets: TargetConfig[];
  users: User[];
  commits: DemoCommit[];
}

export type DemoSize = 'default' | 'large';

/** The demo's "now": the last commit is shortly before it. */
export const DEMO_END = '2026-11-20T16:00:00.000Z';
export const DEFAULT_DEMO_SEED = 20261120;
/** Revisions of `acme/perf` in the large variant (plus its bootstrap commit). */
export const PERF_REVISIONS = 50_000;

const SECOND = 1000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;
const END_MS = Date.parse(DEMO_END);
const START_MS = END_MS - 30 * DAY;
/** The first moment of the demo window: every commit is after it. */
export const DEMO_START = new Date(START_MS).toISOString();

// --- People -------------------------------------------------------------------------------------

/** The first user is the default demo user: a requester who cannot approve. */
function demoUsers(): User[] {
  return [
    { email: 'sam@example.com', name: 'Sam Rivera', roles: ['requester'] },
    { email: 'dana@example.com', name: 'Dana Whitfield', roles: ['approver'] },
    { email: 'priya@example.com', name: 'Priya Raman', roles: ['approver'] },
    { email: 'marcus@example.com', name: 'Marcus Okafor', roles: ['admin'] },
    { email: 'olu@example.com', name: 'Olu Adeyemi', roles: ['requester', 'break-glass'] },
    { email: 'viktor@example.com', name: 'Viktor Lindqvist', roles: ['viewer'] },
  ];
}

type Author = { name: string; email: string };
const SAM: Author = { name: 'Sam Rivera', email: 'sam@example.com' };
const DANA: Author = { name: 'Dana Whitfield', email: 'dana@example.com' };
const PRIYA: Author = { name: 'Priya Raman', email: 'priya@example.com' };
const MARCUS: Author = { name: 'Marcus Okafor', email: 'marcus@example.com' };
const OLU: Author = { name: 'Olu Adeyemi', email: 'olu@example.com' };
/** The CI bot that authors promotions. */
export const RELEASE_BOT: Author = { name: 'release-bot', email: 'release-bot@example.com' };

const RELEASE_AUTHORS: readonly (readonly [Author, number])[] = [
  [SAM, 30],
  [PRIYA, 20],
  [DANA, 14],
  [MARCUS, 10],
  [OLU, 16],
];
const HOTFIX_AUTHORS: readonly (readonly [Author, number])[] = [
  [OLU, 40],
  [PRIYA, 20],
  [SAM, 20],
  [MARCUS, 10],
];

// --- Tenants and services -------------------------------------------------------------------------

type Version = readonly [number, number, number];
type Pair = readonly [string, string];

interface ServiceSpec {
  name: string;
  team: string;
  port: number;
  /** Latest built version when the demo starts; staging runs it. */
  version: Version;
  /** Story services only get patch releases from the random walk; the story makes their minor bumps. */
  minorBumps: boolean;
  /** Production replicas; staging runs about half. */
  replicas: number;
  cpu: Pair;
  memory: Pair;
  /** Container env; `{ns}`, `{domain}`, `{env}` are filled in per target. */
  env: readonly Pair[];
  /** Values a release may switch an env var to. */
  choices: Readonly<Record<string, readonly string[]>>;
  /** Env vars a release may introduce. */
  extraEnv: readonly Pair[];
  changelog: readonly string[];
  hotfixes: readonly string[];
  ticket: string;
  /** Whether the service also has a deployment-patch.yaml. */
  patch: boolean;
}

interface EnvironmentSpec {
  name: string;
  requiredApprovals: number;
  blockSelfApproval: boolean;
}

interface TenantSpec {
  name: string;
  plan: Plan;
  features: Features;
  region: string;
  domain: string;
  environments: EnvironmentSpec[];
  services: ServiceSpec[];
  flags: readonly (readonly [string, boolean])[];
  flagPool: readonly string[];
}

const { requesters: REQUESTERS, approvers: APPROVERS, breakGlass: BREAK_GLASS } = DEFAULT_ROLES;

function service(spec: Omit<ServiceSpec, 'minorBumps' | 'patch'> & Partial<Pick<ServiceSpec, 'minorBumps' | 'patch'>>): ServiceSpec {
  return { minorBumps: true, patch: false, ...spec };
}

const LOG_LEVEL: Pair = ['LOG_LEVEL', 'info'];

function apiGateway(version: Version, minorBumps: boolean, ticket: string): ServiceSpec {
  return service({
    name: 'api-gateway',
    team: 'team-edge',
    port: 8080,
    version,
    minorBumps,
    replicas: 4,
    cpu: ['250m', '1'],
    memory: ['256Mi', '512Mi'],
    env: [LOG_LEVEL, ['UPSTREAM_TIMEOUT_MS', '5000'], ['RATE_LIMIT_RPS', '400'], ['CORS_ALLOWED_ORIGINS', 'https://{domain}']],
    choices: { UPSTREAM_TIMEOUT_MS: ['3000', '4000', '5000', '8000'], RATE_LIMIT_RPS: ['300', '400', '600', '800'] },
    extraEnv: [['JWT_CLOCK_SKEW_SECONDS', '30'], ['ACCESS_LOG_SAMPLE_RATE', '0.1'], ['MAX_BODY_BYTES', '1048576']],
    changelog: [
      'Reject oversized JSON bodies before authentication',
      'Propagate W3C traceparent to upstreams',
      'Cache JWKS keys for 10 minutes',
      'Return 429 with Retry-After when rate limited',
      'Upgrade the HTTP/2 library (stream reset leak)',
      'Normalise trailing slashes in route matching',
    ],
    hotfixes: ['JWKS refresh loop during key rotation', 'upstream timeout not applied to retries', 'CORS preflight missing on /v2 routes'],
    ticket,
  });
}

function webSpec(version: Version, ticket: string, team = 'team-storefront'): ServiceSpec {
  return service({
    name: 'web',
    team,
    port: 3000,
    version,
    replicas: 4,
    cpu: ['200m', '500m'],
    memory: ['256Mi', '512Mi'],
    env: [['NODE_ENV', 'production'], ['API_BASE_URL', 'https://api.{domain}'], ['SSR_CACHE_TTL_SECONDS', '60'], ['SENTRY_ENVIRONMENT', '{env}']],
    choices: { SSR_CACHE_TTL_SECONDS: ['30', '60', '120', '300'] },
    extraEnv: [['IMAGE_CDN_URL', 'https://img.{domain}'], ['ENABLE_WEB_VITALS', 'true']],
    changelog: [
      'Lazy-load product carousel images',
      'New footer with store locator',
      'Prefetch product pages on hover',
      'Fix hydration warning on the account page',
      'Upgrade React to 19.3',
      'Accessible names for icon-only buttons',
    ],
    hotfixes: ['blank page on Safari 17 with cookies disabled', 'SSR cache serves the wrong locale', 'broken srcset on retina screens'],
    ticket,
  });
}

function tenantSpecs(): TenantSpec[] {
  return [
    {
      name: 'acme',
      plan: 'enterprise',
      features: { basic_rollback: true, rollback: true, selective_rollback: true, rollback_approval: true },
      region: 'eu-west-1',
      domain: 'shop.acme.example.com',
      environments: [
        { name: 'staging', requiredApprovals: 0, blockSelfApproval: true },
        { name: 'production', requiredApprovals: 1, blockSelfApproval: true },
      ],
      services: [
        apiGateway([1, 19, 4], true, 'EDGE'),
        service({
          name: 'payments',
          team: 'team-payments',
          port: 8080,
          version: [2, 13, 1],
          minorBumps: false,
          patch: true,
          replicas: 4,
          cpu: ['500m', '1'],
          memory: ['512Mi', '1Gi'],
          env: [LOG_LEVEL, ['PAYMENT_PROVIDER', 'stripe'], ['PAYMENT_PROVIDER_TIMEOUT_MS', '3000'], ['DB_POOL_SIZE', '20'], ['LEDGER_WRITE_MODE', 'sync']],
          choices: { PAYMENT_PROVIDER_TIMEOUT_MS: ['2500', '3000', '3500', '4000'], DB_POOL_SIZE: ['16', '20', '24', '32'] },
          extraEnv: [['IDEMPOTENCY_WINDOW_SECONDS', '86400'], ['REFUND_BATCH_SIZE', '50']],
          changelog: [
            'Retry idempotent captures on provider 503',
            'Add ledger reconciliation metrics',
            'Upgrade the pg driver to 8.12',
            'Store the 3-D Secure outcome on the payment intent',
            'Expose refund status on the admin API',
            'Reduce lock contention in the ledger writer',
          ],
          hotfixes: ['double capture on client retry', 'webhook signature check rejects rotated secret', 'refunds stuck pending after provider timeout'],
          ticket: 'PAY',
        }),
        service({
          name: 'checkout',
          team: 'team-checkout',
          port: 8080,
          version: [3, 7, 2],
          minorBumps: false,
          patch: true,
          replicas: 3,
          cpu: ['250m', '750m'],
          memory: ['512Mi', '768Mi'],
          env: [LOG_LEVEL, ['CART_TTL_SECONDS', '1800'], ['PAYMENTS_URL', 'http://payments.{ns}.svc.cluster.local:8080'], ['FEATURE_ONE_CLICK', 'false']],
          choices: { CART_TTL_SECONDS: ['1200', '1800', '2400'], FEATURE_ONE_CLICK: ['true', 'false'] },
          extraEnv: [['PROMO_ENGINE_URL', 'http://promotions.{ns}.svc.cluster.local:8080'], ['ADDRESS_VALIDATION', 'strict']],
          changelog: [
            'Validate postcode format per country',
            'Show the delivery estimate on the review step',
            'Keep the cart across devices for signed-in users',
            'Debounce quantity updates',
            'Move tax calculation behind the pricing API',
          ],
          hotfixes: ['cart total ignores promo on quantity change', 'guest checkout loses the address on back navigation', 'duplicate order on double submit'],
          ticket: 'CHK',
        }),
        webSpec([4, 11, 0], 'WEB'),
        service({
          name: 'search',
          team: 'team-discovery',
          port: 8080,
          version: [3, 4, 3],
          minorBumps: false,
          replicas: 3,
          cpu: ['500m', '1500m'],
          memory: ['1Gi', '2Gi'],
          env: [LOG_LEVEL, ['INDEX_ALIAS', 'products'], ['QUERY_TIMEOUT_MS', '800'], ['SHARD_COUNT', '3']],
          choices: { QUERY_TIMEOUT_MS: ['600', '800', '1000', '1200'] },
          extraEnv: [['SYNONYMS_FILE', '/etc/search/synonyms.txt'], ['FACET_CACHE_TTL_SECONDS', '120']],
          changelog: [
            'Boost in-stock products in ranking',
            'Typo tolerance for brand names',
            'Faceted filters for size and colour',
            'Cut p99 latency with a query result cache',
            'Index product videos',
          ],
          hotfixes: ['empty results for queries with an apostrophe', 'facet counts ignore the active filters', 'indexer stalls on products without a price'],
          ticket: 'SRCH',
        }),
      ],
      flags: [
        ['newCheckoutFlow', false],
        ['searchV2', true],
        ['recommendationsCarousel', false],
      ],
      flagPool: ['oneClickPay', 'giftCards', 'wishlistSharing', 'expressShipping'],
    },
    {
      name: 'globex',
      plan: 'pro',
      features: { basic_rollback: true, rollback: true, selective_rollback: true, rollback_approval: true },
      region: 'us-east-1',
      domain: 'globex.example.com',
      environments: [
        { name: 'staging', requiredApprovals: 1, blockSelfApproval: true },
        { name: 'production', requiredApprovals: 2, blockSelfApproval: true },
      ],
      services: [
        apiGateway([2, 3, 5], false, 'GX'),
        service({
          name: 'payments',
          team: 'team-billing',
          port: 8080,
          version: [1, 8, 2],
          replicas: 3,
          cpu: ['250m', '1'],
          memory: ['512Mi', '1Gi'],
          env: [LOG_LEVEL, ['PAYMENT_PROVIDER', 'adyen'], ['PAYMENT_PROVIDER_TIMEOUT_MS', '4000'], ['DB_POOL_SIZE', '16']],
          choices: { PAYMENT_PROVIDER_TIMEOUT_MS: ['3000', '4000', '5000'], DB_POOL_SIZE: ['12', '16', '24'] },
          extraEnv: [['INVOICE_PDF_RENDERER', 'chromium'], ['DUNNING_RETRY_DAYS', '3']],
          changelog: [
            'Invoice PDFs with the new letterhead',
            'Retry declined renewals after 3 days',
            'Idempotency keys on the refunds endpoint',
            'Upgrade the Adyen client to 28.1',
          ],
          hotfixes: ['renewals charged twice at month end', 'VAT rounding on multi-currency invoices'],
          ticket: 'GX',
        }),
        service({
          name: 'inventory',
          team: 'team-supply',
          port: 8080,
          version: [1, 11, 4],
          minorBumps: false,
          patch: true,
          replicas: 3,
          cpu: ['500m', '1'],
          memory: ['768Mi', '1536Mi'],
          env: [LOG_LEVEL, ['RESERVATION_TTL_SECONDS', '900'], ['WAREHOUSE_SYNC_INTERVAL', '5m'], ['DB_POOL_SIZE', '24']],
          choices: { RESERVATION_TTL_SECONDS: ['600', '900', '1200'], WAREHOUSE_SYNC_INTERVAL: ['2m', '5m', '10m'] },
          extraEnv: [['LOW_STOCK_THRESHOLD', '5'], ['SUPPLIER_FEED_URL', 'https://feeds.{domain}/suppliers']],
          changelog: [
            'Batch warehouse sync writes',
            'Expose stock levels per warehouse',
            'Soft-delete discontinued SKUs',
            'Faster reservation lookups with a covering index',
          ],
          hotfixes: ['negative stock after concurrent returns', 'warehouse sync skips SKUs with slashes'],
          ticket: 'GX',
        }),
        webSpec([5, 2, 1], 'GX', 'team-portal'),
      ],
      flags: [
        ['bulkImport', true],
        ['partnerApi', false],
      ],
      flagPool: ['newPricingEngine', 'backorders', 'supplierPortal'],
    },
    {
      name: 'initech',
      plan: 'free',
      features: { basic_rollback: true, rollback: false, selective_rollback: false, rollback_approval: false },
      region: 'us-west-2',
      domain: 'initech.example.com',
      environments: [{ name: 'production', requiredApprovals: 1, blockSelfApproval: true }],
      services: [
        service({
          name: 'api',
          team: 'team-initech',
          port: 8080,
          version: [1, 9, 2],
          replicas: 2,
          cpu: ['250m', '500m'],
          memory: ['256Mi', '512Mi'],
          env: [LOG_LEVEL, ['DATABASE_HOST', 'db.initech.internal'], ['WORKERS', '4'], ['REQUEST_TIMEOUT_MS', '10000']],
          choices: { WORKERS: ['2', '4', '6'], REQUEST_TIMEOUT_MS: ['5000', '10000', '15000'] },
          extraEnv: [['CACHE_TTL_SECONDS', '300']],
          changelog: ['TPS report export as CSV', 'Pagination on /reports', 'Cover sheet template v2', 'Upgrade Django to 5.2'],
          hotfixes: ['report export times out for large teams', 'login loop after password reset'],
          ticket: 'INI',
        }),
        webSpec([0, 14, 3], 'INI', 'team-initech'),
        service({
          name: 'worker',
          team: 'team-initech',
          port: 9090,
          version: [1, 3, 7],
          patch: true,
          replicas: 2,
          cpu: ['250m', '1'],
          memory: ['512Mi', '1Gi'],
          env: [['QUEUE_NAME', 'jobs'], ['CONCURRENCY', '8'], LOG_LEVEL, ['MAX_RETRIES', '5']],
          choices: { CONCURRENCY: ['4', '8', '12', '16'], MAX_RETRIES: ['3', '5', '8'] },
          extraEnv: [['DEAD_LETTER_QUEUE', 'jobs-dlq']],
          changelog: ['Nightly digest e-mails', 'Retry with exponential backoff', 'Graceful shutdown on SIGTERM'],
          hotfixes: ['jobs retried forever on poison messages', 'digest sent twice after a restart'],
          ticket: 'INI',
        }),
      ],
      flags: [
        ['tpsReportsV2', false],
        ['nightlyDigest', true],
      ],
      flagPool: ['legacyExport', 'coverSheetReminder'],
    },
  ];
}

// --- Target state (immutable: a snapshot is just a reference) -------------------------------------

interface EnvVar {
  readonly name: string;
  readonly value: string;
}

interface PatchState {
  readonly grace: number;
  readonly maxSkew: number;
  readonly priorityClass: string;
}

interface ServiceState {
  readonly version: Version;
  readonly tag: string;
  readonly replicas: number;
  readonly cpu: Pair;
  readonly memory: Pair;
  readonly env: readonly EnvVar[];
  readonly patch: PatchState | null;
}

interface VariablesState {
  readonly logLevel: string;
  readonly tracingSampleRate: string;
  readonly maintenanceWindow: string;
  readonly flags: readonly (readonly [string, boolean])[];
}

interface KustomizationState {
  readonly chartVersion: Version;
  readonly resources: readonly string[];
}

interface TargetState {
  readonly services: ReadonlyMap<string, ServiceState>;
  readonly variables: VariablesState;
  readonly kustomization: KustomizationState;
}

type TargetKind = 'staging' | 'production' | 'perf';

interface Target {
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

const tagOf = (v: Version): string => `v${v[0]}.${v[1]}.${v[2]}`;

function compareVersions(a: Version, b: Version): number {
  return a[0] - b[0] || a[1] - b[1] || a[2] - b[2];
}

function makeTarget(tenant: TenantSpec, env: EnvironmentSpec, kind: TargetKind, specs: ServiceSpec[]): Target {
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

function fill(value: string, t: Target): string {
  const domain = t.kind === 'production' ? t.tenant.domain : `${t.environment}.${t.tenant.domain}`;
  return value.replaceAll('{ns}', `${t.tenant.name}-${t.environment}`).replaceAll('{domain}', domain).replaceAll('{env}', t.environment);
}

function initialService(t: Target, spec: ServiceSpec, version: Version): ServiceState {
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

function initialVariables(tenant: TenantSpec, kind: TargetKind): VariablesState {
  return {
    logLevel: kind === 'production' ? 'info' : 'debug',
    tracingSampleRate: kind === 'production' ? '0.05' : '0.2',
    maintenanceWindow: 'Sun 02:00-04:00 UTC',
    flags: tenant.flags.map(([name, on]) => [name, kind === 'production' ? on : on || name === tenant.flags[0]?.[0]] as const),
  };
}

// --- Rendering ------------------------------------------------------------------------------------

const PLAIN_SCALAR = /^[A-Za-z/][A-Za-z0-9_./-]*$/;
const YAML_KEYWORD = /^(true|false|yes|no|on|off|y|n|null)$/i;

/** A YAML scalar for an env value: Kubernetes wants strings, so numbers, booleans and URLs are quoted. */
function envScalar(value: string): string {
  return PLAIN_SCALAR.test(value) && !YAML_KEYWORD.test(value) ? value : JSON.stringify(value);
}

/** A resource quantity: `500m` and `1Gi` stay plain, a bare number is quoted as kubectl writes it. */
function quantity(value: string): string {
  return /^[0-9.]+$/.test(value) ? `"${value}"` : value;
}

function valuesPath(t: Target, name: string): string {
  return `${t.root}services/${name}/values.yaml`;
}

function patchPath(t: Target, name: string): string {
  return `${t.root}services/${name}/deployment-patch.yaml`;
}

function renderValues(t: Target, spec: ServiceSpec, s: ServiceState): string {
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

function renderPatch(t: Target, spec: ServiceSpec, p: PatchState): string {
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

function renderKustomization(t: Target, state: TargetState): string {
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

function renderVariables(t: Target, v: VariablesState): string {
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

function serviceFiles(t: Target, spec: ServiceSpec, s: ServiceState | undefined): Map<string, string> {
  const files = new Map<string, string>();
  if (!s) return files;
  files.set(valuesPath(t, spec.name), renderValues(t, spec, s));
  if (s.patch) files.set(patchPath(t, spec.name), renderPatch(t, spec, s.patch));
  return files;
}

function allFiles(t: Target, state: TargetState): Map<string, string> {
  const files = new Map<string, string>();
  files.set(`${t.root}variables.yaml`, renderVariables(t, state.variables));
  files.set(`${t.root}kustomization.yaml`, renderKustomization(t, state));
  for (const spec of t.specs) for (const [path, content] of serviceFiles(t, spec, state.services.get(spec.name))) files.set(path, content);
  return files;
}

function diffInto(changes: Record<string, string | null>, before: Map<string, string>, after: Map<string, string>): void {
  for (const [path, content] of after) if (before.get(path) !== content) changes[path] = content;
  for (const path of before.keys()) if (!after.has(path)) changes[path] = null;
}

/** The file changes from one state of a target to another; only parts whose state object changed are rendered. */
function stateChanges(t: Target, before: TargetState, after: TargetState): Record<string, string | null> {
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

function serviceOf(t: Target, name: string): ServiceState {
  const s = t.state.services.get(name);
  if (!s) throw new Error(`demo data: ${t.key} has no service ${name}`);
  return s;
}

function withService(state: TargetState, name: string, next: ServiceState): TargetState {
  const services = new Map(state.services);
  services.set(name, next);
  return { ...state, services };
}

function withVersion(s: ServiceState, version: Version): ServiceState {
  return { ...s, version, tag: tagOf(version) };
}

function withEnv(s: ServiceState, name: string, value: string): ServiceState {
  const exists = s.env.some((e) => e.name === name);
  const env = exists ? s.env.map((e) => (e.name === name ? { name, value } : e)) : [...s.env, { name, value }];
  return { ...s, env };
}

function envValue(s: ServiceState, name: string): string | undefined {
  return s.env.find((e) => e.name === name)?.value;
}

function withFlag(v: VariablesState, name: string, on: boolean): VariablesState {
  const exists = v.flags.some(([n]) => n === name);
  const flags = exists ? v.flags.map(([n, o]) => [n, n === name ? on : o] as const) : [...v.flags, [name, on] as const];
  return { ...v, flags };
}

const MEMORY_LADDER = ['256Mi', '384Mi', '512Mi', '768Mi', '1Gi', '1536Mi', '2Gi', '3Gi'];
const CPU_LADDER = ['100m', '200m', '250m', '500m', '750m', '1', '1500m', '2'];

function stepUp(ladder: readonly string[], value: string): string | null {
  const index = ladder.indexOf(value);
  return index >= 0 && index < ladder.length - 1 ? ladder[index + 1]! : null;
}

// --- The main generator -----------------------------------------------------------------------------

interface Lock {
  tenant: string;
  service: string;
  from: number;
  to: number;
}

interface QuietWindow {
  target: string;
  from: number;
  to: number;
}

const at = (iso: string): number => Date.parse(iso);

/** Story services are off-limits to the random walk around their story, so it never contradicts it. */
const LOCKS: readonly Lock[] = [
  { tenant: 'globex', service: 'inventory', from: at('2026-11-02T00:00:00Z'), to: at('2026-11-04T12:00:00Z') },
  { tenant: 'globex', service: 'api-gateway', from: at('2026-11-02T00:00:00Z'), to: at('2026-11-04T12:00:00Z') },
  { tenant: 'acme', service: 'search', from: at('2026-11-08T12:00:00Z'), to: at('2026-11-09T13:00:00Z') },
  { tenant: 'acme', service: 'checkout', from: at('2026-11-09T00:00:00Z'), to: at('2026-11-11T12:00:00Z') },
  { tenant: 'acme', service: 'payments', from: at('2026-11-19T00:00:00Z'), to: END_MS },
];

/** No random commit of a target in these windows: the incidents read cleanly in its history. */
const QUIET: readonly QuietWindow[] = [
  { target: 'globex/production', from: at('2026-11-03T12:30:00Z'), to: at('2026-11-03T15:00:00Z') },
  { target: 'acme/staging', from: at('2026-11-09T09:45:00Z'), to: at('2026-11-09T11:15:00Z') },
  { target: 'acme/production', from: at('2026-11-10T13:30:00Z'), to: at('2026-11-10T16:00:00Z') },
  { target: 'acme/production', from: at('2026-11-20T15:00:00Z'), to: END_MS },
];

/** Random commits per main target (each target also gets its bootstrap and story commits). */
const RANDOM_COMMITS: Readonly<Record<string, number>> = {
  'acme/staging': 86,
  'acme/production': 72,
  'globex/staging': 72,
  'globex/production': 64,
  'initech/production': 64,
};

const RANDOM_EARLIEST = START_MS + HOUR;
const RANDOM_LATEST = at('2026-11-20T15:20:00Z');

export const DEMO_REQUEST_IDS = { checkoutRollback: 'rbk-demo0001', globexRollback: 'rbk-demo0002' } as const;

const STORY_SUBJECTS = {
  globexRelease: 'release inventory v1.12.0, api-gateway v2.4.0',
  stagingRelease: 'release search v3.5.0',
  stagingHotfix: 'hotfix: search v3.5.1 (create the products-v2 alias on startup)',
  checkoutRelease: 'release checkout v3.8.0',
  paymentsRelease: 'release payments v2.14.0',
} as const;

type DemoRollback = NonNullable<DemoCommit['rollback']>;
type CommitExtra = Partial<Pick<DemoCommit, 'rollback' | 'deployStatus'>>;

interface TimedEvent {
  at: number;
  order: number;
  run: (at: number) => void;
}

class MainGenerator {
  readonly rng: Prng;
  readonly commits: DemoCommit[] = [];
  readonly times: number[] = [];
  readonly targets: Target[] = [];
  private readonly byKey = new Map<string, Target>();
  /** tenant/service → highest version built so far. */
  private readonly latest = new Map<string, Version>();
  /** tenant/service → when staging got its current tag. */
  private readonly stagingSince = new Map<string, number>();
  /** tenant/service@tag → a tag that failed somewhere and must not be promoted. */
  private readonly blocked = new Set<string>();
  private readonly counters = new Map<string, number>();
  /** Story bookmarks: the revision before a failed release, and the state it had. */
  private readonly marks = new Map<string, { id: string; state: TargetState }>();

  constructor(seed: number) {
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

    this.addStory(add);

    for (const t of this.targets) {
      const count = RANDOM_COMMITS[t.key] ?? 60;
      for (let i = 0; i < count; i++) add(this.sampleTime(t.key), (time) => this.randomEvent(t, time));
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

  private sampleTime(key: string): number {
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

  private locked(t: Target, service: string, time: number): boolean {
    return LOCKS.some((l) => l.tenant === t.tenant.name && l.service === service && time >= l.from && time <= l.to);
  }

  // --- commits ---

  private emit(time: number, author: Author, message: string, changes: Record<string, string | null>, extra: CommitExtra = {}): DemoCommit {
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
  private commit(t: Target, time: number, author: Author, message: string, next: TargetState, extra: CommitExtra = {}): DemoCommit {
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

  private bootstrap(tenantName: string, time: number): void {
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

  private ticket(prefix: string): string {
    const current = this.counters.get(prefix) ?? this.rng.int(1200, 2100);
    const next = current + this.rng.int(1, 9);
    this.counters.set(prefix, next);
    return `${prefix}-${next}`;
  }

  private pipelineRun(): number {
    const current = this.counters.get('pipeline') ?? 48_000 + this.rng.int(0, 900);
    const next = current + this.rng.int(3, 60);
    this.counters.set('pipeline', next);
    return next;
  }

  private human(): Author {
    return this.rng.weighted(RELEASE_AUTHORS);
  }

  private nextVersion(t: Target, spec: ServiceSpec, allowMinor: boolean): Version {
    const key = `${t.tenant.name}/${spec.name}`;
    const v = this.latest.get(key) ?? spec.version;
    const next: Version = allowMinor && spec.minorBumps && this.rng.chance(0.3) ? [v[0], v[1] + 1, 0] : [v[0], v[1], v[2] + 1];
    this.latest.set(key, next);
    return next;
  }

  private setLatest(t: Target, name: string, v: Version): void {
    const key = `${t.tenant.name}/${name}`;
    const current = this.latest.get(key);
    if (!current || compareVersions(v, current) > 0) this.latest.set(key, v);
  }

  /** Maybe a config change riding along with a release; returns the new state and a changelog line. */
  private rideAlong(t: Target, spec: ServiceSpec, s: ServiceState): [ServiceState, string | null] {
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

  // --- random walk ---

  private randomEvent(t: Target, time: number): void {
    const free = t.specs.filter((spec) => !this.locked(t, spec.name, time));
    const patched = free.filter((spec) => serviceOf(t, spec.name).patch);
    if (free.length === 0) return this.variablesChange(t, time);
    if (t.kind === 'production' && t.tenant.environments.length > 1) {
      const candidates = this.promotable(t, free, time);
      const kind = this.rng.weighted([
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
      if (kind === 'promotion') return this.promotion(t, time, candidates);
      if (kind === 'release-staged') return this.releaseStaged(t, time, this.rng.pick(candidates));
      if (kind === 'release') return this.release(t, time, [this.rng.pick(free)]);
      return this.commonEvent(kind, t, time, free, patched);
    }
    const kind = this.rng.weighted([
      ['release', t.kind === 'staging' ? 42 : 38],
      ['release-two', free.length >= 2 ? (t.kind === 'staging' ? 10 : 6) : 0],
      ['ci-promotion', t.kind === 'staging' ? 10 : 20],
      ['tune', 9],
      ['variables', 8],
      ['kustomization', 4],
      ['hotfix', t.kind === 'staging' ? 5 : 8],
      ['patch', patched.length > 0 ? 5 : 0],
    ] as const);
    if (kind === 'release') return this.release(t, time, [this.rng.pick(free)]);
    if (kind === 'release-two') return this.release(t, time, this.rng.sample(free, 2));
    if (kind === 'ci-promotion') return this.ciPromotion(t, time, this.rng.pick(free));
    return this.commonEvent(kind, t, time, free, patched);
  }

  private commonEvent(kind: 'hotfix' | 'tune' | 'variables' | 'kustomization' | 'patch', t: Target, time: number, free: ServiceSpec[], patched: ServiceSpec[]): void {
    if (kind === 'hotfix') return this.hotfix(t, time, this.rng.pick(free));
    if (kind === 'tune') return this.tune(t, time, this.rng.pick(free));
    if (kind === 'variables') return this.variablesChange(t, time);
    if (kind === 'kustomization') return this.kustomizationChange(t, time);
    return this.patchChange(t, time, this.rng.pick(patched));
  }

  /** Services whose staging tag is newer than production's, soaked 3 h, and never failed. */
  private promotable(t: Target, free: ServiceSpec[], time: number): ServiceSpec[] {
    const staging = this.target(`${t.tenant.name}/staging`);
    return free.filter((spec) => {
      const s = serviceOf(staging, spec.name);
      const p = serviceOf(t, spec.name);
      const since = this.stagingSince.get(`${t.tenant.name}/${spec.name}`) ?? time;
      return compareVersions(s.version, p.version) > 0 && !this.blocked.has(`${t.tenant.name}/${spec.name}@${s.tag}`) && time - since >= 3 * HOUR;
    });
  }

  private release(t: Target, time: number, specs: ServiceSpec[]): void {
    let next = t.state;
    const parts: string[] = [];
    const bumps: string[] = [];
    const notes: string[] = [];
    for (const spec of specs) {
      const before = serviceOf(t, spec.name);
      const version = this.nextVersion(t, spec, true);
      let s = withVersion(before, version);
      if (specs.length === 1) {
        const [ridden, note] = this.rideAlong(t, spec, s);
        s = ridden;
        if (note) notes.push(note);
      }
      next = withService(next, spec.name, s);
      parts.push(`${spec.name} ${s.tag}`);
      bumps.push(`${spec.name} from ${before.tag} to ${s.tag}`);
      const picked = this.rng.sample(spec.changelog, this.rng.int(1, specs.length > 1 ? 2 : 3));
      notes.unshift(...(specs.length > 1 ? picked.map((n) => `${spec.name}: ${n}`) : picked));
    }
    const spec = specs[0]!;
    const message = `release ${parts.join(', ')}

Bumps ${bumps.join(' and ')} in ${t.key}.

${notes.map((n) => `- ${n}`).join('\n')}

Ticket: ${this.ticket(spec.ticket)}
`;
    this.commit(t, time, this.human(), message, next);
  }

  private releaseStaged(t: Target, time: number, spec: ServiceSpec): void {
    const staging = serviceOf(this.target(`${t.tenant.name}/staging`), spec.name);
    const before = serviceOf(t, spec.name);
    let s = withVersion(before, staging.version);
    const notes: string[] = [];
    if (this.rng.chance(0.3)) {
      s = { ...s, replicas: s.replicas + 1 };
      notes.push(`- Run ${s.replicas} replicas in production`);
    }
    const days = Math.max(1, Math.round((time - (this.stagingSince.get(`${t.tenant.name}/${spec.name}`) ?? time)) / DAY));
    const message = `release ${spec.name} ${s.tag}

Release ${spec.name} ${s.tag} to production by hand (in staging for ${days} day${days > 1 ? 's' : ''}).
${notes.length > 0 ? `\n${notes.join('\n')}\n` : ''}
Ticket: ${this.ticket(spec.ticket)}
`;
    this.commit(t, time, this.human(), message, withService(t.state, spec.name, s));
  }

  private promotion(t: Target, time: number, candidates: ServiceSpec[]): void {
    const specs = candidates.length >= 2 && this.rng.chance(0.2) ? this.rng.sample(candidates, 2) : [this.rng.pick(candidates)];
    const staging = this.target(`${t.tenant.name}/staging`);
    let next = t.state;
    const parts: string[] = [];
    let soak = Infinity;
    for (const spec of specs) {
      const version = serviceOf(staging, spec.name).version;
      next = withService(next, spec.name, withVersion(serviceOf(t, spec.name), version));
      parts.push(`${spec.name} ${tagOf(version)}`);
      soak = Math.min(soak, time - (this.stagingSince.get(`${t.tenant.name}/${spec.name}`) ?? time));
    }
    const hours = Math.floor(soak / HOUR);
    const message = `Promote ${parts.join(', ')} to production

Promoted from ${staging.key} after ${hours}h in staging with no alerts.

Pipeline-Run: ${this.pipelineRun()}
Promoted-From: ${staging.key}
`;
    this.commit(t, time, RELEASE_BOT, message, next);
  }

  /** The pipeline ships a green build on its own: to staging, or straight to production without one. */
  private ciPromotion(t: Target, time: number, spec: ServiceSpec): void {
    const version = this.nextVersion(t, spec, false);
    const s = withVersion(serviceOf(t, spec.name), version);
    const run = this.pipelineRun();
    const why =
      t.kind === 'staging'
        ? `Build ${run} of ${spec.name} passed the main-branch pipeline (unit, integration and contract tests).`
        : `Build ${run} of ${spec.name} passed integration and smoke tests; ${t.tenant.name} has no staging environment.`;
    const message = `Promote ${spec.name} ${s.tag} to ${t.environment}

${why}

Pipeline-Run: ${run}
`;
    this.commit(t, time, RELEASE_BOT, message, withService(t.state, spec.name, s));
  }

  private hotfix(t: Target, time: number, spec: ServiceSpec): void {
    const version = this.nextVersion(t, spec, false);
    const s = withVersion(serviceOf(t, spec.name), version);
    const reason = this.rng.pick(spec.hotfixes);
    const message = `hotfix: ${spec.name} ${s.tag} (${reason})

Fix ${reason} in ${t.key}, shipped straight to ${t.environment}.

Ticket: ${this.ticket(spec.ticket)}
`;
    this.commit(t, time, this.rng.weighted(HOTFIX_AUTHORS), message, withService(t.state, spec.name, s));
  }

  private tune(t: Target, time: number, spec: ServiceSpec): void {
    const s = serviceOf(t, spec.name);
    const roll = this.rng.next();
    let next: ServiceState;
    let subject: string;
    let why: string;
    const memory = stepUp(MEMORY_LADDER, s.memory[1]);
    const cpu = stepUp(CPU_LADDER, s.cpu[0]);
    if (roll < 0.55 || (!memory && !cpu)) {
      const floor = t.kind === 'staging' ? 1 : 2;
      const options = [s.replicas - 1, s.replicas + 1, s.replicas + 2].filter((n) => n >= floor && n <= 12);
      const replicas = this.rng.pick(options);
      next = { ...s, replicas };
      subject = `scale ${spec.name} to ${replicas} replicas`;
      why = replicas > s.replicas ? this.rng.pick(['Headroom for the weekend sale.', 'CPU above 70% at peak since Monday.', 'Match the traffic forecast for next week.']) : this.rng.pick(['Traffic is back to normal after the campaign.', 'Over-provisioned: p95 CPU below 20% all week.']);
    } else if (memory && (roll < 0.8 || !cpu)) {
      next = { ...s, memory: [s.memory[0], memory] };
      subject = `${spec.name}: raise memory limit to ${memory}`;
      why = `OOMKilled ${this.rng.int(2, 6)} times under load in the last 24h.`;
    } else {
      next = { ...s, cpu: [cpu!, s.cpu[1]] };
      subject = `${spec.name}: raise CPU request to ${cpu}`;
      why = 'Throttling at peak; request closer to the observed p90.';
    }
    const message = `${subject}

${why}
`;
    this.commit(t, time, this.human(), message, withService(t.state, spec.name, next));
  }

  private variablesChange(t: Target, time: number): void {
    const v = t.state.variables;
    const roll = this.rng.next();
    let next: VariablesState;
    let subject: string;
    let why: string;
    const unused = t.tenant.flagPool.filter((f) => !v.flags.some(([n]) => n === f));
    if (roll < 0.45 && v.flags.length > 0) {
      const [name, on] = this.rng.pick(v.flags);
      next = withFlag(v, name, !on);
      subject = `${t.key}: ${on ? 'disable' : 'enable'} ${name}`;
      why = on ? `Turn ${name} off again: not ready for ${t.environment} yet.` : `Turn ${name} on in ${t.environment}.`;
    } else if (roll < 0.6 && unused.length > 0) {
      const name = this.rng.pick(unused);
      const on = t.kind !== 'production';
      next = withFlag(v, name, on);
      subject = `${t.key}: add feature flag ${name} (${on ? 'on' : 'off'})`;
      why = `New flag for the ${name} rollout.`;
    } else if (roll < 0.75) {
      const rate = this.rng.pick(['0.01', '0.05', '0.1', '0.2'].filter((r) => r !== v.tracingSampleRate));
      next = { ...v, tracingSampleRate: rate };
      subject = `${t.key}: set tracing sample rate to ${rate}`;
      why = 'Trace volume vs. cost, per the observability review.';
    } else if (roll < 0.88 || t.kind === 'production') {
      const window = this.rng.pick(['Sun 02:00-04:00 UTC', 'Sat 23:00-01:00 UTC', 'Tue 03:00-05:00 UTC'].filter((w) => w !== v.maintenanceWindow));
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
    this.commit(t, time, this.human(), message, { ...t.state, variables: next });
  }

  private kustomizationChange(t: Target, time: number): void {
    const k = t.state.kustomization;
    const pool = ['../../../platform/network-policies', '../../../platform/pod-disruption-budgets', '../../../platform/external-secrets'];
    const missing = pool.filter((r) => !k.resources.includes(r));
    let next: KustomizationState;
    let subject: string;
    if (missing.length > 0 && this.rng.chance(0.3)) {
      const resource = this.rng.pick(missing);
      next = { ...k, resources: [...k.resources, resource] };
      subject = `${t.key}: add ${resource.split('/').at(-1)} to kustomization resources`;
    } else {
      const v = k.chartVersion;
      const chartVersion: Version = this.rng.chance(0.2) ? [v[0], v[1] + 1, 0] : [v[0], v[1], v[2] + 1];
      next = { ...k, chartVersion };
      subject = `${t.key}: bump platform service chart to ${chartVersion.join('.')}`;
    }
    const message = `${subject}

Platform change rolled out environment by environment.

Ticket: ${this.ticket('PLAT')}
`;
    this.commit(t, time, this.rng.chance(0.6) ? MARCUS : this.human(), message, { ...t.state, kustomization: next });
  }

  private patchChange(t: Target, time: number, spec: ServiceSpec): void {
    const s = serviceOf(t, spec.name);
    const p = s.patch!;
    let patch: PatchState;
    let subject: string;
    if (this.rng.chance(0.6)) {
      const grace = this.rng.pick([30, 45, 60, 90].filter((g) => g !== p.grace));
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
    this.commit(t, time, this.human(), message, withService(t.state, spec.name, { ...s, patch }));
  }

  // --- the story ---

  private storyRelease(
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

  private rollback(key: string, time: number, author: Author, mark: string, meta: Omit<DemoRollback, 'targetId' | 'tenant' | 'environment'>): void {
    const t = this.target(key);
    const target = this.marks.get(mark);
    if (!target) throw new Error(`demo data: no bookmark ${mark}`);
    const next = meta.mode === 'full' ? target.state : withService(t.state, meta.service!, target.state.services.get(meta.service!)!);
    this.commit(t, time, author, '', next, {
      rollback: { tenant: t.tenant.name, environment: t.environment, ...meta, targetId: target.id },
    });
  }

  private addStory(add: (time: number, run: (at: number) => void) => void): void {
    const bump = (name: string, version: Version, env: Record<string, string> = {}) => (state: TargetState, t: Target) => {
      let s = withVersion(state.services.get(name)!, version);
      for (const [k, v] of Object.entries(env)) s = withEnv(s, k, fill(v, t));
      return withService(state, name, s);
    };

    // globex: a two-service release with a flag fails in production and is rolled back in full.
    const globexRelease = (state: TargetState, t: Target): TargetState => {
      let next = bump('inventory', [1, 12, 0], { RESERVATION_TTL_SECONDS: '120' })(state, t);
      next = bump('api-gateway', [2, 4, 0])(next, t);
      return { ...next, variables: withFlag(next.variables, 'reservationsV2', true) };
    };
    const globexMessage = `release inventory v1.12.0, api-gateway v2.4.0

Reservations v2: short-lived stock reservations, enforced at the gateway.

- inventory: reservations expire after 120 s (RESERVATION_TTL_SECONDS)
- api-gateway: route /v2/reservations to inventory
- variables: turn on featureFlags.reservationsV2

Ticket: GX-2410
`;
    add(at('2026-11-02T11:06:00Z'), (time) => this.storyRelease('globex/staging', time, PRIYA, globexMessage, globexRelease));
    add(at('2026-11-03T13:20:00Z'), (time) =>
      this.storyRelease('globex/production', time, PRIYA, globexMessage, globexRelease, { failed: true, mark: 'globex' }),
    );
    add(at('2026-11-03T13:58:00Z'), (time) =>
      this.rollback('globex/production', time, OLU, 'globex', {
        mode: 'full',
        justification:
          'Reservations v2 oversells: inventory answers 409 on every reserve call since the 13:20 release and orders are failing. Rolling the whole environment back (both services and the flag) to the last good revision.',
        author: OLU.email,
        approval: 'Approved by dana@example.com, priya@example.com (quorum: 2/2)',
        requestId: DEMO_REQUEST_IDS.globexRollback,
      }),
    );
    add(at('2026-11-04T10:40:00Z'), (time) =>
      this.storyRelease(
        'globex/staging',
        time,
        PRIYA,
        `release inventory v1.12.1

Fix the oversell race in reservation commit (GX-2412, follow-up of the 3 Nov incident).

Ticket: GX-2412
`,
        (state, t) => bump('inventory', [1, 12, 1], { RESERVATION_TTL_SECONDS: '600' })(state, t),
      ),
    );

    // acme/staging: a search release fails and is fixed forward by a hotfix (the release stays failed).
    add(at('2026-11-09T10:14:00Z'), (time) =>
      this.storyRelease(
        'acme/staging',
        time,
        PRIYA,
        `release search v3.5.0

New analyzer chain; queries go to the products-v2 index alias.

- Language-aware stemming for DE and FR
- Query through the products-v2 alias

Ticket: SRCH-1870
`,
        bump('search', [3, 5, 0], { INDEX_ALIAS: 'products-v2' }),
        { failed: true },
      ),
    );
    add(at('2026-11-09T10:52:00Z'), (time) =>
      this.storyRelease(
        'acme/staging',
        time,
        PRIYA,
        `${STORY_SUBJECTS.stagingHotfix}

v3.5.0 crash-looped in staging: the products-v2 alias did not exist yet. The service now creates it
from the current index on startup.

Ticket: SRCH-1871
`,
        bump('search', [3, 5, 1]),
      ),
    );

    // acme: checkout v3.8.0 passes staging, fails in production; a service rollback restores checkout only.
    const checkoutMessage = `release checkout v3.8.0

Cart confirmation moves to the new payment intents flow.

- Confirm handler on payment intents
- Keep carts for an hour (CART_TTL_SECONDS)
- Longer graceful shutdown for in-flight confirmations

Ticket: CHK-2187
`;
    const checkoutRelease = (state: TargetState, t: Target): TargetState => {
      const next = bump('checkout', [3, 8, 0], { CART_TTL_SECONDS: '3600' })(state, t);
      const s = next.services.get('checkout')!;
      return withService(next, 'checkout', { ...s, patch: { ...s.patch!, grace: 75 } });
    };
    add(at('2026-11-09T15:30:00Z'), (time) => this.storyRelease('acme/staging', time, SAM, checkoutMessage, checkoutRelease));
    add(at('2026-11-10T14:05:00Z'), (time) =>
      this.storyRelease('acme/production', time, SAM, checkoutMessage, checkoutRelease, { failed: true, mark: 'checkout' }),
    );
    add(at('2026-11-10T14:22:00Z'), (time) => {
      const t = this.target('acme/production');
      this.commit(
        t,
        time,
        OLU,
        `acme/production: set logLevel to debug for INC-2291

Checkout 502s on POST /cart/confirm; more detail from every service while we investigate.
`,
        { ...t.state, variables: { ...t.state.variables, logLevel: 'debug' } },
      );
    });
    add(at('2026-11-10T14:41:00Z'), (time) =>
      this.rollback('acme/production', time, OLU, 'checkout', {
        mode: 'service',
        service: 'checkout',
        justification:
          'checkout v3.8.0 returns 502 on POST /cart/confirm for ~12% of sessions since the 14:05 rollout (INC-2291). Restoring checkout to the previous revision; the debug log level stays on for the investigation.',
        author: OLU.email,
        approval: 'Approved by dana@example.com (quorum: 1/1)',
        requestId: DEMO_REQUEST_IDS.checkoutRollback,
      }),
    );
    add(at('2026-11-10T15:34:00Z'), (time) => {
      const t = this.target('acme/production');
      this.commit(
        t,
        time,
        OLU,
        `acme/production: restore logLevel to info after INC-2291

Checkout is healthy on the previous revision; enough logs captured for the post-mortem.
`,
        { ...t.state, variables: { ...t.state.variables, logLevel: 'info' } },
      );
    });
    add(at('2026-11-11T10:30:00Z'), (time) =>
      this.storyRelease(
        'acme/staging',
        time,
        SAM,
        `release checkout v3.8.1

Fix the nil cart session in the confirm handler that broke v3.8.0 in production (INC-2291).

Ticket: CHK-2193
`,
        bump('checkout', [3, 8, 1]),
      ),
    );

    // acme: payments v2.14.0, fine in staging, fails in production at the very end: the open incident.
    const paymentsMessage = `release payments v2.14.0

New payment provider client with adaptive retries.

- Provider SDK 5 with built-in retries
- Lower PAYMENT_PROVIDER_TIMEOUT_MS to 800: the new client retries by itself

Ticket: PAY-1519
`;
    const paymentsRelease = bump('payments', [2, 14, 0], { PAYMENT_PROVIDER_TIMEOUT_MS: '800' });
    add(at('2026-11-19T11:20:00Z'), (time) => this.storyRelease('acme/staging', time, SAM, paymentsMessage, paymentsRelease));
    add(at('2026-11-20T15:36:00Z'), (time) =>
      this.storyRelease('acme/production', time, SAM, paymentsMessage, paymentsRelease, { failed: true }),
    );
  }
}

function evenSecond(time: number): number {
  return Math.floor(time / (2 * SECOND)) * 2 * SECOND;
}

// --- The large variant: acme/perf ----------------------------------------------------------------

const PERF_SERVICES = ['api-gateway', 'payments', 'checkout', 'search'];
const PERF_PROFILES = ['checkout-peak', 'search-burst', 'steady-state', 'soak-24h', 'black-friday'];

interface PerfResult {
  target: Target;
  commits: DemoCommit[];
  times: number[];
}

/**
 * 50,000 revisions of a load-test environment, one every ~52 s, each changing one values.yaml. Commits
 * sit on odd seconds so they never collide with the main targets' (even) seconds.
 */
function generatePerf(seed: number): PerfResult {
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

// --- Public API ------------------------------------------------------------------------------------

export function generateDemoRepo(options: { size?: DemoSize; seed?: number } = {}): DemoRepo {
  const seed = options.seed ?? DEFAULT_DEMO_SEED;
  const main = new MainGenerator(seed);
  main.run();
  const targets = main.targets.map((t) => t.config);
  if (options.size !== 'large') return { targets, users: demoUsers(), commits: main.commits };

  const perf = generatePerf(seed);
  targets.push(perf.target.config);
  // Merge two chronological lists; their seconds never coincide (even vs odd).
  const commits: DemoCommit[] = new Array(main.commits.length + perf.commits.length);
  let i = 0;
  let j = 0;
  for (let k = 0; k < commits.length; k++) {
    if (j >= perf.commits.length || (i < main.commits.length && main.times[i]! < perf.times[j]!)) commits[k] = main.commits[i++]!;
    else commits[k] = perf.commits[j++]!;
  }
  return { targets, users: demoUsers(), commits };
}

/** The commits of the story, for tests, e2e journeys and the demo guide. */
export interface DemoStory {
  /** globex/production: the failed two-service release and the full rollback that undid it. */
  globexFailedRelease: DemoCommit;
  globexRollback: DemoCommit;
  /** acme/staging: a failed release fixed forward by a hotfix. */
  stagingFailedRelease: DemoCommit;
  stagingHotfix: DemoCommit;
  /** acme/production: the failed checkout release, the revision before it and the service rollback. */
  checkoutFailedRelease: DemoCommit;
  checkoutRollbackTarget: DemoCommit;
  checkoutRollback: DemoCommit;
  /** acme/production: the failed payments release at the end, the ongoing incident. */
  paymentsFailedRelease: DemoCommit;
}

export function findDemoStory(repo: DemoRepo): DemoStory {
  const find = (root: string, predicate: (c: DemoCommit) => boolean, what: string): DemoCommit => {
    const found = repo.commits.find((c) => predicate(c) && Object.keys(c.changes).some((p) => p.startsWith(root)));
    if (!found) throw new Error(`demo story: ${what} not found`);
    return found;
  };
  const subject = (s: string) => (c: DemoCommit) => c.message.split('\n')[0] === s;
  const request = (id: string) => (c: DemoCommit) => c.rollback?.requestId === id;
  const checkoutRollback = find('tenants/acme/production/', request(DEMO_REQUEST_IDS.checkoutRollback), 'checkout rollback');
  return {
    globexFailedRelease: find('tenants/globex/production/', subject(STORY_SUBJECTS.globexRelease), 'globex release'),
    globexRollback: find('tenants/globex/production/', request(DEMO_REQUEST_IDS.globexRollback), 'globex rollback'),
    stagingFailedRelease: find('tenants/acme/staging/', subject(STORY_SUBJECTS.stagingRelease), 'staging release'),
    stagingHotfix: find('tenants/acme/staging/', subject(STORY_SUBJECTS.stagingHotfix), 'staging hotfix'),
    checkoutFailedRelease: find('tenants/acme/production/', subject(STORY_SUBJECTS.checkoutRelease), 'checkout release'),
    checkoutRollbackTarget: find('tenants/acme/production/', (c) => c.id === checkoutRollback.rollback!.targetId, 'checkout rollback target'),
    checkoutRollback,
    paymentsFailedRelease: find('tenants/acme/production/', subject(STORY_SUBJECTS.paymentsRelease), 'payments release'),
  };
}

/** Whether a commit touches a target's paths. */
export function touchesTarget(commit: DemoCommit, target: TargetConfig): boolean {
  return Object.keys(commit.changes).some((path) => matchesAny(target.layout.paths, path));
}
