import { describe, expect, it } from 'vitest';
import { MESSAGES } from '#core/errors.ts';
import { rollbackDetailResponseSchema, rollbackRequestResponseSchema } from '#core/schemas.ts';
import { createMockBackend } from '#mocks/backend.ts';
import { describeApprovalsContract } from './approvals-contract.ts';
import { memoryHarness } from './backends.ts';
import { checkedFetch } from './harness.ts';

describeApprovalsContract('in-memory backend', () => memoryHarness());

/** The mock backend with Sam's full rollback of acme/production pending Dana's approval (quorum 1). */
async function pendingFullRollback() {
  const backend = createMockBackend();
  const fetchApi = checkedFetch((request) => backend.app.fetch(request));
  const send = (path: string, body: unknown, user: string, extra: Record<string, string> = {}) =>
    fetchApi(
      new Request(new URL(path, 'http://rewind.test'), {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', 'X-Forwarded-Email': user, ...extra },
        body: JSON.stringify(body),
      }),
    );
  const history = (await (await fetchApi(new Request('http://rewind.test/api/targets/acme/production/history?limit=2'))).json()) as {
    revisions: { sha: string }[];
  };
  const created = await send(
    '/api/rollbacks',
    { tenant: 'acme', environment: 'production', mode: 'full', targetSha: history.revisions[1]!.sha, justification: 'undo the last release' },
    'sam@example.com',
  );
  const { request } = rollbackRequestResponseSchema.parse(await created.json());
  return { backend, fetchApi, send, request };
}

describe('approvals: a commit that fails at the quorum (in-memory backend only: the store is patched)', () => {
  it('answers 500 EXECUTION_FAILED with the exact message, keeps the review, fails the request; execute retries', async () => {
    const { backend, fetchApi, send, request } = await pendingFullRollback();
    expect(request.state).toBe('pending');

    const original = backend.revisions.commit.bind(backend.revisions);
    backend.revisions.commit = async () => {
      throw new Error('disk full');
    };
    const approved = await send(`/api/rollbacks/${request.id}/reviews`, { decision: 'approve', comment: 'ok' }, 'dana@example.com');
    expect(approved.status).toBe(500);
    expect(await approved.json()).toEqual({ error: { code: 'EXECUTION_FAILED', message: MESSAGES.executionFailed } });
    const shown = rollbackDetailResponseSchema.parse(await (await fetchApi(new Request(`http://rewind.test/api/rollbacks/${request.id}`))).json());
    expect(shown.request).toMatchObject({ state: 'failed', error: 'disk full', reviews: [{ by: 'dana@example.com', decision: 'approve', comment: 'ok', stale: false }] });

    backend.revisions.commit = original;
    const retried = await send(`/api/rollbacks/${request.id}/execute`, {}, 'sam@example.com');
    expect(retried.status).toBe(200);
    expect(rollbackRequestResponseSchema.parse(await retried.json()).request).toMatchObject({ state: 'completed' });
    const events = await backend.requests.listAudit({ environment: 'production' }, null, 10);
    expect(events.items.map((e) => e.type).reverse()).toEqual(['rollback.requested', 'rollback.reviewed', 'rollback.failed', 'rollback.executed']);
  });

  it('with Prefer: respond-async a failing commit answers 202 executing; the request then shows failed with its error, the approval kept', async () => {
    const { backend, fetchApi, send, request } = await pendingFullRollback();
    backend.revisions.commit = async () => {
      throw new Error('disk full');
    };
    const approved = await send(`/api/rollbacks/${request.id}/reviews`, { decision: 'approve' }, 'dana@example.com', { Prefer: 'wait=5, respond-async' });
    expect(approved.status).toBe(202);
    expect(rollbackRequestResponseSchema.parse(await approved.json()).request.state).toBe('executing');
    let shown = request;
    for (const deadline = Date.now() + 10_000; shown.state !== 'failed' && Date.now() < deadline; ) {
      await new Promise((resolve) => setTimeout(resolve, 20));
      shown = rollbackDetailResponseSchema.parse(await (await fetchApi(new Request(`http://rewind.test/api/rollbacks/${request.id}`))).json()).request;
    }
    expect(shown).toMatchObject({ state: 'failed', error: 'disk full', reviews: [{ by: 'dana@example.com', decision: 'approve', stale: false }] });
  });
});
