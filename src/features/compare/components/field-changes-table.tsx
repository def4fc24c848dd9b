import { useState } from 'react';
import type { FieldChange, FileDiff } from '#core/schemas.ts';
import { formatFieldPath } from '#core/field-path.ts';
import type { FieldGroup } from '#src/features/compare/model/compare-files.ts';
import { describeFieldSide, type FieldCell } from '#src/features/compare/model/field-values.ts';
import { ErrorState } from '#src/components/error-state.tsx';

// A release touches a handful of fields; a generated manifest can touch thousands. Show the first
// ones at once and the rest on request, so the table never costs more than the diff below it.
export const FIELD_ROWS_SHOWN = 200;

/** `pending`/`error`: the compare deferred its field changes and their request is running or failed. */
export type FieldsState = 'ready' | 'pending' | 'error';

interface FieldChangesTableProps {
  groups: FieldGroup[];
  total: number;
  files: FileDiff[];
  state?: FieldsState;
  error?: unknown;
  onRetry?: () => void;
}

export function FieldChangesTable({ groups, total, files, state = 'ready', error, onRetry }: FieldChangesTableProps) {
  const [showAll, setShowAll] = useState(false);
  // Deferred files are not incomplete: their fields are on the way (the `pending` state says so).
  const incomplete = files.flatMap((file) => (file.fieldDiff && file.fieldDiff !== 'deferred' ? [{ path: file.path, state: file.fieldDiff }] : []));
  const shown = showAll ? groups : firstRows(groups, FIELD_ROWS_SHOWN);

  return (
    <section className="compare-section" aria-labelledby="changed-fields-heading" aria-busy={state === 'pending'}>
      <h2 id="changed-fields-heading">Changed fields</h2>
      {state === 'pending' ? (
        <p className="loading" role="status">
          Computing field changes… The text diff below is complete.
        </p>
      ) : state === 'error' ? (
        <ErrorState title="Could not compute the field changes" error={error} onRetry={onRetry} />
      ) : total === 0 ? (
        <p className="muted">No YAML field changed{incomplete.length > 0 ? ' that could be compared' : ''}: see the files below.</p>
      ) : (
        <table className="data-table field-table" aria-labelledby="changed-fields-heading">
          <thead>
            <tr>
              <th scope="col">Service</th>
              <th scope="col">Field</th>
              <th scope="col">Before</th>
              <th scope="col">After</th>
            </tr>
          </thead>
          {shown.map((group) => (
            <tbody key={group.key}>
              {group.fields.map((field, index) => (
                <FieldRow
                  key={`${field.file}\u0000${JSON.stringify(field.path)}`}
                  field={field}
                  groupHeader={index === 0 ? { label: group.label, rows: group.fields.length } : null}
                />
              ))}
            </tbody>
          ))}
        </table>
      )}
      {total > FIELD_ROWS_SHOWN && !showAll && (
        <button type="button" className="button" onClick={() => setShowAll(true)}>
          Show all {total.toLocaleString('en')} field changes
        </button>
      )}
      {incomplete.length > 0 && (
        <ul className="field-notes">
          {incomplete.map((file) => (
            <li key={file.path}>
              <code>{file.path}</code>: {FIELD_DIFF_NOTE[file.state]}
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}

function firstRows(groups: readonly FieldGroup[], limit: number): FieldGroup[] {
  const shown: FieldGroup[] = [];
  let left = limit;
  for (const group of groups) {
    if (left <= 0) break;
    const fields = group.fields.slice(0, left);
    left -= fields.length;
    shown.push({ ...group, fields });
  }
  return shown;
}

const FIELD_DIFF_NOTE: Record<Exclude<FileDiff['fieldDiff'], 'deferred' | undefined>, string> = {
  'too-large': 'too large to compare field by field; see its text diff.',
  unparseable: 'not valid YAML, so its fields are not listed; see its text diff.',
  truncated: 'only its first 2,000 field changes are listed.',
  withheld: 'holds a Kubernetes Secret that could not be masked reliably; its fields are withheld.',
};

function FieldRow({ field, groupHeader }: { field: FieldChange; groupHeader: { label: string; rows: number } | null }) {
  const fileName = field.file.slice(field.file.lastIndexOf('/') + 1);
  return (
    <tr data-testid="field-row">
      {groupHeader && (
        <th scope="rowgroup" rowSpan={groupHeader.rows} className="field-table__service">
          {groupHeader.label}
        </th>
      )}
      <td className="field-table__path">
        <code>{formatFieldPath(field.path)}</code>
        <span className="field-table__file" title={field.file}>
          {fileName}
        </span>
      </td>
      <ValueCell cell={describeFieldSide(field, 'from')} />
      <ValueCell cell={describeFieldSide(field, 'to')} />
    </tr>
  );
}

function ValueCell({ cell }: { cell: FieldCell }) {
  if (cell.kind === 'value') {
    return (
      <td className="field-table__value">
        <code title={cell.full === cell.text ? undefined : cell.full}>{cell.text}</code>
      </td>
    );
  }
  return <td className={`field-table__value field-table__value--${cell.kind}`}>{cell.text}</td>;
}
