import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseConfig } from '#server/config/load-config.ts';
import { LAYOUT_FIXTURES } from '#tests/support/layout-fixtures.ts';
import { writeLayoutRepo } from '#tests/support/layout-repo.ts';
import { runCheck, type CheckReport } from './check-command.ts';
import { runInit } from './init-command.ts';
import type { Output } from './repo-files.ts';

const T = { timeout: 60_000 };

function capture(): Output & { stdout: string; stderr: string } {
  const io = { stdout: '', stderr: '', out: (t: string) => void (io.stdout += `${t}\n`), err: (t: string) => void (io.stderr += `${t}\n`) };
  return io;
}

const servicesByTarget = (report: CheckReport) => Object.fromEntries(report.targets.map((t) => [t.target, t.services.map((s) => s.name)]));

describe('rewind check and rewind init on a generated repo of every common layout', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'rewind-layout-cli-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  for (const [name, fixture] of Object.entries(LAYOUT_FIXTURES)) {
    it(`${name}: check with the docs example finds its targets; init recognises it and proposes a config check accepts`, T, async () => {
      const repo = join(dir, name);
      writeLayoutRepo(repo, fixture.files);
      const example = join(dir, `${name}.example.yaml`);
      writeFileSync(example, readFileSync(`docs/examples/${fixture.example}.rewind.config.yaml`, 'utf8'));

      const checked = capture();
      expect(await runCheck(['--config', example, '--repo', repo, '--json'], checked)).toBe(0);
      const report = JSON.parse(checked.stdout) as CheckReport;
      expect(servicesByTarget(report)).toEqual(fixture.targets);
      expect(report.shared.map((g) => g.targets.join(', '))).toEqual(fixture.shared);

      const tenant = Object.keys(fixture.targets)[0]!.split('/')[0]!;
      const init = capture();
      const tenantArgs = name === 'tenants' ? [] : ['--tenant', tenant];
      expect(await runInit(['--repo', repo, ...tenantArgs], init), init.stderr).toBe(0);
      expect(init.stdout).toContain(`# Layout: ${fixture.recognisedAs}.`);
      for (const target of Object.keys(fixture.targets)) expect(init.stdout).toContain(`#   ${target}: ${fixture.targets[target]!.join(', ')}`);
      const proposed = join(dir, `${name}.init.yaml`);
      writeFileSync(proposed, init.stdout);
      expect(() => parseConfig(init.stdout, proposed)).not.toThrow();
      const again = capture();
      expect(await runCheck(['--config', proposed, '--json'], again)).toBe(0);
      expect(servicesByTarget(JSON.parse(again.stdout) as CheckReport)).toEqual(fixture.targets);
    });
  }

  it('check prints targets, services, shared files and warnings as text', T, async () => {
    const repo = join(dir, 'flux-monorepo');
    const io = capture();
    expect(await runCheck(['--config', 'docs/examples/flux.rewind.config.yaml', '--repo', repo], io)).toBe(0);
    expect(io.stdout).toContain('fleet/production: 8 files in clusters/production/, apps/production/, apps/base/');
    expect(io.stdout).toContain('  service podinfo: 3 files in apps/production/podinfo-values.yaml, apps/base/podinfo/');
    expect(io.stdout).toContain('shared (a rollback of one of these targets changes the others too):\n  fleet/production, fleet/staging: 4 files');
    expect(io.stdout).toContain('OK: 2 targets, 4 services, 1 warning');
  });

  it('check fails with a clear message on a bad config, a missing repo, or no target', T, async () => {
    const bad = join(dir, 'bad.yaml');
    writeFileSync(bad, 'targets:\n  pattern:\n    tenant: t\n    services: "apps/{service}/"\n');
    let io = capture();
    expect(await runCheck(['--config', bad, '--repo', join(dir, 'env-first')], io)).toBe(1);
    expect(io.stdout).toMatch(/bad\.yaml:\d+: targets\.pattern\.services: put \{environment\} in services or environments/);
    io = capture();
    expect(await runCheck(['--config', 'docs/examples/flux.rewind.config.yaml', '--repo', join(dir, 'nowhere')], io)).toBe(1);
    expect(io.stdout).toContain('does not exist');
    io = capture();
    expect(await runCheck(['--config', 'docs/examples/flux.rewind.config.yaml', '--repo', join(dir, 'env-first'), '--json'], io)).toBe(1);
    expect((JSON.parse(io.stdout) as CheckReport).errors).toEqual(['the config finds no target in the repo']);
    io = capture();
    expect(await runCheck(['--config', join(dir, 'missing.yaml')], io)).toBe(1);
    expect(io.stdout).toContain('rewind init --repo PATH > rewind.config.yaml');
  });

  it('init says so when it recognises nothing, and both commands have --help', T, async () => {
    const repo = join(dir, 'odd');
    writeLayoutRepo(repo, { 'README.md': '# nothing here\n' });
    let io = capture();
    expect(await runInit(['--repo', repo], io)).toBe(1);
    expect(io.stderr).toContain('no common layout recognised');
    for (const run of [runInit, runCheck]) {
      io = capture();
      expect(await run(['--help'], io)).toBe(0);
      expect(io.stdout).toMatch(/^Usage: rewind (init|check)/);
      io = capture();
      expect(await run(['--bogus'], io)).toBe(2);
      expect(io.stderr).toContain('Usage:');
    }
  });
});
