/**
 * A fake Kubernetes API server serving Flux Kustomizations for tests: `GET` and merge-`PATCH` of
 * `/apis/kustomize.toolkit.fluxcd.io/v1/namespaces/{ns}/kustomizations/{name}`, with the recorded shape
 * in tests/fixtures/flux/, a Kubernetes `Status` body on errors, and faults on demand.
 */
import { readFileSync } from 'node:fs';
import { createServer, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';

const FIXTURE = fileURLToPath(new URL('../fixtures/flux/kustomization.json', import.meta.url));
const HELM_FIXTURE = fileURLToPath(new URL('../fixtures/flux/helmrelease.json', import.meta.url));

/** A HelmRelease (helm.toolkit.fluxcd.io/v2): its newest Helm release snapshot and Ready condition. */
export interface HelmReleaseState {
  chartVersion: string;
  snapshot: 'deployed' | 'failed' | 'superseded';
  ready: 'True' | 'False' | 'Unknown';
  reason?: string;
  message?: string;
}

export function helmReleaseJson(name: string, state: HelmReleaseState): Record<string, unknown> {
  const text = readFileSync(HELM_FIXTURE, 'utf8').replaceAll('CHART_VERSION', state.chartVersion).replaceAll('SNAPSHOT_STATUS', state.snapshot);
  const object = JSON.parse(text) as { metadata: { name: string }; status: { conditions: Condition[] } };
  object.metadata.name = name;
  const ready = object.status.conditions[0]!;
  ready.status = state.ready;
  if (state.reason) ready.reason = state.reason;
  if (state.message) ready.message = state.message;
  return object as unknown as Record<string, unknown>;
}

export interface KustomizationState {
  applied: string;
  attempted?: string;
  ready: 'True' | 'False' | 'Unknown';
  reason?: string;
  message?: string;
}

interface Condition { type: string; status: string; reason: string; message: string }

export function kustomizationJson(name: string, state: KustomizationState): Record<string, unknown> {
  const text = readFileSync(FIXTURE, 'utf8').replaceAll('LIVE_SHA', state.applied).replaceAll('ATTEMPTED_SHA', state.attempted ?? state.applied);
  const object = JSON.parse(text) as { metadata: { name: string }; status: { conditions: Condition[] } };
  object.metadata.name = name;
  const ready = object.status.conditions[0]!;
  ready.status = state.ready;
  if (state.reason) ready.reason = state.reason;
  if (state.message) ready.message = state.message;
  return object as unknown as Record<string, unknown>;
}

const status = (code: number, reason: string, message: string) =>
  JSON.stringify({ kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message, reason, code });

export class FakeKubernetes {
  readonly objects = new Map<string, KustomizationState>();
  readonly helmReleases = new Map<string, HelmReleaseState>();
  /** Bearer tokens seen, in order (a rotated service-account token shows here). */
  readonly tokens: string[] = [];
  readonly patches: { name: string; contentType: string | undefined; body: unknown }[] = [];
  fault: null | 401 | 403 | 500 | 'hang' | 'malformed' | 'shape' = null;
  token = 'sa-token';
  private server: Server | null = null;
  private readonly hung = new Set<ServerResponse>();
  private port = 0;

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  async start(): Promise<string> {
    const server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const send = (code: number, body: string) => {
          res.writeHead(code, { 'content-type': 'application/json' });
          res.end(body);
        };
        if (this.fault === 'hang') return void this.hung.add(res);
        this.tokens.push((req.headers.authorization ?? '').replace(/^Bearer /, ''));
        if (req.headers.authorization !== `Bearer ${this.token}` || this.fault === 401) return send(401, status(401, 'Unauthorized', 'Unauthorized'));
        const path = new URL(req.url ?? '/', 'http://x').pathname;
        const helm = /^\/apis\/helm\.toolkit\.fluxcd\.io\/v2\/namespaces\/([^/]+)\/helmreleases\/([^/]+)$/.exec(path);
        if (helm) {
          const name = decodeURIComponent(helm[2]!);
          const state = this.helmReleases.get(name);
          if (!state || helm[1] !== 'flux-system') return send(404, status(404, 'NotFound', `helmreleases.helm.toolkit.fluxcd.io "${name}" not found`));
          if (req.method === 'PATCH') this.patches.push({ name, contentType: req.headers['content-type'], body: JSON.parse(Buffer.concat(chunks).toString('utf8')) as unknown });
          return send(200, JSON.stringify(helmReleaseJson(name, state)));
        }
        const match = /^\/apis\/kustomize\.toolkit\.fluxcd\.io\/v1\/namespaces\/([^/]+)\/kustomizations\/([^/]+)$/.exec(path);
        if (!match) return send(404, status(404, 'NotFound', 'the server could not find the requested resource'));
        const name = decodeURIComponent(match[2]!);
        if (this.fault === 403) return send(403, status(403, 'Forbidden', `kustomizations.kustomize.toolkit.fluxcd.io "${name}" is forbidden: User "system:serviceaccount:rewind:rewind" cannot get resource "kustomizations"`));
        const state = this.objects.get(name);
        if (!state || match[1] !== 'flux-system') return send(404, status(404, 'NotFound', `kustomizations.kustomize.toolkit.fluxcd.io "${name}" not found`));
        if (this.fault === 'malformed') return send(200, '{"kind":');
        if (this.fault === 500) return send(500, status(500, 'InternalError', 'Internal error occurred: etcdserver: request timed out'));
        if (this.fault === 'shape') return send(200, JSON.stringify({ ...kustomizationJson(name, state), status: { conditions: 'Ready' } }));
        if (req.method === 'PATCH') this.patches.push({ name, contentType: req.headers['content-type'], body: JSON.parse(Buffer.concat(chunks).toString('utf8')) as unknown });
        send(200, JSON.stringify(kustomizationJson(name, state)));
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
    this.server = server;
    this.port = (server.address() as AddressInfo).port;
    return this.url;
  }

  async stop(): Promise<void> {
    for (const res of this.hung) res.destroy();
    const server = this.server;
    this.server = null;
    if (!server) return;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}
