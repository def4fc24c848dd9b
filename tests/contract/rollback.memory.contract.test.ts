import { describe, expect, it } from 'vitest';
import { rollbackRequestResponseSchema } from '#core/schemas.ts';
import { createMockBackend } from '#mocks/backend.ts';
import { memoryHarness } from './backends.ts';
import { checkedFetch } from './harness.ts';
import { describeRollbackContract } from './rollback-contract.ts';

describeRollbackContract('in-memory backend', () => memoryHarness());

describe('rollback routes: a commit that fails (in-memory backend only: the store is patched)', () => {
  it('answers 201 with the failed request, 500 EXECUTION_FAILED for a failing retry, 200 once it commits', async () => {
    const backend = createMockBackend();
    const fetchApi = checkedFetch((request) => backend.app.fetch(request));
    const send = (path: string, body: unknown) =>
      fetchApi(new Request(new URL(path, 'http://rewind.test'), { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) }));
    const original = backend.revisions.commit.bind(backend.revisions);
    let failures = 2;
    backend.revisions.commit = async (request) => {
      if (failures-- > 0) throw new Error('disk full');
      return original(request);
    };
    const history = (await (await fetchApi(new Request('http://rewind.test/api/targets/acme/staging/history?limit=2'))).json()) as {
      revisions: { sha: string }[];
    };
    const created = await send('/api/rollbacks', {
      tenant: 'acme',
      environment: 'staging',
      mode: 'full',
      targetSha: history.revisions[1]!.sha,
      justification: 'undo the last release',
    });
    expect(created.status).toBe(201);
    const { request } = rollbackRequestResponseSchema.parse(await created.json());
    expect(request).toMatchObject({ state: 'failed', error: 'disk full' });

    const retry = await send(`/api/rollbacks/${request.id}/execute`, {});
    expect(retry.status).toBe(500);
    expect(await retry.json()).toEqual({ error: { code: 'EXECUTION_FAILED', message: 'rollback execution failed: disk full' } });

    const done = await send(`/api/rollbacks/${request.id}/execute`, {});
    expect(done.status).toBe(200);
    expect(rollbackRequestResponseSchema.parse(await done.json()).request).toMatchObject({ state: 'completed' });
    const events = await backend.requests.listAudit({ environment: 'staging' }, null, 10);
    expect(events.items.map((e) => e.type).reverse()).toEqual(['rollback.requested', 'rollback.failed', 'rollback.failed', 'rollback.executed']);
  });
});

describe('rollback routes: no absolute server path in any answer (in-memory backend only: the store is patched)', () => {
  it('redacts paths from a failed request, its audit trail and the execution error', async () => {
    const backend = createMockBackend();
    const fetchApi = checkedFetch((request) => backend.app.fetch(request));
    const send = (path: string, body: unknown) =>
      fetchApi(new Request(new URL(path, 'http://rewind.test'), { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) }));
    backend.revisions.commit = async () => {
      throw new Error("git update-ref failed: fatal: Unable to create '/srv/rewind/.rewind-data/repo/refs/heads/main.lock': File exists.");
    };
    const history = (await (await fetchApi(new Request('http://rewind.test/api/targets/acme/staging/history?limit=2'))).json()) as {
      revisions: { sha: string }[];
    };
    const created = await send('/api/rollbacks', { tenant: 'acme', environment: 'staging', mode: 'full', targetSha: history.revisions[1]!.sha, justification: 'undo' });
    const text = await created.text();
    expect(text).not.toContain('/srv/');
    const { request } = rollbackRequestResponseSchema.parse(JSON.parse(text));
    expect(request.error).toBe("git update-ref failed: fatal: Unable to create '<server path>': File exists.");
    const retry = await send(`/api/rollbacks/${request.id}/execute`, {});
    expect(retry.status).toBe(500);
    expect(await retry.text()).not.toContain('/srv/');
    const audit = await (await fetchApi(new Request('http://rewind.test/api/audit?environment=staging'))).text();
    expect(audit).toContain('<server path>');
    expect(audit).not.toContain('/srv/');
  });
});
