/** The API shape of a roll-forward hint (core/rollback-hints.ts computes them; decision 032). */
import { z } from 'zod';

export const hintKindSchema = z.enum([
  'target-failed',
  'target-rolled-back',
  'migration',
  'crd',
  'api-version',
  'major-downgrade',
  'large-span',
]);

export const rollForwardHintSchema = z.object({
  kind: hintKindSchema,
  message: z.string(),
  service: z.string().optional(),
  file: z.string().optional(),
  sha: z.string().optional(),
});

export type RollForwardHint = z.infer<typeof rollForwardHintSchema>;
