import { useQuery } from '@tanstack/react-query';
import { useId } from 'react';
import { Link } from 'react-router';
import type { Revision } from '#core/schemas.ts';
import { versionLabel } from '#core/version-display.ts';
import { useBackend } from '#src/api/backend-context.tsx';
import { formatAbsolute } from '#src/lib/time.ts';
import { paths } from '#src/lib/paths.ts';
import { REVISION_CHOICES, revisionChoicesQueryOptions } from '#src/features/compare/api/compare-query-options.ts';

interface RevisionPickersProps {
  tenant: string;
  environment: string;
  /** As the URL names them: a sha (full or abbreviated), `head`, or '' for none yet. */
  from: string;
  to: string;
  onChange: (next: { from: string; to: string }) => void;
}

const HEAD = 'head';

/** "abc1234 · payments v2.14.0 · release payments 2.14.0 · 2025-11-20 10:05 UTC" */
function optionText(revision: Revision, isHead: boolean): string {
  const versions = (revision.versions ?? []).map((v) => `${v.service} ${versionLabel(v.to)}`).join(', ');
  // A one-line pick from 50, not the whole message: the From/To cards below show the whole subject.
  const summary = revision.summary.length > 80 ? `${revision.summary.slice(0, 79)}…` : revision.summary;
  return [revision.shortSha, versions, summary, formatAbsolute(revision.timestamp, 'minutes'), isHead ? 'branch head' : ''].filter(Boolean).join(' · ');
}

/** The revision a URL value names among the choices (a full or abbreviated sha, or `head`). */
function matching(choices: readonly Revision[], value: string): Revision | undefined {
  if (value.toLowerCase() === HEAD) return undefined;
  const wanted = value.toLowerCase();
  return wanted.length >= 4 ? choices.find((r) => r.sha.startsWith(wanted)) : undefined;
}

/**
 * From/to pickers among the target's newest revisions (decision 043): native selects, so keyboard and
 * screen readers work as everywhere; a choice updates the URL (a history entry), and "Roll back to
 * this" opens the wizard at the chosen revision.
 */
export function RevisionPickers({ tenant, environment, from, to, onChange }: RevisionPickersProps) {
  const backend = useBackend();
  const choices = useQuery(revisionChoicesQueryOptions(backend, tenant, environment));
  const revisions = choices.data ?? [];
  const head = revisions[0];
  return (
    <div className="revision-pickers" data-testid="revision-pickers">
      <Picker label="From" value={from} revisions={revisions} loading={choices.isPending} onSelect={(value) => onChange({ from: value, to })} tenant={tenant} environment={environment} head={head} />
      <Picker label="To" value={to} revisions={revisions} loading={choices.isPending} onSelect={(value) => onChange({ from, to: value })} tenant={tenant} environment={environment} head={head} />
      {choices.isError && <p className="muted">The list of revisions could not be loaded; the URL still chooses any revision.</p>}
    </div>
  );
}

interface PickerProps {
  label: 'From' | 'To';
  value: string;
  revisions: readonly Revision[];
  loading: boolean;
  onSelect: (value: string) => void;
  tenant: string;
  environment: string;
  head: Revision | undefined;
}

function Picker({ label, value, revisions, loading, onSelect, tenant, environment, head }: PickerProps) {
  const id = useId();
  const chosen = matching(revisions, value);
  const isHead = value.toLowerCase() === HEAD || (chosen !== undefined && chosen.sha === head?.sha);
  // A value outside the newest revisions stays selectable as itself.
  const outside = value !== '' && value.toLowerCase() !== HEAD && !chosen && !loading;
  const selected = value === '' ? '' : value.toLowerCase() === HEAD ? HEAD : (chosen?.sha ?? value);
  // Only a revision of the target's history is offered: the wizard would refuse any other.
  const rollbackTo = chosen;
  // A narrow select cuts its chosen option: the whole text on hover (screen readers read the option itself).
  const chosenText = chosen ? optionText(chosen, chosen.sha === head?.sha) : undefined;
  return (
    <div className="revision-picker">
      <label htmlFor={id}>{label} revision</label>
      <div className="revision-picker__controls">
        <select id={id} value={selected} title={chosenText} onChange={(event) => onSelect(event.target.value)} disabled={loading && value === ''} data-testid={`pick-${label.toLowerCase()}`}>
          {value === '' && <option value="">Choose a revision…</option>}
          <option value={HEAD}>{head ? `Branch head (${head.shortSha})` : 'Branch head'}</option>
          {outside && <option value={value}>{value.slice(0, 7)} (not among the newest {REVISION_CHOICES})</option>}
          {revisions.map((revision, index) => (
            <option key={revision.sha} value={revision.sha}>
              {optionText(revision, index === 0)}
            </option>
          ))}
        </select>
        {rollbackTo && !isHead && (
          <Link className="button button--small" to={paths.rollbackNew(tenant, environment, rollbackTo.sha)} aria-label={`Roll back to ${rollbackTo.shortSha}`}>
            Roll back to this
          </Link>
        )}
      </div>
    </div>
  );
}
