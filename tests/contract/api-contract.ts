/**
 * The API contract of shared/API.md, written once. Each backend runs it through its own harness.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { servicesTouched } from '#core/target-config.ts';
import { SIMULATED_HISTORY } from '#demo/simulated-cluster.ts';
import {
  meResponseSchema,
  targetResponseSchema,
  targetsResponseSchema,
  usersResponseSchema,
  type Revision,
} from '#core/schemas.ts';
import type { ApiHarness } from './harness.ts';
import { json } from './harness.ts';
import { describeCompareContract } from './compare-contract.ts';
import { ACME_PROD, apiContractHelpers } from './api-contract-helpers.ts';


export function describeApiContract(name: string, makeHarness: () => Promise<ApiHarness>): void {
  describe(`API contract: ${name}`, () => {
    let api: ApiHarness;
    beforeAll(async () => {
      api = await makeHarness();
    });
    afterAll(async () => {
      await api?.close();
    });

    const { get, history, expectError, walk, demoTargetCommits } = apiContractHelpers(() => api);

    describe('identity', () => {
      it('answers the demo user when no identity header is sent', async () => {
        const me = meResponseSchema.parse(await json(await get('/api/me')));
        expect(me.user.email).toBe(api.repo.users[0]!.email);
        expect(me.breakGlass).toBeNull();
      });
      it('uses X-Forwarded-Email, case-insensitively', async () => {
        const other = api.repo.users[1]!;
        const me = meResponseSchema.parse(await json(await get('/api/me', { 'X-Forwarded-Email': other.email.toUpperCase() })));
        expect(me.user).toEqual(other);
      });
      it('rejects a repeated or malformed identity header', async () => {
        await expectError(await get('/api/me', { 'X-Forwarded-Email': 'a@example.com, b@example.com' }), 400, 'BAD_REQUEST', /exactly once/);
        await expectError(await get('/api/me', { 'X-Forwarded-Email': 'not an email' }), 400, 'BAD_REQUEST');
      });
      it('lists the demo users for the switcher', async () => {
        const { users } = usersResponseSchema.parse(await json(await get('/api/users')));
        expect(users.map((u) => u.email)).toEqual(api.repo.users.map((u) => u.email));
      });
    });

    describe('targets', () => {
      it('lists every configured target with its head revision', async () => {
        const { targets } = targetsResponseSchema.parse(await json(await get('/api/targets')));
        expect(targets.map((t) => `${t.tenant}/${t.environment}`).sort()).toEqual(
          api.repo.targets.map((t) => `${t.tenant}/${t.environment}`).sort(),
        );
        const acme = targets.find((t) => t.tenant === 'acme' && t.environment === 'production')!;
        const newest = demoTargetCommits('acme', 'production').at(-1)!;
        expect(acme.head?.sha).toBe(api.shaOf(newest.id));
        expect(acme.plan).toBe('enterprise');
        expect(acme.services.map((s) => s.name)).toContain('payments');
      });
      it('reports the failed payments release as degraded', async () => {
        const { target } = targetResponseSchema.parse(await json(await get(ACME_PROD)));
        expect(target.services.find((s) => s.name === 'payments')?.health).toBe('degraded');
        expect(target.health).toBe('degraded');
      });
      it('answers 404 with the error body for an unknown target', async () => {
        await expectError(await get('/api/targets/acme/qa'), 404, 'NOT_FOUND', 'unknown target acme/qa');
        await expectError(await get('/api/targets/nobody/production/history'), 404, 'NOT_FOUND');
      });
      it.each([
        ['%2E%2E%2Fetc', 'production'],
        ['acme%00', 'production'],
        ['ACME', 'production'],
        ['%D0%B0cme', 'production'], // Cyrillic "а" that looks like a Latin "a"
        ['-acme', 'production'],
        ['acme_corp', 'production'],
        ['a'.repeat(64), 'production'],
        ['acme', 'prod%2Fuction'],
        ['acme', '..%5C..'],
      ])('rejects the malformed name %s/%s with 400', async (tenant, environment) => {
        await expectError(await get(`/api/targets/${tenant}/${environment}/history`), 400, 'BAD_REQUEST', /invalid (tenant|environment) name/);
      });
      it.each(['..', '%2e%2e', '%2E%2E'])('never reads outside the API for the dot segment %s', async (segment) => {
        // URL parsing resolves dot segments (also percent-encoded) before the app sees the path, so the
        // request lands on no route at all: a 404 error body, nothing read.
        const response = await get(`/api/targets/${segment}/production/history`);
        await expectError(response, 404, 'NOT_FOUND', /no such endpoint/);
      });
      it('answers an unknown endpoint with a 404 error body', async () => {
        await expectError(await get('/api/nope'), 404, 'NOT_FOUND');
      });
    });

    describe('history', () => {
      it('returns 50 revisions newest first by default, with derived fields', async () => {
        const page = await history('');
        expect(page.revisions).toHaveLength(50);
        expect(page.nextCursor).not.toBeNull();
        const times = page.revisions.map((r) => Date.parse(r.timestamp));
        expect(times).toEqual([...times].sort((a, b) => b - a));
        const newest = demoTargetCommits('acme', 'production').at(-1)!;
        expect(page.revisions[0]!.sha).toBe(api.shaOf(newest.id));
        expect(page.revisions[0]!.shortSha).toBe(page.revisions[0]!.sha.slice(0, 7));
        const acme = api.repo.targets.find((t) => t.tenant === 'acme' && t.environment === 'production')!;
        const byId = new Map(demoTargetCommits('acme', 'production').map((c) => [api.shaOf(c.id), c]));
        for (const revision of page.revisions) {
          expect(revision.services).toEqual(servicesTouched(acme.layout, Object.keys(byId.get(revision.sha)!.changes)));
        }
        expect(page.revisions.some((r) => r.services.length > 0)).toBe(true);
      });
      it('marks the failing head release failed and the undone checkout release rolled-back', async () => {
        const all = await walk('', 100);
        const head = all[0]!;
        expect(head.summary).toMatch(/payments/);
        expect(head.status).toBe('failed');
        // Decision 037: every status names who said it; the head's outcome is the (simulated) agent's.
        expect(head.statusSource).toBe('simulated');
        expect(all.every((r) => r.statusSource !== undefined)).toBe(true);
        expect(all.filter((r) => r.status === 'rolled-back').every((r) => r.statusSource === 'rollback')).toBe(true);
        // The agent reports its newest deployments only (as Argo CD's sync history); older ones have a
        // deployment note or nobody's word, and nobody's word is `unknown`, never a success (decision 056).
        expect(all.slice(0, SIMULATED_HISTORY).every((r) => ['simulated', 'rollback'].includes(r.statusSource!))).toBe(true);
        expect(all.slice(SIMULATED_HISTORY).every((r) => ['git-note', 'none', 'rollback'].includes(r.statusSource!))).toBe(true);
        expect(all.slice(SIMULATED_HISTORY).some((r) => r.statusSource === 'none')).toBe(true);
        expect(all.filter((r) => r.statusSource === 'none').every((r) => r.status === 'unknown')).toBe(true);
        expect(all.filter((r) => r.status === 'unknown').every((r) => r.statusSource === 'none')).toBe(true);
        const rollback = all.find((r) => r.source === 'rollback' && r.rollback?.mode === 'service')!;
        expect(rollback).toBeDefined();
        const undone = all.filter((r) => r.status === 'rolled-back');
        expect(undone.length).toBeGreaterThan(0);
        for (const r of undone) {
          expect(r.rolledBackBy).toBeDefined();
          expect(Date.parse(r.timestamp)).toBeLessThan(Date.parse(all.find((x) => x.sha === r.rolledBackBy)!.timestamp));
        }
        expect(undone.some((r) => r.services.includes('checkout'))).toBe(true);
        // A rollback names the revision it restored, which is older than the rollback.
        const restored = all.find((r) => r.sha === rollback.rollback!.targetSha)!;
        expect(restored).toBeDefined();
        expect(Date.parse(restored.timestamp)).toBeLessThan(Date.parse(rollback.timestamp));
      });
      it('pages through the whole history by cursor without overlap or gap', async () => {
        const all = await walk('', 17);
        const expected = demoTargetCommits('acme', 'production').map((c) => api.shaOf(c.id)).reverse();
        expect(all.map((r) => r.sha)).toEqual(expected);
      });
      it('keeps pages stable when revisions land between two requests', async () => {
        const first = await history('?limit=10');
        const landed: string[] = [];
        for (let i = 0; i < 3; i++) {
          landed.push(
            await api.appendCommit({
              timestamp: new Date(Date.parse(first.revisions[0]!.timestamp) + (i + 1) * 60_000).toISOString(),
              author: { name: 'CI', email: 'ci@example.com' },
              message: `release web v9.9.${i}`,
              changes: { 'tenants/acme/production/services/web/values.yaml': `image:\n  tag: v9.9.${i}\n` },
            }),
          );
        }
        const second = await history(`?limit=10&cursor=${encodeURIComponent(first.nextCursor!)}`);
        const before = await walk('', 100);
        const withoutNew = before.filter((r) => !landed.includes(r.sha)).map((r) => r.sha);
        expect([...first.revisions, ...second.revisions].map((r) => r.sha)).toEqual(withoutNew.slice(0, 20));
        expect(before.slice(0, 3).map((r) => r.sha)).toEqual([...landed].reverse());
      });
      it('filters by service, narrowing to revisions that touched it', async () => {
        const payments = await walk('&service=payments', 25);
        expect(payments.length).toBeGreaterThan(3);
        for (const r of payments) expect(r.services).toContain('payments');
        const all = await walk('', 100);
        expect(payments.map((r) => r.sha)).toEqual(all.filter((r) => r.services.includes('payments')).map((r) => r.sha));
      });
      it('filters by source, status and text, across pages', async () => {
        const all = await walk('', 100);
        const messages = new Map(demoTargetCommits('acme', 'production').map((c) => [api.shaOf(c.id), c.message]));
        const messageOf = (sha: string) => messages.get(sha) ?? '';
        for (const [query, keep] of [
          ['&source=rollback', (r: Revision) => r.source === 'rollback'],
          ['&source=promotion', (r: Revision) => r.source === 'promotion'],
          ['&status=rolled-back', (r: Revision) => r.status === 'rolled-back'],
          ['&status=failed', (r: Revision) => r.status === 'failed'],
          // `q` searches the whole commit message (decision 036), not only the summary shown.
          ['&q=PAYMENTS', (r: Revision) => `${messageOf(r.sha)} ${r.services.join(' ')} ${r.author.name} ${r.author.email}`.toLowerCase().includes('payments')],
        ] as const) {
          const filtered = await walk(query, 3);
          const expected = all.filter(keep).map((r) => r.sha);
          expect(expected.length, query).toBeGreaterThan(0);
          expect(filtered.map((r) => r.sha), query).toEqual(expected);
        }
      });
      it('treats empty filter parameters as absent', async () => {
        const page = await history('?limit=5&cursor=&service=&source=&status=&q=');
        expect(page.revisions).toHaveLength(5);
      });
      it.each([
        ['?limit=0', /limit/],
        ['?limit=501', /limit/],
        ['?limit=ten', /limit/],
        ['?source=deploy', /source/],
        ['?status=broken', /status/],
        ['?service=../payments', /service/],
        ['?cursor=not-a-cursor', 'invalid cursor'],
        [`?cursor=c1.${'0'.repeat(40)}`, 'invalid cursor'],
        ['?service=nope', /unknown service nope/],
      ])('rejects %s with 400', async (query, message) => {
        await expectError(await get(`${ACME_PROD}/history${query}`), 400, 'BAD_REQUEST', message);
      });
      it('accepts limit at both bounds', async () => {
        expect((await history('?limit=1')).revisions).toHaveLength(1);
        const all = await walk('', 100);
        expect(all.length).toBeLessThan(500);
        const big = await history('?limit=500');
        expect(big.revisions.map((r) => r.sha)).toEqual(all.map((r) => r.sha));
        expect(big.nextCursor).toBeNull();
      });
    });

    describeCompareContract(() => api);

    describe('HTTP hygiene', () => {
      it('answers 415 to a write without a JSON content type', async () => {
        const response = await api.request('/api/rollbacks', { method: 'POST', headers: { 'Content-Type': 'text/plain' }, body: '{}' });
        await expectError(response, 415, 'UNSUPPORTED_MEDIA_TYPE');
      });
      it('answers 413 to an oversized body', async () => {
        const body = JSON.stringify({ justification: 'x'.repeat(200_000) });
        const response = await api.request('/api/rollbacks', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body });
        await expectError(response, 413, 'PAYLOAD_TOO_LARGE');
      });
    });
  });
}
