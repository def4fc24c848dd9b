import { useQuery } from '@tanstack/react-query';
import { useEffect, useState, type ReactNode } from 'react';
import type { Target } from '#core/schemas.ts';
import { useBackend } from '#src/api/backend-context.tsx';
import { shortSha } from '#src/lib/sha.ts';
import { previewQueryOptions, type PreviewSelection } from '#src/features/rollback/api/rollback-query-options.ts';
import type { WizardStep } from '#src/features/rollback/api/wizard-params.ts';
import { stepForError } from '#src/features/rollback/api/wizard-rules.ts';
import { draftKeyOf, useWizardDraftStore } from '#src/features/rollback/stores/wizard-draft-store.ts';
import { DestructiveWarning } from './destructive-warning.tsx';
import { SharedFilesWarning } from './shared-files-warning.tsx';
import { RollbackDiff } from './rollback-diff.tsx';
import { PlannedVersions, RollForwardHints } from './roll-forward-hints.tsx';
import { ServerError, StepFrame } from './step-frame.tsx';

interface PreviewStepProps {
  target: Target;
  selection: PreviewSelection;
  serverError?: ReactNode;
  /** A preview refusal that another step must fix (a 403 at the scope, a 404 at the revision). */
  onErrorElsewhere: (step: WizardStep, error: unknown) => void;
  onNext: () => void;
  onBack: () => void;
}

export function PreviewStep({ target, selection, serverError, onErrorElsewhere, onNext, onBack }: PreviewStepProps) {
  const backend = useBackend();
  const [tried, setTried] = useState(false);
  const preview = useQuery(previewQueryOptions(backend, target.tenant, target.environment, selection));
  const concerns = preview.isError ? stepForError(preview.error, 'preview') : null;

  // Only once a fresh attempt failed: a refusal cached from an earlier visit is being re-checked.
  const settledError = preview.isError && !preview.isFetching;
  useEffect(() => {
    if (settledError && concerns && concerns !== 'preview') onErrorElsewhere(concerns, preview.error);
  }, [settledError, preview.error, concerns, onErrorElsewhere]);

  const draftKey = draftKeyOf(target.tenant, target.environment);
  const confirmedHash = useWizardDraftStore((state) => state.destructiveConfirmed[draftKey]);
  const confirmDestructive = useWizardDraftStore((state) => state.confirmDestructive);
  const empty = preview.data !== undefined && preview.data.files.length === 0;
  const destructive = preview.data?.destructive !== undefined;
  const confirmed = destructive && confirmedHash === preview.data?.diffHash;
  let problem: string | null = null;
  if (preview.isPending || preview.isFetching) problem = 'Wait for the preview: it shows exactly what will be committed.';
  else if (preview.isError) problem = 'The preview failed; retry it, or change the choices it refused.';
  else if (empty) problem = 'Nothing to roll back: the selection already matches that revision.';
  else if (destructive && !confirmed) problem = 'This rollback deletes files: confirm the deletions above, or choose another revision or scope.';

  return (
    <StepFrame
      step="preview"
      title="What will the rollback commit?"
      lead={
        <p>
          Planned now on the current head of {target.tenant}/{target.environment}: exactly the change that will be
          committed. If the branch moves before it executes, the rollback is refused rather than applied blindly.
        </p>
      }
      serverError={serverError}
      problem={problem}
      showProblem={tried}
      onBack={onBack}
      onNext={() => {
        setTried(true);
        if (!problem) onNext();
      }}
    >
      {preview.isPending && (
        <p className="loading" role="status" aria-busy="true">
          Planning the rollback…
        </p>
      )}
      {preview.isError && concerns === 'preview' && (
        <ServerError title="Could not preview this rollback" error={preview.error}>
          <button type="button" className="button" onClick={() => void preview.refetch()}>
            Retry preview
          </button>
        </ServerError>
      )}
      {preview.data && (
        <>
          <p className="preview-base">
            Planned on <code className="sha" title={preview.data.baseSha}>{shortSha(preview.data.baseSha)}</code>
            {preview.data.affectedServices.length > 0 && (
              <>
                {' '}
                · changes{' '}
                {preview.data.affectedServices.map((service) => (
                  <span key={service} className="chip">
                    {service}
                  </span>
                ))}
              </>
            )}{' '}
            <button
              type="button"
              className="button button--small button--quiet"
              onClick={() => void preview.refetch()}
              disabled={preview.isFetching}
            >
              {preview.isFetching ? 'Planning…' : 'Re-run preview'}
            </button>
          </p>
          <PlannedVersions versions={preview.data.versions ?? []} />
          <RollForwardHints hints={preview.data.hints ?? []} />
          {empty ? (
            <p className="wizard-warning" role="status">
              Nothing to roll back: {selection.mode === 'full' ? 'the target' : (selection.service ?? 'the selection')} already
              matches revision {shortSha(selection.targetSha)}.
            </p>
          ) : (
            <>
              <SharedFilesWarning shared={preview.data.sharedWith ?? []} />
              <DestructiveWarning
                preview={preview.data}
                scope={selection.mode === 'full' ? `${target.tenant}/${target.environment}` : `service ${selection.service ?? ''}`}
                confirmed={confirmed}
                onConfirm={(yes) => confirmDestructive(draftKey, yes ? preview.data.diffHash : null)}
              />
              <RollbackDiff diff={preview.data} />
            </>
          )}
        </>
      )}
    </StepFrame>
  );
}
