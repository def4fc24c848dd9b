import { describe, expect, it } from 'vitest';
import { MESSAGES, RewindError } from './errors.ts';
import { diffYamlFields } from './field-diff.ts';
import { hashPlan } from './plan-hash.ts';
import { planRollback, type RollbackPlanInput } from './rollback-planner.ts';
import { defaultLayout, type TargetConfig } from './target-config.ts';

const root = 'tenants/acme/production';
const target: TargetConfig = {
  tenant: 'acme',
  environment: 'production',
  plan: 'enterprise',
  features: { basic_rollback: true, rollback: true, selective_rollback: true, rollback_approval: false },
  policy: { requiredApprovals: 0, blockSelfApproval: true, requesters: ['requester'], approvers: ['approver'], breakGlass: [] },
  layout: defaultLayout('acme', 'production', ['api', 'web']),
};

const API_HEAD = [
  '# api values\r',
  'image:\r',
  '  repository: registry.example.com/api\r',
  '  tag: "v2.1.0" # bad\r',
  'replicas: 4\r',
  'featureFlags:\r',
  '  checkoutV2: true\r',
  'env:\r',
  '  - name: LOG_LEVEL\r',
  '    value: debug\r',
  '  - name: FOO\r',
  "    value: 'new'", // no final newline
].join('\n');
const API_TARGET = [
  '# api values',
  'image:',
  '  repository: registry.example.com/api',
  '  tag: "v2.0.3"',
  '  pullPolicy: Always',
  'replicas: 2',
  'env:',
  '  - name: FOO',
  "    value: 'old'",
  '  - name: LOG_LEVEL',
  '    value: info',
  '',
].join('\n');

const head = new Map<string, string>([
  [`${root}/kustomization.yaml`, 'resources:\n- services/api\n- services/web\n- services/new\n'],
  [`${root}/variables.yaml`, 'region: eu-west-1\nlogLevel: debug\n'],
  [`${root}/services/api/values.yaml`, API_HEAD],
  [`${root}/services/api/extra.yaml`, 'added: since\n'],
  [`${root}/services/web/values.yaml`, 'replicas: 2\n'],
]);
const at = new Map<string, string>([
  [`${root}/kustomization.yaml`, 'resources:\n- services/api\n- services/web\n'],
  [`${root}/variables.yaml`, 'region: eu-west-1\nlogLevel: info\n'],
  [`${root}/services/api/values.yaml`, API_TARGET],
  [`${root}/services/web/values.yaml`, 'replicas: 2\n'],
  [`${root}/services/web/old.yaml`, 'removed: since\n'],
]);

function input(overrides: Partial<RollbackPlanInput>): RollbackPlanInput {
  return { target, mode: 'full', headFiles: head, targetFiles: at, ...overrides };
}

function rewindError(fn: () => unknown): RewindError {
  try {
    fn();
  } catch (error) {
    if (error instanceof RewindError) return error;
    throw error;
  }
  throw new Error('expected a RewindError');
}

describe('full mode', () => {
  it('restores every path of the target: changed, added since (deleted) and removed since (back)', () => {
    const plan = planRollback(input({ mode: 'full' }));
    expect(plan.changes).toEqual({
      [`${root}/kustomization.yaml`]: 'resources:\n- services/api\n- services/web\n',
      [`${root}/services/api/extra.yaml`]: null,
      [`${root}/services/api/values.yaml`]: API_TARGET,
      [`${root}/services/web/old.yaml`]: 'removed: since\n',
      [`${root}/variables.yaml`]: 'region: eu-west-1\nlogLevel: info\n',
    });
    expect(Object.keys(plan.changes)).toEqual([...Object.keys(plan.changes)].sort());
    expect(plan.affectedServices).toEqual(['api', 'web']);
    expect(plan.impact).toEqual({ services: 2, bindings: 1, variables: 1 });
    expect(plan.nothingToRollBack).toBe(false);
  });

  it('never touches paths outside the target', () => {
    const withStranger = new Map(head).set('tenants/other/production/variables.yaml', 'x: 1\n');
    const plan = planRollback(input({ mode: 'full', headFiles: withStranger }));
    expect(Object.keys(plan.changes)).not.toContain('tenants/other/production/variables.yaml');
  });

  it('returns an empty plan, flagged, when nothing differs', () => {
    const plan = planRollback(input({ mode: 'full', targetFiles: head }));
    expect(plan).toEqual({ changes: {}, affectedServices: [], impact: { services: 0, bindings: 0, variables: 0 }, nothingToRollBack: true });
  });
});

describe('service mode', () => {
  it("restores only that service's files", () => {
    const plan = planRollback(input({ mode: 'service', service: 'api' }));
    expect(plan.changes).toEqual({
      [`${root}/services/api/extra.yaml`]: null,
      [`${root}/services/api/values.yaml`]: API_TARGET,
    });
    expect(plan.affectedServices).toEqual(['api']);
    expect(plan.impact).toEqual({ services: 1, bindings: 0, variables: 0 });
    expect(planRollback(input({ mode: 'service', service: 'web' })).changes).toEqual({
      [`${root}/services/web/old.yaml`]: 'removed: since\n',
    });
  });

  it('needs a known service', () => {
    expect(rewindError(() => planRollback(input({ mode: 'service' })))).toMatchObject({
      status: 400,
      message: 'service is required for service mode',
    });
    expect(rewindError(() => planRollback(input({ mode: 'service', service: 'nope' })))).toMatchObject({
      status: 400,
      message: 'unknown service nope',
    });
  });
});

describe('field mode', () => {
  const file = `${root}/services/api/values.yaml`;

  it('applies only the selected leaves, byte-minimal', () => {
    const fields = [
      { file, path: ['image', 'tag'] },
      { file, path: ['env', '[name=FOO]', 'value'] },
      { file, path: ['featureFlags'] },
      { file, path: ['image', 'pullPolicy'] },
    ];
    const plan = planRollback(input({ mode: 'field', service: 'api', fields }));
    const expected = [
      '# api values\r',
      'image:\r',
      '  repository: registry.example.com/api\r',
      '  tag: "v2.0.3" # bad\r',
      '  pullPolicy: Always\r',
      'replicas: 4\r',
      'env:\r',
      '  - name: LOG_LEVEL\r',
      '    value: debug\r',
      '  - name: FOO\r',
      "    value: 'old'",
    ].join('\n');
    expect(plan.changes).toEqual({ [file]: expected });
    expect(plan.affectedServices).toEqual(['api']);
    expect(plan.impact).toEqual({ services: 1, bindings: 0, variables: 0 });

    const result = plan.changes[file]!;
    const selected = fields.map((f) => JSON.stringify(f.path));
    expect(diffYamlFields(API_TARGET, result).filter((c) => selected.includes(JSON.stringify(c.path)))).toEqual([]);
    expect(diffYamlFields(API_HEAD, result).map((c) => JSON.stringify(c.path)).sort()).toEqual([...selected].sort());
  });

  it('restores every field the compare lists to the target revision', () => {
    const fields = diffYamlFields(API_TARGET, API_HEAD).map((c) => ({ file, path: c.path }));
    expect(fields.length).toBeGreaterThan(3);
    const plan = planRollback(input({ mode: 'field', service: 'api', fields }));
    expect(diffYamlFields(API_TARGET, plan.changes[file]!)).toEqual([]);
  });

  it('removes fields of a file that did not exist at the target revision', () => {
    const plan = planRollback(input({ mode: 'field', service: 'api', fields: [{ file: `${root}/services/api/extra.yaml`, path: ['added'] }] }));
    expect(plan.changes).toEqual({ [`${root}/services/api/extra.yaml`]: '' });
  });

  it('is a flagged no-op when the fields already have their target value', () => {
    const plan = planRollback(input({ mode: 'field', service: 'api', fields: [{ file, path: ['image', 'repository'] }] }));
    expect(plan.changes).toEqual({});
    expect(plan.nothingToRollBack).toBe(true);
  });

  it('gives the same hash for the same plan', async () => {
    const fields = [{ file, path: ['replicas'] }];
    const one = planRollback(input({ mode: 'field', service: 'api', fields }));
    const two = planRollback(input({ mode: 'field', service: 'api', fields: [...fields, ...fields] }));
    const sha = 'c'.repeat(40);
    expect(await hashPlan(sha, one.changes)).toBe(await hashPlan(sha, two.changes));
    expect(await hashPlan(sha, one.changes)).not.toBe(await hashPlan(sha, planRollback(input({ mode: 'full' })).changes));
  });

  it('rejects bad selections with 400s', () => {
    const field = (over: Partial<RollbackPlanInput>) => rewindError(() => planRollback(input({ mode: 'field', service: 'api', ...over })));
    expect(field({ fields: [] })).toMatchObject({ status: 400, message: MESSAGES.emptyFieldSelection });
    expect(field({ fields: undefined }).message).toBe(MESSAGES.emptyFieldSelection);
    expect(field({ service: undefined, fields: [{ file, path: ['replicas'] }] }).message).toBe('service is required for field mode');
    expect(field({ service: 'nope', fields: [{ file, path: ['replicas'] }] }).message).toBe('unknown service nope');
    expect(field({ fields: [{ file: `${root}/services/web/values.yaml`, path: ['replicas'] }] }).message).toBe(
      `${root}/services/web/values.yaml is not a file of service api`,
    );
    expect(field({ fields: [{ file: `${root}/variables.yaml`, path: ['logLevel'] }] }).message).toBe(
      `${root}/variables.yaml is not a file of service api`,
    );
    expect(
      rewindError(() =>
        planRollback(input({ mode: 'field', service: 'web', fields: [{ file: `${root}/services/web/old.yaml`, path: ['removed'] }] })),
      ).message,
    ).toBe(`${root}/services/web/old.yaml does not exist at the head revision: restore it with service mode`);
    expect(field({ fields: [{ file, path: ['nope', 'deeper'] }] }).message).toBe(
      `${file}: nope.deeper is in neither the current file nor the target revision`,
    );
    expect(field({ fields: [{ file, path: ['replicas', 'x'] }] }).message).toBe(
      `${file}: replicas.x is in neither the current file nor the target revision`,
    );
  });

  it('refuses a file over the parse budget with a 422 naming it, before parsing it', () => {
    const bomb = `image: ${'['.repeat(200_000)}${']'.repeat(200_000)}\n`;
    const heard: string[] = [];
    for (const [headText, targetText] of [[bomb, API_TARGET], [API_HEAD, bomb]]) {
      const error = rewindError(() =>
        planRollback({
          ...input({ mode: 'field', service: 'api', fields: [{ file, path: ['image'] }] }),
          headFiles: new Map([...head, [file, headText!]]),
          targetFiles: new Map([...at, [file, targetText!]]),
          onFile: (path) => heard.push(path),
        }),
      );
      expect(error).toMatchObject({ status: 422, code: 'UNPROCESSABLE', field: 'fields', file, rule: 'parse-budget' });
      expect(error.message).toMatch(new RegExp(`^${file.replace(/[.]/g, '\\.')} is too large or too deeply nested to edit by field`));
    }
    expect(heard).toEqual([file, file]);
  });
});
