import type { Revision } from '#core/schemas.ts';
import { RelativeTime } from '#src/components/relative-time.tsx';
import { shortSha } from '#src/lib/sha.ts';
import { Person } from '#src/components/person.tsx';

interface CompareHeaderProps {
  /** The revisions as the URL names them: a sha (full or abbreviated) or `head`. */
  from: string;
  to: string;
  /** Full shas once the server resolved them. */
  resolved: { from: string; to: string } | null;
  revisions: { from: Revision | null; to: Revision | null };
  onSwap: () => void;
}

export function CompareHeader({ from, to, resolved, revisions, onSwap }: CompareHeaderProps) {
  return (
    <div className="compare-header">
      <RevisionCard role="From" input={from} sha={resolved?.from ?? null} revision={revisions.from} />
      <button
        type="button"
        className="button compare-header__swap"
        onClick={onSwap}
        aria-label="Swap from and to"
        title="Swap from and to"
      >
        <span aria-hidden="true">⇄</span> Swap
      </button>
      <RevisionCard role="To" input={to} sha={resolved?.to ?? null} revision={revisions.to} />
    </div>
  );
}

interface RevisionCardProps {
  role: 'From' | 'To';
  input: string;
  sha: string | null;
  revision: Revision | null;
}

function RevisionCard({ role, input, sha, revision }: RevisionCardProps) {
  const isHead = input.toLowerCase() === 'head';
  const full = sha ?? (isHead ? null : input);
  return (
    <div className="revision-card" data-testid={`compare-${role.toLowerCase()}`}>
      <span className="revision-card__role">{role}</span>
      <div className="revision-card__title">
        {full ? (
          <code className="sha" title={full}>
            {revision?.shortSha ?? shortSha(full)}
          </code>
        ) : (
          <code className="sha">head</code>
        )}
        {isHead && <span className="badge badge--current">branch head</span>}
      </div>
      {revision ? (
        <>
          <p className="revision-card__summary" title={revision.summary}>
            {revision.summary}
          </p>
          <p className="revision-card__meta">
            <Person email={revision.author.email} fallback={revision.author.name} /> ·{' '}
            <RelativeTime iso={revision.timestamp} showAbsolute />
          </p>
        </>
      ) : (
        <p className="revision-card__meta">{isHead ? 'The newest revision of this target' : '\u00a0'}</p>
      )}
    </div>
  );
}
