import { useQuery } from '@tanstack/react-query';
import { Link } from 'react-router';
import type { RevisionDetail } from '#core/schemas.ts';
import { isNotFound } from '#src/api/api-error.ts';
import { useBackend } from '#src/api/backend-context.tsx';
import { ErrorState } from '#src/components/error-state.tsx';
import { RelativeTime } from '#src/components/relative-time.tsx';
import { CurrentBadge, SourceBadge, StatusBadge } from '#src/components/revision-badges.tsx';
import { VersionChangeText } from '#src/components/service-version.tsx';
import { paths } from '#src/lib/paths.ts';
import { shortSha } from '#src/lib/sha.ts';
import { revisionQueryOptions } from '#src/features/revisions/api/revision-query-options.ts';
import { RequestLinkText } from './revision-links.tsx';
import { Person } from '#src/components/person.tsx';

interface RevisionDetailViewProps {
  tenant: string;
  environment: string;
  sha: string;
}

const OUTCOME: Record<RevisionDetail['deployment']['outcome'], string> = {
  failed: 'Failed',
  succeeded: 'Succeeded',
  'not-recorded': 'No outcome recorded by an agent or a git note (counted as a success)',
};

export function RevisionDetailView({ tenant, environment, sha }: RevisionDetailViewProps) {
  const backend = useBackend();
  const detail = useQuery(revisionQueryOptions(backend, tenant, environment, sha));
  if (detail.isPending) {
    return (
      <p className="loading" role="status" aria-busy="true">
        Loading revision {sha.slice(0, 7)}…
      </p>
    );
  }
  if (detail.isError) {
    const title = isNotFound(detail.error) ? `Revision ${sha.slice(0, 7)} is not in the history of ${tenant}/${environment}` : 'Could not load the revision';
    return <ErrorState title={title} error={detail.error} onRetry={() => void detail.refetch()} />;
  }
  return <RevisionDetailBody tenant={tenant} environment={environment} detail={detail.data} />;
}

function RevisionDetailBody({ tenant, environment, detail }: { tenant: string; environment: string; detail: RevisionDetail }) {
  const { revision } = detail;
  return (
    <article className="revision-detail" aria-labelledby="revision-heading" data-testid="revision-detail">
      <h1 id="revision-heading">
        Revision <code className="sha">{revision.shortSha}</code> {detail.isHead && <CurrentBadge />}
      </h1>
      <p className="revision-detail__summary">{revision.summary}</p>
      <div className="revision-detail__actions" role="group" aria-label="Revision actions">
        {!detail.isHead && (
          <Link className="button" to={paths.compare(tenant, environment, revision.sha, 'head')}>
            Compare with current
          </Link>
        )}
        {detail.previous && (
          <Link className="button" to={paths.compare(tenant, environment, detail.previous, revision.sha)}>
            Compare with previous ({shortSha(detail.previous)})
          </Link>
        )}
        {!detail.isHead && (
          <Link className="button button--danger-outline" to={paths.rollbackNew(tenant, environment, revision.sha)}>
            Roll back to {revision.shortSha}
          </Link>
        )}
      </div>
      <dl className="revision-detail__facts">
        <div>
          <dt>Author</dt>
          <dd>
            <Person email={revision.author.email} fallback={revision.author.name} />
          </dd>
        </div>
        <div>
          <dt>Committed</dt>
          <dd>
            <RelativeTime iso={revision.timestamp} showAbsolute />
          </dd>
        </div>
        <div>
          <dt>Source</dt>
          <dd>
            <SourceBadge source={revision.source} />
          </dd>
        </div>
        <div>
          <dt>Status</dt>
          <dd>
            <StatusBadge revision={revision} />
          </dd>
        </div>
        <div>
          <dt>Deployment outcome</dt>
          <dd data-testid="deployment-outcome" title={`From ${detail.deployment.source}`}>
            {OUTCOME[detail.deployment.outcome]}
          </dd>
        </div>
        {detail.madeBy && (
          <div>
            <dt>Made by</dt>
            <dd>
              <RequestLinkText link={detail.madeBy} />
              {revision.rollback && <> restoring <code className="sha">{shortSha(revision.rollback.targetSha)}</code> ({revision.rollback.mode})</>}
            </dd>
          </div>
        )}
        {detail.undoneBy && (
          <div>
            <dt>Rolled back by</dt>
            <dd data-testid="undone-by">
              <Link to={paths.revision(tenant, environment, detail.undoneBy.sha)}>
                <code className="sha">{shortSha(detail.undoneBy.sha)}</code>
              </Link>
              {detail.undoneBy.request && (
                <>
                  {', '}
                  <RequestLinkText link={detail.undoneBy.request} />
                </>
              )}
            </dd>
          </div>
        )}
      </dl>
      <section aria-labelledby="revision-services">
        <h2 id="revision-services">Services changed</h2>
        {revision.services.length === 0 ? (
          <p className="muted">No service: this revision changed the target's configuration only.</p>
        ) : (
          <ul className="revision-detail__versions">
            {revision.services.map((service) => {
              const change = revision.versions?.find((v) => v.service === service);
              return <li key={service}>{change ? <VersionChangeText change={change} /> : service}</li>;
            })}
          </ul>
        )}
      </section>
      <section aria-labelledby="revision-message">
        <h2 id="revision-message">Commit message</h2>
        {/* Commit text is attacker-controlled: shown as inert text, never as markup. */}
        <pre className="revision-detail__message">{detail.message}</pre>
        {detail.trailers.length > 0 && (
          <dl className="revision-detail__trailers" aria-label="Trailers">
            {detail.trailers.map((trailer) => (
              <div key={trailer.key}>
                <dt>{trailer.key}</dt>
                <dd>{trailer.value}</dd>
              </div>
            ))}
          </dl>
        )}
      </section>
    </article>
  );
}
