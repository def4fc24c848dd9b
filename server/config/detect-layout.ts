/**
 * `rewind init`: recognise a repo's layout from its file list (decision 036) and propose the
 * `targets.pattern` of the matching docs example. Candidates are tried from the most specific to the
 * least; the first whose pattern finds targets wins. Pure: the file list in, a proposal out.
 */
import { isValidName } from '#core/names.ts';
import type { RewindConfig } from './config-schema.ts';
import { patternSchema } from './pattern-schema.ts';
import { resolveTargets, type ResolvedTargets } from './resolve-targets.ts';
import { configSchema } from './config-schema.ts';

export interface LayoutProposal {
  /** The layout's name, as docs/configuration.md's table names it. */
  layout: string;
  /** One or two sentences on what was recognised, for the config's comments. */
  why: string;
  pattern: Record<string, unknown>;
  config: RewindConfig;
  resolved: ResolvedTargets;
}

const ENV_NAME = /^(prod|production|staging|stage|stg|dev|develop|development|qa|test|testing|uat|preprod|pre-prod|sandbox|demo|live|perf|canary|int|integration)(?:[-.].+)?$|-(prod|production|staging|stage|dev|qa|uat)$/;
export const looksLikeEnvironment = (name: string) => ENV_NAME.test(name);

/** Direct child folder names of `dir` ('' for the root) in the file list. */
function children(files: readonly string[], dir: string): string[] {
  const prefix = dir ? `${dir}/` : '';
  const names = new Set<string>();
  for (const file of files) {
    if (!file.startsWith(prefix)) continue;
    const rest = file.slice(prefix.length);
    const slash = rest.indexOf('/');
    if (slash > 0) names.add(rest.slice(0, slash));
  }
  return [...names].sort();
}

const has = (files: readonly string[], re: RegExp) => files.some((f) => re.test(f));
const esc = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

function candidates(files: readonly string[], tenant: string): { layout: string; why: string; pattern: Record<string, unknown> }[] {
  const out: { layout: string; why: string; pattern: Record<string, unknown> }[] = [];
  const tops = children(files, '');

  if (tops.includes('tenants') && has(files, /^tenants\/[^/]+\/[^/]+\/services\/[^/]+\//)) {
    out.push({
      layout: 'tenants',
      why: 'tenants/<tenant>/<environment>/services/<service>/ (the default layout).',
      pattern: {
        services: 'tenants/{tenant}/{environment}/services/{service}/',
        paths: ['tenants/{tenant}/{environment}/'],
        bindings: ['tenants/{tenant}/{environment}/kustomization.yaml'],
        variables: ['tenants/{tenant}/{environment}/variables.yaml'],
      },
    });
  }

  if (tops.includes('clusters')) {
    const envs = children(files, 'clusters');
    for (const root of tops.filter((t) => t !== 'clusters')) {
      const under = children(files, root);
      const overlays = envs.filter((env) => under.includes(env));
      if (overlays.length === 0) continue;
      const r = esc(root);
      const flat = overlays.some((env) => has(files, new RegExp(`^${r}/${esc(env)}/[^/]+$`)));
      const folders = overlays.some((env) => has(files, new RegExp(`^${r}/${esc(env)}/[^/]+/`)));
      if (under.includes('base') && flat && !folders) {
        out.push({
          layout: 'flux-monorepo',
          why: `Flux: clusters/<environment>/, ${root}/base/<app>/ shared by every environment, ${root}/<environment>/ overlays with their files directly inside.`,
          pattern: {
            tenant,
            environments: 'clusters/{environment}/',
            services: [`${root}/{environment}/{service}-values.yaml`, `${root}/base/{service}/`],
            paths: ['clusters/{environment}/', `${root}/{environment}/`, `${root}/base/`],
            bindings: ['clusters/{environment}/**', `${root}/{environment}/kustomization.yaml`],
          },
        });
      } else if (folders) {
        out.push({
          layout: 'flux-env-folders',
          why: `Flux: clusters/<environment>/ and ${root}/<environment>/<app>/.`,
          pattern: {
            tenant,
            environments: 'clusters/{environment}/',
            services: `${root}/{environment}/{service}/`,
            ...(under.includes('base') ? { exclude: [`${root}/base/**`] } : {}),
            paths: ['clusters/{environment}/', `${root}/{environment}/`],
            bindings: ['clusters/{environment}/**'],
          },
        });
      }
    }
  }

  for (const root of tops) {
    const r = esc(root);
    if (has(files, new RegExp(`^${r}/[^/]+/overlays/[^/]+/`))) {
      out.push({
        layout: 'service-first',
        why: `Kustomize, service first: ${root}/<service>/base/ and ${root}/<service>/overlays/<environment>/.`,
        pattern: { tenant, services: `${root}/{service}/overlays/{environment}/` },
      });
    }
    if (has(files, new RegExp(`^${r}/[^/]+/values-[^/]+\\.ya?ml$`))) {
      const ext = has(files, new RegExp(`^${r}/[^/]+/values-[^/]+\\.yaml$`)) ? 'yaml' : 'yml';
      out.push({
        layout: 'argocd-helm-envs',
        why: `Argo CD, a Helm chart per app in ${root}/<app>/ with values-<environment>.${ext}; the chart is shared by every environment.`,
        pattern: { tenant, services: [`${root}/{service}/values-{environment}.${ext}`, `${root}/{service}/`], exclude: [`${root}/*/README.md`] },
      });
    }
  }

  // Helm values per environment, the service in the file name, charts in their own folder.
  for (const root of tops) {
    const envs = children(files, root).filter(looksLikeEnvironment);
    if (envs.length === 0) continue;
    const r = esc(root);
    const flatFiles = files.filter((f) => new RegExp(`^${r}/[^/]+/[^/]+\\.ya?ml$`).test(f) && envs.includes(f.split('/')[1]!));
    if (flatFiles.length === 0 || has(files, new RegExp(`^${r}/(${envs.map(esc).join('|')})/[^/]+/`))) continue;
    const chartRoot = tops.find((t) => t !== root && has(files, new RegExp(`^${esc(t)}/[^/]+/Chart\\.yaml$`)));
    // Values every service of an environment reads are variables, not a service.
    const shared = [...new Set(flatFiles.map((f) => f.split('/')[2]!))].filter((name) => /^(global|common|defaults?|shared)\.ya?ml$/.test(name));
    out.push({
      layout: 'helm-values',
      why: `Helm values per environment: ${root}/<environment>/<service>.yaml${chartRoot ? `, charts in ${chartRoot}/<service>/ (shared by every environment)` : ''}.`,
      pattern: {
        tenant,
        services: [`${root}/{environment}/{service}.yaml`, ...(chartRoot ? [`${chartRoot}/{service}/`] : [])],
        paths: [`${root}/{environment}/`, ...(chartRoot ? [`${chartRoot}/`] : [])],
        ...(shared.length > 0 ? { exclude: shared.map((name) => `${root}/*/${name}`), variables: shared.map((name) => `${root}/{environment}/${name}`) } : {}),
      },
    });
  }

  for (const root of tops) {
    const envs = children(files, root).filter(looksLikeEnvironment);
    const r = esc(root);
    if (envs.length > 0 && envs.some((env) => children(files, `${root}/${env}`).length > 0)) {
      out.push({
        layout: 'env-first',
        why: `Environment first: ${root}/<environment>/<service>/.`,
        pattern: {
          tenant,
          services: `${root}/{environment}/{service}/`,
          paths: [`${root}/{environment}/`],
          ...(has(files, new RegExp(`^${r}/[^/]+/kustomization\\.yaml$`)) ? { bindings: [`${root}/{environment}/kustomization.yaml`] } : {}),
        },
      });
    }
  }

  for (const root of tops) {
    const apps = children(files, root).filter(isValidName);
    const r = esc(root);
    if (apps.length > 0 && has(files, new RegExp(`^${r}/[^/]+/(Chart\\.yaml|kustomization\\.ya?ml|[^/]+\\.ya?ml)$`))) {
      out.push({
        layout: 'argocd-apps',
        why: `Argo CD, one folder per application in ${root}/<app>/ and no environment folder: the environment is fixed (change it to this repo's).`,
        pattern: { tenant, environment: 'production', services: `${root}/{service}/`, exclude: [`${root}/*/README.md`] },
      });
    }
  }
  return out;
}

/** The first recognised layout whose pattern finds targets in `files`, or null. */
export function proposeLayout(files: readonly string[], tenant: string, branch = 'main'): LayoutProposal | null {
  for (const candidate of candidates(files, tenant)) {
    if (!patternSchema.safeParse(candidate.pattern).success) continue;
    const config = configSchema.parse({ repo: { branch }, targets: { pattern: candidate.pattern } });
    const resolved = resolveTargets(config, files);
    if (resolved.targets.length > 0) return { ...candidate, config, resolved };
  }
  return null;
}
