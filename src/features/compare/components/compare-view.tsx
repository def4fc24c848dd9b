import { useQuery } from '@tanstack/react-query';
import { useMemo } from 'react';
import { hasDeferredFields, withComputedFields } from '#core/compare-fields.ts';
import { FULL_SHA_PATTERN } from '#core/names.ts';
import type { Diff } from '#core/schemas.ts';
import { useBackend } from '#src/api/backend-context.tsx';
import { ErrorState } from '#src/components/error-state.tsx';
import { groupFields, groupFiles } from '#src/features/compare/model/compare-files.ts';
import { compareFieldsQueryOptions, compareQueryOptions, revisionQueryOptions } from '#src/features/compare/api/compare-query-options.ts';
import '#src/features/compare/compare.css';
import { useCollapsedFiles } from '#src/features/compare/hooks/use-collapsed-files.ts';
import { ChangedFileList } from './changed-file-list.tsx';
import { CompareHeader } from './compare-header.tsx';
import { FieldChangesTable, type FieldsState } from './field-changes-table.tsx';
import { FileDiffList } from './file-diff-list.tsx';
import { ImpactSummary } from './impact-summary.tsx';

interface CompareViewProps {
  tenant: string;
  environment: string;
  /** As the URL names them: a sha (full or abbreviated) or `head`. */
  from: string;
  to: string;
  onSwap: () => void;
}


export function CompareView({ tenant, environment, from, to, onSwap }: CompareViewProps) {
  const backend = useBackend();
  const diff = useQuery(compareQueryOptions(backend, tenant, environment, from, to));
  // A full sha from the URL is looked up at once, in parallel with the diff; `head` and short ones
  // once the diff has named them.
  const fromSha = diff.data?.from ?? (FULL_SHA_PATTERN.test(from) ? from : null);
  const toSha = diff.data?.to ?? (FULL_SHA_PATTERN.test(to) ? to : null);
  const fromRevision = useQuery({
    ...revisionQueryOptions(backend, tenant, environment, fromSha ?? ''),
    enabled: fromSha !== null,
  });
  const toRevision = useQuery({
    ...revisionQueryOptions(backend, tenant, environment, toSha ?? ''),
    enabled: toSha !== null,
  });

  let body;
  if (diff.isPending) {
    body = (
      <p className="loading" role="status" aria-busy="true">
        Comparing revisions…
      </p>
    );
  } else if (diff.isError) {
    body = (
      <ErrorState title="Could not compare these revisions" error={diff.error} onRetry={() => void diff.refetch()} />
    );
  } else if (diff.data.files.length === 0) {
    body = (
      <div className="empty-state" role="status">
        <p>No differences</p>
        <p className="muted">
          {tenant}/{environment} is the same at both revisions: nothing under its paths changed between them.
        </p>
      </div>
    );
  } else {
    body = <CompareResult tenant={tenant} environment={environment} diff={diff.data} />;
  }

  return (
    <>
      <CompareHeader
        from={from}
        to={to}
        resolved={diff.data ? { from: diff.data.from, to: diff.data.to } : null}
        revisions={{ from: fromRevision.data ?? null, to: toRevision.data ?? null }}
        onSwap={onSwap}
      />
      {body}
    </>
  );
}

function CompareResult({ tenant, environment, diff }: { tenant: string; environment: string; diff: Diff }) {
  const backend = useBackend();
  // A large compare answers with its text diff first; its field changes follow from a second request
  // (docs/decisions/014), so the diff is readable while they are computed.
  const deferred = hasDeferredFields(diff);
  const fields = useQuery({ ...compareFieldsQueryOptions(backend, tenant, environment, diff.from, diff.to), enabled: deferred });
  const complete = useMemo(() => (deferred && fields.data ? withComputedFields(diff, fields.data) : diff), [deferred, fields.data, diff]);
  const fieldsState: FieldsState = !deferred || fields.data ? 'ready' : fields.isError ? 'error' : 'pending';

  const groups = useMemo(() => groupFiles(diff.files), [diff.files]);
  const fieldGroups = useMemo(() => groupFields(complete.fields, groups), [complete.fields, groups]);
  const { collapsed, toggle, reveal, setAll } = useCollapsedFiles();
  const paths = useMemo(() => diff.files.map((file) => file.path), [diff.files]);
  const pair = useMemo(() => ({ tenant, environment, from: diff.from, to: diff.to }), [tenant, environment, diff.from, diff.to]);

  return (
    <>
      <ImpactSummary diff={complete} fieldsPending={fieldsState !== 'ready'} />
      <FieldChangesTable
        groups={fieldGroups}
        total={complete.fields.length}
        files={complete.files}
        state={fieldsState}
        error={fields.error}
        onRetry={() => void fields.refetch()}
      />
      <ChangedFileList groups={groups} onReveal={reveal} />
      <FileDiffList
        pair={pair}
        groups={groups}
        collapsed={collapsed}
        onToggle={toggle}
        onCollapseAll={(collapse) => setAll(paths, collapse)}
      />
    </>
  );
}
