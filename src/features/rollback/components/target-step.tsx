import { useState, type ReactNode } from 'react';
import type { Target, User } from '#core/schemas.ts';
import { requestRefusal } from '#src/features/rollback/api/wizard-rules.ts';
import { HeadRevision } from '#src/components/head-revision.tsx';
import { LiveRevisionFact } from '#src/components/cluster-status.tsx';
import { HealthBadge, PlanBadge, SyncBadge } from '#src/components/status-badges.tsx';
import { StepFrame } from './step-frame.tsx';

interface TargetStepProps {
  targets: Target[];
  /** Who is asking: a target where they may not request says so here, before any other step. */
  user?: User | undefined;
  tenant?: string;
  environment?: string;
  serverError?: ReactNode;
  onChoose: (tenant: string, environment: string) => void;
  onNext: () => void;
}

const keyOf = (target: Pick<Target, 'tenant' | 'environment'>) => `${target.tenant}/${target.environment}`;

export function TargetStep({ targets, user, tenant, environment, serverError, onChoose, onNext }: TargetStepProps) {
  const [tried, setTried] = useState(false);
  const selected = tenant && environment ? `${tenant}/${environment}` : null;
  const chosen = targets.find((target) => keyOf(target) === selected);
  const refusal = chosen ? requestRefusal(chosen, user) : null;
  const problem = !chosen ? 'Choose the tenant and environment to roll back.' : refusal ? `You cannot request a rollback here: ${refusal}.` : null;

  return (
    <StepFrame
      step="target"
      title="Which tenant and environment?"
      lead={
        <p>
          A rollback is a new commit on the branch head of the target you choose. What the cluster runs comes only from its GitOps
          agent, and is unknown when the agent does not say.
        </p>
      }
      serverError={serverError}
      problem={problem}
      showProblem={tried || refusal !== null}
      onNext={() => {
        setTried(true);
        if (!problem) onNext();
      }}
    >
      <fieldset className="choice-list">
        <legend className="visually-hidden">Target</legend>
        {targets.length === 0 && <p>No targets are configured.</p>}
        {targets.map((target) => {
          const key = keyOf(target);
          const id = `target-${key.replace('/', '--')}`;
          const cannot = requestRefusal(target, user) !== null;
          return (
            <label key={key} className="choice choice--target" data-testid="target-choice">
              <input
                type="radio"
                name="target"
                value={key}
                checked={selected === key}
                onChange={() => onChoose(target.tenant, target.environment)}
                aria-labelledby={`${id}-name`}
                aria-describedby={`${id}-details`}
              />
              <span className="choice__body">
                <span className="choice__title">
                  <span id={`${id}-name`}>
                    {target.tenant} / {target.environment}
                  </span>
                  <PlanBadge plan={target.plan} />
                  {cannot && <span className="badge">you cannot request here</span>}
                </span>
                <span id={`${id}-details`} className="choice__details">
                  <span className="target-facts">
                    <LiveRevisionFact cluster={target.cluster} />
                    <span data-testid="target-branch-head">
                      Branch head: <HeadRevision head={target.head} />
                    </span>
                    <HealthBadge health={target.health} source={target.cluster.source} reason={target.cluster.reason} />
                    <SyncBadge sync={target.sync} source={target.cluster.source} />
                  </span>
                  {target.services.length > 0 && (
                    <span className="service-grid">
                      {target.services.map((service) => (
                        <span key={service.name} className="service-grid__row">
                          <span className="service-grid__name">{service.name}</span>
                          <HealthBadge health={service.health} source={target.cluster.source} />
                          <SyncBadge sync={service.sync} source={target.cluster.source} />
                        </span>
                      ))}
                    </span>
                  )}
                </span>
              </span>
            </label>
          );
        })}
      </fieldset>
    </StepFrame>
  );
}
