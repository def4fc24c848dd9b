import { Link, useParams } from 'react-router';
import { nameSchema } from '#core/schemas.ts';
import { RevisionDetailView } from '#src/features/revisions/components/revision-detail-view.tsx';
import { paths } from '#src/lib/paths.ts';
import { NotFoundPage } from '#src/app/not-found-page.tsx';

/** `/targets/:tenant/:environment/revisions/:sha`: one revision in full. */
export function RevisionPage() {
  const { tenant = '', environment = '', sha = '' } = useParams();
  const valid = nameSchema.safeParse(tenant).success && nameSchema.safeParse(environment).success && /^[0-9a-f]{4,40}$/i.test(sha);
  if (!valid) return <NotFoundPage message={`There is no revision ${sha} of ${tenant}/${environment}.`} />;
  const name = `${tenant}/${environment}`;
  return (
    <div className="page">
      <title>{`Revision ${sha.slice(0, 7)} · ${name} · Rewind`}</title>
      <nav aria-label="Breadcrumb" className="breadcrumb">
        <Link to="/">Targets</Link> <span aria-hidden="true">›</span> <Link to={paths.target(tenant, environment)}>{name}</Link>{' '}
        <span aria-hidden="true">›</span> <span aria-current="page">Revision {sha.slice(0, 7)}</span>
      </nav>
      <RevisionDetailView key={sha} tenant={tenant} environment={environment} sha={sha.toLowerCase()} />
    </div>
  );
}
