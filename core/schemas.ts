/**
 * Zod schemas for every shape of API.md. The server validates its input with them, the SPA validates
 * every response with them, and the TypeScript types are inferred from them, so the three never drift.
 */
import { z } from 'zod';
import { FULL_SHA_PATTERN, NAME_PATTERN, REQUEST_ID_PATTERN } from './names.ts';
import { USER_TEXT_MAX_LENGTH } from './user-text.ts';
import { healthSchema, rolloutSchema, serviceStatusSchema, syncSchema, targetClusterSchema } from './cluster-schemas.ts';
import { serviceVersionAtSchema, serviceVersionChangeSchema } from './version-schemas.ts';
import { rollForwardHintSchema } from './rollback-hint-schemas.ts';
import { incidentSchema } from './incident.ts';

export const nameSchema = z
  .string()
  .regex(NAME_PATTERN, 'must be a lowercase DNS label ([a-z0-9-], at most 63 characters)');
export const shaSchema = z.string().regex(FULL_SHA_PATTERN, 'must be a 40-character commit id');
export const timestampSchema = z.iso.datetime({ offset: true });
export const requestIdSchema = z
  .string()
  .regex(REQUEST_ID_PATTERN, 'must be a rollback request id (rbk- and 1 to 60 lowercase letters or digits)');

export const planSchema = z.enum(['free', 'pro', 'enterprise']);
export const sourceSchema = z.enum(['release', 'promotion', 'rollback', 'hotfix']);
export const revisionStatusSchema = z.enum(['success', 'failed', 'rolled-back', 'partially-rolled-back']);
export const rollbackModeSchema = z.enum(['full', 'service', 'field']);
export const roleSchema = z.enum(['viewer', 'requester', 'approver', 'break-glass', 'admin']);

export const featuresSchema = z.object({
  basic_rollback: z.boolean(),
  rollback: z.boolean(),
  selective_rollback: z.boolean(),
  rollback_approval: z.boolean(),
});

export const policySchema = z.object({
  requiredApprovals: z.number().int().min(0),
  blockSelfApproval: z.boolean(),
  /**
   * Extension (decision 039): the roles that may request, review and open break-glass on the target,
   * so clients say what the caller may do before they try (core/review-rules.ts `permissionsOn`).
   */
  requesters: z.array(roleSchema),
  approvers: z.array(roleSchema),
  breakGlass: z.array(roleSchema),
});

export const targetSchema = z.object({
  tenant: nameSchema,
  environment: nameSchema,
  plan: planSchema,
  features: featuresSchema,
  policy: policySchema,
  head: z.object({ sha: shaSchema, timestamp: timestampSchema }).nullable(),
  health: healthSchema,
  sync: syncSchema,
  services: z.array(serviceStatusSchema),
  /** Extension (docs/decisions/017): the agent's report, its source, and what is not deployed yet. */
  cluster: targetClusterSchema,
  /** Extension (decision 031): each service's version at the head, read from its manifests. */
  versions: z.array(serviceVersionAtSchema).optional(),
});

/** A Slack member id (`U…`, or `W…` on Enterprise Grid): messages mention the user as `<@U…>`. */
export const slackIdSchema = z.string().regex(/^[UW][A-Z0-9]{2,20}$/, 'must be a Slack member id: U or W then capital letters and digits (e.g. U024BE7LH)');

export const userSchema = z.object({
  email: z.string().min(3),
  name: z.string(),
  roles: z.array(roleSchema),
  /** Extension (decision 045): the user's Slack member id, for mentions in notifications. */
  slackId: slackIdSchema.optional(),
});

export const breakGlassSchema = z.object({
  user: z.string(),
  justification: z.string(),
  openedAt: timestampSchema,
  expiresAt: timestampSchema,
});

export const meResponseSchema = z.object({
  user: userSchema,
  breakGlass: breakGlassSchema.nullable(),
  /**
   * Extension: how the server identifies callers. Only in `demo` does the SPA send the user switcher's
   * choice; behind a proxy it sends no identity of its own.
   */
  identityMode: z.enum(['demo', 'proxy']).optional(),
  /**
   * Extension (decision 039): what the caller may do on some target (open break-glass, review), by the
   * rules the server enforces; what they may do on one target follows from its `policy`.
   */
  can: z.object({ breakGlass: z.boolean(), review: z.boolean() }).optional(),
});
export const usersResponseSchema = z.object({ users: z.array(userSchema) });
/** `GET /api/people` (decision 043): names for emails, in every identity mode (the directory's users). */
export const peopleResponseSchema = z.object({ people: z.array(z.object({ email: z.string(), name: z.string() })) });
export const targetsResponseSchema = z.object({ targets: z.array(targetSchema) });
export const targetResponseSchema = z.object({ target: targetSchema });

export const revisionSchema = z.object({
  sha: shaSchema,
  shortSha: z.string().min(4).max(40),
  timestamp: timestampSchema,
  author: z.object({ name: z.string(), email: z.string() }),
  summary: z.string(),
  services: z.array(z.string()),
  source: sourceSchema,
  status: revisionStatusSchema,
  /**
   * Extension (decision 037): who said so. `argocd` / `flux` / `simulated`: the agent reported the
   * outcome; `git-note`: a deployment note on the commit; `rollback`: a later rollback commit undid it;
   * `none`: nobody reported an outcome (shown as success, and says so).
   */
  statusSource: z.enum(['argocd', 'flux', 'simulated', 'git-note', 'rollback', 'none']).optional(),
  rollback: z
    .object({ requestId: z.string(), targetSha: shaSchema, mode: rollbackModeSchema })
    .optional(),
  /** Extension: the rollback commit that undid this revision (wholly or in part), when status is `rolled-back` or `partially-rolled-back`. */
  rolledBackBy: shaSchema.optional(),
  /** Extension (decision 031): the version of each changed service before and at this revision. */
  versions: z.array(serviceVersionChangeSchema).optional(),
});

export const historyResponseSchema = z.object({
  revisions: z.array(revisionSchema),
  nextCursor: z.string().nullable(),
});

export const historyQuerySchema = z.object({
  limit: z.coerce.number().int().min(1).max(500).default(50),
  cursor: z.string().max(512).optional(),
  service: nameSchema.optional(),
  source: sourceSchema.optional(),
  status: revisionStatusSchema.optional(),
  q: z.string().max(200).optional(),
});

export const fileKindSchema = z.enum(['service', 'binding', 'variables', 'other']);

const fieldDiffStateSchema = z.enum(['too-large', 'unparseable', 'truncated', 'withheld', 'deferred']);

export const fileDiffSchema = z.object({
  path: z.string(),
  service: z.string().nullable(),
  kind: fileKindSchema,
  status: z.enum(['added', 'modified', 'deleted']),
  additions: z.number().int().min(0),
  deletions: z.number().int().min(0),
  patch: z.string(),
  /** Extension: the diff bound was hit; the patch replaces the whole file. */
  wholeFile: z.boolean().optional(),
  /** Extension: a binary file; the patch shows no content. */
  binary: z.boolean().optional(),
  /**
   * Extension: Secret values were masked (`values`: placeholders in the patch), or the file mentions a
   * Secret that could not be masked reliably and its patch is withheld (`file`: headers only).
   */
  redacted: z.enum(['values', 'file']).optional(),
  /**
   * Extension: why this YAML file's field changes are missing or partial; absent when complete.
   * `deferred`: not computed with the text diff (a large change, docs/decisions/014); they come from
   * `GET .../compare/fields`.
   */
  fieldDiff: fieldDiffStateSchema.optional(),
});

export const fieldChangeSchema = z.object({
  service: z.string().nullable(),
  file: z.string(),
  path: z.array(z.union([z.string(), z.number()])),
  /**
   * Omitted when the key, list item or document does not exist on that side (added: no `from`;
   * removed: no `to`); `null` is a YAML null. Optional since compare shipped (additive).
   */
  from: z.unknown().optional(),
  to: z.unknown().optional(),
  /** Extension: a Secret value; `from`/`to` hold markers (`<redacted>`, `<redacted:changed>`), not values. */
  redacted: z.boolean().optional(),
});

export const diffSchema = z.object({
  from: shaSchema,
  to: shaSchema,
  files: z.array(fileDiffSchema),
  fields: z.array(fieldChangeSchema),
  impact: z.object({ services: z.number(), bindings: z.number(), variables: z.number() }),
});

/**
 * Extension (docs/decisions/014): `GET /api/targets/{t}/{e}/compare/fields?from=&to=`, the field
 * changes of a compare whose files say `fieldDiff: 'deferred'`. `files` gives every file of the compare
 * with its final field-diff state (never `deferred`); `fields` is the compare's complete field list.
 */
export const compareFieldsSchema = z.object({
  from: shaSchema,
  to: shaSchema,
  files: z.array(z.object({ path: z.string(), fieldDiff: fieldDiffStateSchema.exclude(['deferred']).optional() })),
  fields: z.array(fieldChangeSchema),
});

export const errorBodySchema = z.object({
  error: z.object({
    code: z.string(),
    message: z.string(),
    /** Extension: the input field at fault (see core/errors.ts ErrorDetails). */
    field: z.string().optional(),
    /** Extension: the rule that refused, e.g. `foreign-revision`, `destructive-plan`, `parse-budget`. */
    rule: z.string().optional(),
    /** Extension: the repo file the refusal is about. */
    file: z.string().optional(),
  }),
});

export type Plan = z.infer<typeof planSchema>;
export type RevisionSource = z.infer<typeof sourceSchema>;
export type RevisionStatus = z.infer<typeof revisionStatusSchema>;
export type RollbackMode = z.infer<typeof rollbackModeSchema>;
export type Role = z.infer<typeof roleSchema>;
export type Features = z.infer<typeof featuresSchema>;
export type Policy = z.infer<typeof policySchema>;
export type Target = z.infer<typeof targetSchema>;
export type User = z.infer<typeof userSchema>;
export type BreakGlass = z.infer<typeof breakGlassSchema>;
export type MeResponse = z.infer<typeof meResponseSchema>;
export type Revision = z.infer<typeof revisionSchema>;
export type HistoryResponse = z.infer<typeof historyResponseSchema>;
export type HistoryQuery = z.infer<typeof historyQuerySchema>;
export type FileDiff = z.infer<typeof fileDiffSchema>;
export type FieldChange = z.infer<typeof fieldChangeSchema>;
export type Diff = z.infer<typeof diffSchema>;
export type CompareFields = z.infer<typeof compareFieldsSchema>;
export type ErrorBody = z.infer<typeof errorBodySchema>;

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
