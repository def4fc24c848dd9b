/**
 * The OpenAPI document against the routes really registered (decision 034), both ways: every route
 * the API app or the Node server serves is documented, and every documented operation is served, by
 * the app its `servedBy` names. A new route without its registry entry fails here with its name.
 */
import { InMemoryRequestStore } from '#in-memory/in-memory-request-store.ts';
import { describe, expect, it } from 'vitest';
import { createMockBackend } from '#mocks/backend.ts';
import { OPERATIONS, openApiDocument, openApiPath } from '#server/api/openapi/document.ts';
import type { ServedBy } from '#server/api/openapi/operation.ts';
import { createWebhookApp } from '#server/cluster/webhooks.ts';
import { createServerApp } from './http-server.ts';

interface RouterRoute {
  method: string;
  path: string;
}

/**
 * `METHOD /openapi/path` of each route. Hono lists middleware (`use`) and forwards as `ALL` routes on
 * wildcard paths: the API app's `/api/*` checks, the server's forward of `/api/*` to the API app and
 * of `/api/hooks/*` to the webhook app (whose own routes are counted), and the SPA's static files and
 * deep links. Those are not operations. An `ALL` route on an exact path would be one for every
 * method: it is kept, and fails until each method is documented.
 */
function operationsOf(routes: readonly RouterRoute[]): string[] {
  return routes.filter((route) => !route.path.includes('*')).map((route) => `${route.method} ${openApiPath(route.path)}`);
}

function documented(servedBy: ServedBy): string[] {
  return OPERATIONS.filter((operation) => operation.servedBy === servedBy).map((operation) => `${operation.method.toUpperCase()} ${operation.path}`);
}

/** The two differences, named: a failure lists what to add to the registry or to remove from it. */
function differences(served: string[], declared: string[]) {
  return {
    servedButNotDocumented: [...new Set(served)].filter((op) => !declared.includes(op)).sort(),
    documentedButNotServed: declared.filter((op) => !served.includes(op)).sort(),
  };
}

describe('the OpenAPI document covers the routes (decision 034)', () => {
  it('documents every route of the API app, and documents none it does not serve', () => {
    const app = createMockBackend().app;
    expect(differences(operationsOf(app.routes), documented('api'))).toEqual({ servedButNotDocumented: [], documentedButNotServed: [] });
  });

  it("documents every route of the Node server outside the API app (operations, agent webhooks), and none it does not serve", () => {
    const hooks = createWebhookApp({ secret: 'test-secret', record: () => {}, now: () => new Date(), ledger: new InMemoryRequestStore() });
    const server = createServerApp({ api: { fetch: () => new Response(null, { status: 404 }) }, log: () => {}, hooks });
    const served = [...operationsOf(server.routes), ...operationsOf(hooks.routes)];
    expect(differences(served, documented('server'))).toEqual({ servedButNotDocumented: [], documentedButNotServed: [] });
  });

  it('reports a route missing from the registry, and a documented route nobody serves', () => {
    expect(differences(['GET /api/me', 'POST /api/new-thing'], ['GET /api/me', 'GET /api/gone'])).toEqual({
      servedButNotDocumented: ['POST /api/new-thing'],
      documentedButNotServed: ['GET /api/gone'],
    });
    expect(operationsOf([{ method: 'ALL', path: '/api/*' }, { method: 'ALL', path: '/api/x' }, { method: 'GET', path: '/api/t/:id' }])).toEqual([
      'ALL /api/x',
      'GET /api/t/{id}',
    ]);
  });

  it('declares each path parameter of each operation, and only those', () => {
    const mismatched = OPERATIONS.filter((operation) => {
      const inPath = [...operation.path.matchAll(/\{([^}]+)\}/g)].map((match) => match[1]).sort();
      return JSON.stringify(inPath) !== JSON.stringify(Object.keys(operation.params?.shape ?? {}).sort());
    }).map((operation) => `${operation.method.toUpperCase()} ${operation.path}`);
    expect(mismatched).toEqual([]);
  });

  it('gives every operation a unique operationId, an error body for each error status, and OpenAPI 3.1', () => {
    const document = openApiDocument();
    expect(document.openapi).toBe('3.1.0');
    const ids = OPERATIONS.map((operation) => operation.operationId);
    expect(ids.filter((id, i) => ids.indexOf(id) !== i)).toEqual([]);
    for (const [path, item] of Object.entries(document.paths ?? {})) {
      for (const [method, operation] of Object.entries(item as Record<string, { responses: Record<string, { content?: Record<string, { schema?: unknown }> }> }>)) {
        for (const [status, response] of Object.entries(operation.responses)) {
          if (Number(status) >= 400 && !(path === '/readyz' && status === '503')) {
            expect(response.content?.['application/json']?.schema, `${method} ${path} ${status}`).toEqual({ $ref: '#/components/schemas/Error' });
          }
        }
      }
    }
  });
});
