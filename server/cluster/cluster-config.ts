/**
 * `cluster:` in rewind.config.yaml: which GitOps agent Rewind reads, and how (docs/configuration.md,
 * docs/decisions/017). Exactly one agent; without `cluster:`, a real repo's status is `unknown`.
 */
import { z } from 'zod';

const DURATION = /^(\d+)(ms|s|m|h)$/;
const UNIT_MS = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000 } as const;

/** `300ms`, `10s`, `5m`, `1h` → milliseconds. */
export function parseDuration(text: string): number {
  const match = DURATION.exec(text);
  if (!match) throw new Error(`not a duration: ${text}`);
  return Number(match[1]) * UNIT_MS[match[2] as keyof typeof UNIT_MS];
}

const duration = (fallback: string, min: number, max: number) =>
  z
    .string()
    .regex(DURATION, 'must be a duration such as 300ms, 10s, 5m or 1h')
    .default(fallback)
    .transform(parseDuration)
    .refine((ms) => ms >= min && ms <= max, { message: `must be between ${min} ms and ${max / 1000} s` });

const template = z
  .string()
  .min(1)
  .max(253)
  .refine((t) => /\{(tenant|environment|service)\}/.test(t) || /^[a-z0-9][a-z0-9.-]*$/.test(t), {
    message: 'must be a name or a template with {tenant}, {environment} and/or {service}',
  });

/** A template, or an explicit map `tenant/environment` (or `tenant/environment/service`) → name. */
const objectNames = z.union([template, z.record(z.string().regex(/^[a-z0-9-]+\/[a-z0-9-]+(\/[a-z0-9-]+)?$/, 'keys are tenant/environment or tenant/environment/service'), z.string().min(1).max(253))]);

const common = {
  syncAfterRollback: z.boolean().default(false),
  /** How long a rollback may take to show live and healthy before Rewind says it cannot confirm it. */
  confirmWithin: duration('5m', 1_000, 24 * 3_600_000),
  /** How often each agent object is read (one poller per object, shared by every browser). */
  pollInterval: duration('10s', 200, 600_000),
  /** How long one call to the agent may take. */
  timeout: duration('10s', 50, 120_000),
  caFile: z.string().min(1).optional(),
};

export const argoCdConfigSchema = z
  .object({
    url: z.url({ protocol: /^https?$/, message: 'must be an http(s) URL' }),
    tokenEnv: z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'must be an environment variable name').optional(),
    tokenFile: z.string().min(1).optional(),
    application: objectNames.default('{tenant}-{environment}'),
    /** With one Application per target: the resource name of each service (per-service status). */
    serviceResource: template.default('{service}'),
    ...common,
  })
  .strict()
  .refine((c) => Boolean(c.tokenEnv) !== Boolean(c.tokenFile), { message: 'set exactly one of tokenEnv or tokenFile (the Argo CD API token)' });

export const fluxConfigSchema = z
  .object({
    /** Absent (or with `inCluster: true`): the pod's service account and KUBERNETES_SERVICE_HOST/PORT. */
    apiServer: z.url({ protocol: /^https?$/, message: 'must be an http(s) URL' }).optional(),
    inCluster: z.boolean().default(false),
    tokenFile: z.string().min(1).optional(),
    tokenEnv: z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'must be an environment variable name').optional(),
    kind: z.enum(['Kustomization', 'HelmRelease']).default('Kustomization'),
    kustomization: objectNames.default('{environment}-apps'),
    namespace: z.string().regex(/^[a-z0-9-]{1,63}$/, 'must be a namespace name').default('flux-system'),
    ...common,
  })
  .strict()
  .refine((c) => (isInCluster(c) ? !(c.tokenEnv && c.tokenFile) : Boolean(c.tokenEnv) !== Boolean(c.tokenFile)), {
    message: 'set exactly one of tokenFile or tokenEnv (a Kubernetes service-account token), or leave out apiServer (or set inCluster: true) to use the pod\'s service account',
  });

/** Flux is read with the pod's own service account when no API server is named or `inCluster` says so. */
export function isInCluster(flux: { apiServer?: string | undefined; inCluster?: boolean | undefined }): boolean {
  return flux.inCluster === true || !flux.apiServer;
}

const envName = z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'must be an environment variable name');

/** The shortest static Argo CD hook token Rewind accepts (a bearer token is guessable when short). */
export const MIN_HOOK_TOKEN_LENGTH = 32;

export const webhookConfigSchema = z
  .object({
    /** HMAC secret: Flux's `generic-hmac` provider, or a relay that signs Argo CD's calls. */
    secretEnv: envName.optional(),
    secretFile: z.string().min(1).optional(),
    /** The static token Argo CD Notifications sends as `Authorization: Bearer …` (decision 046). */
    argocdTokenEnv: envName.optional(),
    argocdTokenFile: z.string().min(1).optional(),
  })
  .strict()
  .refine((c) => !(c.secretEnv && c.secretFile), { message: 'set at most one of secretEnv or secretFile' })
  .refine((c) => !(c.argocdTokenEnv && c.argocdTokenFile), { message: 'set at most one of argocdTokenEnv or argocdTokenFile' })
  .refine((c) => Boolean(c.secretEnv || c.secretFile || c.argocdTokenEnv || c.argocdTokenFile), {
    message: 'set secretEnv or secretFile (the HMAC secret Flux signs with), and/or argocdTokenEnv or argocdTokenFile (the bearer token Argo CD Notifications sends)',
  });

export const clusterConfigSchema = z
  .object({
    argocd: argoCdConfigSchema.optional(),
    flux: fluxConfigSchema.optional(),
    /** How the inbound outcome webhooks `/api/hooks/argocd` and `/api/hooks/flux` authenticate callers. */
    webhooks: webhookConfigSchema.optional(),
  })
  .strict()
  .refine((c) => Boolean(c.argocd) !== Boolean(c.flux), { message: 'set exactly one of cluster.argocd or cluster.flux' });

export type ClusterConfig = z.infer<typeof clusterConfigSchema>;
export type ArgoCdConfig = z.infer<typeof argoCdConfigSchema>;
export type FluxConfig = z.infer<typeof fluxConfigSchema>;
