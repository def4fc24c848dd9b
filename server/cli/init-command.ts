/**
 * `rewind init`: inspects a repo, recognises its layout and prints a commented config for it with the
 * targets it yields (decision 036). Writes nothing: `rewind init --repo PATH > rewind.config.yaml`.
 */
import { basename, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { Document } from 'yaml';
import { isValidName } from '#core/names.ts';
import { targetKey } from '#core/target-config.ts';
import { proposeLayout, type LayoutProposal } from '#server/config/detect-layout.ts';
import { listBranchFiles, processOutput, type Output } from './repo-files.ts';

export const INIT_USAGE = `Usage: rewind init [--repo PATH] [--branch NAME] [--tenant NAME] [--json]
  Inspects the repo's branch (default: the current directory, branch main), recognises its layout
  (tenants, environment first, service first with overlays, Flux monorepo, Argo CD app per folder,
  Helm values per environment) and prints a commented rewind.config.yaml with the targets it finds.
  Nothing is written: rewind init --repo PATH > rewind.config.yaml, then rewind check.
  --tenant NAME  the tenant when no folder names one (default: from the repo's folder name)
  --json         the proposal as one JSON object
  Exit code: 0 when a layout was recognised, 1 when not, 2 on a usage error.
`;

const KEY_COMMENTS: Record<string, string> = {
  tenant: ' fixed: no folder names the tenant (rename it as you like)',
  environment: ' fixed: no folder names the environment; set the one this repo deploys',
  environments: ' only the environments found here make targets',
  services: ' where a service of a target lives; a pattern without {environment} is shared by every environment',
  exclude: ' files never considered when finding targets',
  paths: ' what a full rollback restores',
  bindings: ' kustomizations and Flux objects of the target',
  variables: ' values every service of the environment reads',
};

export function tenantFromPath(repoPath: string): string {
  const name = basename(resolve(repoPath)).toLowerCase().replace(/\.git$/, '').replace(/[^a-z0-9-]+/g, '-').replace(/^-+|-+$/g, '').slice(0, 63);
  return isValidName(name) ? name : 'main';
}

export function renderConfig(proposal: LayoutProposal, repoPath: string, branch: string): string {
  const doc = new Document({ repo: { path: repoPath, branch }, targets: { pattern: proposal.pattern } });
  const pattern = doc.getIn(['targets', 'pattern'], true) as { items?: { key: { value: string; commentBefore?: string } }[] };
  for (const pair of pattern.items ?? []) {
    const comment = KEY_COMMENTS[pair.key.value];
    if (comment) pair.key.commentBefore = comment;
  }
  const { resolved } = proposal;
  const header = [
    ` rewind.config.yaml proposed by \`rewind init\` for ${repoPath} (branch ${branch})`,
    ` Layout: ${proposal.layout}. ${proposal.why}`,
    ' Every key: docs/configuration.md. After editing: rewind check --config rewind.config.yaml',
    '',
    ' Targets this finds:',
    ...resolved.targets.map((t) => `   ${targetKey(t)}: ${t.layout.services.map((s) => s.name).join(', ') || '(no service)'}`),
    ...(resolved.shared.length > 0
      ? [' Shared by several targets (a rollback of one changes the others too):', ...resolved.shared.map((g) => `   ${g.targets.join(', ')}: ${g.files.length} file${g.files.length === 1 ? '' : 's'}`)]
      : []),
    ...(resolved.warnings.length > 0 ? [' Warnings:', ...resolved.warnings.map((w) => `   - ${w}`)] : []),
  ];
  doc.commentBefore = header.join('\n');
  return doc.toString({ lineWidth: 0 });
}

/** Runs `rewind init ARGS`; returns the exit code. */
export async function runInit(args: string[], io: Output = processOutput): Promise<number> {
  let values;
  try {
    ({ values } = parseArgs({
      args,
      options: { repo: { type: 'string' }, branch: { type: 'string' }, tenant: { type: 'string' }, json: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } },
      strict: true,
    }));
  } catch (error) {
    io.err(`rewind init: ${(error as Error).message}\n\n${INIT_USAGE}`);
    return 2;
  }
  if (values.help) {
    io.out(INIT_USAGE);
    return 0;
  }
  if (values.tenant !== undefined && !isValidName(values.tenant)) {
    io.err(`rewind init: --tenant must be a lowercase DNS label ([a-z0-9-], at most 63), got "${values.tenant}"`);
    return 2;
  }
  const repoPath = resolve(values.repo ?? '.');
  const branch = values.branch ?? 'main';
  let files: string[];
  try {
    files = await listBranchFiles(repoPath, branch);
  } catch (error) {
    io.err(`rewind init: ${(error as Error).message}`);
    return 1;
  }
  const proposal = proposeLayout(files, values.tenant ?? tenantFromPath(repoPath), branch);
  if (!proposal) {
    const tops = [...new Set(files.map((f) => f.split('/')[0]!).filter((_, i) => files[i]!.includes('/')))].sort();
    io.err(
      `rewind init: no common layout recognised in ${repoPath} (top folders: ${tops.join(', ') || 'none'}). ` +
        'Write targets.pattern or targets.list by hand: docs/configuration.md shows one example per layout.',
    );
    return 1;
  }
  if (values.json) {
    io.out(
      JSON.stringify(
        {
          layout: proposal.layout,
          why: proposal.why,
          config: { repo: { path: repoPath, branch }, targets: { pattern: proposal.pattern } },
          targets: proposal.resolved.targets.map((t) => ({ target: targetKey(t), services: t.layout.services.map((s) => s.name) })),
          shared: proposal.resolved.shared,
          warnings: proposal.resolved.warnings,
        },
        null,
        2,
      ),
    );
  } else {
    io.out(renderConfig(proposal, repoPath, branch));
  }
  return 0;
}
