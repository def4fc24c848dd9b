/**
 * The refusals of issue 11 and the structured errors of issue 15, written once and run against the
 * in-memory app and the real server over HTTP (refusals.memory.contract.test.ts,
 * refusals.git.contract.test.ts): a revision outside the target's history, a destructive plan, path
 * and user-text rules, each naming the field (and rule) at fault. Each run gets its own backend.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  errorBodySchema,
} from '#core/schemas.ts';
import { DEMO_END } from '#demo/demo-data.ts';
import { expectError, type ApiHarness } from './harness.ts';
import { rollbackClient } from './rollback-client.ts';

const PROD = '/api/targets/acme/production';
const SAM = 'sam@example.com'; // requester

export function describeRefusalsContract(name: string, makeHarness: () => Promise<ApiHarness>): void {
  describe(`refusals contract: ${name}`, () => {
    let api: ApiHarness;
    beforeAll(async () => {
      api = await makeHarness();
    }, 120_000);
    afterAll(async () => {
      await api?.close();
    });

    const { post, preview, create, detail, list, history, revisionAndParent } = rollbackClient(() => api, SAM);
    let minutes = 0;
    const land = (message: string, changes: Record<string, string | null>) =>
      api.appendCommit({
        timestamp: new Date(Date.parse(DEMO_END) + 3_600_000 + ++minutes * 60_000).toISOString(),
        author: { name: 'CI', email: 'ci@example.com' },
        message,
        changes,
      });

    describe('structured errors', () => {
      const fieldOf = async (response: Response) => errorBodySchema.parse(await response.json()).error.field;

      it('names the input field at fault, so clients never parse messages', async () => {
        const { parent } = await revisionAndParent(PROD, 'release payments v2.14.0');
        const base = { tenant: 'acme', environment: 'production', mode: 'service', service: 'payments', targetSha: parent.sha, justification: 'payments 500s' };
        expect(await fieldOf(await post('/api/rollbacks', { ...base, justification: '\u200b\u2066' }))).toBe('justification');
        expect(await fieldOf(await post('/api/rollbacks', { ...base, justification: '🔥'.repeat(4001) }))).toBe('justification');
        expect(await fieldOf(await post('/api/rollbacks', { ...base, justification: undefined }))).toBe('justification');
        expect(await fieldOf(await post('/api/rollbacks', { ...base, targetSha: undefined }))).toBe('targetSha');
        expect(await fieldOf(await post('/api/rollbacks', { ...base, targetSha: 'f'.repeat(40) }))).toBe('targetSha');
        expect(await fieldOf(await post('/api/rollbacks', { ...base, service: 'nope' }))).toBe('service');
        expect(await fieldOf(await post('/api/rollbacks', { ...base, mode: 'field', fields: [] }))).toBe('fields');
        for (const file of ['tenants/acme/production/services/payments/../../../../../etc/passwd', 'tenants/acme/production/services/payments//values.yaml', './x.yaml']) {
          const response = await post(`${PROD}/rollback-preview`, { mode: 'field', service: 'payments', targetSha: parent.sha, fields: [{ file, path: ['a'] }] });
          expect(response.status).toBe(400);
          expect(await fieldOf(response)).toBe('fields');
        }
        expect(await fieldOf(await post('/api/rollbacks', { ...base, environment: 'qa' }))).toBe('target');
        expect(await fieldOf(await post(`${PROD}/rollback-preview`, { mode: 'sideways', targetSha: parent.sha }))).toBe('mode');
        const [, initechBefore] = await history('/api/targets/initech/production', 2);
        expect(await fieldOf(await post('/api/targets/initech/production/rollback-preview', { mode: 'service', service: 'web', targetSha: initechBefore!.sha }))).toBe('mode');
      });
    });

    describe('foreign revisions', () => {
      it("refuses a revision outside the target's history on preview and request, naming the target; stores nothing", async () => {
        // A commit of the branch that touched no file of acme/production (as CI editing docs would).
        const foreign = await land('docs: runbook\n', { 'docs/runbook.md': '# Runbook\n' });
        const [globexHead] = await history('/api/targets/globex/production', 1);
        const before = (await list()).requests.length;
        for (const sha of [foreign, globexHead!.sha]) {
          const message = `revision ${sha.slice(0, 7)} is not in the history of acme/production: it changed none of the target's files. Pick a revision from the history of acme/production`;
          for (const mode of ['full', 'service'] as const) {
            const selection = { mode, targetSha: sha, ...(mode === 'service' ? { service: 'payments' } : {}) };
            const preview = await post(`${PROD}/rollback-preview`, selection);
            const body = errorBodySchema.parse(JSON.parse(await preview.clone().text()));
            expect(body.error).toMatchObject({ field: 'targetSha', rule: 'foreign-revision' });
            await expectError(preview, 400, 'BAD_REQUEST', message);
            await expectError(
              await post('/api/rollbacks', { tenant: 'acme', environment: 'production', justification: 'undo', ...selection }),
              400,
              'BAD_REQUEST',
              message,
            );
          }
        }
        expect((await list()).requests).toHaveLength(before);
        // The target's own revisions are still accepted.
        const { parent } = await revisionAndParent(PROD, 'release payments v2.14.0');
        expect((await preview(PROD, { mode: 'service', service: 'payments', targetSha: parent.sha })).files).toHaveLength(1);
      });
    });

    describe('destructive plans (globex/staging, 7 files, quorum 1)', () => {
      const GLOBEX = '/api/targets/globex/staging';
      const PAYMENTS = 'tenants/globex/staging/services/payments/values.yaml';
      const request = (body: Record<string, unknown>) => post('/api/rollbacks', { tenant: 'globex', environment: 'staging', justification: 'destructive test', ...body });
      const refusal = async (response: Response, message: string) => {
        const text = await response.text();
        expect(response.status, text).toBe(422);
        expect(errorBodySchema.parse(JSON.parse(text)).error).toEqual({ code: 'UNPROCESSABLE', message, field: 'allowDestructive', rule: 'destructive-plan' });
      };

      it('refuses a plan deleting every file of its scope unless confirmed; the preview says it is destructive', async () => {
        // A commit that removed the payments service, and one that brought it back.
        const removed = await land('payments: remove service\n', { [PAYMENTS]: null });
        await land('payments: back\n', { [PAYMENTS]: 'image:\n  tag: "v1"\n' });
        const selection = { mode: 'service', service: 'payments', targetSha: removed };
        const seen = await preview(GLOBEX, selection);
        expect(seen.destructive).toEqual({ deletes: 1, files: 1, all: true, maxShare: 0.5 });
        expect(seen.files.map((f) => [f.path, f.status])).toEqual([[PAYMENTS, 'deleted']]);
        const before = (await list()).requests.length;
        await refusal(
          await request(selection),
          'destructive rollback refused: it would delete every file of service payments of globex/staging (1). Nothing was requested. Check the preview and send allowDestructive: true to confirm',
        );
        await refusal(await request({ ...selection, allowDestructive: false }), expect.any(String) as unknown as string);
        expect((await list()).requests).toHaveLength(before);
        const confirmed = await create({ tenant: 'globex', environment: 'staging', justification: 'remove payments again', ...selection, allowDestructive: true, diffHash: seen.diffHash });
        expect(confirmed).toMatchObject({ state: 'pending', diffHash: seen.diffHash });
        expect((await detail(confirmed.id)).diff.destructive).toEqual(seen.destructive);
      });

      it('refuses a full rollback deleting more than half of the target, and lets a small deletion through', async () => {
        const [head] = await history(GLOBEX, 1);
        const extras = Object.fromEntries(Array.from({ length: 9 }, (_, i) => [`tenants/globex/staging/services/web/extra-${i}.yaml`, `n: ${i}\n`]));
        await land('web: nine extra manifests\n', extras);
        // 16 files now; back to the head before: 9 deleted (56%).
        const seen = await preview(GLOBEX, { mode: 'full', targetSha: head!.sha });
        expect(seen.destructive).toEqual({ deletes: 9, files: 16, all: false, maxShare: 0.5 });
        await refusal(
          await request({ mode: 'full', targetSha: head!.sha }),
          'destructive rollback refused: it would delete 9 of the 16 files of globex/staging (56%, more than 50%). Nothing was requested. Check the preview and send allowDestructive: true to confirm',
        );
        const nine = (await history(GLOBEX, 1))[0]!;
        await land('web: one more\n', { 'tenants/globex/staging/services/web/extra-9.yaml': 'n: 9\n' });
        const small = await preview(GLOBEX, { mode: 'full', targetSha: nine.sha });
        expect(small.destructive).toBeUndefined();
        expect(small.files.map((f) => f.status)).toEqual(['deleted']);
        expect((await create({ tenant: 'globex', environment: 'staging', justification: 'drop extra-9', mode: 'full', targetSha: nine.sha })).state).toBe('pending');
      });
    });
  });
}
