/**
 * The API contract of shared/API.md, written once. Each backend runs it through its own harness.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { classifyPath, matchesAny, servicesTouched } from '#core/target-config.ts';
import { DEMO_END } from '#demo/demo-data.ts';
import { withComputedFields } from '#core/compare-fields.ts';
import {
  compareFieldsSchema,
  diffSchema,
  errorBodySchema,
  historyResponseSchema,
  meResponseSchema,
  targetResponseSchema,
  targetsResponseSchema,
  usersResponseSchema,
  type Revision,
} from '#core/schemas.ts';
import type { ApiHarness } from './harness.ts';
import { json } from './harness.ts';

const ACME_PROD = '/api/targets/acme/production';

export function describeApiContract(name: string, makeHarness: () => Promise<ApiHarness>): void {
  describe(`API contract: ${name}`, () => {
    let api: ApiHarness;
    beforeAll(async () => {
      api = await makeHarness();
    });
    afterAll(async () => {
      await api?.close();
    });

    const get = (path: string, headers: Record<string, string> = {}) => api.request(path, { headers });
    const history = async (query: string) => {
      const response = await get(`${ACME_PROD}/history${query}`);
      expect(response.status, await response.clone().text()).toBe(200);
      return historyResponseSchema.parse(await response.json());
    };
    const expectError = async (response: Response, status: number, code: string, message?: string | RegExp) => {
      expect(response.status).toBe(status);
      const body = errorBodySchema.parse(await response.json());
      expect(body.error.code).toBe(code);
      if (typeof message === 'string') expect(body.error.message).toBe(message);
      else if (message) expect(body.error.message).toMatch(message);
      return body;
    };
    /** Every revision of acme/production, newest first, by walking the cursor. */
    const walk = async (query: string, limit: number) => {
      const seen: Revision[] = [];
      let cursor: string | null = null;
      let pages = 0;
      do {
        const page = await history(`?limit=${limit}${query}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);
        seen.push(...page.revisions);
        cursor = page.nextCursor;
        pages++;
        expect(pages).toBeLessThan(500);
      } while (cursor);
      return seen;
    };
    const demoTargetCommits = (tenant: string, environment: string) => {
      const target = api.repo.targets.find((t) => t.tenant === tenant && t.environment === environment)!;
      return api.repo.commits.filter((c) => Object.keys(c.changes).some((p) => matchesAny(target.layout.paths, p)));
    };

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
        expect(all.slice(1).every((r) => ['git-note', 'none', 'rollback'].includes(r.statusSource!))).toBe(true);
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
        for (const [query, keep] of [
          ['&source=rollback', (r: Revision) => r.source === 'rollback'],
          ['&source=promotion', (r: Revision) => r.source === 'promotion'],
          ['&status=rolled-back', (r: Revision) => r.status === 'rolled-back'],
          ['&status=failed', (r: Revision) => r.status === 'failed'],
          ['&q=PAYMENTS', (r: Revision) => `${r.summary} ${r.services.join(' ')} ${r.author.name} ${r.author.email}`.toLowerCase().includes('payments')],
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

    describe('compare', () => {
      const compare = async (query: string, target = ACME_PROD) => {
        const response = await get(`${target}/compare${query}`);
        expect(response.status, await response.clone().text()).toBe(200);
        return diffSchema.parse(await response.json());
      };
      const compareFields = async (query: string, target = ACME_PROD) => {
        const response = await get(`${target}/compare/fields${query}`);
        expect(response.status, await response.clone().text()).toBe(200);
        return compareFieldsSchema.parse(await response.json());
      };
      /** The failing payments release and the acme/production revision before it, found through the history. */
      const paymentsRelease = async () => {
        const all = await walk('', 100);
        const index = all.findIndex((r) => r.summary === 'release payments v2.14.0');
        expect(index).toBeGreaterThanOrEqual(0);
        return { release: all[index]!, parent: all[index + 1]!, all };
      };
      /** Demo file contents at a demo commit (oldest first replay), independent of any backend. */
      const demoFilesAt = (demoId: string) => {
        const files = new Map<string, string>();
        for (const commit of api.repo.commits) {
          for (const [path, content] of Object.entries(commit.changes)) {
            if (content === null) files.delete(path);
            else files.set(path, content);
          }
          if (commit.id === demoId) return files;
        }
        throw new Error(`no demo commit ${demoId}`);
      };
      const demoIdOf = (sha: string) => api.repo.commits.find((c) => api.shaOf(c.id) === sha)!.id;
      const plusMinus = (patch: string) => {
        const lines = patch.split('\n').filter((l) => !l.startsWith('+++ ') && !l.startsWith('--- '));
        return [lines.filter((l) => l.startsWith('+')).length, lines.filter((l) => l.startsWith('-')).length];
      };
      const newestOf = async (target: string) => {
        const response = await get(`${target}/history?limit=1`);
        return historyResponseSchema.parse(await response.json()).revisions[0]!;
      };
      let minutes = 0;
      /** A commit landing after everything else, as CI pushing to the repo would. */
      const land = (message: string, changes: Record<string, string | null>) =>
        api.appendCommit({
          timestamp: new Date(Date.parse(DEMO_END) + 3_600_000 + ++minutes * 60_000).toISOString(),
          author: { name: 'CI', email: 'ci@example.com' },
          message,
          changes,
        });

      it('shows the failed payments release against its parent: one file, its image tag and timeout', async () => {
        const { release, parent } = await paymentsRelease();
        const diff = await compare(`?from=${parent.sha}&to=${release.sha}`);
        expect(diff.from).toBe(parent.sha);
        expect(diff.to).toBe(release.sha);
        expect(diff.files).toHaveLength(1);
        const [file] = diff.files;
        expect(file).toMatchObject({
          path: 'tenants/acme/production/services/payments/values.yaml',
          service: 'payments',
          kind: 'service',
          status: 'modified',
          additions: 2,
          deletions: 2,
        });
        expect(file!.patch.startsWith(`diff --git a/${file!.path} b/${file!.path}\n`)).toBe(true);
        expect(file!.patch).toContain('\n+  tag: "v2.14.0"\n');
        expect(file!.patch).toMatch(/\n@@ -\d+,\d+ \+\d+,\d+ @@/);
        expect(diff.fields).toHaveLength(2);
        expect(diff.fields[0]).toMatchObject({ service: 'payments', file: file!.path, path: ['image', 'tag'], to: 'v2.14.0' });
        expect(diff.fields[0]!.from).toMatch(/^v2\.13\.\d+$/);
        expect(diff.fields[1]).toEqual({
          service: 'payments',
          file: file!.path,
          path: ['env', '[name=PAYMENT_PROVIDER_TIMEOUT_MS]', 'value'],
          from: '3000',
          to: '800',
        });
        expect(diff.impact).toEqual({ services: 1, bindings: 0, variables: 0 });
      });

      it('compares with the head when `to` is left out, and accepts `to=head`', async () => {
        const { parent } = await paymentsRelease();
        const head = await newestOf(ACME_PROD);
        const byDefault = await compare(`?from=${parent.sha}`);
        expect(byDefault.to).toBe(head.sha);
        expect(await compare(`?from=${parent.sha}&to=head`)).toEqual(byDefault);
        expect(await compare(`?from=${parent.sha}&to=`)).toEqual(byDefault);
        expect(await compare(`?from=${parent.sha}&to=${head.sha}`)).toEqual(byDefault);
        const nothing = await compare('?from=head');
        expect(nothing).toMatchObject({ from: head.sha, to: head.sha, files: [], fields: [], impact: { services: 0, bindings: 0, variables: 0 } });
      });

      it('accepts abbreviated and upper-case ids, answering full ones', async () => {
        const { release, parent } = await paymentsRelease();
        const full = await compare(`?from=${parent.sha}&to=${release.sha}`);
        const short = await compare(`?from=${parent.sha.slice(0, 7)}&to=${release.sha.slice(0, 12).toUpperCase()}`);
        expect(short).toEqual(full);
      });

      it('compares in either order, and any two revisions of the repo', async () => {
        const { release, parent } = await paymentsRelease();
        const backward = await compare(`?from=${release.sha}&to=${parent.sha}`);
        expect(backward.fields[1]).toMatchObject({ from: '800', to: '3000' });
        // A revision of another target is fine: only this target's paths are compared.
        const staging = await newestOf('/api/targets/acme/staging');
        const across = await compare(`?from=${staging.sha}&to=${release.sha}`);
        for (const file of across.files) expect(file.path.startsWith('tenants/acme/production/')).toBe(true);
      });

      it('lists several services over many revisions, with the impact, the same files as the data and consistent counts', async () => {
        const { release, all } = await paymentsRelease();
        const older = all.filter((r) => Date.parse(r.timestamp) < Date.parse(release.timestamp)).at(-1)!; // the oldest
        const diff = await compare(`?from=${older.sha}&to=${release.sha}`);
        const target = api.repo.targets.find((t) => t.tenant === 'acme' && t.environment === 'production')!;
        const before = demoFilesAt(demoIdOf(older.sha));
        const after = demoFilesAt(demoIdOf(release.sha));
        const paths = [...new Set([...before.keys(), ...after.keys()])]
          .filter((p) => matchesAny(target.layout.paths, p) && before.get(p) !== after.get(p))
          .sort();
        expect(diff.files.map((f) => f.path)).toEqual(paths);
        for (const file of diff.files) {
          expect(file.status).toBe(!before.has(file.path) ? 'added' : !after.has(file.path) ? 'deleted' : 'modified');
          expect({ kind: file.kind, service: file.service }).toEqual(classifyPath(target.layout, file.path));
          expect(plusMinus(file.patch), file.path).toEqual([file.additions, file.deletions]);
        }
        const services = new Set(diff.files.map((f) => f.service).filter((s) => s !== null));
        expect(services.size).toBeGreaterThanOrEqual(3);
        expect(diff.impact).toEqual({
          services: services.size,
          bindings: diff.files.filter((f) => f.kind === 'binding').length,
          variables: diff.files.filter((f) => f.kind === 'variables').length,
        });
        expect(diff.impact.bindings + diff.impact.variables).toBeGreaterThan(0);

        // Over 4,096 characters of YAML to parse: the fields are left to the follow-up request.
        const yamlFiles = diff.files.filter((f) => /\.ya?ml$/.test(f.path));
        expect(yamlFiles.length).toBeGreaterThan(3);
        for (const file of yamlFiles) expect(file.fieldDiff, file.path).toBe('deferred');
        expect(diff.fields).toEqual([]);
        const computed = await compareFields(`?from=${older.sha}&to=${release.sha}`);
        expect(computed.from).toBe(older.sha);
        expect(computed.to).toBe(release.sha);
        expect(computed.files.map((f) => f.path)).toEqual(diff.files.map((f) => f.path));
        for (const file of computed.files) expect(file.fieldDiff, file.path).toBeUndefined();
        const complete = withComputedFields(diff, computed);
        for (const file of complete.files) expect(file.fieldDiff).toBeUndefined();
        for (const field of complete.fields) {
          const file = complete.files.find((f) => f.path === field.file)!;
          expect(file).toBeDefined();
          expect(field.service).toBe(file.service);
        }
        expect(new Set(complete.fields.map((f) => f.service)).size).toBeGreaterThanOrEqual(3);
        // Fields are listed in file order, and each file's fields are those of a compare of that file alone.
        expect(complete.fields.map((f) => f.file)).toEqual([...complete.fields.map((f) => f.file)].sort());
        const [first] = yamlFiles;
        const alone = await compare(`?from=${older.sha}&to=${release.sha}&file=${encodeURIComponent(first!.path)}`);
        expect(alone.files).toHaveLength(1);
        const { fieldDiff: _deferred, ...firstFile } = first!;
        const { fieldDiff: aloneState, ...aloneFile } = alone.files[0]!;
        expect(aloneFile).toEqual(firstFile);
        expect(aloneState).toBeUndefined(); // one small file: its fields come with the text
        expect(alone.fields).toEqual(complete.fields.filter((f) => f.file === first!.path));
      });

      it('computes the fields of a small change with the text, and the fields endpoint agrees', async () => {
        const { release, parent } = await paymentsRelease();
        const diff = await compare(`?from=${parent.sha}&to=${release.sha}`);
        expect(diff.files[0]!.fieldDiff).toBeUndefined();
        const computed = await compareFields(`?from=${parent.sha}&to=${release.sha}`);
        expect(computed).toEqual({ from: diff.from, to: diff.to, files: [{ path: diff.files[0]!.path }], fields: diff.fields });
        expect(withComputedFields(diff, computed)).toEqual(diff);
      });

      it('defers the fields of a large manifest and computes them on request', async () => {
        const path = 'tenants/acme/staging/services/payments/large-values.yaml';
        const manifest = (replicas: number) =>
          ['settings:', ...Array.from({ length: 400 }, (_, i) => `  key${i}: value-${i}`), `replicas: ${replicas}`, ''].join('\n');
        const first = await land('add a large manifest\n', { [path]: manifest(2) });
        const second = await land('scale search\n', { [path]: manifest(3) });
        const diff = await compare(`?from=${first}&to=${second}`, '/api/targets/acme/staging');
        expect(diff.files).toHaveLength(1);
        expect(diff.files[0]).toMatchObject({ path, additions: 1, deletions: 1, fieldDiff: 'deferred' });
        expect(diff.fields).toEqual([]);
        const computed = await compareFields(`?from=${first}&to=${second}`, '/api/targets/acme/staging');
        expect(computed).toEqual({
          from: first,
          to: second,
          files: [{ path }],
          fields: [{ service: 'payments', file: path, path: ['replicas'], from: 2, to: 3 }],
        });
        // Asked again, the same answer (the parse is cached, the result is not different).
        expect(await compareFields(`?from=${first}&to=${second}`, '/api/targets/acme/staging')).toEqual(computed);
      });

      it('narrows to one file of the target with `file`, taken literally', async () => {
        const { release, parent } = await paymentsRelease();
        const full = await compare(`?from=${parent.sha}&to=${release.sha}`);
        const path = full.files[0]!.path;
        expect(await compare(`?from=${parent.sha}&to=${release.sha}&file=${encodeURIComponent(path)}`)).toEqual(full);
        // A file of the target that did not change: nothing. A pattern is a name, not a pattern.
        const quiet = await compare(`?from=${parent.sha}&to=${release.sha}&file=${encodeURIComponent('tenants/acme/production/services/web/values.yaml')}`);
        expect(quiet).toMatchObject({ files: [], fields: [], impact: { services: 0, bindings: 0, variables: 0 } });
        const pattern = await compare(`?from=${parent.sha}&to=${release.sha}&file=${encodeURIComponent('tenants/acme/production/services/*/values.yaml')}`);
        expect(pattern.files).toEqual([]);
      });

      it('widens the context of the patches with `context`, up to the whole file', async () => {
        const { release, parent } = await paymentsRelease();
        const path = 'tenants/acme/production/services/payments/values.yaml';
        const contextLines = (patch: string) => patch.split('\n').filter((l) => l.startsWith(' ')).length;
        const normal = (await compare(`?from=${parent.sha}&to=${release.sha}`)).files[0]!;
        const none = (await compare(`?from=${parent.sha}&to=${release.sha}&context=0`)).files[0]!;
        const whole = (await compare(`?from=${parent.sha}&to=${release.sha}&file=${encodeURIComponent(path)}&context=1000000`)).files[0]!;
        expect(contextLines(none.patch)).toBe(0);
        expect(contextLines(normal.patch)).toBeGreaterThan(0);
        for (const file of [none, whole]) expect([file.additions, file.deletions]).toEqual([normal.additions, normal.deletions]);
        // With the whole file as context, the patch holds every line of the new text, once.
        const text = demoFilesAt(demoIdOf(release.sha)).get(path)!;
        const shown = whole.patch
          .split('\n')
          .filter((l) => (l.startsWith(' ') || l.startsWith('+')) && !l.startsWith('+++ '))
          .map((l) => l.slice(1));
        expect(shown).toEqual(text.replace(/\n$/, '').split('\n'));
        expect(whole.patch.match(/^@@ /gm)).toHaveLength(1);
      });

      it.each([
        ['context=-1', /context must be a whole number/],
        ['context=abc', /context must be a whole number/],
        ['context=1.5', /context must be a whole number/],
        ['context=1000001', /context must be a whole number/],
        [`file=${encodeURIComponent('tenants/globex/production/values.yaml')}`, 'file "tenants/globex/production/values.yaml" is not part of acme/production'],
        [`file=${encodeURIComponent('../../etc/passwd')}`, 'file must be a file path of the repository: it has a . or .. segment'],
        // Inside the target's prefix, climbing out of it (a 500 from git before).
        [`file=${encodeURIComponent('tenants/acme/production/../../../../etc/passwd')}`, 'file must be a file path of the repository: it has a . or .. segment'],
        [`file=${encodeURIComponent('tenants/acme/production/./variables.yaml')}`, 'file must be a file path of the repository: it has a . or .. segment'],
        [`file=${encodeURIComponent('tenants/acme/production//variables.yaml')}`, 'file must be a file path of the repository: it has an empty segment (// or a trailing /)'],
        [`file=${encodeURIComponent('/tenants/acme/production/variables.yaml')}`, 'file must be a file path of the repository: it is absolute: repo paths are relative to the repository root'],
        [`file=${encodeURIComponent('tenants/acme/production/a\nb.yaml')}`, 'file must be a file path of the repository: it contains a control character'],
        [`file=${'a'.repeat(5000)}`, 'file must be a file path of the repository: it is longer than 1024 characters'],
      ])('rejects %s with 400', async (query, message) => {
        await expectError(await get(`${ACME_PROD}/compare?from=head&${query}`), 400, 'BAD_REQUEST', message);
      });

      it('answers the fields endpoint with the compare errors', async () => {
        await expectError(await get(`${ACME_PROD}/compare/fields`), 400, 'BAD_REQUEST', 'from is required');
        await expectError(await get(`${ACME_PROD}/compare/fields?from=HEAD~1`), 400, 'BAD_REQUEST', /from/);
        await expectError(await get(`${ACME_PROD}/compare/fields?from=${'0'.repeat(40)}`), 404, 'NOT_FOUND', `unknown revision ${'0'.repeat(40)}`);
        await expectError(await get('/api/targets/acme/qa/compare/fields?from=head'), 404, 'NOT_FOUND', 'unknown target acme/qa');
      });

      it.each([
        ['?from=HEAD~1', /from/],
        ['?from=xyz', /from/],
        ['?from=abc', /from/],
        [`?from=${'a'.repeat(41)}`, /from/],
        ['?from=..%2F..%2Fetc', /from/],
        ['?from=head&to=main', /to/],
        ['?from=head&to=-p', /to/],
        ['', 'from is required'],
        ['?from=', 'from is required'],
        ['?to=head', 'from is required'],
      ])('rejects %s with 400', async (query, message) => {
        await expectError(await get(`${ACME_PROD}/compare${query}`), 400, 'BAD_REQUEST', message);
      });

      it('answers 404 for an unknown revision or target', async () => {
        const unknown = '0'.repeat(40);
        await expectError(await get(`${ACME_PROD}/compare?from=${unknown}`), 404, 'NOT_FOUND', `unknown revision ${unknown}`);
        await expectError(await get(`${ACME_PROD}/compare?from=head&to=0000000`), 404, 'NOT_FOUND', 'unknown revision 0000000');
        await expectError(await get('/api/targets/acme/qa/compare?from=head'), 404, 'NOT_FOUND', 'unknown target acme/qa');
      });

      it('returns attacker-controlled names and values verbatim as JSON strings', async () => {
        const before = await newestOf('/api/targets/acme/staging');
        const script = 'tenants/acme/staging/services/web/<script>alert(1)</script>.yaml';
        const img = 'tenants/acme/staging/services/web/<img src=x onerror=alert(1)> javascript:alert(1).yaml';
        const content = [
          'note: "<script>alert(1)</script>"',
          'banner: <img src=x onerror=alert(1)>',
          'link: javascript:alert(1)',
          '',
        ].join('\n');
        const sha = await land('release web <script>alert(1)</script>\n', { [script]: content, [img]: content });
        const response = await get(`/api/targets/acme/staging/compare?from=${before.sha}&to=${sha}`);
        expect(response.status).toBe(200);
        expect(response.headers.get('content-type')).toMatch(/^application\/json/);
        const text = await response.text();
        for (const raw of ['<script>alert(1)</script>', '<img src=x onerror=alert(1)>', 'javascript:alert(1)']) expect(text).toContain(raw);
        const diff = diffSchema.parse(JSON.parse(text));
        expect(diff.files.map((f) => [f.path, f.service, f.status])).toEqual([
          [script, 'web', 'added'],
          [img, 'web', 'added'],
        ].sort((a, b) => (a[0]! < b[0]! ? -1 : 1)));
        for (const file of diff.files) {
          expect(file.patch).toContain('+note: "<script>alert(1)</script>"\n+banner: <img src=x onerror=alert(1)>\n+link: javascript:alert(1)\n');
          expect(file.patch).toContain(`diff --git a/${file.path} b/${file.path}\n`);
        }
        expect(diff.fields.filter((f) => f.file === script)).toEqual([
          { service: 'web', file: script, path: ['note'], to: '<script>alert(1)</script>' },
          { service: 'web', file: script, path: ['banner'], to: '<img src=x onerror=alert(1)>' },
          { service: 'web', file: script, path: ['link'], to: 'javascript:alert(1)' },
        ]);
      });

      it('masks Kubernetes Secret values end to end, in patches and fields', async () => {
        const path = 'tenants/acme/staging/services/payments/db-secret.yaml';
        const secret = (password: string, token: string) =>
          [
            'apiVersion: v1',
            'kind: Secret',
            'metadata:',
            '  name: payments-db',
            'type: Opaque',
            'data:',
            `  password: ${btoa(password)}`,
            `  user: ${btoa('payments-user')}`,
            'stringData:',
            `  token: ${token}`,
            '',
          ].join('\n');
        const first = await land('add payments db secret\n', { [path]: secret('Old-Pa55word!', 'tok-ABCDEF-123') });
        const second = await land('rotate payments db secret\n', { [path]: secret('New-Pa55word!', 'tok-ABCDEF-123') });
        const leaks = ['Old-Pa55word!', 'New-Pa55word!', btoa('Old-Pa55word!'), btoa('New-Pa55word!'), 'tok-ABCDEF-123', btoa('payments-user')];

        const response = await get(`/api/targets/acme/staging/compare?from=${first}&to=${second}`);
        const text = await response.text();
        expect(response.status, text).toBe(200);
        for (const leak of leaks) expect(text).not.toContain(leak);
        const diff = diffSchema.parse(JSON.parse(text));
        expect(diff.files).toHaveLength(1);
        expect(diff.files[0]).toMatchObject({ path, service: 'payments', redacted: 'values', additions: 1, deletions: 1 });
        expect(diff.files[0]!.patch).toContain('\n-  password: <redacted>\n+  password: <redacted:changed>\n');
        expect(diff.fields).toEqual([
          { service: 'payments', file: path, path: ['data', 'password'], from: '<redacted>', to: '<redacted:changed>', redacted: true },
        ]);
        const fieldsResponse = await get(`/api/targets/acme/staging/compare/fields?from=${first}&to=${second}`);
        const fieldsText = await fieldsResponse.text();
        for (const leak of leaks) expect(fieldsText).not.toContain(leak);
        expect(compareFieldsSchema.parse(JSON.parse(fieldsText)).fields).toEqual(diff.fields);

        // Added as a whole, and a Secret that no longer parses: nothing of it is shown.
        const broken = await land('break the secret\n', { [path]: `${secret('Broken-Pa55word!', 'tok-ABCDEF-123')}  oops: [\n` });
        const whole = await get(`/api/targets/acme/staging/compare?from=${first}&to=${broken}`);
        const wholeText = await whole.text();
        expect(whole.status).toBe(200);
        for (const leak of [...leaks, 'Broken-Pa55word!', btoa('Broken-Pa55word!')]) expect(wholeText).not.toContain(leak);
        const withheld = diffSchema.parse(JSON.parse(wholeText));
        expect(withheld.files[0]).toMatchObject({ path, redacted: 'file', patch: `diff --git a/${path} b/${path}\n` });
        expect(withheld.fields).toEqual([]);
      });
    });

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
