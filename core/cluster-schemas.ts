/**
 * What Rewind knows about the cluster, and where it comes from (docs/decisions/017). Every status says
 * its source; a status Rewind cannot read is `unknown` with a reason, never healthy by default.
 */
import { z } from 'zod';
import { FULL_SHA_PATTERN, NAME_PATTERN } from './names.ts';

const sha = z.string().regex(FULL_SHA_PATTERN, 'must be a 40-character commit id');
const timestamp = z.iso.datetime({ offset: true });

export const healthSchema = z.enum(['healthy', 'progressing', 'degraded', 'unknown']);
export const syncSchema = z.enum(['synced', 'out-of-sync', 'unknown']);

/** `simulated`: the demo's stand-in; `none`: no agent configured, so nothing is known. */
export const clusterSourceSchema = z.enum(['simulated', 'argocd', 'flux', 'none']);

/** The agent's last sync / reconcile, normalised; `agentPhase` is the agent's own word for it. */
export const clusterOperationSchema = z.object({
  phase: z.enum(['running', 'succeeded', 'failed']),
  agentPhase: z.string(),
  message: z.string(),
  /** The commit the operation applied or tried to apply, when the agent says. */
  revision: sha.nullable(),
  startedAt: timestamp.nullable(),
  finishedAt: timestamp.nullable(),
});

/** A deployment outcome the agent reported for a commit (Argo CD history / operation, Flux Ready). */
export const revisionOutcomeSchema = z.object({
  sha,
  outcome: z.enum(['success', 'failed']),
  at: timestamp.nullable(),
});

export const serviceStatusSchema = z.object({
  name: z.string().regex(NAME_PATTERN),
  health: healthSchema,
  sync: syncSchema,
  /** The commit this service's agent object last applied, where the agent tracks services apart. */
  liveRevision: sha.nullable().optional(),
  /** Why health or sync is `unknown`. */
  reason: z.string().optional(),
});

/**
 * Where the branch and the cluster stand for one target: the target's commits on the branch the
 * agent has not applied yet (newest first, at most 200), and the ones it failed to apply.
 */
export const deploymentGapSchema = z.object({
  state: z.enum(['current', 'behind', 'unknown']),
  notDeployed: z.array(sha),
  notDeployedCount: z.number().int().min(0),
  failedToDeploy: z.array(sha),
  /** Commit time of the oldest commit not deployed: the branch is ahead of the cluster since then. */
  since: timestamp.nullable(),
  reason: z.string().optional(),
});

export const targetClusterSchema = z.object({
  source: clusterSourceSchema,
  /** The commit the agent last applied (the live revision), or null when unknown. */
  liveRevision: sha.nullable(),
  operation: clusterOperationSchema.nullable(),
  /** When the agent last answered Rewind with a readable report; null when it never did. */
  observedAt: timestamp.nullable(),
  /** Why something is unknown or stale (unreachable agent, unknown application, ...); null when not. */
  reason: z.string().nullable(),
  outcomes: z.array(revisionOutcomeSchema),
  deployment: deploymentGapSchema,
});

/**
 * Where a completed rollback stands in the cluster: `committed` (on the branch, not applied yet),
 * `syncing` (applied, not healthy yet), `healthy` (the agent reports the rollback commit live and
 * healthy), `degraded`, `unconfirmed` (not confirmed within `confirmWithin`: still watched), `unknown`
 * (no agent to ask).
 */
export const rolloutSchema = z.object({
  state: z.enum(['committed', 'syncing', 'healthy', 'degraded', 'unconfirmed', 'unknown']),
  source: clusterSourceSchema,
  liveRevision: sha.nullable(),
  health: healthSchema,
  sync: syncSchema,
  observedAt: timestamp.nullable(),
  /** The agent's last operation on the target as it reported it (decision 046), or null. */
  operation: clusterOperationSchema.nullable(),
  reason: z.string().nullable(),
  committedAt: timestamp,
  /** Until when Rewind waits for the agent before saying it cannot confirm; null without an agent. */
  confirmBy: timestamp.nullable(),
});

export type Health = z.infer<typeof healthSchema>;
export type Sync = z.infer<typeof syncSchema>;
export type ClusterSource = z.infer<typeof clusterSourceSchema>;
export type ClusterOperation = z.infer<typeof clusterOperationSchema>;
export type RevisionOutcome = z.infer<typeof revisionOutcomeSchema>;
export type ServiceStatus = z.infer<typeof serviceStatusSchema>;
export type DeploymentGap = z.infer<typeof deploymentGapSchema>;
export type TargetCluster = z.infer<typeof targetClusterSchema>;
export type Rollout = z.infer<typeof rolloutSchema>;
