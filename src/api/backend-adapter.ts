import type {
  HistoryResponse,
  MeResponse,
  RevisionSource,
  RevisionStatus,
  Target,
  User,
} from '../../core/schemas.ts';

export interface HistoryParams {
  limit?: number;
  cursor?: string;
  service?: string;
  source?: RevisionSource;
  status?: RevisionStatus;
  q?: string;
}

/** Everything the SPA asks of the backend. Every method rejects with ApiError. */
export interface BackendAdapter {
  me(signal?: AbortSignal): Promise<MeResponse>;
  users(signal?: AbortSignal): Promise<User[]>;
  targets(signal?: AbortSignal): Promise<Target[]>;
  target(tenant: string, environment: string, signal?: AbortSignal): Promise<Target>;
  history(
    tenant: string,
    environment: string,
    query: HistoryParams,
    signal?: AbortSignal,
  ): Promise<HistoryResponse>;
}
