import type {
  AuditEvent,
  BreakGlass,
  CreateRollbackBody,
  CompareFields,
  Diff,
  FieldSelection,
  HistoryResponse,
  MeResponse,
  RequestState,
  RevisionSource,
  RevisionStatus,
  RollbackDetail,
  RollbackList,
  RollbackMode,
  RollbackPreview,
  RollbackRequest,
  RevisionDetail,
  IncidentReportResponse,
  NotificationDelivery,
  Target,
  User,
} from '#core/schemas.ts';
import type { AuditFilter } from '#core/ports.ts';

export interface HistoryParams {
  limit?: number;
  cursor?: string;
  service?: string;
  source?: RevisionSource;
  status?: RevisionStatus;
  q?: string;
}

export interface RollbackPreviewBody {
  mode: RollbackMode;
  targetSha: string;
  service?: string;
  fields?: FieldSelection[];
}

export interface AuditPage {
  events: AuditEvent[];
  nextCursor: string | null;
}

export type ReviewDecision = 'approve' | 'reject';

export interface RollbackListParams {
  state?: RequestState;
  /** Only open requests: pending, approved, executing (extension, decision 039). */
  open?: boolean;
  /** Requests of one incident, by its ID or link (extension, decision 033). */
  incident?: string;
  tenant?: string;
  environment?: string;
  cursor?: string;
  limit?: number;
}

export interface CompareParams {
  file?: string;
  context?: number;
}

/** Everything the SPA asks of the backend. Every method rejects with ApiError. */
export interface BackendAdapter {
  me(signal?: AbortSignal): Promise<MeResponse>;
  users(signal?: AbortSignal): Promise<User[]>;
  /** Names for emails (decision 043). */
  people(signal?: AbortSignal): Promise<{ email: string; name: string }[]>;
  targets(signal?: AbortSignal): Promise<Target[]>;
  target(tenant: string, environment: string, signal?: AbortSignal): Promise<Target>;
  history(
    tenant: string,
    environment: string,
    query: HistoryParams,
    signal?: AbortSignal,
  ): Promise<HistoryResponse>;
  /**
   * `to` is a sha or `head`. `options.file` narrows to one file, `options.context` sets the lines of
   * context in the patches (extensions, docs/decisions/014).
   */
  compare(tenant: string, environment: string, from: string, to: string, signal?: AbortSignal, options?: CompareParams): Promise<Diff>;
  /** The field changes a compare left `deferred` (extension, docs/decisions/014). */
  compareFields(tenant: string, environment: string, from: string, to: string, signal?: AbortSignal): Promise<CompareFields>;
  /** The post-incident report of an incident (its ID or link) or of one request (extension, decision 033). */
  incidentReport(subject: { incident: string } | { request: string }, signal?: AbortSignal): Promise<IncidentReportResponse>;
  /** One revision in full (extension, decision 031). */
  revision(tenant: string, environment: string, sha: string, signal?: AbortSignal): Promise<RevisionDetail>;
  previewRollback(
    tenant: string,
    environment: string,
    body: RollbackPreviewBody,
    signal?: AbortSignal,
  ): Promise<RollbackPreview>;
  /**
   * The caller makes one `idempotencyKey` per submit attempt and passes the same key again when it
   * retries that attempt, so a retried submit returns the first request instead of creating a second.
   */
  createRollback(body: CreateRollbackBody, options: { idempotencyKey: string }): Promise<RollbackRequest>;
  getRollback(id: string, signal?: AbortSignal): Promise<RollbackDetail>;
  /** Where each notification about the request stands, per channel (decision 038). */
  rollbackNotifications(id: string, signal?: AbortSignal): Promise<NotificationDelivery[]>;
  listRollbacks(query: RollbackListParams, signal?: AbortSignal): Promise<RollbackList>;
  executeRollback(id: string): Promise<RollbackRequest>;
  /** Reaching the quorum executes the rollback within the call: the answer may be `completed`. */
  reviewRollback(id: string, decision: ReviewDecision, comment?: string): Promise<RollbackRequest>;
  addNote(id: string, text: string): Promise<RollbackRequest>;
  /** The requester or an admin ends a pending or approved request (decision 039). */
  withdrawRollback(id: string, reason?: string): Promise<RollbackRequest>;
  /** The requester accepts the plan as it is on the current head (decision 039). */
  confirmRollbackPlan(id: string): Promise<RollbackRequest>;
  /** Newest first; `cursor` null for the first page. */
  listAudit(filter: AuditFilter, cursor: string | null, options?: { limit?: number; signal?: AbortSignal }): Promise<AuditPage>;
  openBreakGlass(justification: string, minutes: number): Promise<BreakGlass>;
  closeBreakGlass(): Promise<void>;
}
