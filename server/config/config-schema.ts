/**
 * `rewind.config.yaml`, validated with zod. Targets come either from a layout pattern (placeholders
 * `{tenant}`, `{environment}`, `{service}`, discovered from the repo's files) or from an explicit list.
 * docs/configuration.md explains every key, with an example for each common repo layout.
 */
import { z } from 'zod';
import { featuresSchema, nameSchema, planSchema, roleSchema, slackIdSchema } from '#core/schemas.ts';
import { clusterConfigSchema } from '#server/cluster/cluster-config.ts';
import { patternSchema } from './pattern-schema.ts';
import { notificationsConfigSchema } from '#server/notify/notify-config.ts';

const pathList = z.array(z.string().min(1).max(1024)).max(256);

const policyConfigSchema = z
  .object({
    requiredApprovals: z.number().int().min(0).max(10),
    blockSelfApproval: z.boolean(),
    requesters: z.array(roleSchema),
    approvers: z.array(roleSchema),
    breakGlass: z.array(roleSchema),
    /** Share of a scope's files a rollback may delete without `allowDestructive: true` (0 to 1). */
    maxDeleteShare: z.number().min(0).max(1),
  })
  .partial()
  .strict();

/** Roll-forward hint settings (decision 032); absent keys keep the defaults of core/rollback-hints.ts. */
const rollForwardConfigSchema = z
  .object({
    migrationPaths: pathList,
    migrationKinds: z.array(z.string().min(1).max(200)).max(100),
    migrationJobName: z
      .string()
      .min(1)
      .max(200)
      .refine((source) => {
        try {
          new RegExp(source, 'i');
          return true;
        } catch {
          return false;
        }
      }, 'rollForward.migrationJobName must be a valid regular expression'),
    maxRevisions: z.number().int().min(1).max(100_000),
    maxAgeDays: z.number().min(0).max(3650),
  })
  .partial()
  .strict();

const targetSettingsSchema = z
  .object({
    plan: planSchema,
    features: featuresSchema.partial().strict(),
    policy: policyConfigSchema,
    rollForward: rollForwardConfigSchema,
  })
  .partial()
  .strict();

const explicitTargetSchema = targetSettingsSchema
  .extend({
    tenant: nameSchema,
    environment: nameSchema,
    /** Everything the target owns; defaults to the union of services, bindings and variables. */
    paths: pathList.optional(),
    services: z.array(z.object({ name: nameSchema, paths: pathList.min(1) }).strict()).min(1),
    bindings: pathList.default([]),
    variables: pathList.default([]),
  })
  .strict();

/** `https://…`, `ssh://…`, `file://…`, or scp-like `user@host:path`. */
const REPO_URL_PATTERN = /^(?:(?:https|ssh|file):\/\/\S+|[A-Za-z0-9._-]+@[A-Za-z0-9.-]+:\S+)$/;

const envName = z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'must be an environment variable name');

/**
 * Where the infra repo is (docs/decisions/035): `url`, a remote Rewind mirrors in its data dir, or
 * `path`, a local bare clone (a work tree with the served branch checked out is refused at start).
 */
const repoSchema = z
  .object({
    path: z.string().min(1).optional(),
    url: z
      .string()
      .regex(REPO_URL_PATTERN, 'must be an https://, ssh://, file:// or user@host:path URL')
      .refine((url) => !/^https:\/\/[^/]*@/i.test(url), {
        message: 'must not contain a user name or token: use repo.credentials (usernameEnv, passwordEnv or tokenFile)',
      })
      .optional(),
    /** Absent: the repository's default branch (its HEAD). */
    branch: z.string().regex(/^[A-Za-z0-9._/-]{1,200}$/, 'must be a plain branch name').optional(),
    remote: z.string().regex(/^[A-Za-z0-9._-]{1,100}$/).optional(),
    /** Reads fetch when the last fetch is older than this; a commit always fetches first. */
    fetchIntervalSeconds: z.number().min(0).max(3600).default(5),
    credentials: z
      .object({ usernameEnv: envName, passwordEnv: envName, tokenFile: z.string().min(1), sshKeyFile: z.string().min(1) })
      .partial()
      .strict()
      .refine((c) => !(c.passwordEnv && c.tokenFile), { message: 'set at most one of passwordEnv and tokenFile' })
      .refine((c) => !c.usernameEnv || c.passwordEnv || c.tokenFile, { message: 'usernameEnv needs passwordEnv or tokenFile' })
      .optional(),
    /**
     * A PEM file of the CAs to trust for an https `url` (a Gitea or GitLab behind a private CA), instead
     * of the system's; relative to the config file. Checked at start and at each fetch and push.
     */
    caFile: z.string().min(1).optional(),
  })
  .strict()
  .refine((r) => !(r.path && r.url), { message: 'set repo.path or repo.url, not both' })
  .refine((r) => r.caFile === undefined || /^https:\/\//i.test(r.url ?? ''), {
    message: 'repo.caFile is the CA for an https:// repo.url; set it only with one (ssh and file:// URLs use no TLS)',
    path: ['caFile'],
  })
  .refine((r) => !(r.url && r.remote), { message: 'repo.remote is for a local repo.path; with repo.url Rewind pushes to that URL' })
  .refine((r) => !r.credentials || r.url, { message: 'repo.credentials need repo.url' })
  .default({ fetchIntervalSeconds: 5 });

export const configSchema = z
  .object({
    repo: repoSchema,
    server: z
      .object({
        host: z.string().default('127.0.0.1'),
        port: z.number().int().min(0).max(65535).default(4173),
        dataDir: z.string().default('./.rewind-data'),
      })
      .strict()
      .default({ host: '127.0.0.1', port: 4173, dataDir: './.rewind-data' }),
    /**
     * Where requests, reviews and the audit trail live: SQLite in `server.dataDir` when `url` is
     * absent; PostgreSQL (several replicas) with `url: postgres://user@host:5432/rewind`. The password
     * is never in this file: `passwordEnv` names an environment variable, `passwordFile` a file (a
     * mounted secret), or libpq's PGPASSWORD applies.
     */
    database: z
      .object({
        url: z
          .string()
          .regex(/^postgres(ql)?:\/\/[^\s]+$/i, 'must be a postgres:// URL (leave it out for the embedded SQLite database)')
          .refine((url) => !/^[^:]+:\/\/[^/@]*:[^/@]*@/.test(url), {
            message: 'must not contain a password: use database.passwordEnv or database.passwordFile',
          })
          .optional(),
        passwordEnv: z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'must be an environment variable name').optional(),
        passwordFile: z.string().min(1).optional(),
        /** Connections per replica for reads. */
        readConnections: z.number().int().min(1).max(100).default(4),
        /**
         * Connections per replica for transactions (decision 052): reviews of different requests are
         * written side by side, up to this many at once.
         */
        writeConnections: z.number().int().min(1).max(100).default(16),
        /** Connections per replica for the commit lock (execution leases share two more, decision 052). */
        lockConnections: z.number().int().min(1).max(200).default(16),
        /**
         * How often each replica looks for rollbacks left `executing` by a replica that died and was
         * not restarted (a restarted one reconciles at start); PostgreSQL only.
         */
        reconcileIntervalSeconds: z.number().int().min(5).max(3600).default(60),
        /**
         * A request-store query without an answer for this long ends its connection and the request
         * is a 503: a network gone silent (half-open) fails fast instead of hanging every request.
         */
        queryTimeoutSeconds: z.number().int().min(1).max(600).default(30),
      })
      .strict()
      .refine((d) => !(d.passwordEnv && d.passwordFile), { message: 'set at most one of passwordEnv and passwordFile' })
      .refine((d) => d.url !== undefined || (d.passwordEnv === undefined && d.passwordFile === undefined), {
        message: 'passwordEnv and passwordFile need database.url',
      })
      .default({ readConnections: 4, writeConnections: 16, lockConnections: 16, reconcileIntervalSeconds: 60, queryTimeoutSeconds: 30 }),
    identity: z
      .object({
        /**
         * Absent means demo, but only for a config without `users` served on loopback: demo identity is
         * never a silent default for a configured installation (see identityProblem below).
         */
        mode: z.enum(['demo', 'proxy']).optional(),
        defaultUser: z.string().optional(),
        trustedProxies: z.array(z.string()).default(['127.0.0.1', '::1', '::ffff:127.0.0.1']),
      })
      .strict()
      .default({ trustedProxies: ['127.0.0.1', '::1', '::ffff:127.0.0.1'] }),
    users: z
      .array(z.object({ email: z.string().email(), name: z.string().min(1), roles: z.array(roleSchema), slackId: slackIdSchema.optional() }).strict())
      .default([]),
    /** The GitOps agent Rewind reads (docs/decisions/017); absent: every status is `unknown`. */
    cluster: clusterConfigSchema.optional(),
    /** Chat and webhook notifications through the outbox (decision 038); absent: none are sent. */
    notifications: notificationsConfigSchema.optional(),
    defaults: targetSettingsSchema.default({}),
    targets: z
      .object({
        pattern: patternSchema.optional(),
        list: z.array(explicitTargetSchema).optional(),
        /** Settings for pattern-discovered targets, keyed `tenant/environment`. */
        overrides: z.record(z.string(), targetSettingsSchema).default({}),
      })
      .strict()
      .refine((t) => Boolean(t.pattern) !== Boolean(t.list), { message: 'set exactly one of targets.pattern or targets.list' }),
  })
  .strict()
  .superRefine((config, ctx) => {
    // Real users listed means a real installation: it must say how people are identified.
    if (config.users.length > 0 && config.identity.mode === undefined) {
      ctx.addIssue({
        code: 'custom',
        path: ['identity', 'mode'],
        message:
          'users are listed but identity.mode is not set: set identity.mode: proxy (behind an authenticating proxy that sends ' +
          'X-Forwarded-Email) or identity.mode: demo (trusts any caller, for local demos only)',
      });
    }
  });

/** The identity mode in force: the one set, else demo (allowed only where identityProblem says so). */
export const identityModeOf = (config: RewindConfig): 'demo' | 'proxy' => config.identity.mode ?? 'demo';

const LOOPBACK = /^(localhost|127(?:\.\d{1,3}){3}|::1|::ffff:127(?:\.\d{1,3}){3})$/i;

export function isLoopbackHost(host: string): boolean {
  return LOOPBACK.test(host.replace(/^\[(.*)\]$/, '$1'));
}

/**
 * Why the server must not start with this identity setting on `host`, or null: demo identity (anyone
 * may claim any user) listens beyond loopback only when the config asks for it explicitly.
 */
export function identityProblem(config: RewindConfig, host: string): string | null {
  if (config.identity.mode !== undefined || isLoopbackHost(host)) return null;
  return (
    `server.host ${host} is not a loopback address and identity.mode is not set: demo identity would let anyone act as any user. ` +
    'Set identity.mode: proxy behind an authenticating proxy, or identity.mode: demo to serve the demo on this host anyway'
  );
}

export type RewindConfig = z.infer<typeof configSchema>;
export type TargetSettings = z.infer<typeof targetSettingsSchema>;
export type { PatternConfig } from './pattern-schema.ts';
