import { Link, useSearchParams } from 'react-router';
import { paths } from '../../lib/paths.ts';

/** Placeholder until the rollback wizard issue lands; the URL already carries its inputs. */
export function RollbackNewPage() {
  const [searchParams] = useSearchParams();
  const tenant = searchParams.get('tenant') ?? '';
  const environment = searchParams.get('environment') ?? '';
  const revision = searchParams.get('revision') ?? '';
  const complete = tenant !== '' && environment !== '' && revision !== '';

  return (
    <section className="page" aria-labelledby="rollback-heading">
      <title>New rollback · Rewind</title>
      <h1 id="rollback-heading">New rollback</h1>
      {complete ? (
        <dl className="facts">
          <dt>Tenant</dt>
          <dd>{tenant}</dd>
          <dt>Environment</dt>
          <dd>{environment}</dd>
          <dt>Revision to restore</dt>
          <dd>
            <code className="sha" title={revision}>
              {revision.slice(0, 12)}
            </code>
          </dd>
        </dl>
      ) : (
        <p>A rollback needs a tenant, an environment and a revision; start from a target's history.</p>
      )}
      <p className="muted">The rollback wizard is not built yet.</p>
      <p>
        {complete ? (
          <Link to={paths.target(tenant, environment)}>Back to {tenant}/{environment}</Link>
        ) : (
          <Link to="/">Back to all targets</Link>
        )}
      </p>
    </section>
  );
}
