import { Link, useParams, useSearchParams } from 'react-router';
import { paths } from '../../lib/paths.ts';

/** Placeholder until the compare issue lands: it already honours the URL contract the history uses. */
export function ComparePage() {
  const { tenant = '', environment = '' } = useParams();
  const [searchParams] = useSearchParams();
  const from = searchParams.get('from');
  const to = searchParams.get('to') ?? 'head';
  const describe = (ref: string) => (ref === 'head' ? 'the current revision (head)' : ref.slice(0, 12));

  return (
    <section className="page" aria-labelledby="compare-heading">
      <title>{`Compare · ${tenant}/${environment} · Rewind`}</title>
      <h1 id="compare-heading">
        Compare revisions of {tenant}/{environment}
      </h1>
      {from ? (
        <p>
          This view will compare revision <code className="sha">{describe(from)}</code> with{' '}
          <code className="sha">{describe(to)}</code>.
        </p>
      ) : (
        <p>No revision to compare was given.</p>
      )}
      <p className="muted">The comparison view is not built yet.</p>
      <p>
        <Link to={paths.target(tenant, environment)}>Back to {tenant}/{environment}</Link>
      </p>
    </section>
  );
}
