import { useState, type ReactNode } from 'react';
import { modeAvailability } from '#core/rollback-gating.ts';
import type { RollbackMode, Target } from '#core/schemas.ts';
import { defaultMode } from '#src/features/rollback/api/wizard-rules.ts';
import { StepFrame } from './step-frame.tsx';

interface ScopeStepProps {
  target: Target;
  mode?: RollbackMode;
  serverError?: ReactNode;
  onChoose: (mode: RollbackMode) => void;
  onNext: (mode: RollbackMode) => void;
  onBack: () => void;
}

const MODE_TITLE: Record<RollbackMode, string> = {
  full: 'Full rollback',
  service: 'Service rollback',
  field: 'Field rollback',
};

const BLAST_RADIUS: Record<RollbackMode, { level: string; className: string }> = {
  full: { level: 'High', className: 'blast--high' },
  service: { level: 'Medium', className: 'blast--medium' },
  field: { level: 'Minimal', className: 'blast--minimal' },
};

function modeExplanation(mode: RollbackMode, target: Target): { reverts: string; tradeOff: string } {
  const services = target.services.length;
  const name = `${target.tenant}/${target.environment}`;
  switch (mode) {
    case 'full':
      return {
        reverts: `Everything of ${name} as it was: all ${services} service${services === 1 ? '' : 's'}, the bindings (kustomization) and the environment variables.`,
        tradeOff: 'Fastest when the culprit is unclear, but healthy services go back too.',
      };
    case 'service':
      return {
        reverts: `The files of one service you choose; the other ${Math.max(services - 1, 0)} services, bindings and variables stay as they are.`,
        tradeOff: 'Isolated to one service. Use it when the incident is in one service.',
      };
    case 'field':
      return {
        reverts: 'Only the YAML fields you pick in one service (an image tag, a replica count); every other byte of those files stays.',
        tradeOff: 'Surgical, but you must know which field caused the incident.',
      };
  }
}

export function ScopeStep({ target, mode, serverError, onChoose, onNext, onBack }: ScopeStepProps) {
  const [tried, setTried] = useState(false);
  const availability = modeAvailability(target);
  const allowed = (candidate: RollbackMode | undefined) =>
    candidate !== undefined && availability.some((entry) => entry.mode === candidate && entry.allowed);
  // A mode the link asked for but the target cannot use gives way to the default, with its reason shown.
  const selected = allowed(mode) ? mode : defaultMode(target);
  const problem = selected ? null : 'Choose a rollback scope that this target allows.';
  const refused = mode !== undefined && !allowed(mode) ? availability.find((entry) => entry.mode === mode) : undefined;

  return (
    <StepFrame
      step="scope"
      title="How much should go back?"
      lead={
        <p>
          The smaller the scope, the less the rollback disturbs what works. Modes that the plan of {target.tenant}/
          {target.environment} ({target.plan}) or its feature flags do not allow are disabled, with the reason.
        </p>
      }
      serverError={
        serverError ??
        (refused?.reason && (
          <p className="wizard-warning" role="alert">
            The link asked for a {refused.mode} rollback, which is not available: {refused.reason}.
          </p>
        ))
      }
      problem={problem}
      showProblem={tried}
      onBack={onBack}
      onNext={() => {
        setTried(true);
        if (selected) onNext(selected);
      }}
    >
      <fieldset className="choice-list choice-list--modes">
        <legend className="visually-hidden">Rollback scope</legend>
        {availability.map(({ mode: candidate, allowed: isAllowed, reason }) => {
          const { reverts, tradeOff } = modeExplanation(candidate, target);
          const radius = BLAST_RADIUS[candidate];
          const id = `mode-${candidate}`;
          return (
            <label
              key={candidate}
              className={`choice choice--mode${isAllowed ? '' : ' choice--disabled'}`}
              data-testid={`mode-${candidate}`}
            >
              <input
                type="radio"
                name="mode"
                value={candidate}
                checked={selected === candidate}
                disabled={!isAllowed}
                onChange={() => onChoose(candidate)}
                aria-labelledby={`${id}-title`}
                aria-describedby={`${id}-details`}
              />
              <span className="choice__body">
                <span className="choice__title">
                  <span id={`${id}-title`}>{MODE_TITLE[candidate]}</span>
                  <span className={`badge blast ${radius.className}`}>Blast radius: {radius.level}</span>
                </span>
                <span id={`${id}-details`} className="choice__details">
                  <span className="choice__line">Reverts: {reverts}</span>
                  <span className="choice__line muted">{tradeOff}</span>
                  {!isAllowed && reason && <span className="choice__reason">Not available: {reason}.</span>}
                </span>
              </span>
            </label>
          );
        })}
      </fieldset>
    </StepFrame>
  );
}
