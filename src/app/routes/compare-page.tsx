import { Link, useParams, useSearchParams } from 'react-router';
import { nameSchema } from '#core/schemas.ts';
import { CompareView } from '#src/features/compare/components/compare-view.tsx';
import { RevisionPickers } from '#src/features/compare/components/revision-pickers.tsx';
import { paths } from '#src/lib/paths.ts';
import { NotFoundPage } from '#src/app/not-found-page.tsx';

const describe = (ref: string) => (ref.toLowerCase() === 'head' ? 'head' : ref.slice(0, 7));

/** `/targets/:tenant/:environment/compare?from=&to=`: the URL is the whole state, so it can be shared. */
export function ComparePage() {
  const { tenant = '', environment = '' } = useParams();
  const [searchParams, setSearchParams] = useSearchParams();
  const validNames = nameSchema.safeParse(tenant).success && nameSchema.safeParse(environment).success;
  if (!validNames) return <NotFoundPage message={`There is no target ${tenant}/${environment}.`} />;

  const name = `${tenant}/${environment}`;
  const from = searchParams.get('from')?.trim() ?? '';
  // API.md: `to` defaults to head.
  const to = searchParams.get('to')?.trim() || 'head';
  // A swap is a step worth going back from, so it pushes a history entry.
  const swap = () => setSearchParams(new URLSearchParams({ from: to, to: from }));
  // A picked revision is a step worth going back from too (decision 043).
  const pick = (next: { from: string; to: string }) => setSearchParams(new URLSearchParams(next));

  return (
    <div className="page compare-page">
      <title>{from ? `Compare ${describe(from)}…${describe(to)} · ${name} · Rewind` : `Compare · ${name} · Rewind`}</title>
      <nav aria-label="Breadcrumb" className="breadcrumb">
        <Link to="/">Targets</Link> <span aria-hidden="true">›</span>{' '}
        <Link to={paths.target(tenant, environment)}>{name}</Link> <span aria-hidden="true">›</span>{' '}
        <span aria-current="page">Compare</span>
      </nav>
      <h1>Compare revisions of {name}</h1>
      <RevisionPickers tenant={tenant} environment={environment} from={from} to={to} onChange={pick} />
      {from ? (
        <CompareView key={`${from} ${to}`} tenant={tenant} environment={environment} from={from} to={to} onSwap={swap} />
      ) : (
        <div className="empty-state" role="status">
          <p>No revision to compare was given.</p>
          <p className="muted">
            Choose one above, pick two revisions in the <Link to={paths.target(tenant, environment)}>deployment history</Link>, or use
            “Compare” on one of them to see what changed since.
          </p>
        </div>
      )}
    </div>
  );
}
