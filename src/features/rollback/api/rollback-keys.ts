// The feature's query keys, apart from its query options: the app's live-update invalidation needs
// only the keys, and importing them from here keeps the options (and what they import) out of the
// first bundle.
import type { FieldSelection, RollbackMode } from '#core/schemas.ts';

/** Everything this feature caches sits under `rollback`, so it never collides with another feature's keys. */
export const rollbackKeys = {
  all: ['rollback'] as const,
  target: (tenant: string, environment: string) => ['rollback', 'target', tenant, environment] as const,
  revisions: (tenant: string, environment: string) => ['rollback', 'target', tenant, environment, 'revisions'] as const,
  revision: (tenant: string, environment: string, id: string) =>
    ['rollback', 'target', tenant, environment, 'revision', id] as const,
  changes: (tenant: string, environment: string, from: string) =>
    ['rollback', 'target', tenant, environment, 'changes', from] as const,
  preview: (tenant: string, environment: string, selection: PreviewSelection) =>
    ['rollback', 'target', tenant, environment, 'preview', selection] as const,
  request: (id: string) => ['rollback', 'request', id] as const,
  /** Open requests (decision 039), of every target or of one. */
  open: (tenant?: string, environment?: string) => ['rollback', 'open', tenant ?? null, environment ?? null] as const,
  /** Under the request's key: whatever refreshes the request refreshes its timeline. */
  timeline: (id: string) => ['rollback', 'request', id, 'timeline'] as const,
  notifications: (id: string) => ['rollback', 'request', id, 'notifications'] as const,
};

export interface PreviewSelection {
  mode: RollbackMode;
  targetSha: string;
  service?: string;
  fields?: FieldSelection[];
}
