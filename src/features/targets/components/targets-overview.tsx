import { useQuery } from '@tanstack/react-query';
import { Link } from 'react-router';
import { useBackend } from '#src/api/backend-context.tsx';
import { ErrorState } from '#src/components/error-state.tsx';
import { targetsQueryOptions } from '#src/features/targets/api/targets-query-options.ts';
import { LiveRevision } from '#src/components/cluster-status.tsx';
import { HeadRevision } from '#src/components/head-revision.tsx';
import { HealthBadge, PlanBadge, SyncBadge } from '#src/components/status-badges.tsx';
import { VersionText } from '#src/components/service-version.tsx';
import { paths } from '#src/lib/paths.ts';

export function TargetsOverview() {
  const backend = useBackend();
  const targets = useQuery(targetsQueryOptions(backend));

  return (
    <section aria-labelledby="targets-heading" className="page">
      <h1 id="targets-heading">Targets</h1>
      <p className="page__lead">Every tenant and environment Rewind can roll back, with what the cluster runs now and where that comes from.</p>
      {targets.isPending && (
        <p className="loading" role="status" aria-busy="true">
          Loading targets…
        </p>
      )}
      {targets.isError && (
        <ErrorState title="Could not load targets" error={targets.error} onRetry={() => void targets.refetch()} />
      )}
      {targets.isSuccess && targets.data.length === 0 && <p>No targets are configured.</p>}
      {targets.isSuccess && targets.data.length > 0 && (
        <table className="data-table targets-table">
          <thead>
            <tr>
              <th scope="col">Target</th>
              <th scope="col">Plan</th>
              <th scope="col">Live revision</th>
              <th scope="col">Branch head</th>
              <th scope="col">Health</th>
              <th scope="col">Sync</th>
              <th scope="col">Services</th>
            </tr>
          </thead>
          <tbody>
            {targets.data.map((target) => {
              const name = `${target.tenant}/${target.environment}`;
              const unhealthy = target.services.filter((service) => service.health !== 'healthy').length;
              return (
                <tr key={name} data-testid="target-row">
                  <th scope="row">
                    <Link to={`/targets/${target.tenant}/${target.environment}`} className="target-link">
                      {target.tenant} / {target.environment}
                    </Link>
                  </th>
                  <td>
                    <PlanBadge plan={target.plan} />
                  </td>
                  <td data-testid="target-live">
                    <LiveRevision cluster={target.cluster} />
                    {target.cluster.deployment.state === 'behind' && (
                      <span className="chip chip--not-deployed">{target.cluster.deployment.notDeployedCount} not deployed</span>
                    )}
                  </td>
                  <td>
                    <HeadRevision head={target.head} />
                  </td>
                  <td>
                    <HealthBadge health={target.health} source={target.cluster.source} reason={target.cluster.reason} />
                  </td>
                  <td>
                    <SyncBadge sync={target.sync} source={target.cluster.source} />
                  </td>
                  <td>
                    {target.services.length}
                    {unhealthy > 0 && <span className="muted"> ({unhealthy} not healthy)</span>}
                    {target.versions && target.versions.length > 0 && (
                      <ul className="overview-versions" aria-label={`Versions at the branch head of ${name}`}>
                        {target.versions.map(({ service, version }) => (
                          <li key={service}>
                            {service} <VersionText version={version} />
                          </li>
                        ))}
                      </ul>
                    )}
                    {/* The incident commander's way in: the failing service, straight to choosing its version (decision 044). */}
                    {target.services
                      .filter((service) => service.health === 'degraded')
                      .map((service) => (
                        <Link
                          key={service.name}
                          className="button button--small button--danger-outline"
                          to={paths.rollbackService(target.tenant, target.environment, service.name)}
                          aria-label={`Roll back ${service.name} in ${name}`}
                        >
                          Roll back {service.name}
                        </Link>
                      ))}
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      )}
    </section>
  );
}
