/**
 * What the API's routes are built from. Its own module so that app.ts (which composes the routes) and
 * the *-routes.ts files (which need these types) never import each other.
 */
import type { ApprovalService } from '#core/approval-service.ts';
import type { EventBus } from '#core/events.ts';
import type { RollbackComputer } from '#core/rollback-compute.ts';
import type { RollbackHooks, RollbackService } from '#core/rollback-service.ts';
import type {
  Clock,
  ClusterStatus,
  CommitLock,
  FieldDiffer,
  IdGenerator,
  RequestStore,
  RevisionStore,
  TargetCatalog,
  UserDirectory,
} from '#core/ports.ts';
import type { Logger } from './http-errors.ts';
import type { ApiVariables, IdentityOptions } from './identity.ts';

export interface ApiDeps {
  revisions: RevisionStore;
  catalog: TargetCatalog;
  cluster: ClusterStatus;
  users: UserDirectory;
  clock: Clock;
  ids: IdGenerator;
  requests?: RequestStore;
  /** Live updates for `/api/events`; one is made when none is given. */
  events?: EventBus;
  /**
   * Computes the field changes of compares (`compareRevisions`, `compareFields`); in-process when
   * absent. The real server passes one that parses large YAML in a worker thread (decision 015).
   */
  fieldDiffer?: FieldDiffer;
  /**
   * Plans rollbacks and computes their previews (parsing YAML); in-process when absent. The real server
   * passes one that runs them in a worker thread with a time budget (decision 021).
   */
  rollbackComputer?: RollbackComputer;
  /** Commit lock and execution leases shared by replicas (decision 027); in-process when absent. */
  commitLock?: CommitLock;
  /** Test seams of rollback execution (the crash-safety test); never set in normal use. */
  rollbackHooks?: RollbackHooks;
  identity: IdentityOptions;
  /** Largest accepted request body; justifications are ≤ 4,000 chars, so 64 KiB is generous. */
  maxBodyBytes?: number;
  log?: Logger;
}

export type ApiEnv = { Variables: ApiVariables };

/** The services of a backend with a request store, built once per app and shared by every route. */
export interface ApiServices {
  rollbacks: RollbackService;
  approvals: ApprovalService;
  requests: RequestStore;
}

/** What every route registrar receives: the deps, the app's one event bus, and its services. */
export type RouteDeps = ApiDeps & {
  events: EventBus;
  /** Null when the backend has no request store: the request endpoints answer 404 then. */
  services: ApiServices | null;
};
