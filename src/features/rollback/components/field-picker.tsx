import { formatFieldPath } from '#core/field-path.ts';
import type { Diff, FieldSelection } from '#core/schemas.ts';
import { fieldKey } from '#src/features/rollback/api/wizard-params.ts';
import { BeforeAfter } from './field-value.tsx';

interface FieldPickerProps {
  /** Compare from the chosen revision to the head: `from` is what the rollback restores, `to` is now. */
  changes: Diff;
  service: string;
  selected: readonly FieldSelection[];
  onChange: (fields: FieldSelection[]) => void;
}

const INCOMPLETE: Record<string, string> = {
  'too-large': 'too large to compare field by field',
  unparseable: 'not valid YAML, so it has no fields to pick',
  truncated: 'has more changes than are listed',
  withheld: 'holds a Secret that cannot be masked reliably',
};

export function FieldPicker({ changes, service, selected, onChange }: FieldPickerProps) {
  const fields = changes.fields.filter((field) => field.service === service);
  const files = [...new Set(fields.map((field) => field.file))];
  const incomplete = changes.files.filter((file) => file.service === service && file.fieldDiff);
  const chosen = new Set(selected.map(fieldKey));
  const all = fields.map((field) => ({ file: field.file, path: field.path }));

  const toggle = (field: FieldSelection, on: boolean) => {
    const key = fieldKey(field);
    onChange(on ? [...selected, field] : selected.filter((item) => fieldKey(item) !== key));
  };

  return (
    <fieldset className="field-picker">
      <legend>Fields to restore in {service}</legend>
      {fields.length === 0 ? (
        <p>No YAML field of {service} changed since this revision.</p>
      ) : (
        <>
          <p className="field-picker__tools">
            <span>
              {selected.length} of {fields.length} selected
            </span>
            <button type="button" className="button button--small" onClick={() => onChange(all)}>
              Select all
            </button>
            <button type="button" className="button button--small" onClick={() => onChange([])} disabled={selected.length === 0}>
              Clear
            </button>
          </p>
          {files.map((file) => (
            <div key={file} className="field-picker__file">
              <p className="field-picker__path">
                <code>{file}</code>
              </p>
              <ul className="field-picker__list">
                {fields
                  .filter((field) => field.file === file)
                  .map((field) => {
                    const selection = { file: field.file, path: field.path };
                    const key = fieldKey(selection);
                    return (
                      <li key={key}>
                        <label className="field-choice" data-testid="field-choice">
                          <input
                            type="checkbox"
                            checked={chosen.has(key)}
                            onChange={(event) => toggle(selection, event.target.checked)}
                          />
                          <code className="field-choice__path">{formatFieldPath(field.path)}</code>
                          <BeforeAfter now={field.to} after={field.from} redacted={field.redacted === true} />
                        </label>
                      </li>
                    );
                  })}
              </ul>
            </div>
          ))}
        </>
      )}
      {incomplete.map((file) => (
        <p key={file.path} className="wizard-warning">
          <code>{file.path}</code> {INCOMPLETE[file.fieldDiff ?? ''] ?? 'has no field list'}.
        </p>
      ))}
    </fieldset>
  );
}
