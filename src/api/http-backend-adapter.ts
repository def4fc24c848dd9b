import type { z } from 'zod';
import type * as Schemas from '#core/schemas.ts';
import { ApiError } from './api-error.ts';
import type { CreateRollbackBody } from '#core/schemas.ts';
import type { AuditFilter } from '#core/ports.ts';
import type {
  BackendAdapter,
  CompareParams,
  HistoryParams,
  ReviewDecision,
  RollbackListParams,
  RollbackPreviewBody,
} from './backend-adapter.ts';

type SchemaModule = typeof Schemas;

/**
 * zod and the schemas are a third of the first-visit JavaScript. They load as their own chunk, started
 * when the adapter is created, so they download in parallel with the first requests instead of
 * delaying the first paint.
 */
let schemaModule: Promise<SchemaModule> | undefined;
const loadSchemas = () => (schemaModule ??= import('#core/schemas.ts'));

export interface HttpBackendAdapterOptions {
  /** Origin the `/api` paths resolve against; defaults to the page's own origin. */
  origin?: string;
  /**
   * The user switcher's choice, read on every request so a switch applies to the very next call. Sent
   * as X-Forwarded-Email only to a server whose `/api/me` says it is in demo mode: behind a proxy the
   * SPA never sends an identity of its own (issue 11).
   */
  getUserEmail?: () => string | null;
  fetch?: typeof fetch;
}

export class HttpBackendAdapter implements BackendAdapter {
  private readonly options: HttpBackendAdapterOptions;
  /** How the server identifies callers, from the first `/api/me`; undefined until known. */
  private identityMode: 'demo' | 'proxy' | undefined;
  /** That first `/api/me`, awaited by the requests sent meanwhile. */
  private identityCheck: Promise<void> | undefined;

  constructor(options: HttpBackendAdapterOptions = {}) {
    this.options = options;
    void loadSchemas();
  }

  async me(signal?: AbortSignal) {
    const known = this.identityMode !== undefined;
    const me = await this.get('/api/me', (s) => s.meResponseSchema, signal);
    // A server that does not say is treated as a proxy: no identity is sent (fails closed).
    this.identityMode = me.identityMode ?? 'proxy';
    // The first answer came before demo mode was known, so without the switcher's choice: ask as that user.
    if (!known && this.identityMode === 'demo' && this.options.getUserEmail?.()) return this.get('/api/me', (s) => s.meResponseSchema, signal);
    return me;
  }

  async users(signal?: AbortSignal) {
    return (await this.get('/api/users', (s) => s.usersResponseSchema, signal)).users;
  }

  async people(signal?: AbortSignal) {
    return (await this.get('/api/people', (s) => s.peopleResponseSchema, signal)).people;
  }

  async targets(signal?: AbortSignal) {
    return (await this.get('/api/targets', (s) => s.targetsResponseSchema, signal)).targets;
  }

  async target(tenant: string, environment: string, signal?: AbortSignal) {
    return (await this.get(targetPath(tenant, environment), (s) => s.targetResponseSchema, signal)).target;
  }

  async history(tenant: string, environment: string, query: HistoryParams, signal?: AbortSignal) {
    const path = `${targetPath(tenant, environment)}/history${searchOf(query)}`;
    return this.get(path, (s) => s.historyResponseSchema, signal);
  }

  async compare(tenant: string, environment: string, from: string, to: string, signal?: AbortSignal, options: CompareParams = {}) {
    const path = `${targetPath(tenant, environment)}/compare${searchOf({ from, to, ...options })}`;
    return this.get(path, (s) => s.diffSchema, signal);
  }

  async compareFields(tenant: string, environment: string, from: string, to: string, signal?: AbortSignal) {
    const path = `${targetPath(tenant, environment)}/compare/fields${searchOf({ from, to })}`;
    return this.get(path, (s) => s.compareFieldsSchema, signal);
  }

  async incidentReport(subject: { incident: string } | { request: string }, signal?: AbortSignal) {
    return this.get(`/api/incident-report${searchOf(subject)}`, (s) => s.incidentReportResponseSchema, signal);
  }

  async revision(tenant: string, environment: string, sha: string, signal?: AbortSignal) {
    const path = `${targetPath(tenant, environment)}/revisions/${encodeURIComponent(sha)}`;
    return this.get(path, (s) => s.revisionDetailSchema, signal);
  }

  async previewRollback(tenant: string, environment: string, body: RollbackPreviewBody, signal?: AbortSignal) {
    const path = `${targetPath(tenant, environment)}/rollback-preview`;
    return this.post(path, body, (s) => s.rollbackPreviewSchema, { signal });
  }

  async createRollback(body: CreateRollbackBody, options: { idempotencyKey: string }) {
    const headers = { 'Idempotency-Key': options.idempotencyKey };
    return (await this.post('/api/rollbacks', body, (s) => s.rollbackRequestResponseSchema, { headers })).request;
  }

  async getRollback(id: string, signal?: AbortSignal) {
    return this.get(`/api/rollbacks/${encodeURIComponent(id)}`, (s) => s.rollbackDetailResponseSchema, signal);
  }

  async rollbackNotifications(id: string, signal?: AbortSignal) {
    return (await this.get(`/api/rollbacks/${encodeURIComponent(id)}/notifications`, (s) => s.notificationsResponseSchema, signal)).notifications;
  }

  async listRollbacks(query: RollbackListParams, signal?: AbortSignal) {
    return this.get(`/api/rollbacks${searchOf(query)}`, (s) => s.rollbackListResponseSchema, signal);
  }

  async executeRollback(id: string) {
    const path = `/api/rollbacks/${encodeURIComponent(id)}/execute`;
    return (await this.post(path, {}, (s) => s.rollbackRequestResponseSchema)).request;
  }

  async withdrawRollback(id: string, reason?: string) {
    const path = `/api/rollbacks/${encodeURIComponent(id)}/withdraw`;
    return (await this.post(path, reason ? { reason } : {}, (s) => s.rollbackRequestResponseSchema)).request;
  }

  async confirmRollbackPlan(id: string) {
    const path = `/api/rollbacks/${encodeURIComponent(id)}/confirm-plan`;
    return (await this.post(path, {}, (s) => s.rollbackRequestResponseSchema)).request;
  }

  async reviewRollback(id: string, decision: ReviewDecision, comment?: string) {
    const path = `/api/rollbacks/${encodeURIComponent(id)}/reviews`;
    const body = comment ? { decision, comment } : { decision };
    // The approval that reaches the quorum is answered `executing` at once (202); the request page
    // follows the commit through live updates (decision 049).
    return (await this.post(path, body, (s) => s.rollbackRequestResponseSchema, { headers: { Prefer: 'respond-async' } })).request;
  }

  async addNote(id: string, text: string) {
    const path = `/api/rollbacks/${encodeURIComponent(id)}/notes`;
    return (await this.post(path, { text }, (s) => s.rollbackRequestResponseSchema)).request;
  }

  async listAudit(filter: AuditFilter, cursor: string | null, options: { limit?: number; signal?: AbortSignal } = {}) {
    const query = { ...filter, cursor: cursor ?? undefined, limit: options.limit };
    return this.get(`/api/audit${searchOf(query)}`, (s) => s.auditResponseSchema, options.signal);
  }

  async openBreakGlass(justification: string, minutes: number) {
    const response = await this.post(
      '/api/break-glass',
      { justification, minutes },
      // `{ breakGlass }`, never null here: the session just opened.
      (s) => s.meResponseSchema.pick({ breakGlass: true }).extend({ breakGlass: s.breakGlassSchema }),
    );
    return response.breakGlass;
  }

  async closeBreakGlass() {
    const response = await this.send('/api/break-glass', { method: 'DELETE' });
    if (response.ok) return;
    const body = await readJson(response, '/api/break-glass');
    throw toHttpError(await loadSchemas(), response, body);
  }

  private async get<T>(
    path: string,
    pickSchema: (schemas: SchemaModule) => z.ZodType<T>,
    signal?: AbortSignal,
  ): Promise<T> {
    return this.request(path, { method: 'GET', signal }, pickSchema);
  }

  private async post<T>(
    path: string,
    body: unknown,
    pickSchema: (schemas: SchemaModule) => z.ZodType<T>,
    options: { signal?: AbortSignal; headers?: Record<string, string> } = {},
  ): Promise<T> {
    const headers = { ...options.headers, 'Content-Type': 'application/json' };
    return this.request(path, { method: 'POST', body: JSON.stringify(body), headers, signal: options.signal }, pickSchema);
  }

  private async request<T>(path: string, init: RequestInit, pickSchema: (schemas: SchemaModule) => z.ZodType<T>): Promise<T> {
    const response = await this.send(path, init);
    const body = await readJson(response, path);
    const schemas = await loadSchemas();
    if (!response.ok) throw toHttpError(schemas, response, body);
    const parsed = pickSchema(schemas).safeParse(body);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      const where = issue && issue.path.length > 0 ? ` at ${issue.path.join('.')}` : '';
      throw new ApiError(
        response.status,
        'INVALID_RESPONSE',
        `The server sent an unexpected response for ${path}${where}: ${issue?.message ?? 'invalid shape'}`,
        { cause: parsed.error },
      );
    }
    return parsed.data;
  }

  /** The switcher's choice, once the server said it is in demo mode; otherwise nothing. */
  private async identityFor(path: string): Promise<string | null> {
    // Nothing chosen, nothing to send: no need to wait for the mode.
    if (!this.options.getUserEmail?.()) return null;
    if (this.identityMode === undefined && path !== '/api/me') {
      this.identityCheck ??= this.me().then(
        () => undefined,
        () => {
          // Unknown still: the next request asks again; this one goes without an identity.
          this.identityCheck = undefined;
        },
      );
      await this.identityCheck;
    }
    return this.identityMode === 'demo' ? (this.options.getUserEmail?.() ?? null) : null;
  }

  private async send(path: string, init: RequestInit): Promise<Response> {
    const origin = this.options.origin ?? window.location.origin;
    const headers = new Headers(init.headers);
    headers.set('Accept', 'application/json');
    const email = await this.identityFor(path);
    if (email) headers.set('X-Forwarded-Email', email);
    // Resolved per call: test setups patch the global fetch after this module has loaded.
    const doFetch = this.options.fetch ?? globalThis.fetch;
    try {
      return await doFetch(new URL(path, origin), { ...init, headers });
    } catch (error) {
      // A cancelled query is not a failure to report; React Query recognises the AbortError itself.
      if (init.signal?.aborted) throw error;
      throw new ApiError(0, 'NETWORK', 'Could not reach the Rewind server. Check your connection and retry.', {
        cause: error,
      });
    }
  }
}

function targetPath(tenant: string, environment: string): string {
  return `/api/targets/${encodeURIComponent(tenant)}/${encodeURIComponent(environment)}`;
}

/** Query parameters without the empty ones: API.md treats an empty parameter as an absent one anyway. */
function searchOf(query: object): string {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) {
    if (value !== undefined && value !== null && value !== '') params.set(key, String(value));
  }
  return params.size > 0 ? `?${params.toString()}` : '';
}

async function readJson(response: Response, path: string): Promise<unknown> {
  const text = await response.text();
  if (text === '') return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    if (!response.ok) return undefined;
    throw new ApiError(response.status, 'INVALID_RESPONSE', `The server sent a response for ${path} that is not JSON`, {
      cause: error,
    });
  }
}

function toHttpError(schemas: SchemaModule, response: Response, body: unknown): ApiError {
  const parsed = schemas.errorBodySchema.safeParse(body);
  if (parsed.success) {
    const { code, message, field, rule, file } = parsed.data.error;
    return new ApiError(response.status, code, message, { field, rule, file });
  }
  // Proxies and gateways answer with HTML or nothing; still say what happened.
  const reason = response.statusText ? ` ${response.statusText}` : '';
  return new ApiError(response.status, 'HTTP_ERROR', `The server answered ${response.status}${reason}`);
}
