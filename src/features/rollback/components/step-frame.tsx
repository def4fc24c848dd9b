import { useEffect, useId, useRef, type FormEvent, type KeyboardEvent, type ReactNode } from 'react';
import { isApiError } from '#src/api/api-error.ts';
import { STEP_TITLES, WIZARD_STEPS, type WizardStep } from '#src/features/rollback/api/wizard-params.ts';

interface StepFrameProps {
  step: WizardStep;
  /** The question this step asks, after "Step n of 5". */
  title: string;
  lead?: ReactNode;
  /** An API error that concerns this step, with what the person can do about it. */
  serverError?: ReactNode;
  /** Why Next cannot proceed yet; shown once the person has tried. */
  problem?: string | null;
  showProblem?: boolean;
  onNext?: () => void;
  onBack?: () => void;
  /** Replaces the Back/Next row (the submit step has its own). */
  actions?: ReactNode;
  children: ReactNode;
}

/**
 * One wizard step: a form whose submit (Next, or Enter) validates first. The heading takes focus when
 * the step appears, so keyboard and screen-reader users start at the new question, not at the top.
 */
export function StepFrame(props: StepFrameProps) {
  const { step, title, lead, serverError, problem, showProblem, onNext, onBack, actions, children } = props;
  const headingRef = useRef<HTMLHeadingElement>(null);
  const id = useId();
  const number = WIZARD_STEPS.indexOf(step) + 1;

  useEffect(() => {
    headingRef.current?.focus();
  }, []);

  const onSubmit = (event: FormEvent) => {
    event.preventDefault();
    onNext?.();
  };

  // Enter on a choice means "this one, next": browsers differ on submitting a form from a radio button.
  const onKeyDown = (event: KeyboardEvent<HTMLFormElement>) => {
    const target = event.target as HTMLElement;
    if (event.key !== 'Enter' || !(target instanceof HTMLInputElement)) return;
    if (target.type !== 'radio' && target.type !== 'checkbox') return;
    event.preventDefault();
    event.currentTarget.requestSubmit();
  };

  return (
    <section className="wizard-step" aria-labelledby={`${id}-heading`} data-step={step}>
      <h2 id={`${id}-heading`} ref={headingRef} tabIndex={-1} className="wizard-step__heading">
        <span className="wizard-step__number">
          Step {number} of {WIZARD_STEPS.length} · {STEP_TITLES[step]}
        </span>
        {title}
      </h2>
      {lead && <div className="wizard-step__lead">{lead}</div>}
      {serverError}
      <form onSubmit={onSubmit} onKeyDown={onKeyDown} noValidate aria-describedby={showProblem && problem ? `${id}-problem` : undefined}>
        {children}
        {showProblem && problem && (
          <p id={`${id}-problem`} className="wizard-problem" role="alert">
            {problem}
          </p>
        )}
        {actions ?? (
          <div className="wizard-actions">
            {onBack && (
              <button type="button" className="button" onClick={onBack}>
                Back
              </button>
            )}
            {onNext && (
              <button type="submit" className="button button--primary">
                Next
              </button>
            )}
          </div>
        )}
      </form>
    </section>
  );
}

interface ServerErrorProps {
  title: string;
  error: unknown;
  children?: ReactNode;
}

/** The server's own words, with its code, and the way forward (children: buttons). */
export function ServerError({ title, error, children }: ServerErrorProps) {
  const message = error instanceof Error ? error.message : String(error);
  return (
    <div className="error-state wizard-server-error" role="alert">
      <p className="error-state__title">{title}</p>
      <p className="error-state__message">{message}</p>
      {isApiError(error) && (
        <p className="error-state__code">
          Error code: {error.code}
          {error.status > 0 ? ` (HTTP ${error.status})` : ''}
        </p>
      )}
      {children && <div className="wizard-server-error__actions">{children}</div>}
    </div>
  );
}
