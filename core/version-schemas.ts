/**
 * The API shapes of service versions (docs/decisions/031): a version always says where it was read
 * (file and field), or why there is none. Kept apart from schemas.ts, which imports them.
 */
import { z } from 'zod';

export const versionSourceSchema = z.enum(['helm-values', 'container-image', 'label', 'kustomize-image', 'helm-release', 'chart']);

export const versionInfoSchema = z.discriminatedUnion('known', [
  z.object({
    known: z.literal(true),
    version: z.string(),
    source: versionSourceSchema,
    file: z.string(),
    field: z.string(),
    image: z.string().optional(),
  }),
  z.object({ known: z.literal(false), reason: z.string() }),
]);

/** A service a revision changed: its version before the revision and at it. */
export const serviceVersionChangeSchema = z.object({
  service: z.string(),
  from: versionInfoSchema,
  to: versionInfoSchema,
});

/** A service's version at one revision (a target's head, a revision's state). */
export const serviceVersionAtSchema = z.object({ service: z.string(), version: versionInfoSchema });

export type VersionInfo = z.infer<typeof versionInfoSchema>;
export type ServiceVersionChange = z.infer<typeof serviceVersionChangeSchema>;
export type ServiceVersionAt = z.infer<typeof serviceVersionAtSchema>;
