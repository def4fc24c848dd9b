/**
 * Zod schemas for every shape of API.md. The server validates its input with them, the SPA validates
 * every response with them, and the TypeScript types are inferred from them, so the three never drift.
 * The basic shapes (targets, people, revisions, diffs, errors) are in core/target-schemas.ts and are
 * exported from here too, so every caller imports from this one module.
 */
import { z } from 'zod';
import { REQUEST_ID_PATTERN } from './names.ts';
import { USER_TEXT_MAX_LENGTH } from './user-text.ts';
import { rolloutSchema, serviceStatusSchema } from './cluster-schemas.ts';
import { serviceVersionChangeSchema } from './version-schemas.ts';
import { rollForwardHintSchema } from './rollback-hint-schemas.ts';
import { incidentSchema } from './incident.ts';
import { diffSchema, nameSchema, revisionSchema, rollbackModeSchema, shaSchema, timestampSchema } from './target-schemas.ts';

export * from './target-schemas.ts';

// --- Rollback requests, reviews, notes, audit (served from the wizard and approvals issues on) ---

/** The longest justification, note or comment, in code points (core/user-text.ts). */
export const JUSTIFICATION_MAX_LENGTH = USER_TEXT_MAX_LENGTH;

export const requestStateSchema = z.enum([
  'pending',
  'approved',
  'rejected',
  'executing',
  'completed',
  'failed',
  /** Decision 039: ended by its requester or an admin before it executed. */
  'withdrawn',
  /** Decision 039: replaced by a newer request on the same target and services (`supersededBy`). */
  'superseded',
  /** Decision 039: closed without a commit because there was nothing left to roll back. */
  'closed',
]);

export const fieldSelectionSchema = z.object({
  file: z.string().min(1).max(1024),
  path: z.array(z.union([z.string(), z.number().int().min(0)])).min(1).max(64),
});

export const reviewSchema = z.object({
  by: z.string(),
  decision: z.enum(['approve', 'reject']),
  comment: z.string(),
  at: timestampSchema,
  stale: z.boolean(),
});

export const noteSchema = z.object({ by: z.string(), text: z.string(), at: timestampSchema });

export const rollbackRequestSchema = z.object({
  id: z.string().regex(REQUEST_ID_PATTERN),
  tenant: nameSchema,
  environment: nameSchema,
  mode: rollbackModeSchema,
  targetSha: shaSchema,
  baseSha: shaSchema,
  service: nameSchema.optional(),
  fields: z.array(fieldSelectionSchema).optional(),
  justification: z.string(),
  requestedBy: z.string(),
  createdAt: timestampSchema,
  state: requestStateSchema,
  requiredApprovals: z.number().int().min(0),
  reviews: z.array(reviewSchema),
  breakGlass: z.boolean(),
  affectedServices: z.array(z.string()),
  diffHash: z.string(),
  commitSha: shaSchema.optional(),
  error: z.string().optional(),
  notes: z.array(noteSchema),
  /** Extension (decision 032): the roll-forward hints the requester was shown when submitting. */
  hints: z.array(rollForwardHintSchema).optional(),
  /**
   * Extension (decision 047): each affected service's version at the base and after the rollback, read
   * from the manifests of the plan when the request was made (absent on older requests).
   */
  versions: z.array(serviceVersionChangeSchema).optional(),
  /** Extension (decision 033): the incident this rollback belongs to. */
  incident: incidentSchema.optional(),
  /** Extension (decision 039): why a `withdrawn`, `superseded` or `closed` request ended. */
  closedReason: z.string().optional(),
  /** Extension (decision 039): the requests this one replaced, and the one that replaced this. */
  supersedes: z.array(z.string()).optional(),
  supersededBy: z.string().optional(),
});

export const createRollbackBodySchema = z.object({
  tenant: nameSchema,
  environment: nameSchema,
  mode: rollbackModeSchema,
  targetSha: z.string().optional(),
  service: nameSchema.optional(),
  fields: z.array(fieldSelectionSchema).max(500).optional(),
  justification: z.string(),
  /**
   * Extension: the `diffHash` of the preview the requester saw. When given, the request is refused
   * (409, nothing created or committed) if the rollback would now commit a different diff.
   */
  diffHash: z.string().regex(/^[0-9a-f]{64}$/, 'must be the diffHash of a preview (64 hex digits)').optional(),
  /** Extension (decision 033): the incident this rollback belongs to (an ID and/or a link). */
  incident: incidentSchema.optional(),
  /**
   * Extension: confirms a destructive plan (one deleting every file of its scope, or more than the
   * policy's share); without it such a request is refused with 422 (core/destructive-plan.ts).
   */
  allowDestructive: z.boolean().optional(),
});

export const previewBodySchema = createRollbackBodySchema.omit({
  tenant: true,
  environment: true,
  justification: true,
  diffHash: true,
  incident: true,
  allowDestructive: true,
});

/** Extension of a preview: the plan deletes every file of its scope, or more than the policy's share. */
export const destructivePlanSchema = z.object({
  deletes: z.number().int().min(0),
  files: z.number().int().min(0),
  all: z.boolean(),
  maxShare: z.number(),
});

export const reviewBodySchema = z.object({
  decision: z.enum(['approve', 'reject']),
  /** Its length rule (code points) is core/user-text.ts's, checked by the approval service. */
  comment: z.string().optional(),
});

/** `POST /api/rollbacks/{id}/notes` (the text's rules are core/approval-service.ts's checkNoteText). */
export const noteBodySchema = z.object({ text: z.string() });

/** A completed request's post-rollback verification (extension of `GET /api/rollbacks/{id}`). */
export const verificationSchema = z.object({
  commitOnBranch: z.boolean(),
  services: z.array(serviceStatusSchema),
  drift: z.boolean(),
  /** Extension (docs/decisions/018): whether the agent applied the rollback commit, and its health. */
  rollout: rolloutSchema,
});

export const auditEventSchema = z.object({
  id: z.string(),
  at: timestampSchema,
  actor: z.string(),
  type: z.string(),
  tenant: z.string().optional(),
  environment: z.string().optional(),
  requestId: z.string().optional(),
  breakGlass: z.boolean(),
  details: z.record(z.string(), z.unknown()),
  /**
   * Extension (decision 037): on `break-glass.closed`, every target (`tenant/environment`) the session
   * touched; the tenant and environment filters match it.
   */
  targets: z.array(z.string()).optional(),
});

export const rollbackRequestResponseSchema = z.object({ request: rollbackRequestSchema });
/**
 * Extension (decision 039): what changed in a waiting request's plan since its requester confirmed it
 * (the plan on the current head differs from the recorded `diffHash`).
 */
export const planChangeSchema = z.object({ previousBaseSha: shaSchema, baseSha: shaSchema, diffHash: z.string(), changes: z.array(z.string()) });
/** A request as lists show it; extension (decision 043): a waiting one whose plan changed has `planChange`. */
export const listedRequestSchema = rollbackRequestSchema.extend({ planChange: planChangeSchema.optional() });
export const rollbackListResponseSchema = z.object({
  requests: z.array(listedRequestSchema),
  nextCursor: z.string().nullable(),
});
/** `POST .../rollback-preview`: exactly the change the rollback would commit now, planned on `baseSha`. */
export const rollbackPreviewSchema = diffSchema.extend({
  baseSha: shaSchema,
  diffHash: z.string(),
  affectedServices: z.array(z.string()),
  /** Extension (decision 031): each affected service's version now (`from`) and after the rollback (`to`). */
  versions: z.array(serviceVersionChangeSchema).optional(),
  /** Extension (decision 032): reasons to consider rolling forward instead; never blocking. */
  hints: z.array(rollForwardHintSchema).optional(),
  /** Present when the plan is destructive: a request needs `allowDestructive: true`. */
  destructive: destructivePlanSchema.optional(),
  /**
   * Extension (decision 036): changed files other targets also own (`tenant/environment`), so the
   * rollback changes their live config too. Absent when none.
   */
  sharedWith: z.array(z.object({ path: z.string(), targets: z.array(z.string()) })).optional(),
});
/**
 * `GET /api/rollbacks/{id}`: for a completed request the rollback commit's diff; otherwise the plan as
 * it would execute now, or an empty diff with `diffError` when no plan can be made any more.
 */
export const rollbackDetailResponseSchema = z.object({
  request: rollbackRequestSchema,
  diff: diffSchema.extend({
    baseSha: shaSchema.optional(),
    diffHash: z.string().optional(),
    affectedServices: z.array(z.string()).optional(),
    destructive: destructivePlanSchema.optional(),
    diffError: z.string().optional(),
  }),
  /** Present for a completed request: the commit on the branch, the services' state, drift since. */
  verification: verificationSchema.optional(),
  /**
   * Extension (decision 039): present when the plan on the current head differs from the one the
   * request recorded: what changed. Approving needs the requester to confirm the new plan first.
   */
  planChange: planChangeSchema.optional(),
});
export const withdrawBodySchema = z.object({ reason: z.string().optional() });
export const auditResponseSchema = z.object({
  events: z.array(auditEventSchema),
  nextCursor: z.string().nullable(),
});

export type RequestState = z.infer<typeof requestStateSchema>;
export type FieldSelection = z.infer<typeof fieldSelectionSchema>;
export type Review = z.infer<typeof reviewSchema>;
export type Note = z.infer<typeof noteSchema>;
export type RollbackRequest = z.infer<typeof rollbackRequestSchema>;
export type CreateRollbackBody = z.infer<typeof createRollbackBodySchema>;
export type AuditEvent = z.infer<typeof auditEventSchema>;
export type RollbackPreview = z.infer<typeof rollbackPreviewSchema>;
export type RollbackDetail = z.infer<typeof rollbackDetailResponseSchema>;
export type RollbackList = z.infer<typeof rollbackListResponseSchema>;
export type ListedRequest = z.infer<typeof listedRequestSchema>;
export type Verification = z.infer<typeof verificationSchema>;
export type DestructivePlanInfo = z.infer<typeof destructivePlanSchema>;

// --- Revision details (extension, decision 031) -------------------------------------------------------

/** A rollback request as a revision links to it; `state` absent when this Rewind has no record of it. */
export const requestLinkSchema = z.object({
  id: z.string(),
  state: requestStateSchema.optional(),
  requestedBy: z.string().optional(),
  justification: z.string().optional(),
});

/** `GET /api/targets/{t}/{e}/revisions/{sha}`. */
export const revisionDetailSchema = z.object({
  revision: revisionSchema,
  message: z.string(),
  trailers: z.array(z.object({ key: z.string(), value: z.string() })),
  /** The target's revision before this one (for "compare with previous"); null for its first. */
  previous: shaSchema.nullable(),
  /** Whether this revision is the target's head (there is nothing to roll back to then). */
  isHead: z.boolean(),
  /**
   * What the deployment notes say: `failed` or `succeeded` when an outcome was recorded, otherwise
   * `not-recorded` (history counts such a revision as deployed, and says so).
   */
  deployment: z.object({ outcome: z.enum(['failed', 'succeeded', 'not-recorded']), source: z.string() }),
  /** The rollback request whose commit this revision is. */
  madeBy: requestLinkSchema.optional(),
  /** The rollback commit that undid this revision, and its request. */
  undoneBy: z.object({ sha: shaSchema, request: requestLinkSchema.optional() }).optional(),
});

export type RequestLink = z.infer<typeof requestLinkSchema>;
export type RevisionDetail = z.infer<typeof revisionDetailSchema>;

// --- Incident report (extension, decision 033) --------------------------------------------------------

const durationSchema = z.object({ ms: z.number().nullable(), basis: z.string() });

/** `GET /api/incident-report?incident=|request=`. */
export const incidentReportResponseSchema = z.object({
  report: z.object({
    title: z.string(),
    incident: incidentSchema.optional(),
    requests: z.array(
      z.object({ id: z.string(), tenant: z.string(), environment: z.string(), mode: z.string(), service: z.string().optional(), state: z.string(), justification: z.string() }),
    ),
    timeline: z.array(
      z.object({ at: timestampSchema, what: z.string(), actor: z.string().optional(), breakGlass: z.boolean(), requestId: z.string().optional(), source: z.string().optional() }),
    ),
    durations: z.object({ detection: durationSchema, response: durationSchema, resolution: durationSchema }),
    breakGlass: z.boolean(),
    notes: z.array(noteSchema.extend({ requestId: z.string() })),
    /** Decision 044: the cluster's word on each committed rollback (`source` null: nothing is known). */
    cluster: z.array(z.object({ requestId: z.string(), source: z.string().nullable(), text: z.string() })),
  }),
  markdown: z.string(),
});

export type IncidentReportResponse = z.infer<typeof incidentReportResponseSchema>;

/** Decision 038: a request's notifications (kept in their own module, exported here for the API client). */
export { notificationsResponseSchema, type NotificationDelivery, type NotificationsResponse } from './notification-schemas.ts';
