import { useMemo, useState, type ReactNode } from 'react';
import type { FileDiff } from '#core/schemas.ts';
import 'diff2html/bundles/css/diff2html.min.css';
import './diff-view.css';
import { DIFF_LIMITS, formatSize, measurePatch, type PatchSize } from './diff-limits.ts';
import { parsePatch } from './diff2html-render.ts';
import type { DiffLayout } from './diff-preferences-store.ts';
import { HtmlDiff } from './html-diff.tsx';
import { PatchDownload } from './patch-download.tsx';
import { VirtualDiff } from './virtual-diff.tsx';

export type DiffViewFile = Pick<FileDiff, 'path' | 'patch' | 'binary' | 'redacted'>;

interface DiffViewProps {
  file: DiffViewFile;
  layout: DiffLayout;
  /**
   * false: even a small diff waits behind "Load diff" (the page has rendered its budget of lines).
   * Large diffs always wait; huge ones are only offered as a download.
   */
  autoLoad?: boolean;
  /** The patch's measure, when the caller already took it to plan the page. */
  size?: PatchSize;
  /**
   * The person asked for this patch (e.g. more context): render a large one at once, virtualised,
   * instead of asking again. Huge ones are still only offered as a download.
   */
  requested?: boolean;
}

/**
 * The one component that shows a file's patch. Small patches render with diff2html's markup; long ones
 * (after "Load diff") as virtualised rows; huge ones not at all, offered as a download instead.
 */
export function DiffView(props: DiffViewProps) {
  return (
    <div className="diff-view" data-testid="diff-view">
      <DiffViewBody {...props} />
    </div>
  );
}

function DiffViewBody({ file, layout, autoLoad = true, size: measured, requested: askedFor = false }: DiffViewProps) {
  const size = useMemo(() => measured ?? measurePatch(file.patch), [measured, file.patch]);
  const [loadClicked, setRequested] = useState(false);
  const requested = loadClicked || askedFor;

  if (file.redacted === 'file') {
    return (
      <DiffNotice>
        Contents withheld: this file holds a Kubernetes Secret whose values could not be masked reliably. The
        counts say how much changed, never what.
      </DiffNotice>
    );
  }
  if (file.binary) return <DiffNotice>Binary file: there is no text diff to show.</DiffNotice>;
  if (size.sizeClass === 'huge') {
    return (
      <DiffNotice action={<PatchDownload path={file.path} patch={file.patch} />}>
        This diff is too large to show here ({size.lines.toLocaleString('en')} lines, {formatSize(size.chars)}; the
        limit is {DIFF_LIMITS.downloadOnlyLines.toLocaleString('en')} lines or{' '}
        {formatSize(DIFF_LIMITS.downloadOnlyChars)}). Download the patch to review it.
      </DiffNotice>
    );
  }
  if (!requested && !(autoLoad && size.sizeClass === 'small')) {
    const reason =
      size.sizeClass === 'large'
        ? `Large diff: ${size.lines.toLocaleString('en')} lines, ${formatSize(size.chars)}.`
        : 'Not loaded yet, to keep this long comparison fast.';
    return (
      <DiffNotice
        action={
          <button type="button" className="button button--small" onClick={() => setRequested(true)}>
            Load diff
          </button>
        }
      >
        {reason}
      </DiffNotice>
    );
  }
  return <LoadedDiff file={file} layout={layout} virtualise={size.sizeClass !== 'small'} />;
}

function LoadedDiff({ file, layout, virtualise }: { file: DiffViewFile; layout: DiffLayout; virtualise: boolean }) {
  const parsed = useMemo(() => parsePatch(file.patch), [file.patch]);
  if (parsed.some((entry) => entry.isTooBig)) {
    return (
      <DiffNotice action={<PatchDownload path={file.path} patch={file.patch} />}>
        This diff has more than {DIFF_LIMITS.maxChanges.toLocaleString('en')} changed lines or a line longer than{' '}
        {DIFF_LIMITS.maxLineLength.toLocaleString('en')} characters. Download the patch to review it.
      </DiffNotice>
    );
  }
  if (parsed.every((entry) => entry.blocks.length === 0)) {
    return <DiffNotice>No line changes to show: an empty file, or only its mode changed.</DiffNotice>;
  }
  if (virtualise) return <VirtualDiff files={parsed} layout={layout} label={`Diff of ${file.path}`} />;
  return <HtmlDiff files={parsed} layout={layout} />;
}

function DiffNotice({ children, action }: { children: ReactNode; action?: ReactNode }) {
  return (
    <div className="diff-notice">
      <p>{children}</p>
      {action}
    </div>
  );
}
