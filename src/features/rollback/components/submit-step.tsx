import { useMutation, useQuery } from '@tanstack/react-query';
import { useEffect, useId, useRef, useState, type KeyboardEvent, type ReactNode } from 'react';
import {
  JUSTIFICATION_MAX_LENGTH,
  type CreateRollbackBody,
  type MeResponse,
  type RollbackRequest,
  type Target,
} from '#core/schemas.ts';
import { isApiError } from '#src/api/api-error.ts';
import { useBackend } from '#src/api/backend-context.tsx';
import { formatAbsolute } from '#src/lib/time.ts';
import { useNow } from '#src/lib/use-now.ts';
import { previewQueryOptions, type PreviewSelection } from '#src/features/rollback/api/rollback-query-options.ts';
import type { WizardStep } from '#src/features/rollback/api/wizard-params.ts';
import { approvalOutcome, justificationLength, justificationProblem, stepForError, type ApprovalOutcome } from '#src/features/rollback/api/wizard-rules.ts';
import { draftKeyOf, useWizardDraftStore } from '#src/features/rollback/stores/wizard-draft-store.ts';
import { ServerError, StepFrame } from './step-frame.tsx';
import { SelectionSummary } from './selection-summary.tsx';
import { IncidentFields } from './incident-fields.tsx';
import { SupersedeWarning } from './open-requests.tsx';
import { checkIncidentInput } from '#src/features/rollback/api/incident-input.ts';

interface SubmitStepProps {
  target: Target;
  selection: PreviewSelection;
  me: MeResponse | undefined;
  serverError?: ReactNode;
  onErrorElsewhere: (step: WizardStep, error: unknown) => void;
  onSubmitted: (request: RollbackRequest) => void;
  onBack: () => void;
}

const MAX_NETWORK_RETRIES = 2;

export function SubmitStep({ target, selection, me, serverError, onErrorElsewhere, onSubmitted, onBack }: SubmitStepProps) {
  const backend = useBackend();
  const id = useId();
  const draftKey = draftKeyOf(target.tenant, target.environment);
  const justification = useWizardDraftStore((state) => state.justifications[draftKey] ?? '');
  const setJustification = useWizardDraftStore((state) => state.setJustification);
  const beginSubmit = useWizardDraftStore((state) => state.beginSubmit);
  const finishSubmit = useWizardDraftStore((state) => state.finishSubmit);
  const confirmedHash = useWizardDraftStore((state) => state.destructiveConfirmed[draftKey]);
  const [tried, setTried] = useState(false);
  const [incidentInput, setIncidentInput] = useState({ id: '', url: '' });
  const incident = checkIncidentInput(incidentInput);
  const textareaRef = useRef<HTMLTextAreaElement>(null);
  // The same plan the preview step showed (cached), or planned now for a link opened at this step.
  const preview = useQuery(previewQueryOptions(backend, target.tenant, target.environment, selection));
  // The plan may have become impossible since (someone else rolled back): say so where it can be fixed.
  const previewFailed = preview.isError && !preview.isFetching;
  useEffect(() => {
    if (previewFailed) onErrorElsewhere(stepForError(preview.error, 'preview'), preview.error);
  }, [previewFailed, preview.error, onErrorElsewhere]);
  const now = useNow();
  const outcome = approvalOutcome(target, me?.breakGlass, now);

  const submit = useMutation({
    mutationFn: ({ body, idempotencyKey }: { body: CreateRollbackBody; idempotencyKey: string }) =>
      backend.createRollback(body, { idempotencyKey }),
    // Safe to repeat: the idempotency key makes the server return the first result.
    retry: (count, error) => count < MAX_NETWORK_RETRIES && isApiError(error) && error.code === 'NETWORK',
    onSuccess: (request) => {
      finishSubmit(draftKey);
      onSubmitted(request);
    },
    onError: (error) => {
      const step = stepForError(error, 'submit');
      if (step !== 'submit') onErrorElsewhere(step, error);
    },
  });

  // A destructive plan goes ahead only as confirmed on the preview step, and only that very plan.
  const destructiveConfirmed = preview.data?.destructive !== undefined && confirmedHash === preview.data.diffHash;
  const problem =
    justificationProblem(justification) ??
    incident.problem ??
    (preview.data ? null : 'Wait for the preview: the request is bound to the diff it shows.') ??
    (preview.data?.destructive && !destructiveConfirmed ? 'This rollback deletes files: confirm the deletions on the preview step first.' : null);
  const send = () => {
    setTried(true);
    if (justificationProblem(justification)) textareaRef.current?.focus();
    if (problem || submit.isPending || !preview.data) return;
    const body: CreateRollbackBody = {
      tenant: target.tenant,
      environment: target.environment,
      mode: selection.mode,
      targetSha: selection.targetSha,
      ...(selection.service ? { service: selection.service } : {}),
      ...(selection.fields ? { fields: selection.fields } : {}),
      justification,
      ...(incident.incident ? { incident: incident.incident } : {}),
      // Binds the request to the diff the person saw: if the target moved since, the server refuses (409).
      diffHash: preview.data.diffHash,
      ...(destructiveConfirmed ? { allowDestructive: true } : {}),
    };
    // One key per attempt: retrying the same body reuses it, a changed body is a new attempt.
    submit.mutate({ body, idempotencyKey: beginSubmit(JSON.stringify(body)) });
  };

  const submitOnCtrlEnter = (event: KeyboardEvent<HTMLTextAreaElement>) => {
    if (event.key === 'Enter' && (event.ctrlKey || event.metaKey)) {
      event.preventDefault();
      send();
    }
  };

  const inlineError = submit.isError && stepForError(submit.error, 'submit') === 'submit';
  const length = justificationLength(justification);
  const over = length > JUSTIFICATION_MAX_LENGTH;

  return (
    <StepFrame
      step="submit"
      title="Why, and submit"
      serverError={serverError}
      problem={problem}
      showProblem={tried}
      onNext={send}
      actions={
        <div className="wizard-actions">
          <button type="button" className="button" onClick={onBack}>
            Back
          </button>
          <button
            type="submit"
            // Red when the click commits to the infra repo at once; blue when it only asks for approval.
            className={`button button--primary${outcome.kind === 'approval' ? '' : ' button--danger'}`}
            disabled={submit.isPending}
          >
            {submit.isPending ? 'Submitting…' : outcome.kind === 'approval' ? 'Submit for approval' : 'Roll back now'}
          </button>
        </div>
      }
    >
      <SelectionSummary target={target} selection={selection} preview={preview.data} />
      <Outcome outcome={outcome} />
      <SupersedeWarning
        scope={preview.data && { tenant: target.tenant, environment: target.environment, mode: selection.mode, affectedServices: preview.data.affectedServices }}
      />
      <div className="justification-field">
        <label htmlFor={`${id}-justification`}>Justification (required)</label>
        <textarea
          ref={textareaRef}
          id={`${id}-justification`}
          value={justification}
          rows={5}
          required
          aria-invalid={tried && problem !== null}
          aria-describedby={`${id}-hint ${id}-count`}
          onChange={(event) => setJustification(draftKey, event.target.value)}
          onKeyDown={submitOnCtrlEnter}
        />
        <p className="justification-field__meta">
          <span id={`${id}-hint`} className="muted">
            Goes into the commit message and the audit trail. Ctrl+Enter submits.
          </span>
          <span id={`${id}-count`} className={over ? 'counter counter--over' : 'counter'}>
            {length.toLocaleString('en')} / {JUSTIFICATION_MAX_LENGTH.toLocaleString('en')} characters
          </span>
        </p>
      </div>
      <IncidentFields value={incidentInput} onChange={setIncidentInput} problem={incident.problem} showProblem={tried} />
      {inlineError && (
        <ServerError title="The rollback was not submitted" error={submit.error}>
          <button type="button" className="button" onClick={send}>
            Retry submit
          </button>
        </ServerError>
      )}
    </StepFrame>
  );
}

function Outcome({ outcome }: { outcome: ApprovalOutcome }) {
  if (outcome.kind === 'now') {
    return (
      <p className="outcome outcome--now" data-testid="approval-outcome">
        <strong>Executes immediately</strong> on submit: {outcome.reason}.
      </p>
    );
  }
  if (outcome.kind === 'break-glass') {
    return (
      <p className="outcome outcome--break-glass" data-testid="approval-outcome">
        <strong>Executes immediately under your break-glass session</strong> (until {formatAbsolute(outcome.expiresAt, 'minutes')}
        ): approval is skipped, and the rollback is flagged in the audit trail.
      </p>
    );
  }
  return (
    <p className="outcome outcome--approval" data-testid="approval-outcome">
      <strong>
        Waits for {outcome.approvals} approval{outcome.approvals === 1 ? '' : 's'}
      </strong>{' '}
      before it executes{outcome.blockSelfApproval ? '; you cannot approve your own request' : ''}.
    </p>
  );
}
