/**
 * Rollback requests (DESIGN.md "Domain", "Approval binds to content"; API.md "Rollbacks";
 * docs/decisions/010-rollback-requests.md): preview, request, execution, and the reads of the
 * request page. Every rule lives here, over the ports, so the real server (git + SQL) and the mock
 * backend (in-memory) behave identically; the API layer only parses input and maps errors.
 *
 * - A plan is made on the current branch head: `baseSha` is the newest commit touching the target
 *   (the target's head revision, as compare's `head`), the files are read there and at `targetSha`,
 *   and core/rollback-planner.ts computes the new content. `diffHash = hashPlan(baseSha, changes)`.
 *   So the hash changes when the target changes (any commit touching its paths) or the planned
 *   content does, and not when another target's commit moves the branch.
 * - Execution recomputes the plan on the current head. A different hash is a 409: nothing is
 *   committed, the request is `pending` again with the new plan, its reviews stale (approvals
 *   dismissed). The same hash commits with compare-and-swap on the branch head the plan was made on;
 *   a lost race is a 409, nothing committed, the request `failed` (execute again to retry).
 * - The move to `executing` happens in a transaction that checks the state, so concurrent executions
 *   of one request make exactly one commit.
 * - Plan-and-commit runs one at a time per service (one branch, one writer): concurrent rollbacks of
 *   different targets never lose each other's compare-and-swap; only a commit from outside Rewind can.
 * - Every request state change is published on the EventBus (`request.updated`), and a rollback commit
 *   as `revision.created` (docs/decisions/012-approvals.md).
 */
import { appendRequestAudit } from './request-audit.ts';
import { formatRollbackMessage } from './commit-message.ts';
import { compareRevisions } from './compare.ts';
import { badRequest, conflict, MESSAGES, notFound, RewindError } from './errors.ts';
import type { EventBus } from './events.ts';
import { buildDiff, type ChangedFile, type FileDiffOptions } from './file-diffs.ts';
import { DEFAULT_PATCH_BOUNDS, unifiedGitPatch, type PatchBounds } from './git-patch.ts';
import { REQUEST_ID_PATTERN, SHA_INPUT_PATTERN } from './names.ts';
import { hashPlan } from './plan-hash.ts';
import { assertRole, countApprovals, executeRoles, sameEmail } from './review-rules.ts';
import type {
  Clock,
  FieldDiffer,
  IdGenerator,
  Page,
  RequestFilter,
  RequestStore,
  RequestStoreTx,
  RevisionStore,
  TargetCatalog,
  UserDirectory,
} from './ports.ts';
import { approvalRequired, assertModeAllowed, requiredApprovalsFor } from './rollback-gating.ts';
import { planRollback, type RollbackPlan } from './rollback-planner.ts';
import {
  JUSTIFICATION_MAX_LENGTH,
  type CreateRollbackBody,
  type Diff,
  type FieldSelection,
  type RollbackMode,
  type RollbackRequest,
  type User,
} from './schemas.ts';
import { scopeOf, targetKey, type TargetConfig } from './target-config.ts';
import { targetHead } from './history.ts';

// --- Shapes ------------------------------------------------------------------------------------------

/** What a rollback restores: the body of a preview, and the selection part of a request. */
export interface RollbackSelection {
  mode: RollbackMode;
  targetSha?: string | undefined;
  service?: string | undefined;
  fields?: readonly FieldSelection[] | undefined;
}

/** `POST .../rollback-preview`: exactly the change the rollback would commit now. */
export type RollbackPreview = Diff & {
  /** The target's head revision the plan was made on (also `from`). */
  baseSha: string;
  diffHash: string;
  affectedServices: string[];
};

/**
 * The diff of `GET /api/rollbacks/{id}`: for a completed request the rollback commit against the
 * revision it was planned on; otherwise the plan as it would execute now (with its `baseSha` and
 * `diffHash`, so a client sees when the target moved since the request), or, when no plan can be
 * made any more, an empty diff and `diffError` saying why.
 */
export type RollbackRequestDiff = Diff & {
  baseSha?: string;
  diffHash?: string;
  affectedServices?: string[];
  diffError?: string;
};

export interface RollbackServiceDeps {
  revisions: RevisionStore;
  requests: RequestStore;
  catalog: TargetCatalog;
  clock: Clock;
  ids: IdGenerator;
  users: UserDirectory;
  /** Bounds of the preview's text diffs (default: compare's). */
  patchBounds?: PatchBounds;
  /** Computes the field changes of previews and request diffs; in-process when absent (decision 015). */
  fieldDiffer?: FieldDiffer | undefined;
  /** Live updates: `request.updated` on every state change, `revision.created` for a rollback commit. */
  events?: EventBus | undefined;
  hooks?: RollbackHooks | undefined;
}

/** Test seams; no rule depends on them. */
export interface RollbackHooks {
  /**
   * Runs after a rollback commit landed and before the request is marked `completed`: the crash
   * window that reconcileInterruptedRequests (core/reconcile-requests.ts) repairs at start.
   */
  afterCommit?: (info: { requestId: string; commitSha: string }) => void | Promise<void>;
}

/** A plan made on a branch head: what execution commits, and what preview shows. */
interface PlannedRollback {
  /** The branch head when planning started: the compare-and-swap expectation of the commit. */
  head: string;
  /** The newest commit touching the target at that head: the base of the diff and of its hash. */
  baseSha: string;
  targetSha: string;
  /** The files read at `baseSha` (the plan's scope only). */
  headFiles: ReadonlyMap<string, string>;
  plan: RollbackPlan;
  diffHash: string;
}

interface ValidSelection {
  mode: RollbackMode;
  /** The input, trimmed and lower-cased: what `unknown revision <x>` names. */
  targetRef: string;
  service?: string;
  fields?: FieldSelection[];
}

// --- Pure helpers (exported for tests) ----------------------------------------------------------------

const IDEMPOTENCY_KEY = /^[\x21-\x7e]{1,200}$/;
/** Characters that show nothing: a justification made only of these (and spaces) is blank. */
// eslint-disable-next-line no-control-regex -- control characters are part of what counts as blank
const INVISIBLE = /[\s\u0000-\u001f\u007f\u00ad\u180e\u200b-\u200f\u2028-\u202e\u2060-\u2064\u206a-\u206f\ufeff]/gu;

const codeUnitOrder = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
const short = (sha: string) => sha.slice(0, 7);

/**
 * The justification as it is stored: exactly the text sent (RTL overrides, zero-width characters and
 * CRLF included; the commit message escapes it onto one line). Blank (nothing visible) or over 4,000
 * characters (Unicode code points) is a 400.
 */
export function checkJustification(text: string | undefined): string {
  if (typeof text !== 'string' || text.replace(INVISIBLE, '') === '') {
    throw badRequest('justification is required: say why this rollback is needed');
  }
  const length = [...text].length;
  if (length > JUSTIFICATION_MAX_LENGTH) {
    throw badRequest(`justification is too long: at most ${JUSTIFICATION_MAX_LENGTH} characters (got ${length})`);
  }
  return text;
}

export function checkIdempotencyKey(key: string): string {
  if (!IDEMPOTENCY_KEY.test(key)) throw badRequest('Idempotency-Key must be 1 to 200 visible ASCII characters');
  return key;
}

function validateSelection(target: TargetConfig, body: RollbackSelection): ValidSelection {
  const ref = typeof body.targetSha === 'string' ? body.targetSha.trim().toLowerCase() : '';
  if (ref === '') throw badRequest(MESSAGES.targetShaRequired);
  assertModeAllowed(target, body.mode);
  if (!SHA_INPUT_PATTERN.test(ref)) throw badRequest('targetSha must be a commit id (4 to 40 hex digits)');
  const selection: ValidSelection = { mode: body.mode, targetRef: ref };
  if (body.mode === 'full') {
    if (body.service !== undefined) throw badRequest('service is only used in service and field mode: a full rollback restores the whole target');
    if (body.fields !== undefined) throw badRequest('fields are only used in field mode');
    return selection;
  }
  if (body.service === undefined || body.service === '') throw badRequest(`service is required for ${body.mode} mode`);
  if (!target.layout.services.some((s) => s.name === body.service)) {
    throw badRequest(`unknown service ${body.service} in ${targetKey(target)}`);
  }
  selection.service = body.service;
  if (body.mode === 'service') {
    if (body.fields !== undefined) throw badRequest('fields are only used in field mode');
    return selection;
  }
  if (!body.fields || body.fields.length === 0) throw badRequest(MESSAGES.emptyFieldSelection);
  selection.fields = body.fields.map((f) => ({ file: f.file, path: [...f.path] }));
  return selection;
}

function nothingToRollBack(target: TargetConfig, selection: { mode: RollbackMode; service?: string | undefined }, targetSha: string): string {
  const where = targetKey(target);
  if (selection.mode === 'full') return `nothing to roll back: ${where} already matches revision ${short(targetSha)}`;
  if (selection.mode === 'service') {
    return `nothing to roll back: service ${selection.service} of ${where} already matches revision ${short(targetSha)}`;
  }
  return `nothing to roll back: the selected fields of ${where} already have their values of revision ${short(targetSha)}`;
}

/**
 * The diff of a planned rollback: old = the file at the head, new = the planned file. Built by the
 * builder compare uses (core/file-diffs.ts): git-format patches (jsdiff, bounded), field changes
 * (through the server's worker when one is given), and Kubernetes Secret values masked in both, or
 * the file withheld when it cannot be masked reliably.
 */
export function rollbackDiff(
  target: TargetConfig,
  headFiles: ReadonlyMap<string, string>,
  changes: Readonly<Record<string, string | null>>,
  from: string,
  to: string,
  options: Pick<FileDiffOptions, 'patchBounds' | 'fieldDiffer'> = {},
): Promise<Diff> {
  const changed = Object.keys(changes)
    .sort(codeUnitOrder)
    .map((path): ChangedFile => {
      const oldText = headFiles.get(path) ?? null;
      const newText = changes[path] ?? null;
      return { change: unifiedGitPatch(path, oldText, newText, options.patchBounds ?? DEFAULT_PATCH_BOUNDS), oldText, newText, missing: false };
    });
  return buildDiff(target, from, to, changed, options);
}

/** The `Approval:` line of the commit message: how the request came to execute. */
export function approvalText(request: RollbackRequest): string {
  if (request.requiredApprovals > 0) {
    const approvers = request.reviews.filter((r) => r.decision === 'approve' && !r.stale).map((r) => r.by);
    return `Approved by ${approvers.join(', ') || 'nobody'} (quorum: ${approvers.length}/${request.requiredApprovals})`;
  }
  if (request.breakGlass) return `break-glass by ${request.requestedBy}`;
  return 'not required (policy)';
}

function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

function emptyDiff(from: string, to: string): Diff {
  return { from, to, files: [], fields: [], impact: { services: 0, bindings: 0, variables: 0 } };
}

/** The same selection as the stored request (targetSha compared by prefix: a short sha may have been sent). */
function sameSubmission(request: RollbackRequest, body: CreateRollbackBody): boolean {
  const ref = (body.targetSha ?? '').trim().toLowerCase();
  const fields = (list: readonly FieldSelection[] | undefined) => JSON.stringify((list ?? []).map((f) => [f.file, f.path]));
  return (
    request.tenant === body.tenant &&
    request.environment === body.environment &&
    request.mode === body.mode &&
    ref.length >= 4 &&
    request.targetSha.startsWith(ref) &&
    (request.service ?? '') === (body.service ?? '') &&
    fields(request.fields) === fields(body.fields) &&
    request.justification === body.justification
  );
}

// --- Planning -------------------------------------------------------------------------------------------

/**
 * Plans on the current branch head. `targetSha` may still be resolving: the reads run in parallel
 * (the target's files at the branch head are its files at its head revision, since no later commit
 * touched them), so a preview costs about one git round trip more than the slowest read.
 */
async function planOnHead(
  revisions: RevisionStore,
  target: TargetConfig,
  selection: { mode: RollbackMode; service?: string | undefined; fields?: readonly FieldSelection[] | undefined },
  targetSha: string | Promise<string>,
): Promise<PlannedRollback> {
  const resolving = Promise.resolve(targetSha);
  // Handled below (Promise.all); this keeps an early rejection from counting as unhandled meanwhile.
  resolving.catch(() => {});
  // The head first: whatever is read after it is at least as new, so a commit landing meanwhile makes
  // the compare-and-swap fail (or the hash differ) rather than a stale plan succeed.
  const head = await revisions.branchHead();
  if (!head) throw notFound('the branch has no commits');
  const scope = scopeOf(target, selection);
  const [newest, headFiles, [resolved, targetFiles]] = await Promise.all([
    targetHead(revisions, target),
    revisions.readFiles(scope, head),
    resolving.then(async (sha) => [sha, await revisions.readFiles(scope, sha)] as const),
  ]);
  const baseSha = newest?.sha ?? head;
  const plan = planRollback({
    target,
    mode: selection.mode,
    ...(selection.service !== undefined ? { service: selection.service } : {}),
    ...(selection.fields !== undefined ? { fields: selection.fields } : {}),
    headFiles,
    targetFiles,
  });
  return { head, baseSha, targetSha: resolved, headFiles, plan, diffHash: await hashPlan(baseSha, plan.changes) };
}

async function resolveTargetSha(revisions: RevisionStore, ref: string): Promise<string> {
  const sha = await revisions.resolveCommit(ref);
  if (!sha) throw notFound(`unknown revision ${ref}`);
  return sha;
}

async function previewOf(target: TargetConfig, planned: PlannedRollback, options: Pick<FileDiffOptions, 'patchBounds' | 'fieldDiffer'>): Promise<RollbackPreview> {
  const diff = await rollbackDiff(target, planned.headFiles, planned.plan.changes, planned.baseSha, planned.targetSha, options);
  return { ...diff, baseSha: planned.baseSha, diffHash: planned.diffHash, affectedServices: planned.plan.affectedServices };
}

/**
 * The change a rollback would commit now (`POST .../rollback-preview`), with the errors of a request:
 * `targetSha is required`, the mode's gating (403), a malformed or unknown revision (400/404), the
 * service and field selection (400), and a plan that changes nothing (400 `nothing to roll back: ...`).
 * Read-only and needs no request store: anyone who can see the target may preview.
 */
export async function previewRollback(
  deps: { revisions: RevisionStore; patchBounds?: PatchBounds | undefined; fieldDiffer?: FieldDiffer | undefined },
  target: TargetConfig,
  body: RollbackSelection,
): Promise<RollbackPreview> {
  const selection = validateSelection(target, body);
  const planned = await planOnHead(deps.revisions, target, selection, resolveTargetSha(deps.revisions, selection.targetRef));
  if (planned.plan.nothingToRollBack) throw badRequest(nothingToRollBack(target, selection, planned.targetSha));
  return previewOf(target, planned, deps);
}

// --- The service ------------------------------------------------------------------------------------

export class RollbackService {
  /** Plan-and-commit, one at a time (see the header). */
  private commitQueue: Promise<unknown> = Promise.resolve();

  constructor(private readonly deps: RollbackServiceDeps) {}

  /** `request.updated` for the request's page, lists and queues. */
  notify(request: Pick<RollbackRequest, 'id' | 'tenant' | 'environment'>): void {
    this.deps.events?.publish({ type: 'request.updated', tenant: request.tenant, environment: request.environment, requestId: request.id });
  }

  // --- reads ---

  async requireTarget(tenant: string, environment: string): Promise<TargetConfig> {
    const target = await this.deps.catalog.get(tenant, environment);
    if (!target) throw notFound(`unknown target ${tenant}/${environment}`);
    return target;
  }

  async requireRequest(id: string): Promise<RollbackRequest> {
    const request = REQUEST_ID_PATTERN.test(id) ? await this.deps.requests.getRequest(id) : null;
    if (!request) throw notFound(`rollback request ${id} not found`);
    return request;
  }

  /** The change a rollback would commit now (see previewRollback). */
  preview(target: TargetConfig, body: RollbackSelection): Promise<RollbackPreview> {
    return previewRollback(this.deps, target, body);
  }

  /** The request and its diff (see RollbackRequestDiff). */
  async get(id: string): Promise<{ request: RollbackRequest; diff: RollbackRequestDiff }> {
    const request = await this.requireRequest(id);
    const target = await this.deps.catalog.get(request.tenant, request.environment);
    if (!target) {
      return { request, diff: { ...emptyDiff(request.baseSha, request.targetSha), diffError: `unknown target ${request.tenant}/${request.environment}` } };
    }
    if (request.state === 'completed' && request.commitSha) {
      return { request, diff: await compareRevisions(this.deps.revisions, target, request.baseSha, request.commitSha, { fieldDiffer: this.deps.fieldDiffer }) };
    }
    try {
      const planned = await planOnHead(this.deps.revisions, target, request, request.targetSha);
      if (planned.plan.nothingToRollBack) {
        return { request, diff: { ...emptyDiff(planned.baseSha, request.targetSha), diffError: nothingToRollBack(target, request, request.targetSha) } };
      }
      return { request, diff: await previewOf(target, planned, this.deps) };
    } catch (error) {
      if (!(error instanceof RewindError) || error.status >= 500) throw error;
      return { request, diff: { ...emptyDiff(request.baseSha, request.targetSha), diffError: error.message } };
    }
  }

  list(filter: RequestFilter, cursor: string | null, limit: number): Promise<Page<RollbackRequest>> {
    return this.deps.requests.listRequests(filter, cursor, limit);
  }

  // --- writes ---

  /**
   * Creates a request. `created` is false when the Idempotency-Key names an earlier request of this
   * user with the same body: that request is returned as it is now, and nothing else happens.
   * Without approval to wait for, the rollback executes within the call: the request comes back
   * `completed` (with `commitSha`) or `failed` (with `error`); a conflict while committing is a 409.
   */
  async createRequest(
    user: User,
    body: CreateRollbackBody,
    idempotencyKey?: string,
  ): Promise<{ request: RollbackRequest; created: boolean }> {
    const target = await this.requireTarget(body.tenant, body.environment);
    assertRole(user, target.policy.requesters, `requesting a rollback on ${targetKey(target)}`);
    const justification = checkJustification(body.justification);
    const key = idempotencyKey === undefined ? null : checkIdempotencyKey(idempotencyKey);
    if (key !== null) {
      const earlier = await this.idempotentReplay(user, key, body);
      if (earlier) return { request: earlier, created: false };
    }

    const selection = validateSelection(target, body);
    const planned = await planOnHead(this.deps.revisions, target, selection, resolveTargetSha(this.deps.revisions, selection.targetRef));
    const { targetSha } = planned;
    if (planned.plan.nothingToRollBack) throw badRequest(nothingToRollBack(target, selection, targetSha));
    if (body.diffHash !== undefined && body.diffHash !== planned.diffHash) {
      throw conflict(
        `${targetKey(target)} changed since your preview (its head revision is now ${short(planned.baseSha)}): ` +
          'the rollback would commit a different diff; preview it again. Nothing was requested or committed',
      );
    }

    const now = this.deps.clock.now();
    const outcome = await this.deps.requests.transaction(async (tx) => {
      if (key !== null) {
        // Two submits with one key racing: the second finds the first here.
        const earlier = await this.replayIn(tx, user, key, body);
        if (earlier) return { request: earlier, created: false };
      }
      const session = await tx.activeBreakGlass(user.email, now);
      const needsApproval = approvalRequired(target);
      const waits = needsApproval && !session;
      const request: RollbackRequest = {
        id: this.deps.ids.next('rbk-'),
        tenant: target.tenant,
        environment: target.environment,
        mode: selection.mode,
        targetSha,
        baseSha: planned.baseSha,
        ...(selection.service !== undefined ? { service: selection.service } : {}),
        ...(selection.fields !== undefined ? { fields: selection.fields } : {}),
        justification,
        requestedBy: user.email,
        createdAt: now.toISOString(),
        state: waits ? 'pending' : 'executing',
        requiredApprovals: waits ? requiredApprovalsFor(target) : 0,
        reviews: [],
        breakGlass: needsApproval && session !== null,
        affectedServices: planned.plan.affectedServices,
        diffHash: planned.diffHash,
        notes: [],
      };
      await tx.insertRequest(request);
      if (key !== null) await tx.saveIdempotencyKey(user.email, key, request.id);
      await this.audit(tx, 'rollback.requested', user.email, request, now, session !== null || request.breakGlass, {
        mode: request.mode,
        targetSha: request.targetSha,
        baseSha: request.baseSha,
        ...(request.service !== undefined ? { service: request.service } : {}),
        ...(request.fields !== undefined ? { fields: request.fields.length } : {}),
        diffHash: request.diffHash,
        affectedServices: request.affectedServices,
        requiredApprovals: request.requiredApprovals,
        state: request.state,
      });
      return { request, created: true };
    });
    if (outcome.created) this.notify(outcome.request);
    if (!outcome.created || outcome.request.state !== 'executing') return outcome;
    return { request: await this.runClaimed(outcome.request, target, user.email, planned), created: true };
  }

  /**
   * `POST /api/rollbacks/{id}/execute`: runs a request that is `failed` (retry), `approved` (quorum
   * reached, not yet executed), or `pending` when it needs no approval now (policy, or the requester
   * holding an active break-glass session). Allowed to the target's requesters and approvers.
   */
  async execute(id: string, user: User): Promise<RollbackRequest> {
    const request = await this.requireRequest(id);
    const target = await this.requireTarget(request.tenant, request.environment);
    assertRole(user, executeRoles(target.policy), `executing a rollback on ${targetKey(target)}`);
    return this.executeAs(id, user.email);
  }

  /**
   * Execution without a role check, for callers that checked already (the review that reaches the
   * quorum). Returns the request `completed`, or `failed` with `error` when the commit failed for a
   * reason other than a conflict. Throws 409 when the request is not in a state to execute, when the
   * plan differs from the approved one (then `pending` again, approvals dismissed), and when the
   * branch moved under the commit (then `failed`; nothing committed).
   */
  async executeAs(id: string, actor: string): Promise<RollbackRequest> {
    const stored = await this.requireRequest(id);
    const target = await this.requireTarget(stored.tenant, stored.environment);
    assertModeAllowed(target, stored.mode);
    const now = this.deps.clock.now();
    const claimed = await this.deps.requests.transaction(async (tx) => {
      const request = await tx.getRequest(id);
      if (!request) throw notFound(`rollback request ${id} not found`);
      let { breakGlass, requiredApprovals } = request;
      switch (request.state) {
        case 'approved':
        case 'failed':
          break;
        case 'pending': {
          // What applies now: the target's policy, or the requester's own active break-glass session.
          breakGlass = false;
          requiredApprovals = 0;
          if (approvalRequired(target)) {
            const isRequester = sameEmail(actor, request.requestedBy);
            const session = isRequester ? await tx.activeBreakGlass(actor, now) : null;
            if (!session) {
              const approvals = countApprovals(request);
              throw conflict(
                `rollback request ${id} is waiting for approval (${approvals}/${requiredApprovalsFor(target)}): it executes when the quorum is reached`,
              );
            }
            breakGlass = true;
          }
          break;
        }
        case 'executing':
          throw conflict(`rollback request ${id} is already executing`);
        case 'completed':
          throw conflict(`rollback request ${id} is already completed (commit ${short(request.commitSha ?? '')})`);
        case 'rejected':
          throw conflict(`rollback request ${id} was rejected: it cannot be executed`);
      }
      const next: RollbackRequest = { ...request, state: 'executing', breakGlass, requiredApprovals };
      delete next.error;
      await tx.updateRequest(next);
      return next;
    });
    this.notify(claimed);
    return this.runClaimed(claimed, target, actor);
  }

  // --- internals ---

  private async idempotentReplay(user: User, key: string, body: CreateRollbackBody): Promise<RollbackRequest | null> {
    // A read, but through a transaction: RequestStore exposes idempotency keys only there.
    return this.deps.requests.transaction((tx) => this.replayIn(tx, user, key, body));
  }

  private async replayIn(tx: RequestStoreTx, user: User, key: string, body: CreateRollbackBody): Promise<RollbackRequest | null> {
    const id = await tx.findByIdempotencyKey(user.email, key);
    if (id === null) return null;
    const earlier = await tx.getRequest(id);
    if (!earlier) return null;
    if (!sameSubmission(earlier, body)) {
      throw conflict(`Idempotency-Key ${key} was already used for a different rollback request (${earlier.id}); use a new key for a new request`);
    }
    return earlier;
  }

  /**
   * From `executing`: recompute, compare, commit, and record the outcome. The plan is made first,
   * concurrently with other executions; the commit and what it depends on run one at a time.
   */
  private async runClaimed(claimed: RollbackRequest, target: TargetConfig, actor: string, planned?: PlannedRollback): Promise<RollbackRequest> {
    // A failing plan is made again in the queue, where its failure is recorded.
    const early = planned ?? (await planOnHead(this.deps.revisions, target, claimed, claimed.targetSha).catch(() => undefined));
    const run = this.commitQueue.then(() => this.runClaimedNow(claimed, target, actor, early));
    this.commitQueue = run.catch(() => undefined);
    return run;
  }

  /**
   * A plan made before waiting in the queue, still valid on the current head: as it is when the branch
   * has not moved; with the new head as compare-and-swap expectation when only other paths changed
   * (the target's newest commit is still the plan's base, so its files, the plan and the hash are the
   * same); otherwise none.
   */
  private async stillValid(planned: PlannedRollback | undefined, target: TargetConfig): Promise<PlannedRollback | undefined> {
    if (!planned) return undefined;
    const head = await this.deps.revisions.branchHead();
    if (!head) return undefined;
    if (head === planned.head) return planned;
    const newest = await targetHead(this.deps.revisions, target);
    return newest?.sha === planned.baseSha ? { ...planned, head } : undefined;
  }

  private async runClaimedNow(claimed: RollbackRequest, target: TargetConfig, actor: string, planned?: PlannedRollback): Promise<RollbackRequest> {
    const { id } = claimed;
    let current: PlannedRollback;
    try {
      current = (await this.stillValid(planned, target)) ?? (await planOnHead(this.deps.revisions, target, claimed, claimed.targetSha));
    } catch (error) {
      const reason = `the rollback cannot be planned on the current head: ${errorText(error)}`;
      const failed = await this.fail(claimed, actor, reason, { stage: 'plan' });
      if (error instanceof RewindError && error.status < 500) throw conflict(`rollback request ${id} cannot be executed: ${errorText(error)}`);
      return failed;
    }

    if (current.plan.nothingToRollBack) {
      const reason = nothingToRollBack(target, claimed, claimed.targetSha);
      await this.fail(claimed, actor, reason, { stage: 'plan', baseSha: current.baseSha });
      throw conflict(`rollback request ${id} cannot be executed: ${reason}`);
    }

    if (current.diffHash !== claimed.diffHash) {
      const what = await this.describeChange(target, claimed.baseSha, current.baseSha);
      await this.dismiss(claimed, target, actor, current, what);
      throw conflict(
        `the rollback no longer matches the diff it was planned with: ${what}. ` +
          `Nothing was committed; rollback request ${id} is pending again and its approvals were dismissed: review the new diff`,
      );
    }

    const now = this.deps.clock.now();
    const requester = await this.deps.users.find(claimed.requestedBy);
    const message = formatRollbackMessage({
      tenant: target.tenant,
      environment: target.environment,
      targetSha: claimed.targetSha,
      mode: claimed.mode,
      ...(claimed.service !== undefined ? { service: claimed.service } : {}),
      justification: claimed.justification,
      author: claimed.requestedBy,
      approval: approvalText(claimed),
      requestId: id,
      breakGlass: claimed.breakGlass,
    });
    let commitSha: string;
    try {
      commitSha = await this.deps.revisions.commit({
        expectedHead: current.head,
        changes: current.plan.changes,
        message,
        author: { name: requester?.name || claimed.requestedBy, email: claimed.requestedBy },
        timestamp: now.toISOString(),
      });
    } catch (error) {
      const isConflict = error instanceof RewindError && error.code === 'CONFLICT';
      const failed = await this.fail(claimed, actor, errorText(error), { stage: 'commit', conflict: isConflict, expectedHead: current.head });
      if (isConflict) {
        throw conflict(`${errorText(error)}: nothing was committed; rollback request ${id} failed and can be executed again`);
      }
      return failed;
    }
    await this.deps.hooks?.afterCommit?.({ requestId: id, commitSha });

    const completed = await this.deps.requests.transaction(async (tx) => {
      const request = (await tx.getRequest(id)) ?? claimed;
      const done: RollbackRequest = { ...request, state: 'completed', commitSha };
      delete done.error;
      await tx.updateRequest(done);
      await this.audit(tx, 'rollback.executed', actor, done, now, await this.flagged(tx, actor, done, now), {
        commitSha,
        baseSha: current.baseSha,
        diffHash: current.diffHash,
        approval: approvalText(claimed),
        affectedServices: current.plan.affectedServices,
      });
      return done;
    });
    this.deps.events?.publish({ type: 'revision.created', tenant: target.tenant, environment: target.environment });
    this.notify(completed);
    return completed;
  }

  private async fail(claimed: RollbackRequest, actor: string, reason: string, details: Record<string, unknown>): Promise<RollbackRequest> {
    const now = this.deps.clock.now();
    const failed = await this.deps.requests.transaction(async (tx) => {
      const request = (await tx.getRequest(claimed.id)) ?? claimed;
      const failed: RollbackRequest = { ...request, state: 'failed', error: reason };
      delete failed.commitSha;
      await tx.updateRequest(failed);
      await this.audit(tx, 'rollback.failed', actor, failed, now, await this.flagged(tx, actor, failed, now), { error: reason, ...details });
      return failed;
    });
    this.notify(failed);
    return failed;
  }

  /** Back to `pending` with the new plan; every review so far is stale (approvals dismissed). */
  private async dismiss(claimed: RollbackRequest, target: TargetConfig, actor: string, current: PlannedRollback, what: string): Promise<void> {
    const now = this.deps.clock.now();
    await this.deps.requests.transaction(async (tx) => {
      const request = (await tx.getRequest(claimed.id)) ?? claimed;
      const pending: RollbackRequest = {
        ...request,
        state: 'pending',
        baseSha: current.baseSha,
        diffHash: current.diffHash,
        affectedServices: current.plan.affectedServices,
        requiredApprovals: requiredApprovalsFor(target),
        breakGlass: false,
      };
      delete pending.error;
      await tx.updateRequest(pending);
      await tx.markReviewsStale(claimed.id);
      await this.audit(tx, 'rollback.approvals-dismissed', actor, pending, now, await this.flagged(tx, actor, claimed, now), {
        reason: what,
        previousBaseSha: claimed.baseSha,
        previousDiffHash: claimed.diffHash,
        baseSha: current.baseSha,
        diffHash: current.diffHash,
        dismissedReviews: request.reviews.filter((r) => !r.stale).length,
      });
    });
    this.notify(claimed);
  }

  /** What moved under a planned rollback, for the 409: the target's revisions and changed files. */
  private async describeChange(target: TargetConfig, from: string, to: string): Promise<string> {
    if (from === to) return `the planned diff of ${targetKey(target)} is different`;
    let paths: string[] = [];
    try {
      paths = (await this.deps.revisions.diff({ paths: target.layout.paths, from, to })).map((f) => f.path);
    } catch {
      // The old base may be gone (a rewritten branch); the revisions alone still say what moved.
    }
    const listed = paths.length === 0 ? '' : ` (changed: ${paths.slice(0, 5).join(', ')}${paths.length > 5 ? ` and ${paths.length - 5} more` : ''})`;
    return `${targetKey(target)} moved from ${short(from)} to ${short(to)}${listed}`;
  }

  /** An event is flagged when the request runs under break-glass or its actor holds an open session. */
  private async flagged(tx: RequestStoreTx, actor: string, request: RollbackRequest, now: Date): Promise<boolean> {
    return request.breakGlass || (await tx.activeBreakGlass(actor, now)) !== null;
  }

  private async audit(
    tx: RequestStoreTx,
    type: string,
    actor: string,
    request: RollbackRequest,
    at: Date,
    breakGlass: boolean,
    details: Record<string, unknown>,
  ): Promise<void> {
    await appendRequestAudit(tx, this.deps.ids, { type, actor, request, at, breakGlass, details });
  }
}
