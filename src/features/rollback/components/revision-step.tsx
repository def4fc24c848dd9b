import { useInfiniteQuery, useQuery } from '@tanstack/react-query';
import { useMemo, useState, type ReactNode } from 'react';
import type { FieldSelection, Revision, RollbackMode, Target } from '#core/schemas.ts';
import { useBackend } from '#src/api/backend-context.tsx';
import { ErrorState } from '#src/components/error-state.tsx';
import { shortSha } from '#src/lib/sha.ts';
import {
  changesSinceQueryOptions,
  revisionLookupQueryOptions,
  revisionsInfiniteQueryOptions,
} from '#src/features/rollback/api/rollback-query-options.ts';
import type { WizardParams } from '#src/features/rollback/api/wizard-params.ts';
import { defaultRevision, defaultService, findRevision, revisionWarning } from '#src/features/rollback/api/wizard-rules.ts';
import { FieldPicker } from './field-picker.tsx';
import { RevisionList } from './revision-list.tsx';
import { ServicePicker } from './service-picker.tsx';
import { StepFrame } from './step-frame.tsx';

interface RevisionStepProps {
  target: Target;
  mode: RollbackMode;
  params: WizardParams;
  serverError?: ReactNode;
  onChoose: (patch: Partial<WizardParams>) => void;
  onNext: (patch: Partial<WizardParams>) => void;
  onBack: () => void;
}

export function RevisionStep({ target, mode, params, serverError, onChoose, onNext, onBack }: RevisionStepProps) {
  const backend = useBackend();
  const { tenant, environment } = target;
  const headSha = target.head?.sha ?? null;
  const [tried, setTried] = useState(false);

  const history = useInfiniteQuery(revisionsInfiniteQueryOptions(backend, tenant, environment));
  const revisions = useMemo(() => history.data?.pages.flatMap((page) => page.revisions) ?? [], [history.data]);
  const listed = findRevision(revisions, params.revision);
  // A link may name a revision older than the loaded pages: look that one up by id.
  const lookup = useQuery({
    ...revisionLookupQueryOptions(backend, tenant, environment, params.revision ?? ''),
    enabled: Boolean(params.revision) && history.isSuccess && !listed,
  });
  const fallback = params.revision ? undefined : defaultRevision(revisions, headSha);
  const chosen: Revision | undefined = listed ?? lookup.data ?? fallback;
  const shownRevisions = chosen && !revisions.includes(chosen) ? [...revisions, chosen] : revisions;

  const selective = mode !== 'full';
  const changes = useQuery({
    ...changesSinceQueryOptions(backend, tenant, environment, chosen?.sha ?? ''),
    enabled: selective && chosen !== undefined && chosen.sha !== headSha,
  });
  const changedServices = useMemo(() => {
    if (!changes.data) return undefined;
    const names = new Set(changes.data.files.map((file) => file.service).filter((name): name is string => name !== null));
    return target.services.map((service) => service.name).filter((name) => names.has(name));
  }, [changes.data, target.services]);
  const service = selective ? (params.service ?? (changedServices ? defaultService(target, changedServices) : undefined)) : undefined;
  const fields: FieldSelection[] = mode === 'field' ? params.fields : [];

  const warning = chosen ? revisionWarning(chosen, headSha) : null;
  let problem: string | null = null;
  if (!chosen) problem = params.revision ? `Revision ${params.revision.slice(0, 7)} is not in the history of ${tenant}/${environment}.` : 'Choose the revision to restore.';
  else if (warning?.kind === 'head') problem = warning.message;
  else if (selective && !service) problem = 'Choose the service to restore.';
  else if (selective && changedServices && service && !changedServices.includes(service))
    problem = `${service} has not changed since ${chosen.shortSha}: there is nothing to restore.`;
  else if (mode === 'field' && fields.length === 0) problem = 'Select at least one field to restore.';

  const chooseRevision = (revision: Revision) => onChoose({ revision: revision.sha });

  let list: ReactNode;
  if (history.isPending) {
    list = (
      <p className="loading" role="status" aria-busy="true">
        Loading the history of {tenant}/{environment}…
      </p>
    );
  } else if (history.isError && revisions.length === 0) {
    list = <ErrorState title="Could not load the history" error={history.error} onRetry={() => void history.refetch()} />;
  } else {
    list = (
      <RevisionList
        revisions={shownRevisions}
        selectedSha={chosen?.sha}
        headSha={headSha}
        hasNextPage={history.hasNextPage}
        isFetchingNextPage={history.isFetchingNextPage}
        onSelect={chooseRevision}
        onLoadMore={() => void history.fetchNextPage()}
        contiguous={revisions.length}
        {...(selective && service ? { service: { name: service, current: target.versions?.find((v) => v.service === service)?.version } } : {})}
      />
    );
  }

  return (
    <StepFrame
      step="revision"
      title={selective ? 'Which revision, and which service?' : 'Which revision should the target go back to?'}
      lead={
        <p>
          The last successful revision before the branch head is chosen for you. Every revision shows how it reached the
          branch, its outcome (from the agent, or a git note) and whether it was rolled back since.
        </p>
      }
      serverError={serverError}
      problem={problem}
      showProblem={tried}
      onBack={onBack}
      onNext={() => {
        setTried(true);
        if (!problem && chosen) onNext({ revision: chosen.sha, ...(selective && service ? { service } : {}) });
      }}
    >
      {list}
      {chosen && warning && warning.kind !== 'head' && (
        <p className="wizard-warning" role="status" data-testid="revision-warning">
          {warning.message}
        </p>
      )}
      {chosen && selective && warning?.kind !== 'head' && (
        <div className="wizard-subsection">
          {changes.isPending && (
            <p className="loading" role="status" aria-busy="true">
              Finding what changed since {shortSha(chosen.sha)}…
            </p>
          )}
          {changes.isError && (
            <ErrorState
              title={`Could not compare ${shortSha(chosen.sha)} with the current revision`}
              error={changes.error}
              onRetry={() => void changes.refetch()}
            />
          )}
          <ServicePicker
            target={target}
            changedServices={changedServices}
            pending={changes.isPending}
            selected={service}
            onSelect={(name) => onChoose({ revision: chosen.sha, service: name })}
          />
          {mode === 'field' && service && changes.data && (
            <FieldPicker
              changes={changes.data}
              service={service}
              selected={fields}
              // Revision and service are written too: either may still be a default, not yet in the URL.
              onChange={(next) => onChoose({ revision: chosen.sha, service, fields: next })}
            />
          )}
        </div>
      )}
    </StepFrame>
  );
}
