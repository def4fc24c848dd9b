/**
 * A fake Argo CD API server for tests and e2e: a real HTTP server answering `GET
 * /api/v1/applications/{name}` and `POST .../{name}/sync` with the recorded shapes in
 * tests/fixtures/argocd/, plus faults on demand (401, 403, 500, a hang, malformed JSON, a wrong shape).
 */
import { readFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createTlsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';

const FIXTURES = fileURLToPath(new URL('../fixtures/argocd/', import.meta.url));
const fixture = (name: string) => readFileSync(`${FIXTURES}${name}`, 'utf8');

export interface ApplicationState {
  live: string;
  previous?: string;
  health?: 'Healthy' | 'Progressing' | 'Degraded' | 'Suspended' | 'Missing' | 'Unknown';
  sync?: 'Synced' | 'OutOfSync' | 'Unknown';
  /** The last operation; defaults to a successful sync of `live`. */
  operation?: { phase: 'Running' | 'Succeeded' | 'Failed' | 'Error'; revision: string; message?: string };
  /** The revision Argo CD compared against (defaults to `live`). */
  compared?: string;
}

/** The recorded Application, with this state's revisions, health, sync and operation. */
export function applicationJson(name: string, state: ApplicationState): Record<string, unknown> {
  const text = fixture('application.json')
    .replaceAll('LIVE_SHA', state.live)
    .replaceAll('PREVIOUS_SHA', state.previous ?? state.live)
    .replaceAll('"acme-production"', JSON.stringify(name));
  interface RecordedApp {
    metadata: { name: string };
    status: {
      health: { status: string };
      sync: { status: string; revision: string };
      operationState: { phase: string; message: string; finishedAt?: string; syncResult: { revision: string }; operation: { sync: { revision: string } } };
    };
  }
  const app = JSON.parse(text) as RecordedApp;
  app.metadata.name = name;
  const status = app.status;
  status.health.status = state.health ?? 'Healthy';
  status.sync.status = state.sync ?? 'Synced';
  status.sync.revision = state.compared ?? state.live;
  if (state.operation) {
    status.operationState.phase = state.operation.phase;
    status.operationState.message = state.operation.message ?? '';
    status.operationState.syncResult.revision = state.operation.revision;
    status.operationState.operation.sync.revision = state.operation.revision;
    if (state.operation.phase === 'Running') delete status.operationState.finishedAt;
  }
  return app as unknown as Record<string, unknown>;
}

export type Fault = null | 401 | 403 | 500 | 'hang' | 'malformed' | 'shape';

export interface RecordedCall {
  method: string;
  path: string;
  authorization: string | undefined;
  body: unknown;
}

export class FakeArgoCd {
  readonly apps = new Map<string, ApplicationState>();
  /** The state of an Application not in `apps` (null: 404 as Argo CD answers). */
  fallback: ((name: string) => ApplicationState | null) | null = null;
  fault: Fault = null;
  token = 'test-token';
  /** Answer latency of every call (the bench's "agent answering in 50 ms"). */
  delayMs = 0;
  readonly calls: RecordedCall[] = [];
  private server: Server | null = null;
  private port = 0;
  private readonly hung = new Set<ServerResponse>();

  /** With a key and certificate, the fake serves HTTPS (a private CA's certificate, for `caFile`). */
  constructor(private readonly tls?: { key: Buffer; cert: Buffer }) {}

  get url(): string {
    return `${this.tls ? 'https' : 'http'}://127.0.0.1:${this.port}`;
  }

  /** Calls to one Application's status (what pollers cost the agent). */
  reads(name?: string): number {
    return this.calls.filter((c) => c.method === 'GET' && (!name || c.path.endsWith(`/${name}`))).length;
  }

  async start(port = this.port): Promise<string> {
    const handler = (req: IncomingMessage, res: ServerResponse) => void this.handle(req, res);
    const server: Server = this.tls ? createTlsServer({ key: this.tls.key, cert: this.tls.cert }, handler) : createServer(handler);
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, '127.0.0.1', () => resolve());
    });
    this.server = server;
    this.port = (server.address() as AddressInfo).port;
    return this.url;
  }

  async stop(): Promise<void> {
    for (const res of this.hung) res.destroy();
    this.hung.clear();
    const server = this.server;
    this.server = null;
    if (!server) return;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const text = Buffer.concat(chunks).toString('utf8');
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    this.calls.push({ method: req.method ?? 'GET', path, authorization: req.headers.authorization, body: text ? (JSON.parse(text) as unknown) : null });
    if (this.delayMs > 0) await new Promise((resolve) => setTimeout(resolve, this.delayMs));
    const send = (status: number, body: string) => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(body);
    };
    if (this.fault === 'hang') {
      this.hung.add(res);
      return;
    }
    if (req.headers.authorization !== `Bearer ${this.token}` || this.fault === 401) return send(401, fixture('unauthenticated.json'));
    if (this.fault === 403) return send(403, fixture('permission-denied.json'));
    if (this.fault === 500) return send(500, '{"error":"rpc error: code = Unavailable","code":14,"message":"rpc error: code = Unavailable"}');
    const match = /^\/api\/v1\/applications\/([^/]+)(\/sync)?$/.exec(path);
    if (!match) return send(404, '{"error":"Not Found","code":5,"message":"Not Found"}');
    const name = decodeURIComponent(match[1]!);
    const state = this.apps.get(name) ?? this.fallback?.(name) ?? undefined;
    if (!state) return send(404, fixture('not-found.json').replaceAll('APP_NAME', name));
    if (this.fault === 'malformed') return send(200, '{"metadata": {"name": ');
    if (this.fault === 'shape') return send(200, JSON.stringify({ metadata: { name }, status: { sync: { status: 42 } } }));
    if (match[2] && req.method === 'POST') return send(200, JSON.stringify(applicationJson(name, state)));
    if (req.method !== 'GET') return send(405, '{"error":"method not allowed"}');
    send(200, JSON.stringify(applicationJson(name, state)));
  }
}
