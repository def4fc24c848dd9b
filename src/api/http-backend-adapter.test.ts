import { http, HttpResponse } from 'msw';
import { describe, expect, it } from 'vitest';
import { server } from '#mocks/node.ts';
import { fakeSha, makeHistoryPage, makeTarget } from '#src/test/fixtures.ts';
import { makePreview, makeRequest } from '#src/test/rollback-fixtures.ts';
import { ApiError } from './api-error.ts';
import { HttpBackendAdapter } from './http-backend-adapter.ts';

async function rejectionOf(promise: Promise<unknown>): Promise<ApiError> {
  const error = await promise.then(
    () => {
      throw new Error('expected the call to fail');
    },
    (reason: unknown) => reason,
  );
  expect(error).toBeInstanceOf(ApiError);
  return error as ApiError;
}

describe('HttpBackendAdapter', () => {
  it('turns an error body into an ApiError with the server status, code and message', async () => {
    server.use(
      http.get('*/api/targets/acme/production/history', () =>
        HttpResponse.json({ error: { code: 'INTERNAL', message: 'git exploded' } }, { status: 500 }),
      ),
    );
    const error = await rejectionOf(new HttpBackendAdapter().history('acme', 'production', {}));
    expect(error.status).toBe(500);
    expect(error.code).toBe('INTERNAL');
    expect(error.message).toBe('git exploded');
  });

  it('reports a 404 of an unknown target as NOT_FOUND', async () => {
    server.use(
      http.get('*/api/targets/acme/nowhere', () =>
        HttpResponse.json({ error: { code: 'NOT_FOUND', message: 'unknown target acme/nowhere' } }, { status: 404 }),
      ),
    );
    const error = await rejectionOf(new HttpBackendAdapter().target('acme', 'nowhere'));
    expect(error).toMatchObject({ status: 404, code: 'NOT_FOUND', message: 'unknown target acme/nowhere' });
  });

  it('rejects a body that does not match the schema with INVALID_RESPONSE', async () => {
    server.use(
      http.get('*/api/targets', () => HttpResponse.json({ targets: [{ ...makeTarget(), plan: 'platinum' }] })),
    );
    const error = await rejectionOf(new HttpBackendAdapter().targets());
    expect(error.code).toBe('INVALID_RESPONSE');
    expect(error.status).toBe(200);
    expect(error.message).toContain('/api/targets');
    expect(error.message).toContain('targets.0.plan');
  });

  it('rejects a success response that is not JSON with INVALID_RESPONSE', async () => {
    server.use(http.get('*/api/me', () => new HttpResponse('<html>login</html>', { status: 200 })));
    const error = await rejectionOf(new HttpBackendAdapter().me());
    expect(error.code).toBe('INVALID_RESPONSE');
  });

  it('describes an error without an API error body by its status', async () => {
    server.use(http.get('*/api/targets', () => new HttpResponse('Bad gateway', { status: 502 })));
    const error = await rejectionOf(new HttpBackendAdapter().targets());
    expect(error).toMatchObject({ status: 502, code: 'HTTP_ERROR' });
    expect(error.message).toContain('502');
  });

  it('turns a failed fetch into a NETWORK error', async () => {
    server.use(http.get('*/api/targets', () => HttpResponse.error()));
    const error = await rejectionOf(new HttpBackendAdapter().targets());
    expect(error).toMatchObject({ status: 0, code: 'NETWORK' });
  });

  it('sends the selected user as X-Forwarded-Email, read at request time', async () => {
    const seen: (string | null)[] = [];
    server.use(
      http.get('*/api/targets', ({ request }) => {
        seen.push(request.headers.get('x-forwarded-email'));
        return HttpResponse.json({ targets: [makeTarget()] });
      }),
    );
    let email: string | null = null;
    const adapter = new HttpBackendAdapter({ getUserEmail: () => email });
    await adapter.targets();
    email = 'bob@example.com';
    const targets = await adapter.targets();
    expect(seen).toEqual([null, 'bob@example.com']);
    expect(targets[0]?.tenant).toBe('acme');
  });

  it('sends no stored identity to a server in proxy mode, nor before it knows the mode', async () => {
    const seen: [string, string | null][] = [];
    server.use(
      http.get('*/api/me', ({ request }) => {
        seen.push(['me', request.headers.get('x-forwarded-email')]);
        return HttpResponse.json({ user: { email: 'proxy-user@example.com', name: 'P', roles: [] }, breakGlass: null, identityMode: 'proxy' });
      }),
      http.get('*/api/targets', ({ request }) => {
        seen.push(['targets', request.headers.get('x-forwarded-email')]);
        return HttpResponse.json({ targets: [makeTarget()] });
      }),
    );
    // An old choice of the demo's user switcher, still in localStorage.
    const adapter = new HttpBackendAdapter({ getUserEmail: () => 'mallory@example.com' });
    await Promise.all([adapter.targets(), adapter.targets()]);
    expect((await adapter.me()).user.email).toBe('proxy-user@example.com');
    expect(seen).toEqual([
      ['me', null],
      ['targets', null],
      ['targets', null],
      ['me', null],
    ]);
  });

  it('in demo mode, asks /api/me again as the chosen user once the mode is known', async () => {
    const seen: (string | null)[] = [];
    server.use(
      http.get('*/api/me', ({ request }) => {
        const email = request.headers.get('x-forwarded-email');
        seen.push(email);
        return HttpResponse.json({ user: { email: email ?? 'default@example.com', name: 'D', roles: [] }, breakGlass: null, identityMode: 'demo' });
      }),
    );
    const adapter = new HttpBackendAdapter({ getUserEmail: () => 'dana@example.com' });
    expect((await adapter.me()).user.email).toBe('dana@example.com');
    expect((await adapter.me()).user.email).toBe('dana@example.com');
    expect(seen).toEqual([null, 'dana@example.com', 'dana@example.com']);
  });

  it('passes history filters and the cursor as query parameters and leaves out empty ones', async () => {
    let url: URL | undefined;
    server.use(
      http.get('*/api/targets/acme/production/history', ({ request }) => {
        url = new URL(request.url);
        return HttpResponse.json(makeHistoryPage(0, 2, 'c1.next'));
      }),
    );
    const page = await new HttpBackendAdapter().history('acme', 'production', {
      limit: 50,
      cursor: 'c1.abc',
      service: 'payments',
      status: 'failed',
      q: '',
    });
    expect(page.revisions).toHaveLength(2);
    expect(page.nextCursor).toBe('c1.next');
    expect(url?.origin).toBe(window.location.origin);
    expect(Object.fromEntries(url?.searchParams ?? [])).toEqual({
      limit: '50',
      cursor: 'c1.abc',
      service: 'payments',
      status: 'failed',
    });
  });

  it('posts a rollback with JSON and the Idempotency-Key it is given', async () => {
    const seen: { body: unknown; key: string | null; type: string | null }[] = [];
    server.use(
      http.post('*/api/rollbacks', async ({ request }) => {
        seen.push({ body: await request.json(), key: request.headers.get('idempotency-key'), type: request.headers.get('content-type') });
        return HttpResponse.json({ request: makeRequest() }, { status: 201 });
      }),
    );
    const body = { tenant: 'acme', environment: 'production', mode: 'full' as const, targetSha: fakeSha(2), justification: 'why' };
    const request = await new HttpBackendAdapter().createRollback(body, { idempotencyKey: 'key-1' });
    expect(request.id).toBe('rbk-1');
    expect(seen).toEqual([{ body, key: 'key-1', type: 'application/json' }]);
  });

  it('previews a rollback and validates the preview shape', async () => {
    let url: URL | undefined;
    server.use(
      http.post('*/api/targets/acme/production/rollback-preview', ({ request }) => {
        url = new URL(request.url);
        return HttpResponse.json(makePreview());
      }),
    );
    const preview = await new HttpBackendAdapter().previewRollback('acme', 'production', { mode: 'full', targetSha: fakeSha(2) });
    expect(url?.pathname).toBe('/api/targets/acme/production/rollback-preview');
    expect(preview.diffHash).toBe('c'.repeat(64));
    expect(preview.affectedServices).toEqual(['payments']);

    server.use(http.post('*/api/targets/acme/production/rollback-preview', () => HttpResponse.json({ ...makePreview(), baseSha: 'nope' })));
    const error = await rejectionOf(new HttpBackendAdapter().previewRollback('acme', 'production', { mode: 'full', targetSha: fakeSha(2) }));
    expect(error.code).toBe('INVALID_RESPONSE');
    expect(error.message).toContain('baseSha');
  });

  it('reads, lists and executes rollback requests', async () => {
    let listed: URL | undefined;
    server.use(
      http.get('*/api/rollbacks/rbk-1', () => HttpResponse.json({ request: makeRequest(), diff: makePreview() })),
      http.get('*/api/rollbacks', ({ request }) => {
        listed = new URL(request.url);
        return HttpResponse.json({ requests: [makeRequest()], nextCursor: null });
      }),
      http.post('*/api/rollbacks/rbk-1/execute', () => HttpResponse.json({ request: makeRequest({ state: 'completed', commitSha: fakeSha(9) }) })),
    );
    const adapter = new HttpBackendAdapter();
    expect((await adapter.getRollback('rbk-1')).request.state).toBe('pending');
    expect((await adapter.listRollbacks({ state: 'pending', tenant: 'acme', cursor: '' })).requests).toHaveLength(1);
    expect(Object.fromEntries(listed?.searchParams ?? [])).toEqual({ state: 'pending', tenant: 'acme' });
    expect((await adapter.executeRollback('rbk-1')).commitSha).toBe(fakeSha(9));
  });

  it('posts a review and a note, and answers with the request', async () => {
    const calls: { path: string; body: unknown }[] = [];
    server.use(
      http.post('*/api/rollbacks/rbk-1/reviews', async ({ request }) => {
        calls.push({ path: new URL(request.url).pathname, body: await request.json() });
        return HttpResponse.json({ request: makeRequest({ state: 'completed', commitSha: fakeSha(5) }) });
      }),
      http.post('*/api/rollbacks/rbk-1/notes', async ({ request }) => {
        calls.push({ path: new URL(request.url).pathname, body: await request.json() });
        return HttpResponse.json({ request: makeRequest({ notes: [{ by: 'bob@example.com', text: 'synced', at: '2025-11-20T11:00:00Z' }] }) });
      }),
    );
    const adapter = new HttpBackendAdapter();
    expect((await adapter.reviewRollback('rbk-1', 'approve', 'looks right')).state).toBe('completed');
    expect((await adapter.reviewRollback('rbk-1', 'reject')).commitSha).toBe(fakeSha(5));
    expect((await adapter.addNote('rbk-1', 'synced')).notes).toHaveLength(1);
    expect(calls).toEqual([
      { path: '/api/rollbacks/rbk-1/reviews', body: { decision: 'approve', comment: 'looks right' } },
      { path: '/api/rollbacks/rbk-1/reviews', body: { decision: 'reject' } },
      { path: '/api/rollbacks/rbk-1/notes', body: { text: 'synced' } },
    ]);
  });

  it('asks for the quorum approval to be answered before its commit, and takes the 202 executing answer (decision 049)', async () => {
    let prefer: string | null = null;
    server.use(
      http.post('*/api/rollbacks/rbk-1/reviews', ({ request }) => {
        prefer = request.headers.get('prefer');
        return HttpResponse.json({ request: makeRequest({ state: 'executing' }) }, { status: 202, headers: { 'Preference-Applied': 'respond-async' } });
      }),
    );
    expect((await new HttpBackendAdapter().reviewRollback('rbk-1', 'approve')).state).toBe('executing');
    expect(prefer).toBe('respond-async');
  });

  it('keeps the exact server message of a refused review', async () => {
    server.use(
      http.post('*/api/rollbacks/rbk-1/reviews', () =>
        HttpResponse.json({ error: { code: 'FORBIDDEN', message: 'cannot approve/reject your own rollback request' } }, { status: 403 }),
      ),
    );
    const error = await rejectionOf(new HttpBackendAdapter().reviewRollback('rbk-1', 'approve'));
    expect(error).toMatchObject({ status: 403, code: 'FORBIDDEN', message: 'cannot approve/reject your own rollback request' });
  });

  it('lists audit events with filters, cursor and limit', async () => {
    let url: URL | undefined;
    server.use(
      http.get('*/api/audit', ({ request }) => {
        url = new URL(request.url);
        return HttpResponse.json({
          events: [{ id: 'evt-1', at: '2025-11-20T10:00:00Z', actor: 'sam@example.com', type: 'rollback.requested', breakGlass: false, details: {} }],
          nextCursor: 'n2',
        });
      }),
    );
    const page = await new HttpBackendAdapter().listAudit({ tenant: 'acme', type: '', actor: 'sam@example.com' }, 'n1', { limit: 200 });
    expect(page.nextCursor).toBe('n2');
    expect(page.events[0]?.type).toBe('rollback.requested');
    expect(Object.fromEntries(url?.searchParams ?? [])).toEqual({ tenant: 'acme', actor: 'sam@example.com', cursor: 'n1', limit: '200' });

    await new HttpBackendAdapter().listAudit({ requestId: 'rbk-k3j2h1' }, null, { limit: 500 });
    expect(Object.fromEntries(url?.searchParams ?? [])).toEqual({ requestId: 'rbk-k3j2h1', limit: '500' });
  });

  it('opens and closes break-glass', async () => {
    const seen: string[] = [];
    const session = { user: 'olu@example.com', justification: 'db down', openedAt: '2025-11-20T10:00:00Z', expiresAt: '2025-11-20T10:30:00Z' };
    server.use(
      http.post('*/api/break-glass', async ({ request }) => {
        seen.push(`POST ${JSON.stringify(await request.json())}`);
        return HttpResponse.json({ breakGlass: session }, { status: 201 });
      }),
      http.delete('*/api/break-glass', () => {
        seen.push('DELETE');
        return new HttpResponse(null, { status: 204 });
      }),
    );
    const adapter = new HttpBackendAdapter();
    expect(await adapter.openBreakGlass('db down', 30)).toEqual(session);
    await expect(adapter.closeBreakGlass()).resolves.toBeUndefined();
    expect(seen).toEqual(['POST {"justification":"db down","minutes":30}', 'DELETE']);

    server.use(
      http.delete('*/api/break-glass', () =>
        HttpResponse.json({ error: { code: 'FORBIDDEN', message: 'nope' } }, { status: 403 }),
      ),
    );
    expect(await rejectionOf(adapter.closeBreakGlass())).toMatchObject({ status: 403, message: 'nope' });
  });
});
