/**
 * Zod schemas of the API's basic shapes: names, targets, people, revisions, diffs and errors. The
 * request, review and audit shapes in core/schemas.ts build on them; import both from there.
 */
import { z } from 'zod';
import { FULL_SHA_PATTERN, NAME_PATTERN, REQUEST_ID_PATTERN } from './names.ts';
import { healthSchema, serviceStatusSchema, syncSchema, targetClusterSchema } from './cluster-schemas.ts';
import { serviceVersionAtSchema, serviceVersionChangeSchema } from './version-schemas.ts';

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
/** `unknown` (decision 056): nobody — no agent, no deployment note, no rollback — said how it went. */
export const revisionStatusSchema = z.enum(['success', 'failed', 'rolled-back', 'partially-rolled-back', 'unknown']);
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
   * `none`: nobody reported an outcome (status `unknown`, decision 056).
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
