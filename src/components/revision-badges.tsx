import type { Revision, RevisionSource, RevisionStatus } from '#core/schemas.ts';
import { shortSha } from '#src/lib/sha.ts';

export const SOURCE_LABEL: Record<RevisionSource, string> = {
  release: 'Release',
  promotion: 'Promotion',
  rollback: 'Rollback',
  hotfix: 'Hotfix',
};

export const STATUS_LABEL: Record<RevisionStatus, string> = {
  success: 'Success',
  failed: 'Failed',
  'rolled-back': 'Rolled back',
};

export function SourceBadge({ source }: { source: RevisionSource }) {
  return <span className={`badge badge--source-${source}`}>{SOURCE_LABEL[source]}</span>;
}

export function StatusBadge({ revision }: { revision: Pick<Revision, 'status' | 'rolledBackBy'> }) {
  const { status, rolledBackBy } = revision;
  return (
    <span className="status-cell">
      <span className={`badge badge--status-${status}`}>
        <span className="badge__dot" aria-hidden="true" />
        {STATUS_LABEL[status]}
      </span>
      {status === 'rolled-back' && rolledBackBy && (
        <span className="status-cell__by">
          by{' '}
          <code className="sha" title={`Undone by rollback commit ${rolledBackBy}`}>
            {shortSha(rolledBackBy)}
          </code>
        </span>
      )}
    </span>
  );
}

export function CurrentBadge() {
  return (
    <span className="badge badge--current" title="The newest revision of this target on the branch (not necessarily what the cluster runs)">
      branch head
    </span>
  );
}
