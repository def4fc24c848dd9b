/**
 * The seams between the domain and storage. The API layer is built only from these, so the MSW mock
 * (in-memory adapters, in the browser) and the real server (git CLI + SQL) run the same rules.
 */
import type { TargetConfig } from './target-config.ts';
import type {
  AuditEvent,
  BreakGlass,
  Health,
  Note,
  Review,
  RollbackRequest,
  ServiceStatus,
  Sync,
  User,
} from './schemas.ts';

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
  limit: number;
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
}

export interface TargetCatalog {
  list(): Promise<TargetConfig[]>;
  get(tenant: string, environment: string): Promise<TargetConfig | null>;
}

export interface TargetRuntimeStatus {
  health: Health;
  sync: Sync;
  services: ServiceStatus[];
}

export interface ClusterStatus {
  status(target: TargetConfig, headSha: string | null): Promise<TargetRuntimeStatus>;
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
  state?: RollbackRequest['state'];
  tenant?: string;
  environment?: string;
}

export interface AuditFilter {
  tenant?: string;
  environment?: string;
  type?: string;
  actor?: string;
}

/**
 * Rollback requests, reviews, break-glass sessions, notes and the append-only audit trail.
 * `transaction` runs its callback atomically: every multi-row change goes through it.
 */
export interface RequestStore {
  transaction<T>(work: (tx: RequestStoreTx) => Promise<T>): Promise<T>;
  getRequest(id: string): Promise<RollbackRequest | null>;
  listRequests(filter: RequestFilter, cursor: string | null, limit: number): Promise<Page<RollbackRequest>>;
  listAudit(filter: AuditFilter, cursor: string | null, limit: number): Promise<Page<AuditEvent>>;
  activeBreakGlass(user: string, now: Date): Promise<BreakGlass | null>;
}

export interface RequestStoreTx {
  getRequest(id: string): Promise<RollbackRequest | null>;
  insertRequest(request: RollbackRequest): Promise<void>;
  updateRequest(request: RollbackRequest): Promise<void>;
  addReview(requestId: string, review: Review): Promise<void>;
  addNote(requestId: string, note: Note): Promise<void>;
  appendAudit(event: AuditEvent): Promise<void>;
  findByIdempotencyKey(user: string, key: string): Promise<string | null>;
  saveIdempotencyKey(user: string, key: string, requestId: string): Promise<void>;
  openBreakGlass(session: BreakGlass): Promise<void>;
  closeBreakGlass(user: string, at: Date): Promise<void>;
}
