import { useQueryClient } from '@tanstack/react-query';
import { useCallback, useState, type ReactNode } from 'react';
import { Link, useNavigate } from 'react-router';
import type { MeResponse, Target } from '#core/schemas.ts';
import { paths } from '#src/lib/paths.ts';
import { shortSha } from '#src/lib/sha.ts';
import { rollbackKeys, type PreviewSelection } from '#src/features/rollback/api/rollback-query-options.ts';
import type { WizardParams, WizardStep } from '#src/features/rollback/api/wizard-params.ts';
import { effectiveStep, findTarget } from '#src/features/rollback/api/wizard-rules.ts';
import { useWizardParams } from '#src/features/rollback/hooks/use-wizard-params.ts';
import { useWizardDraftStore } from '#src/features/rollback/stores/wizard-draft-store.ts';
import { PreviewStep } from './preview-step.tsx';
import { RevisionStep } from './revision-step.tsx';
import { ScopeStep } from './scope-step.tsx';
import { ServerError } from './step-frame.tsx';
import { SubmitStep } from './submit-step.tsx';
import { TargetStep } from './target-step.tsx';
import { WizardStepper } from './wizard-stepper.tsx';
import '#src/features/rollback/rollback.css';

interface SelectiveRollbackWizardProps {
  targets: Target[];
  /** Who is submitting, and their break-glass session; undefined while unknown. */
  me: MeResponse | undefined;
}

interface StepError {
  step: WizardStep;
  error: unknown;
}

const ERROR_TITLE: Record<WizardStep, string> = {
  target: 'The server refused this target',
  scope: 'The server refused this rollback scope',
  revision: 'The server refused this revision or selection',
  preview: 'The branch moved since this preview',
  submit: 'The rollback was not submitted',
};

function previewSelection(params: WizardParams): PreviewSelection | null {
  if (!params.mode || !params.revision) return null;
  return {
    mode: params.mode,
    targetSha: params.revision,
    ...(params.mode !== 'full' && params.service ? { service: params.service } : {}),
    ...(params.mode === 'field' ? { fields: params.fields } : {}),
  };
}

export function SelectiveRollbackWizard({ targets, me }: SelectiveRollbackWizardProps) {
  const { params, choose, goTo } = useWizardParams();
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  const target = findTarget(targets, params);
  const step = effectiveStep(params, target, me?.user);
  const selection = previewSelection(params);
  // An API error shown in the step it concerns; it lives until the person moves on.
  const [stepError, setStepError] = useState<StepError | null>(null);

  // A choice also pins the step shown: without it, completing a step's answers would skip ahead.
  const chooseHere = (patch: Partial<WizardParams>) => choose({ ...patch, step });
  const go = (next: WizardStep, patch: Partial<WizardParams> = {}) => {
    setStepError(null);
    goTo(next, patch);
  };
  const onErrorElsewhere = useCallback(
    (concerned: WizardStep, error: unknown) => {
      setStepError({ step: concerned, error });
      goTo(concerned);
    },
    [goTo],
  );

  const rerunPreview = () => {
    if (target) void queryClient.invalidateQueries({ queryKey: [...rollbackKeys.target(target.tenant, target.environment), 'preview'] });
    go('preview');
  };

  const errorFor = (current: WizardStep): ReactNode => {
    if (stepError?.step !== current) return undefined;
    return (
      <ServerError title={ERROR_TITLE[current]} error={stepError.error}>
        {current === 'preview' && (
          <button type="button" className="button" onClick={rerunPreview}>
            Re-run the preview
          </button>
        )}
      </ServerError>
    );
  };

  let body: ReactNode;
  if (step === 'target' || !target) {
    const unknown = params.tenant && !target && (
      <p className="wizard-warning" role="alert">
        Rewind knows no target {params.tenant}/{params.environment}. Choose one of these.
      </p>
    );
    body = (
      <TargetStep
        targets={targets}
        user={me?.user}
        tenant={params.tenant}
        environment={params.environment}
        serverError={errorFor('target') ?? unknown}
        onChoose={(tenant, environment) => chooseHere({ tenant, environment })}
        onNext={() => go('scope')}
      />
    );
  } else if (step === 'scope' || !params.mode) {
    body = (
      <ScopeStep
        target={target}
        mode={params.mode}
        serverError={errorFor('scope')}
        onChoose={(mode) => chooseHere({ mode })}
        onNext={(mode) => go('revision', { mode })}
        onBack={() => go('target')}
      />
    );
  } else if (step === 'revision' || !selection) {
    body = (
      <RevisionStep
        target={target}
        mode={params.mode}
        params={params}
        serverError={errorFor('revision')}
        onChoose={chooseHere}
        onNext={(patch) => go('preview', patch)}
        onBack={() => go('scope')}
      />
    );
  } else if (step === 'preview') {
    body = (
      <PreviewStep
        target={target}
        selection={selection}
        serverError={errorFor('preview')}
        onErrorElsewhere={onErrorElsewhere}
        onNext={() => go('submit')}
        onBack={() => go('revision')}
      />
    );
  } else {
    body = (
      <SubmitStep
        target={target}
        selection={selection}
        me={me}
        serverError={errorFor('submit')}
        onErrorElsewhere={onErrorElsewhere}
        onSubmitted={(request) => navigate(paths.rollbackRequest(request.id), { state: { submitted: true } })}
        onBack={() => go('preview')}
      />
    );
  }

  return (
    <div className="page rollback-page">
      <title>{target ? `New rollback · ${target.tenant}/${target.environment} · Rewind` : 'New rollback · Rewind'}</title>
      <nav aria-label="Breadcrumb" className="breadcrumb">
        <Link to={paths.overview()}>Targets</Link>
        {target && (
          <>
            {' '}
            <span aria-hidden="true">›</span>{' '}
            <Link to={paths.target(target.tenant, target.environment)}>
              {target.tenant}/{target.environment}
            </Link>
          </>
        )}{' '}
        <span aria-hidden="true">›</span> <span aria-current="page">New rollback</span>
      </nav>
      <h1>New rollback</h1>
      <ChoicesLine target={target} params={params} />
      <ResumeOffer hasParams={params.tenant !== undefined} />
      <WizardStepper current={step} onGo={(next) => go(next)} />
      {body}
    </div>
  );
}

function ChoicesLine({ target, params }: { target: Target | undefined; params: WizardParams }) {
  if (!target) return null;
  const parts = [`${target.tenant}/${target.environment}`];
  if (params.mode) parts.push(`${params.mode} rollback`);
  if (params.service && params.mode !== 'full') parts.push(params.service);
  if (params.revision) parts.push(`to ${shortSha(params.revision)}`);
  if (params.mode === 'field' && params.fields.length > 0) parts.push(`${params.fields.length} field${params.fields.length === 1 ? '' : 's'}`);
  return <p className="page__lead wizard-choices">{parts.join(' · ')}</p>;
}

/** A bare `/rollback/new` after a reload of another tab state: offer the wizard this tab was filling in. */
function ResumeOffer({ hasParams }: { hasParams: boolean }) {
  const lastSearch = useWizardDraftStore((state) => state.lastSearch);
  if (hasParams || !lastSearch) return null;
  return (
    <p className="wizard-resume">
      <Link to={`/rollback/new?${lastSearch}`}>Resume the rollback you were preparing</Link>
    </p>
  );
}
