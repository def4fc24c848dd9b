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
  'partially-rolled-back': 'Partly rolled back',
  unknown: 'Unknown',
};

export function SourceBadge({ source }: { source: RevisionSource }) {
  return <span className={`badge badge--source-${source}`}>{SOURCE_LABEL[source]}</span>;
}

/** Who reported a revision's outcome (decision 037): shown beside the status, so success is never assumed silently. */
const STATUS_SOURCE: Record<Exclude<NonNullable<Revision['statusSource']>, 'rollback'>, { label: string; title: string }> = {
  argocd: { label: 'Argo CD', title: 'Outcome reported by Argo CD (sync history or last operation)' },
  flux: { label: 'Flux', title: 'Outcome reported by Flux (Ready condition or event)' },
  simulated: { label: 'simulated', title: "Outcome from the demo's simulated cluster" },
  'git-note': { label: 'git note', title: 'Outcome from a deployment note on the commit (git notes)' },
  none: { label: 'no report', title: 'No agent, deployment note or rollback says how this revision went' },
};

export function StatusBadge({ revision }: { revision: Pick<Revision, 'status' | 'rolledBackBy' | 'statusSource'> }) {
  const { status, rolledBackBy, statusSource } = revision;
  const source = statusSource && statusSource !== 'rollback' ? STATUS_SOURCE[statusSource] : null;
  return (
    <span className="status-cell">
      <span className={`badge badge--status-${status}`}>
        <span className="badge__dot" aria-hidden="true" />
        {STATUS_LABEL[status]}
      </span>
      {source && (
        <span className="status-cell__source muted" data-testid="status-source" title={source.title}>
          {source.label}
        </span>
      )}
      {(status === 'rolled-back' || status === 'partially-rolled-back') && rolledBackBy && (
        <span className="status-cell__by">
          by{' '}
          <code className="sha" title={status === 'rolled-back' ? `Undone by rollback commit ${rolledBackBy}` : `Partly undone by rollback commit ${rolledBackBy}; the rest of its change is still live`}>
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
