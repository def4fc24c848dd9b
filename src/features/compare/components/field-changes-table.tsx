import type { FieldChange, FileDiff } from '#core/schemas.ts';
import { formatFieldPath } from '#core/field-path.ts';
import type { FieldGroup } from '#src/features/compare/model/compare-files.ts';
import { describeFieldSide, type FieldCell } from '#src/features/compare/model/field-values.ts';
import { ErrorState } from '#src/components/error-state.tsx';
import { FieldText } from '#src/components/field-table/field-text.tsx';
import { GROUPS_OPEN, RowGroup } from '#src/components/field-table/row-group.tsx';

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

/**
 * The changed fields, one collapsible group per service with its count, each showing its first rows
 * and "Show all" (decision 043): a generated manifest's thousands of fields never push the diff away.
 */
export function FieldChangesTable({ groups, total, files, state = 'ready', error, onRetry }: FieldChangesTableProps) {
  // Deferred files are not incomplete: their fields are on the way (the `pending` state says so).
  const incomplete = files.flatMap((file) => (file.fieldDiff && file.fieldDiff !== 'deferred' ? [{ path: file.path, state: file.fieldDiff }] : []));

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
        <>
        <p className="muted" data-testid="field-count">
          {total.toLocaleString('en')} {total === 1 ? 'field' : 'fields'} in {groups.length} {groups.length === 1 ? 'group' : 'groups'}{groups.length > GROUPS_OPEN ? `; the first ${GROUPS_OPEN} are open` : ''}.
        </p>
        <table className="data-table field-table stack-on-phone" aria-labelledby="changed-fields-heading">
          <thead>
            <tr>
              <th scope="col">Field</th>
              <th scope="col">Before</th>
              <th scope="col">After</th>
            </tr>
          </thead>
          {groups.map((group, index) => (
            <RowGroup
              key={group.key}
              label={group.label}
              items={group.fields}
              columns={3}
              initiallyOpen={index < GROUPS_OPEN}
              renderRow={(field) => <FieldRow key={`${field.file}\u0000${JSON.stringify(field.path)}`} field={field} />}
            />
          ))}
        </table>
        </>
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

const FIELD_DIFF_NOTE: Record<Exclude<FileDiff['fieldDiff'], 'deferred' | undefined>, string> = {
  'too-large': 'too large to compare field by field; see its text diff.',
  unparseable: 'not valid YAML, so its fields are not listed; see its text diff.',
  truncated: 'only its first 2,000 field changes are listed.',
  withheld: 'holds a Kubernetes Secret that could not be masked reliably; its fields are withheld.',
};

function FieldRow({ field }: { field: FieldChange }) {
  const fileName = field.file.slice(field.file.lastIndexOf('/') + 1);
  return (
    <tr data-testid="field-row">
      <td className="field-table__path" data-label="Field">
        <code>{formatFieldPath(field.path)}</code>
        <span className="field-table__file" title={field.file}>
          {fileName}
        </span>
      </td>
      <ValueCell cell={describeFieldSide(field, 'from')} label="Before" />
      <ValueCell cell={describeFieldSide(field, 'to')} label="After" />
    </tr>
  );
}

function ValueCell({ cell, label }: { cell: FieldCell; label: string }) {
  if (cell.kind === 'value') {
    return (
      <td className="field-table__value" data-label={label}>
        <FieldText text={cell.text} full={cell.full} />
      </td>
    );
  }
  return (
    <td className={`field-table__value field-table__value--${cell.kind}`} data-label={label}>
      {cell.text}
    </td>
  );
}
