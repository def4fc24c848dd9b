/**
 * `rewind check`: the config and the repo → the targets and services the config finds, the files
 * several targets share, every warning; non-zero when something is wrong (decision 036).
 */
import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { matchesAny, targetKey, type TargetConfig } from '#core/target-config.ts';
import { parseConfig } from '#server/config/load-config.ts';
import { resolveTargets, type ResolvedTargets } from '#server/config/resolve-targets.ts';
import { runGit } from '#server/git/git-cli.ts';
import { defaultBranch } from '#server/git/repo-checks.ts';
import { listBranchFiles, processOutput, type Output } from './repo-files.ts';

export const CHECK_USAGE = `Usage: rewind check [--config FILE] [--repo PATH] [--json]
  Reads the config (default ./rewind.config.yaml) and the repo's branch, and prints the targets and
  services the config finds there, the files several targets share, and every warning.
  --repo PATH   the repo to read (default: repo.path of the config)
  --json        one JSON object instead of text
  Exit code: 0 when the config is valid and finds a target (warnings allowed), 1 when not, 2 on a
  usage error.
`;

interface TargetReport {
  target: string;
  files: number;
  paths: string[];
  services: { name: string; paths: string[]; files: number }[];
  bindings: { paths: string[]; files: number };
  variables: { paths: string[]; files: number };
}

export interface CheckReport {
  ok: boolean;
  config: string;
  repo: string | null;
  branch: string | null;
  targets: TargetReport[];
  shared: ResolvedTargets['shared'];
  warnings: string[];
  errors: string[];
}

function describeTarget(target: TargetConfig, files: readonly string[]): TargetReport {
  const count = (paths: readonly string[]) => files.filter((f) => matchesAny(paths, f)).length;
  const { layout } = target;
  return {
    target: targetKey(target),
    files: count(layout.paths),
    paths: layout.paths,
    services: layout.services.map((s) => ({ name: s.name, paths: s.paths, files: count(s.paths) })),
    bindings: { paths: layout.bindings, files: count(layout.bindings) },
    variables: { paths: layout.variables, files: count(layout.variables) },
  };
}

export async function check(configFile: string, repoOption: string | undefined): Promise<CheckReport> {
  const report: CheckReport = { ok: false, config: configFile, repo: null, branch: null, targets: [], shared: [], warnings: [], errors: [] };
  if (!existsSync(configFile)) {
    report.errors.push(`config file ${configFile} does not exist (write one with: rewind init --repo PATH > rewind.config.yaml)`);
    return report;
  }
  let config;
  try {
    config = parseConfig(readFileSync(configFile, 'utf8'), configFile);
  } catch (error) {
    report.errors.push(...(error as Error).message.split('\n'));
    return report;
  }
  const repoPath = repoOption ?? config.repo.path;
  if (!repoPath) {
    report.errors.push('no repo to read: pass --repo PATH (a clone of the infra repo) or set repo.path');
    return report;
  }
  report.repo = resolve(repoPath);
  const repoDir = report.repo;
  // As `rewind serve` chooses it: repo.branch, else the repository's default branch (its HEAD).
  const branch = config.repo.branch ?? (await defaultBranch((args, opts) => runGit(['-C', repoDir, ...args], opts)).catch(() => null));
  if (!branch) {
    report.errors.push(`the HEAD of ${repoDir} names no branch: set repo.branch in the config`);
    return report;
  }
  report.branch = branch;
  let files: string[];
  try {
    files = await listBranchFiles(report.repo, branch);
  } catch (error) {
    report.errors.push((error as Error).message);
    return report;
  }
  let resolved: ResolvedTargets;
  try {
    resolved = resolveTargets(config, files);
  } catch (error) {
    report.errors.push(`${configFile}: ${(error as Error).message}`);
    return report;
  }
  report.targets = resolved.targets.map((t) => describeTarget(t, files));
  report.shared = resolved.shared;
  report.warnings = resolved.warnings;
  if (resolved.targets.length === 0) report.errors.push('the config finds no target in the repo');
  report.ok = report.errors.length === 0;
  return report;
}

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;

export function formatCheckReport(report: CheckReport): string {
  const lines: string[] = [];
  if (report.repo) lines.push(`repo ${report.repo} (branch ${report.branch}), config ${report.config}`, '');
  for (const t of report.targets) {
    lines.push(`${t.target}: ${plural(t.files, 'file')} in ${t.paths.join(', ')}`);
    for (const s of t.services) lines.push(`  service ${s.name}: ${plural(s.files, 'file')} in ${s.paths.join(', ')}`);
    if (t.services.length === 0) lines.push('  no service (only full rollbacks)');
    if (t.bindings.paths.length > 0) lines.push(`  bindings: ${plural(t.bindings.files, 'file')} in ${t.bindings.paths.join(', ')}`);
    if (t.variables.paths.length > 0) lines.push(`  variables: ${plural(t.variables.files, 'file')} in ${t.variables.paths.join(', ')}`);
  }
  if (report.shared.length > 0) {
    lines.push('', 'shared (a rollback of one of these targets changes the others too):');
    for (const group of report.shared) {
      lines.push(`  ${group.targets.join(', ')}: ${plural(group.files.length, 'file')}`);
      for (const file of group.files.slice(0, 5)) lines.push(`    ${file}`);
      if (group.files.length > 5) lines.push(`    and ${group.files.length - 5} more`);
    }
  }
  if (report.warnings.length > 0) lines.push('', 'warnings:', ...report.warnings.map((w) => `  - ${w}`));
  if (report.errors.length > 0) lines.push('', 'errors:', ...report.errors.map((e) => `  - ${e}`));
  const services = report.targets.reduce((n, t) => n + t.services.length, 0);
  lines.push(
    '',
    report.ok
      ? `OK: ${plural(report.targets.length, 'target')}, ${plural(services, 'service')}, ${plural(report.warnings.length, 'warning')}`
      : `FAILED: ${plural(report.errors.length, 'error')}, ${plural(report.warnings.length, 'warning')}`,
  );
  return lines.join('\n');
}

/** Runs `rewind check ARGS`; returns the exit code. */
export async function runCheck(args: string[], io: Output = processOutput): Promise<number> {
  let values;
  try {
    ({ values } = parseArgs({ args, options: { config: { type: 'string' }, repo: { type: 'string' }, json: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } }, strict: true }));
  } catch (error) {
    io.err(`rewind check: ${(error as Error).message}\n\n${CHECK_USAGE}`);
    return 2;
  }
  if (values.help) {
    io.out(CHECK_USAGE);
    return 0;
  }
  const report = await check(values.config ?? 'rewind.config.yaml', values.repo);
  if (values.json) io.out(JSON.stringify(report, null, 2));
  else io.out(formatCheckReport(report));
  return report.ok ? 0 : 1;
}
