import type { RollbackPreview } from '#core/schemas.ts';

/**
 * Files this rollback changes that other targets also own (Flux `apps/base/`, a shared Helm chart):
 * committing it changes their live config too (decision 036).
 */
export function SharedFilesWarning({ shared }: { shared: NonNullable<RollbackPreview['sharedWith']> }) {
  if (shared.length === 0) return null;
  const targets = [...new Set(shared.flatMap((s) => s.targets))].sort();
  return (
    <div className="wizard-warning" role="note" data-testid="shared-files-warning">
      <p>
        This rollback also changes {targets.join(', ')}: {shared.length === 1 ? 'a file it changes is' : `${shared.length} files it changes are`}{' '}
        shared with {targets.length === 1 ? 'that target' : 'those targets'}.
      </p>
      <ul>
        {shared.slice(0, 10).map((s) => (
          <li key={s.path}>
            <code>{s.path}</code> (also {s.targets.join(', ')})
          </li>
        ))}
        {shared.length > 10 && <li>and {shared.length - 10} more</li>}
      </ul>
    </div>
  );
}
