import { useId } from 'react';
import type { RollbackPreview } from '#core/schemas.ts';

interface DestructiveWarningProps {
  preview: RollbackPreview;
  scope: string;
  confirmed: boolean;
  onConfirm: (confirmed: boolean) => void;
}

/**
 * A plan that deletes every file of its scope, or more than the policy's share, in red, with an
 * explicit confirmation: the server refuses such a request unless it says `allowDestructive: true`.
 */
export function DestructiveWarning({ preview, scope, confirmed, onConfirm }: DestructiveWarningProps) {
  const id = useId();
  const destructive = preview.destructive;
  if (!destructive) return null;
  const deleted = preview.files.filter((file) => file.status === 'deleted').map((file) => file.path);
  const what = destructive.all
    ? `every file of ${scope} (${destructive.files})`
    : `${destructive.deletes} of the ${destructive.files} files of ${scope}, more than ${Math.round(destructive.maxShare * 100)}%`;
  return (
    <section className="destructive-warning" aria-labelledby={`${id}-title`} data-testid="destructive-warning">
      <h3 id={`${id}-title`}>This rollback deletes {what}</h3>
      <ul className="destructive-warning__files">
        {deleted.slice(0, 10).map((path) => (
          <li key={path}>
            <code>{path}</code>
          </li>
        ))}
        {deleted.length > 10 && <li>and {deleted.length - 10} more</li>}
      </ul>
      <label className="destructive-warning__confirm">
        <input type="checkbox" checked={confirmed} onChange={(event) => onConfirm(event.target.checked)} />I have checked the deletions
        and want this rollback to delete these files
      </label>
    </section>
  );
}
