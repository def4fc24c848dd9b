import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { classifyPath } from '#core/target-config.ts';
import { identityModeOf, identityProblem, isLoopbackHost } from './config-schema.ts';
import { ConfigError, parseConfig } from './load-config.ts';
import { resolveTargets } from './resolve-targets.ts';

const example = (name: string) => parseConfig(readFileSync(`docs/examples/${name}.rewind.config.yaml`, 'utf8'), name);

describe('parseConfig', () => {
  it('database.reconcileIntervalSeconds: 60 by default, bounded, named in the error', () => {
    const targets = "targets:\n  pattern:\n    services: 'tenants/{tenant}/{environment}/services/{service}/'\n";
    expect(parseConfig(targets, 'c.yaml').database.reconcileIntervalSeconds).toBe(60);
    expect(parseConfig(`database:\n  url: postgres://rewind@db/rewind\n  reconcileIntervalSeconds: 15\n${targets}`, 'c.yaml').database.reconcileIntervalSeconds).toBe(15);
    expect(() => parseConfig(`database:\n  reconcileIntervalSeconds: 1\n${targets}`, 'c.yaml')).toThrow(/reconcileIntervalSeconds/);
  });

  it('names the file, line and key of an invalid value', () => {
    const text = 'targets:\n  list:\n    - tenant: acme\n      environment: production\n      plan: platinum\n      services: [{ name: web, paths: [web/] }]\n';
    expect(() => parseConfig(text, 'rewind.config.yaml')).toThrow(
      /^rewind\.config\.yaml:5: targets\.list\.0\.plan: Invalid option: expected one of "free"\|"pro"\|"enterprise"/,
    );
  });
  it('rejects unknown keys, so typos do not pass silently', () => {
    expect(() => parseConfig('targets:\n  patern: {}\n', 'c.yaml')).toThrow(/c\.yaml:2: targets: Unrecognized key: "patern"/);
  });
  it('reports YAML syntax errors with their line', () => {
    expect(() => parseConfig('repo:\n  path: [unclosed\n', 'c.yaml')).toThrow(ConfigError);
    expect(() => parseConfig('a: 1\na: 2\n', 'c.yaml')).toThrow(/c\.yaml:2:.*[Mm]ap keys must be unique/);
  });
  it('hints at quoting when an unquoted placeholder breaks the YAML', () => {
    expect(() => parseConfig('targets:\n  pattern:\n    paths: [apps/{environment}/]\n', 'c.yaml')).toThrow(/^c\.yaml:3: .*\(quote values that contain \{placeholders\}\)$/);
  });
  it('refuses alias bombs', () => {
    const bomb = ['a: &a ["x","x","x","x","x","x","x","x","x"]', ...'bcdefghij'.split('').map((k, i) => `${k}: &${k} [${Array(9).fill(`*${'abcdefghij'[i]}`).join(',')}]`), 'targets: { pattern: { tenant: t, services: "{environment}/{service}/" } }'].join('\n');
    expect(() => parseConfig(bomb, 'bomb.yaml')).toThrow(ConfigError);
  });
  it('takes the destructive-plan share from the policy, between 0 and 1', () => {
    const text = (share: number) => `defaults: { policy: { maxDeleteShare: ${share} } }\ntargets:\n  pattern: { tenant: t, services: "apps/{environment}/{service}/" }\n`;
    const { targets } = resolveTargets(parseConfig(text(0.25), 'c.yaml'), ['apps/production/web/values.yaml']);
    expect(targets[0]!.policy.maxDeleteShare).toBe(0.25);
    expect(() => parseConfig(text(1.5), 'c.yaml')).toThrow(/defaults\.policy\.maxDeleteShare/);
  });
  it('refuses users without identity.mode, naming the key and line', () => {
    const targets = 'targets:\n  pattern: { tenant: t, services: "apps/{environment}/{service}/" }\n';
    const users = 'users:\n  - { email: sam@example.com, name: Sam, roles: [requester] }\n';
    expect(() => parseConfig(`${users}${targets}`, 'rewind.config.yaml')).toThrow(
      /^rewind\.config\.yaml(:\d+)?: identity\.mode: users are listed but identity\.mode is not set: set identity\.mode: proxy/,
    );
    expect(() => parseConfig(`identity: { trustedProxies: [10.0.0.1] }\n${users}${targets}`, 'c.yaml')).toThrow(/identity\.mode: users are listed/);
    expect(identityModeOf(parseConfig(`identity: { mode: demo }\n${users}${targets}`, 'c.yaml'))).toBe('demo');
    expect(identityModeOf(parseConfig(`identity: { mode: proxy }\n${users}${targets}`, 'c.yaml'))).toBe('proxy');
  });

  it('takes a user\'s Slack member id (U… or W…) and refuses anything else, naming the key', () => {
    const targets = 'targets:\n  pattern: { tenant: t, services: "apps/{environment}/{service}/" }\n';
    const user = (slackId: string) => `identity: { mode: proxy }\nusers:\n  - { email: dana@example.com, name: Dana, roles: [approver], slackId: ${slackId} }\n${targets}`;
    expect(parseConfig(user('U024BE7LH'), 'c.yaml').users[0]).toEqual({ email: 'dana@example.com', name: 'Dana', roles: ['approver'], slackId: 'U024BE7LH' });
    expect(parseConfig(user('W012A3CDE'), 'c.yaml').users[0]?.slackId).toBe('W012A3CDE');
    for (const bad of ['"@dana"', 'C024BE7LH', 'u024be7lh', '"<@U024BE7LH>"']) {
      expect(() => parseConfig(user(bad), 'c.yaml'), bad).toThrow(/^c\.yaml:3: users\.0\.slackId: must be a Slack member id/);
    }
  });

  it('keeps implicit demo identity on loopback; beyond it only when asked for', () => {
    const targets = 'targets:\n  pattern: { tenant: t, services: "apps/{environment}/{service}/" }\n';
    const implicit = parseConfig(targets, 'c.yaml');
    for (const host of ['127.0.0.1', 'localhost', '::1', '[::1]', '127.0.0.2']) {
      expect(isLoopbackHost(host), host).toBe(true);
      expect(identityProblem(implicit, host)).toBeNull();
    }
    for (const host of ['0.0.0.0', '::', '10.0.0.5', 'rewind.example.com']) {
      expect(identityProblem(implicit, host), host).toMatch(new RegExp(`^server\\.host ${host.replace(/\./g, '\\.')} is not a loopback address and identity\\.mode is not set`));
    }
    expect(identityProblem(parseConfig(`identity: { mode: demo }\n${targets}`, 'c.yaml'), '0.0.0.0')).toBeNull();
    expect(identityProblem(parseConfig(`identity: { mode: proxy }\n${targets}`, 'c.yaml'), '0.0.0.0')).toBeNull();
  });

  it('needs exactly one of pattern or list', () => {
    expect(() => parseConfig('targets: {}\n', 'c.yaml')).toThrow(/set exactly one of targets.pattern or targets.list/);
  });
  it('applies defaults', () => {
    const config = parseConfig('targets:\n  pattern: { tenant: t, services: "apps/{environment}/{service}/" }\n', 'c.yaml');
    // No default name: the repository's own default branch (its HEAD) is served (issue 11).
    expect(config.repo.branch).toBeUndefined();
    expect(config.repo.fetchIntervalSeconds).toBe(5);
    expect(config.server).toEqual({ host: '127.0.0.1', port: 4173, dataDir: './.rewind-data' });
    expect(config.identity.mode).toBeUndefined();
    expect(identityModeOf(config)).toBe('demo');
  });
});

describe('cluster:', () => {
  const base = 'targets: { pattern: { services: "tenants/{tenant}/{environment}/services/{service}/" } }\n';
  it('parses the documented Argo CD and Flux examples', () => {
    expect(example('argocd').cluster?.argocd).toMatchObject({ url: 'https://argocd.example.com', tokenEnv: 'ARGOCD_TOKEN', application: '{tenant}-{environment}', syncAfterRollback: true, confirmWithin: 300_000, pollInterval: 10_000, timeout: 10_000 });
    expect(example('flux-cluster').cluster?.flux).toMatchObject({ kind: 'Kustomization', kustomization: '{environment}-apps', namespace: 'flux-system', confirmWithin: 600_000 });
  });
  it('accepts an explicit map of Applications', () => {
    const config = parseConfig(`${base}cluster:\n  argocd:\n    url: https://argo.example.com\n    tokenFile: ./t\n    application: { acme/production: acme-prod, acme/staging/api: api-stg }\n`, 'c.yaml');
    expect(config.cluster?.argocd?.application).toEqual({ 'acme/production': 'acme-prod', 'acme/staging/api': 'api-stg' });
  });
  it('names the line of a cluster mistake', () => {
    expect(() => parseConfig(`${base}cluster:\n  argocd:\n    url: https://argo.example.com\n    application: "{tenant}-{environment}"\n`, 'c.yaml')).toThrow(
      'c.yaml:4: cluster.argocd: set exactly one of tokenEnv or tokenFile (the Argo CD API token)',
    );
    expect(() => parseConfig(`${base}cluster:\n  argocd:\n    url: https://argo.example.com\n    tokenEnv: T\n    confirmWithin: soon\n`, 'c.yaml')).toThrow(
      'c.yaml:6: cluster.argocd.confirmWithin: must be a duration such as 300ms, 10s, 5m or 1h',
    );
    expect(() => parseConfig(`${base}cluster: {}\n`, 'c.yaml')).toThrow('c.yaml:2: cluster: set exactly one of cluster.argocd or cluster.flux');
    expect(() => parseConfig(`${base}cluster:\n  flux:\n    apiServer: not a url\n    tokenFile: t\n`, 'c.yaml')).toThrow('c.yaml:4: cluster.flux.apiServer: must be an http(s) URL');
  });
  it('takes an HMAC secret and/or an Argo CD bearer token for the outcome webhooks (decision 046), at most one source each', () => {
    expect(example('argocd').cluster?.webhooks).toEqual({ argocdTokenEnv: 'REWIND_ARGOCD_HOOK_TOKEN' });
    const argo = `${base}cluster:\n  argocd:\n    url: https://argo.example.com\n    tokenEnv: T\n  webhooks:\n`;
    expect(parseConfig(`${argo}    secretEnv: S\n    argocdTokenFile: ./hook-token\n`, 'c.yaml').cluster?.webhooks).toEqual({ secretEnv: 'S', argocdTokenFile: './hook-token' });
    expect(() => parseConfig(`${argo}    argocdTokenEnv: A\n    argocdTokenFile: ./a\n`, 'c.yaml')).toThrow('c.yaml:7: cluster.webhooks: set at most one of argocdTokenEnv or argocdTokenFile');
    expect(() => parseConfig(`${argo}    {}\n`, 'c.yaml')).toThrow(/c\.yaml:\d+: cluster\.webhooks: set secretEnv or secretFile \(the HMAC secret Flux signs with\), and\/or argocdTokenEnv or argocdTokenFile/);
  });
});

describe('resolveTargets for the documented layouts', () => {
  it('tenants layout: discovers tenants, environments and services; applies overrides', () => {
    const files = [
      'tenants/acme/production/kustomization.yaml',
      'tenants/acme/production/variables.yaml',
      'tenants/acme/production/services/web/values.yaml',
      'tenants/acme/production/services/payments/values.yaml',
      'tenants/acme/staging/services/web/values.yaml',
      'tenants/Bad_Name/staging/services/web/values.yaml',
      'README.md',
    ];
    const { targets, warnings } = resolveTargets(example('tenants-layout'), files);
    expect(targets.map((t) => `${t.tenant}/${t.environment}`)).toEqual(['acme/production', 'acme/staging']);
    const prod = targets[0]!;
    expect(prod.layout.services.map((s) => s.name)).toEqual(['payments', 'web']);
    expect(prod.policy.requiredApprovals).toBe(2);
    expect(targets[1]!.policy.requiredApprovals).toBe(1);
    expect(classifyPath(prod.layout, 'tenants/acme/production/kustomization.yaml').kind).toBe('binding');
    expect(classifyPath(prod.layout, 'tenants/acme/production/variables.yaml').kind).toBe('variables');
    expect(warnings).toEqual([
      'targets.pattern: skipped tenant "Bad_Name" (tenants/Bad_Name/staging/services/web/values.yaml): names must be lowercase DNS labels ([a-z0-9-], at most 63)',
    ]);
  });

  it('environment first', () => {
    const files = ['apps/production/web/deployment.yaml', 'apps/production/api/values.yaml', 'apps/production/kustomization.yaml', 'apps/staging/web/deployment.yaml'];
    const { targets } = resolveTargets(example('env-first'), files);
    expect(targets.map((t) => `${t.tenant}/${t.environment}`)).toEqual(['shop/production', 'shop/staging']);
    expect(targets[0]!.layout.services.map((s) => s.name)).toEqual(['api', 'web']);
    expect(classifyPath(targets[0]!.layout, 'apps/production/web/deployment.yaml')).toEqual({ kind: 'service', service: 'web' });
    expect(classifyPath(targets[0]!.layout, 'apps/production/kustomization.yaml').kind).toBe('binding');
  });

  it('service first (overlays): the base belongs to no target', () => {
    const files = ['apps/web/base/deployment.yaml', 'apps/web/overlays/production/patch.yaml', 'apps/api/overlays/production/patch.yaml', 'apps/api/overlays/staging/patch.yaml'];
    const { targets } = resolveTargets(example('service-first'), files);
    expect(targets.map((t) => `${t.tenant}/${t.environment}`)).toEqual(['shop/production', 'shop/staging']);
    const prod = targets[0]!;
    expect(prod.layout.paths.sort()).toEqual(['apps/api/overlays/production/', 'apps/web/overlays/production/']);
    expect(classifyPath(prod.layout, 'apps/web/base/deployment.yaml').kind).toBe('other');
  });

  it('Flux: clusters/<env> bindings plus apps/<env>/<service>', () => {
    const files = ['clusters/production/flux-system/gotk-sync.yaml', 'clusters/production/apps.yaml', 'apps/production/podinfo/release.yaml', 'apps/production/cluster-vars.yaml'];
    const { targets } = resolveTargets(example('flux-env-folders'), files);
    expect(targets.map((t) => `${t.tenant}/${t.environment}`)).toEqual(['fleet/production']);
    const layout = targets[0]!.layout;
    expect(classifyPath(layout, 'clusters/production/flux-system/gotk-sync.yaml').kind).toBe('binding');
    expect(classifyPath(layout, 'apps/production/podinfo/release.yaml')).toEqual({ kind: 'service', service: 'podinfo' });
    expect(classifyPath(layout, 'apps/production/cluster-vars.yaml').kind).toBe('variables');
  });

  it('explicit list: keeps targets whose paths match nothing, with a warning', () => {
    const { targets, warnings } = resolveTargets(example('explicit-list'), ['deploy/prod/payments-api/values.yaml']);
    expect(targets).toHaveLength(1);
    expect(targets[0]!.policy.requiredApprovals).toBe(2);
    expect(targets[0]!.plan).toBe('pro');
    expect(warnings).toEqual(['target payments/production: service worker matches no file']);
    expect(resolveTargets(example('explicit-list'), []).warnings[0]).toBe('target payments/production: its paths match no file in the repo yet');
  });

  it('warns when a pattern finds nothing', () => {
    const { targets, warnings } = resolveTargets(example('flux-env-folders'), ['README.md']);
    expect(targets).toEqual([]);
    expect(warnings).toEqual(['targets.pattern: no file in the repo matches apps/{environment}/{service}/']);
  });

  describe('repo.url and repo.credentials (decision 035)', () => {
    const targets = 'targets:\n  pattern: { tenant: t, services: "apps/{environment}/{service}/" }\n';
    const parse = (repo: string) => parseConfig(`repo:\n${repo}${targets}`, 'c.yaml');
    it('accepts https, ssh, scp-like and file URLs with their credentials', () => {
      for (const url of ['https://git.example.com/infra.git', 'ssh://git@git.example.com/infra.git', 'git@github.com:example/infra.git', 'file:///srv/git/infra.git']) {
        expect(parse(`  url: ${url}\n`).repo.url).toBe(url);
      }
      const config = parse('  url: https://git.example.com/infra.git\n  credentials: { usernameEnv: GIT_USER, tokenFile: /run/secrets/git-token }\n');
      expect(config.repo.credentials).toEqual({ usernameEnv: 'GIT_USER', tokenFile: '/run/secrets/git-token' });
    });
    it('refuses a secret in the URL, a plain path, and contradicting keys, naming the line', () => {
      expect(() => parse('  url: https://me:hunter2@git.example.com/infra.git\n')).toThrow(/^c\.yaml:2: repo\.url: must not contain a user name or token: use repo\.credentials/);
      expect(() => parse('  url: https://ghp_token@git.example.com/infra.git\n')).toThrow(/must not contain a user name or token/);
      expect(() => parse('  url: /srv/git/infra.git\n')).toThrow(/repo\.url: must be an https:\/\/, ssh:\/\/, file:\/\/ or user@host:path URL/);
      expect(() => parse('  url: http://git.example.com/infra.git\n')).toThrow(/repo\.url: must be an https/);
      expect(() => parse('  url: file:///a.git\n  path: /b\n')).toThrow(/set repo\.path or repo\.url, not both/);
      expect(() => parse('  url: file:///a.git\n  remote: origin\n')).toThrow(/repo\.remote is for a local repo\.path/);
      expect(() => parse('  path: /b\n  credentials: { passwordEnv: X }\n')).toThrow(/repo\.credentials need repo\.url/);
      expect(() => parse('  url: file:///a.git\n  credentials: { passwordEnv: X, tokenFile: /t }\n')).toThrow(/at most one of passwordEnv and tokenFile/);
      expect(() => parse('  url: file:///a.git\n  credentials: { usernameEnv: U }\n')).toThrow(/usernameEnv needs passwordEnv or tokenFile/);
      expect(() => parse('  url: file:///a.git\n  credentials: { token: abc }\n')).toThrow(/repo\.credentials/);
    });
    it('takes repo.caFile only with an https URL (decision 051)', () => {
      expect(parse('  url: https://git.internal/infra.git\n  caFile: certs/ca.pem\n').repo.caFile).toBe('certs/ca.pem');
      expect(() => parse('  url: ssh://git@git.internal/infra.git\n  caFile: ca.pem\n')).toThrow(/^c\.yaml:3: repo\.caFile: repo\.caFile is the CA for an https:\/\/ repo\.url/);
      expect(() => parse('  url: file:///a.git\n  caFile: ca.pem\n')).toThrow(/repo\.caFile is the CA for an https/);
      expect(() => parse('  path: /b\n  caFile: ca.pem\n')).toThrow(/repo\.caFile is the CA for an https/);
    });
  });
});
