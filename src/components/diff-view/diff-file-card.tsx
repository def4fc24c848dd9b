import type { ReactNode } from 'react';
import type { FileDiff } from '#core/schemas.ts';
import type { PatchSize } from './diff-limits.ts';
import type { DiffLayout } from './diff-preferences-store.ts';
import { DiffView } from './diff-view.tsx';

const STATUS_LABEL: Record<FileDiff['status'], string> = { added: 'Added', modified: 'Modified', deleted: 'Deleted' };

interface DiffFileCardProps {
  /** Element id: the anchor a file list links to. */
  id: string;
  file: FileDiff;
  /** The path as shown (e.g. without the prefix every file of the page shares); the full one is the tooltip. */
  displayPath?: string;
  layout: DiffLayout;
  expanded: boolean;
  onToggle: () => void;
  autoLoad?: boolean;
  size?: PatchSize;
  /** See DiffView. */
  requested?: boolean;
  /** Controls shown above the diff while the file is expanded (e.g. context). */
  toolbar?: ReactNode;
}

/** One file of a diff: a disclosure header (path, status, counts) over its DiffView. */
export function DiffFileCard(props: DiffFileCardProps) {
  const { id, file, displayPath = file.path, layout, expanded, onToggle, autoLoad, size, requested, toolbar } = props;
  return (
    <section id={id} className="diff-file" aria-labelledby={`${id}-title`} data-testid="diff-file" data-path={file.path}>
      <header className="diff-file__header">
        <h3 className="diff-file__title">
          <button
            id={`${id}-title`}
            type="button"
            className="diff-file__toggle"
            aria-expanded={expanded}
            aria-controls={`${id}-body`}
            title={file.path}
            onClick={onToggle}
          >
            <span className="diff-file__chevron" aria-hidden="true" />
            <span className="diff-file__path">{displayPath}</span>
          </button>
        </h3>
        <span className={`badge badge--file-${file.status}`}>{STATUS_LABEL[file.status]}</span>
        {file.redacted === 'values' && <span className="badge badge--secret">Secret values masked</span>}
        {file.redacted === 'file' && <span className="badge badge--secret">Secret: contents withheld</span>}
        {file.wholeFile && (
          <span className="badge" title="The line diff hit its bound; the patch replaces the whole file">
            Whole-file replacement
          </span>
        )}
        <DiffCounts additions={file.additions} deletions={file.deletions} />
      </header>
      <div id={`${id}-body`} className="diff-file__body" hidden={!expanded}>
        {toolbar}
        <DiffView file={file} layout={layout} autoLoad={autoLoad} size={size} requested={requested} />
      </div>
    </section>
  );
}

export function DiffCounts({ additions, deletions }: { additions: number; deletions: number }) {
  return (
    <span className="diff-counts">
      <span className="diff-counts__add" aria-hidden="true">
        +{additions.toLocaleString('en')}
      </span>
      <span className="diff-counts__del" aria-hidden="true">
        −{deletions.toLocaleString('en')}
      </span>
      <span className="visually-hidden">
        {additions} {additions === 1 ? 'line' : 'lines'} added, {deletions} removed
      </span>
    </span>
  );
}
