import type { Target } from '#core/schemas.ts';
import { ClusterSource, LiveRevision, LiveRevisionNotice } from '#src/components/cluster-status.tsx';
import { HeadRevision } from '#src/components/head-revision.tsx';
import { HealthBadge, PlanBadge, SyncBadge } from '#src/components/status-badges.tsx';
import { VersionText } from '#src/components/service-version.tsx';
import { LastOperation } from '#src/components/last-operation.tsx';

export function TargetHeader({ target }: { target: Target }) {
  const { source, reason } = target.cluster;
  return (
    <div className="target-header">
      <div className="target-header__title">
        <h1>
          {target.tenant} <span className="muted">/</span> {target.environment}
        </h1>
        <PlanBadge plan={target.plan} />
      </div>
      <dl className="target-header__facts">
        <div>
          <dt>Live revision</dt>
          <dd data-testid="live-revision">
            <LiveRevision cluster={target.cluster} />
          </dd>
        </div>
        <div>
          <dt>Branch head</dt>
          <dd>
            <HeadRevision head={target.head} />
          </dd>
        </div>
        <div>
          <dt>Health</dt>
          <dd>
            <HealthBadge health={target.health} source={source} reason={reason} />
          </dd>
        </div>
        <div>
          <dt>Sync</dt>
          <dd>
            <SyncBadge sync={target.sync} source={source} />
          </dd>
        </div>
        <div>
          <dt>Last operation</dt>
          <dd>
            <LastOperation operation={target.cluster.operation} source={source} reason={reason} />
          </dd>
        </div>
        <div>
          <dt>Cluster status</dt>
          <dd>
            <ClusterSource cluster={target.cluster} />
          </dd>
        </div>
      </dl>
      <LiveRevisionNotice target={target} />
      {target.services.length > 0 && (
        <ul className="service-status-list" aria-label="Services">
          {target.services.map((service) => (
            <li key={service.name} className="service-status" data-testid="service-status">
              <span className="service-status__name">{service.name}</span>
              <ServiceVersion target={target} service={service.name} />
              <HealthBadge health={service.health} source={source} reason={source === 'none' ? null : service.reason} />
              <SyncBadge sync={service.sync} source={source} />
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}

function ServiceVersion({ target, service }: { target: Target; service: string }) {
  const version = target.versions?.find((v) => v.service === service)?.version;
  return version ? <VersionText version={version} /> : null;
}
