import { STEP_TITLES, WIZARD_STEPS, type WizardStep } from '#src/features/rollback/api/wizard-params.ts';
import { stepIndex } from '#src/features/rollback/api/wizard-rules.ts';

interface WizardStepperProps {
  current: WizardStep;
  onGo: (step: WizardStep) => void;
}

/** Where the person is, and a way back to any answered step (forward only through Next, which validates). */
export function WizardStepper({ current, onGo }: WizardStepperProps) {
  const currentIndex = stepIndex(current);
  return (
    <nav aria-label="Rollback steps" className="wizard-stepper">
      <ol>
        {WIZARD_STEPS.map((step, index) => {
          const state = index < currentIndex ? 'done' : index === currentIndex ? 'current' : 'upcoming';
          const label = (
            <>
              <span className="wizard-stepper__number" aria-hidden="true">
                {state === 'done' ? '✓' : index + 1}
              </span>
              <span>{STEP_TITLES[step]}</span>
              {state === 'done' && <span className="visually-hidden"> (done)</span>}
            </>
          );
          return (
            <li key={step} className={`wizard-stepper__item wizard-stepper__item--${state}`}>
              {state === 'done' ? (
                <button type="button" className="wizard-stepper__link" onClick={() => onGo(step)}>
                  {label}
                </button>
              ) : (
                <span className="wizard-stepper__label" aria-current={state === 'current' ? 'step' : undefined}>
                  {label}
                </span>
              )}
            </li>
          );
        })}
      </ol>
    </nav>
  );
}
