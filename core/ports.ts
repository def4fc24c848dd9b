/**
 * The seams between the domain and storage. The API layer is built only from these, so the MSW mock
 * (in-memory adapters, in the browser) and the real server (git CLI + SQL) run the same rules.
 */
import type { FieldDiffResult } from './field-diff.ts';
import type { TargetConfig } from './target-config.ts';
import type { ClusterOperation, ClusterSource, Health, RevisionOutcome, ServiceStatus, Sync } from './cluster-schemas.ts';
import type { AuditEvent, BreakGlass, Note, Review, RollbackRequest, User } from './schemas.ts';
import type { NewOutboxMessage, OutboxBacklog, OutboxMessage, OutboxOutcome } from './notification-schemas.ts';

/** A commit as storage knows it; the domain derives source, status and services from it. */
export interface CommitRecord {
  sha: string;
  /** Commit (author) time, ISO 8601 UTC. */
  timestamp: string;
  author: { name: string; email: string };
  message: string;
  /** Paths this commit changed, restricted to the pathspecs of the query that found it. */
  paths: string[];
  /** Deployment outcome recorded after the fact (git notes in the git store); absent means success. */
  deployStatus?: 'success' | 'failed';
}

export interface LogQuery {
  paths: readonly string[];
  /** Start strictly after this commit (a commit previously returned by the same query). */
  after?: string;
  /**
   * Start at this commit of the branch, inclusive (ignored with `after`): whether a commit touched the
   * paths is whether it is the first record of `{ at: sha, limit: 1 }`.
   */
  at?: string;
  limit: number;
}

/** One file's change between two revisions, as storage computes it (git: `diff --histogram`). */
export interface RawFileDiff {
  path: string;
  status: 'added' | 'modified' | 'deleted';
  additions: number;
  deletions: number;
  /** The file's unified diff in git's format (`diff --git a/.. b/..`, `---`/`+++`, hunks). */
  patch: string;
  /** True when the diff could not be computed line by line and shows a whole-file replacement. */
  wholeFile?: boolean;
  binary?: boolean;
  /**
   * The file's texts in `from` and in `to` (null where it is absent), when the query asked for them
   * (`withTexts`) and the store read them anyway; never set for binary files. Where they are not set,
   * callers that need them use `readFiles`.
   */
  oldText?: string | null;
  newText?: string | null;
}

export interface DiffQuery {
  paths: readonly string[];
  from: string;
  to: string;
  withTexts?: boolean;
  /** Only this file (a path under `paths`, taken literally: no pattern). */
  file?: string;
  /** Lines of context around each change; 3 when absent (git's default). */
  context?: number;
  /**
   * False: the caller needs which files changed, whether they are binary and their texts, not the
   * patches (the field table, decision 050): a store may then return `patch: ''` and zero counts.
   */
  patches?: boolean;
}

export interface CommitRequest {
  /** The branch head the change was planned on: the commit lands only if the branch is still there. */
  expectedHead: string;
  /** Repo path → full new content; null deletes the file. Paths not named stay as they are. */
  changes: Record<string, string | null>;
  message: string;
  author: { name: string; email: string };
  /** Commit time, ISO 8601; defaults to now. */
  timestamp?: string;
}

export interface RevisionStore {
  /** The branch head, or null for an empty repository. */
  branchHead(): Promise<string | null>;
  /** The full id of a commit on the branch, from a full or abbreviated id; null when unknown. */
  resolveCommit(ref: string): Promise<string | null>;
  /** Commits touching `paths`, newest first. */
  log(query: LogQuery): Promise<CommitRecord[]>;
  /** Ids of commits touching `paths` that are reachable from `until` but not from `since`. */
  range(query: { paths: readonly string[]; since: string; until: string }): Promise<string[]>;
  /** Commits touching `paths` whose message is a rollback commit (see commit-message.ts). */
  logRollbacks(paths: readonly string[]): Promise<CommitRecord[]>;
  /** Contents of the files under `paths` at commit `sha`, keyed by path. */
  readFiles(paths: readonly string[], sha: string): Promise<Map<string, string>>;
  /**
   * Per-file changes under `paths` from commit `from` to commit `to`, sorted by path. With
   * `withTexts`, a store may also return the texts of the changed files (see RawFileDiff).
   */
  diff(query: DiffQuery): Promise<RawFileDiff[]>;
  /**
   * Commits `changes` on top of `expectedHead` and moves the branch with compare-and-swap. Throws a
   * CONFLICT RewindError when the branch is no longer at `expectedHead` (or a push is rejected);
   * nothing is committed then. Returns the new commit's id.
   */
  commit(request: CommitRequest): Promise<string>;
  /**
   * Optional: commits on top of each other, the first on `expectedHead`, moving the branch once: all
   * land or none (a series of rollbacks of different targets, decision 049). Returns their ids in order.
   * Without it, core commits them one by one (core/commit-series.ts).
   */
  commitSeries?(expectedHead: string, commits: readonly Omit<CommitRequest, 'expectedHead'>[]): Promise<string[]>;
}

/** The two texts of one YAML file whose changed fields are wanted; null stands for an absent file. */
export interface FieldDiffPair {
  oldText: string | null;
  newText: string | null;
}

/**
 * Computes `diffYamlFieldsDetailed(oldText, newText)` for each pair, with its default options, and
 * answers the results in the order of `pairs`. The default runs them in-process; the real server runs
 * large ones in a worker thread so YAML parsing does not hold its event loop (docs/decisions/015).
 */
export type FieldDiffer = (pairs: readonly FieldDiffPair[]) => Promise<FieldDiffResult[]>;

export interface TargetCatalog {
  list(): Promise<TargetConfig[]>;
  get(tenant: string, environment: string): Promise<TargetConfig | null>;
}

/**
 * What the GitOps agent reports for one target. An adapter never fills in what the agent did not say:
 * unknown values are `unknown` / null, with `reason` saying why (docs/decisions/017).
 */
export interface TargetRuntimeStatus {
  source: ClusterSource;
  health: Health;
  sync: Sync;
  services: ServiceStatus[];
  /** The full commit id the agent last applied for the target, or null when unknown. */
  liveRevision: string | null;
  operation: ClusterOperation | null;
  /** ISO time of the agent's last readable report (kept while the agent is unreachable), or null. */
  observedAt: string | null;
  /** Why something here is unknown or stale; null when the report is complete and current. */
  reason: string | null;
  /** Outcomes the agent reported, newest first. */
  outcomes: RevisionOutcome[];
}

/** The answer to a sync / reconcile request: `accepted` false says why in `message`. */
export interface SyncRequestResult {
  accepted: boolean;
  message: string;
}

export interface ClusterStatus {
  readonly source: ClusterSource;
  /** How long a rollback may take to show up live and healthy before Rewind says it cannot confirm it. */
  readonly confirmWithinMs: number;
  status(target: TargetConfig, headSha: string | null): Promise<TargetRuntimeStatus>;
  /** Asks the agent to apply `revision` now (Argo CD sync, Flux reconcile); absent when it cannot. */
  requestSync?(target: TargetConfig, revision: string): Promise<SyncRequestResult>;
}

export interface UserDirectory {
  list(): Promise<User[]>;
  find(email: string): Promise<User | null>;
}

export interface Clock {
  now(): Date;
}

export interface IdGenerator {
  /** A new unique id with the given prefix, e.g. `rbk-` → `rbk-k3j2h1`. */
  next(prefix: string): string;
}

export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

export interface RequestFilter {
  /** Requests of this incident: its ID or its link, exactly (decision 033). */
  incident?: string;
  state?: RollbackRequest['state'];
  /** Only open requests: pending, approved or executing (core/request-lifecycle.ts OPEN_STATES). */
  open?: boolean;
  tenant?: string;
  environment?: string;
}

export interface AuditFilter {
  tenant?: string;
  environment?: string;
  type?: string;
  actor?: string;
  /** Only the events of this rollback request (exact match; decision 016). */
  requestId?: string;
  /** Events at or after this instant (ISO-8601 as `Date#toISOString` writes it; decision 037). */
  from?: string;
  /** Events at or before this instant (same form). */
  to?: string;
}

/**
 * Rollback requests, reviews, break-glass sessions, notes and the append-only audit trail.
 *
 * `transaction` runs its callback atomically and serialised: two transactions never interleave, and
 * when `work` throws nothing it wrote persists (the error is rethrown). Every multi-row change goes
 * through it. A transaction given a `TransactionScope` (decision 052) may write only the requests it
 * names and append audit events and notifications (anything else throws); it is serialised with every
 * transaction that writes one of its requests and with every unscoped one, and may run at the same
 * time as scoped ones on other requests. Audit events are still appended in commit order. Reads on the store itself see committed data only and do not wait for a running
 * transaction. Inside `work` use `tx`: the store's own reads there do not see the transaction's writes,
 * and a nested `transaction` would wait for the outer one forever (the SQL adapter throws instead).
 *
 * Lists are newest first with an opaque cursor (the last item of the previous page): pages never
 * overlap or skip, even when items are added between two calls. A malformed cursor throws
 * `badRequest('invalid cursor')`. Emails (break-glass users, audit actors, idempotency users) compare
 * case-insensitively. Objects returned are copies: changing them changes nothing stored.
 */
export interface RequestStore {
  transaction<T>(work: (tx: RequestStoreTx) => Promise<T>, scope?: TransactionScope): Promise<T>;
  getRequest(id: string): Promise<RollbackRequest | null>;
  /** Newest first: createdAt descending, then id descending. */
  listRequests(filter: RequestFilter, cursor: string | null, limit: number): Promise<Page<RollbackRequest>>;
  /** Newest first, in append order (not by `at`). */
  listAudit(filter: AuditFilter, cursor: string | null, limit: number): Promise<Page<AuditEvent>>;
  /** The user's session that is not closed and has `expiresAt > now`, or null. */
  activeBreakGlass(user: string, now: Date): Promise<BreakGlass | null>;
  /**
   * Sessions nobody closed whose `expiresAt <= now` (ran out, not yet recorded as ended), oldest
   * expiry first, at most `limit` (decision 046).
   */
  expiredBreakGlass(now: Date, limit: number): Promise<BreakGlass[]>;
  /** The notification outbox messages about this request, in order of creation (decision 038). */
  listNotifications(requestId: string): Promise<OutboxMessage[]>;
  /** The outbox backlog (decision 045): how many messages are pending, and when the oldest was created. */
  notificationBacklog(): Promise<OutboxBacklog>;
}

/** Whose break-glass session, at what time (`RequestStoreTx.activeBreakGlassOf`). */
export interface BreakGlassAsk {
  user: string;
  now: Date;
}

/**
 * The requests a transaction writes (decision 052): their rows, reviews and notes. It may read
 * anything and append audit events and outbox messages, nothing else (see core/transaction-scope.ts).
 */
export interface TransactionScope {
  readonly requests: readonly string[];
}

export interface RequestStoreTx {
  /** The request with its reviews (in order of creation) and notes (in order). */
  getRequest(id: string): Promise<RollbackRequest | null>;
  /** Stores a new request with the reviews and notes it carries. CONFLICT when the id exists. */
  insertRequest(request: RollbackRequest): Promise<void>;
  /**
   * Updates the request's own mutable fields: state, baseSha, diffHash, commitSha, error,
   * requiredApprovals, breakGlass, affectedServices (an absent commitSha/error clears it). Everything
   * else, reviews and notes included, is left as stored. NOT_FOUND when the request does not exist.
   */
  updateRequest(request: RollbackRequest): Promise<void>;
  /** Appends a review (NOT_FOUND for an unknown request). */
  addReview(requestId: string, review: Review): Promise<void>;
  /** Sets `stale: true` on every review the request has now (approvals dismissed). */
  markReviewsStale(requestId: string): Promise<void>;
  /** Appends a note (NOT_FOUND for an unknown request). */
  addNote(requestId: string, note: Note): Promise<void>;
  /** Appends to the audit trail, which has no update or delete. CONFLICT when the event id exists. */
  appendAudit(event: AuditEvent): Promise<void>;
  /** The request id saved for this user (case-insensitive) and key, or null. */
  findByIdempotencyKey(user: string, key: string): Promise<string | null>;
  /** CONFLICT when this user already saved this key. */
  saveIdempotencyKey(user: string, key: string, requestId: string): Promise<void>;
  /** Opens a session; a session the user still has open is closed at `session.openedAt` (replaced). */
  openBreakGlass(session: BreakGlass): Promise<void>;
  /** Closes the user's open session, if any, at `at` (kept, never deleted). */
  closeBreakGlass(user: string, at: Date): Promise<void>;
  /** As `RequestStore.activeBreakGlass`, seeing this transaction's writes. */
  activeBreakGlass(user: string, now: Date): Promise<BreakGlass | null>;
  /**
   * `activeBreakGlass` for each of `asked`, in order, in one read: a batch of reviews (decision 055)
   * asks it for all its reviewers at once instead of one round trip each.
   */
  activeBreakGlassOf(asked: readonly BreakGlassAsk[]): Promise<(BreakGlass | null)[]>;
  /**
   * Closes that session (same user and `openedAt`) at its `expiresAt` if it is still not closed: one
   * conditional update, so of several replicas observing the same expiry exactly one gets `true`.
   */
  closeExpiredBreakGlass(session: BreakGlass): Promise<boolean>;
  /**
   * Writes a message to the notification outbox, `pending` and due at once (decision 038): it leaves
   * only if this transaction commits. CONFLICT when the id exists (the id is the idempotency key).
   */
  enqueueNotification(message: NewOutboxMessage): Promise<void>;
  /**
   * Claims up to `limit` due messages (pending, `nextAttemptAt <= now`, no lease or an expired one),
   * oldest first, leasing them to `owner` until `now + leaseMs`: while the lease runs nobody else
   * claims them, and a sender that dies loses them to the next claim after the lease.
   */
  claimNotifications(claim: { owner: string; now: Date; leaseMs: number; limit: number }): Promise<OutboxMessage[]>;
  /**
   * Records an attempt of a message `owner` holds the lease of, and frees the lease. False (nothing
   * changed) when the message is unknown, no longer pending, or leased to someone else.
   */
  recordNotificationAttempt(id: string, owner: string, outcome: OutboxOutcome): Promise<boolean>;
  /**
   * Retention (decision 045): deletes up to `limit` delivered or failed messages whose last attempt
   * ended before `settledBefore`, oldest first, and returns how many. Pending messages are never
   * deleted; the audit trail keeps each outcome (`notification.delivered` / `notification.failed`).
   */
  pruneNotifications(settledBefore: Date, limit: number): Promise<number>;
}

/**
 * Serialises what must not interleave, in one process or across replicas (decision 027):
 *
 * - the **commit lock** of the branch, held from the plan check through commit (and push) to the
 *   recorded outcome: concurrent rollbacks never lose each other's compare-and-swap;
 * - the **execution lease** of a request, held by whoever runs it from the claim (`executing`) to the
 *   recorded outcome: crash reconciliation settles only requests whose lease is free, so it never
 *   fights a live replica executing the same request.
 *
 * In one process the default is in-memory; several replicas use PostgreSQL advisory locks, which the
 * database releases when a replica dies. Work inside a lease may take the commit lock (never the
 * other way round).
 */
export interface CommitLock {
  withCommitLock<T>(work: () => Promise<T>): Promise<T>;
  withExecutionLease<T>(requestId: string, work: () => Promise<T>): Promise<T>;
  /** Runs `work` under the lease only when nobody holds it now. */
  tryExecutionLease<T>(requestId: string, work: () => Promise<T>): Promise<{ acquired: true; value: T } | { acquired: false }>;
}

/**
 * Webhook deliveries already accepted (decision 037), kept in the request store's database so that a
 * restart does not reopen the replay window. Keys are opaque (the delivery's signature).
 */
export interface DeliveryLedger {
  /**
   * Records `key` until `expiresAt` and resolves true; resolves false, recording nothing, when the key
   * is recorded and not expired at `now`. Expired keys are forgotten on the way.
   */
  claimDelivery(key: string, now: Date, expiresAt: Date): Promise<boolean>;
}
