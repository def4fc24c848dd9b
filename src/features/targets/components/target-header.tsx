import type { Target } from '#core/schemas.ts';
import { HeadRevision } from '#src/components/head-revision.tsx';
import { HealthBadge, PlanBadge, SyncBadge } from '#src/components/status-badges.tsx';
import { VersionText } from '#src/components/service-version.tsx';

export function TargetHeader({ target }: { target: Target }) {
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
          <dt>Deployed revision</dt>
          <dd>
            <HeadRevision head={target.head} />
          </dd>
        </div>
        <div>
          <dt>Health</dt>
          <dd>
            <HealthBadge health={target.health} />
          </dd>
        </div>
        <div>
          <dt>Sync</dt>
          <dd>
            <SyncBadge sync={target.sync} />
          </dd>
        </div>
      </dl>
      {target.services.length > 0 && (
        <ul className="service-status-list" aria-label="Services">
          {target.services.map((service) => (
            <li key={service.name} className="service-status" data-testid="service-status">
              <span className="service-status__name">{service.name}</span>
              <ServiceVersion target={target} service={service.name} />
              <HealthBadge health={service.health} />
              <SyncBadge sync={service.sync} />
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
