import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { useMemo, useState } from 'react';
import { DEFAULT_CONTEXT_LINES, MAX_CONTEXT_LINES } from '#core/compare-fields.ts';
import type { FileDiff } from '#core/schemas.ts';
import { useBackend } from '#src/api/backend-context.tsx';
import { DiffFileCard } from '#src/components/diff-view/diff-file-card.tsx';
import { measurePatch } from '#src/components/diff-view/diff-limits.ts';
import type { DiffLayout } from '#src/components/diff-view/diff-preferences-store.ts';
import type { CompareFile } from '#src/features/compare/model/compare-files.ts';
import { compareFileQueryOptions } from '#src/features/compare/api/compare-query-options.ts';
import { showsWholeFile } from '#src/features/compare/model/patch-context.ts';

/** Each "More context" shows this many more lines above and below every change. */
export const CONTEXT_STEP = 20;

export interface ComparePair {
  tenant: string;
  environment: string;
  /** Resolved full shas: the wider patch is of exactly the same two revisions. */
  from: string;
  to: string;
}

interface CompareFileCardProps {
  entry: CompareFile;
  pair: ComparePair;
  layout: DiffLayout;
  expanded: boolean;
  onToggle: () => void;
}

/**
 * A modified text file's patch can show more of the file around its changes: "More context" asks the
 * server for the same file with 20 more lines of context, "Whole file" for all of it. The server
 * patches (and masks Secrets) as for the compare itself; the browser never holds file contents.
 */
export function canExpandContext(file: FileDiff): boolean {
  return file.status === 'modified' && !file.binary && file.redacted !== 'file' && !file.wholeFile && file.additions + file.deletions > 0;
}

export function CompareFileCard({ entry, pair, layout, expanded, onToggle }: CompareFileCardProps) {
  const backend = useBackend();
  const [context, setContext] = useState(DEFAULT_CONTEXT_LINES);
  const widened = context !== DEFAULT_CONTEXT_LINES;
  const wider = useQuery({
    ...compareFileQueryOptions(backend, pair.tenant, pair.environment, pair.from, pair.to, entry.file.path, context),
    enabled: widened,
    placeholderData: keepPreviousData,
  });
  const shown = widened && wider.data ? wider.data : entry.file;
  const size = useMemo(() => (shown === entry.file ? entry.size : measurePatch(shown.patch)), [shown, entry]);
  const whole = context >= MAX_CONTEXT_LINES || (widened && wider.data !== undefined && !wider.isPlaceholderData && showsWholeFile(wider.data.patch, context));

  const toolbar = canExpandContext(entry.file) ? (
    <div className="diff-context-bar" role="group" aria-label={`Context lines of ${entry.file.path}`}>
      <span className="diff-context-bar__state">
        {whole ? 'Whole file' : `${context} lines of context`}
      </span>
      {!whole && (
        <button type="button" className="button button--small" onClick={() => setContext((lines) => lines + CONTEXT_STEP)}>
          More context
        </button>
      )}
      {!whole && (
        <button type="button" className="button button--small" onClick={() => setContext(MAX_CONTEXT_LINES)}>
          Whole file
        </button>
      )}
      {widened && (
        <button type="button" className="button button--small" onClick={() => setContext(DEFAULT_CONTEXT_LINES)}>
          Less context
        </button>
      )}
      {widened && wider.isFetching && (
        <span className="muted" role="status">
          Loading context…
        </span>
      )}
      {widened && wider.isError && !wider.isFetching && (
        <span className="diff-context-bar__error" role="alert">
          Could not load more context: {wider.error.message}{' '}
          <button type="button" className="button button--small" onClick={() => void wider.refetch()}>
            Retry
          </button>
        </span>
      )}
    </div>
  ) : undefined;

  return (
    <DiffFileCard
      id={entry.anchor}
      file={shown}
      layout={layout}
      expanded={expanded}
      onToggle={onToggle}
      autoLoad={entry.autoLoad}
      size={size}
      requested={widened && shown !== entry.file}
      toolbar={toolbar}
    />
  );
}
