/**
 * `targets.pattern`: where targets and services are found in the repo (decision 036). Placeholders
 * `{tenant}`, `{environment}`, `{service}` capture one name each, inside a folder or a file name.
 */
import { z } from 'zod';
import { nameSchema } from '#core/schemas.ts';

const pathList = z.array(z.string().min(1).max(1024)).max(256);
const patternString = z.string().min(1).max(1024);
const has = (pattern: string, name: 'tenant' | 'environment' | 'service') => pattern.includes(`{${name}}`);

export const patternSchema = z
  .object({
    /** Set when the repo holds a single tenant and no path names it. */
    tenant: nameSchema.optional(),
    /** Set when the repo (or this Rewind) serves one environment and no path names it. */
    environment: nameSchema.optional(),
    /**
     * Where environments are found, e.g. `clusters/{environment}/`. When set, only these make targets:
     * a `services` match naming another environment (`apps/base/...`) is skipped with a warning.
     */
    environments: patternString.optional(),
    /**
     * Where one service of one target lives, e.g. `tenants/{tenant}/{environment}/services/{service}/`.
     * Several patterns add up: a service's files are what each of them matches for it. A pattern
     * without `{environment}` (Flux `apps/base/{service}/`, a Helm chart) is shared by every environment.
     */
    services: z.union([patternString, z.array(patternString).min(1).max(32)]).transform((v) => (Array.isArray(v) ? v : [v])),
    /** Files never considered when discovering targets (globs), e.g. `apps/base/**` or `**\/README.md`. */
    exclude: pathList.default([]),
    paths: pathList.optional(),
    bindings: pathList.default([]),
    variables: pathList.default([]),
  })
  .strict()
  .superRefine((p, ctx) => {
    const all = [...p.services, ...(p.environments ? [p.environments] : [])];
    p.services.forEach((s, i) => {
      if (!has(s, 'service')) ctx.addIssue({ code: 'custom', path: ['services', i], message: 'must contain {service}' });
    });
    if (p.environments && !has(p.environments, 'environment')) {
      ctx.addIssue({ code: 'custom', path: ['environments'], message: 'must contain {environment}' });
    }
    for (const name of ['tenant', 'environment'] as const) {
      const placed = all.some((s) => has(s, name));
      if (p[name] && placed) {
        ctx.addIssue({ code: 'custom', path: [name], message: `${name} is fixed here: remove {${name}} from the patterns` });
      } else if (!p[name] && !placed) {
        ctx.addIssue({
          code: 'custom',
          path: ['services'],
          message: `put {${name}} in services${name === 'environment' ? ' or environments' : ''}, or set a fixed \`${name}:\``,
        });
      }
    }
  });

export type PatternConfig = z.infer<typeof patternSchema>;
