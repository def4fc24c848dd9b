import { useQuery, useQueryClient } from '@tanstack/react-query';
import { Link, useParams } from 'react-router';
import { nameSchema } from '#core/schemas.ts';
import { isNotFound } from '#src/api/api-error.ts';
import { useBackend } from '#src/api/backend-context.tsx';
import { ErrorState } from '#src/components/error-state.tsx';
import { DeploymentHistoryPanel } from '#src/features/history/components/deployment-history-panel.tsx';
import { targetQueryOptions } from '#src/features/targets/api/targets-query-options.ts';
import { TargetHeader } from '#src/features/targets/components/target-header.tsx';
import { OpenRequests } from '#src/features/rollback/components/open-requests.tsx';
import { NotFoundPage } from '#src/app/not-found-page.tsx';

export function TargetPage() {
  const { tenant = '', environment = '' } = useParams();
  const validNames = nameSchema.safeParse(tenant).success && nameSchema.safeParse(environment).success;
  if (!validNames) return <NotFoundPage message={`There is no target ${tenant}/${environment}.`} />;
  return <TargetView tenant={tenant} environment={environment} />;
}

function TargetView({ tenant, environment }: { tenant: string; environment: string }) {
  const backend = useBackend();
  const queryClient = useQueryClient();
  const target = useQuery(targetQueryOptions(backend, tenant, environment, queryClient));
  const name = `${tenant}/${environment}`;

  if (target.isPending) {
    return (
      <p className="loading" role="status" aria-busy="true">
        Loading {name}…
      </p>
    );
  }
  if (target.isError) {
    if (isNotFound(target.error)) return <NotFoundPage message={`There is no target ${name}.`} />;
    return (
      <div className="page">
        <ErrorState title={`Could not load ${name}`} error={target.error} onRetry={() => void target.refetch()} />
      </div>
    );
  }
  return (
    <div className="page">
      <title>{`${name} · Rewind`}</title>
      <nav aria-label="Breadcrumb" className="breadcrumb">
        <Link to="/">Targets</Link> <span aria-hidden="true">›</span> <span aria-current="page">{name}</span>
      </nav>
      <TargetHeader target={target.data} />
      <OpenRequests tenant={tenant} environment={environment} />
      <DeploymentHistoryPanel target={target.data} />
    </div>
  );
}
