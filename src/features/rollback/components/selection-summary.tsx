import { formatFieldPath } from '#core/field-path.ts';
import type { RollbackPreview, Target } from '#core/schemas.ts';
import { shortSha } from '#src/lib/sha.ts';
import type { PreviewSelection } from '#src/features/rollback/api/rollback-query-options.ts';

const MODE_LABEL = { full: 'Full', service: 'Service', field: 'Field' } as const;

/** The choices being submitted, read back in one place before the person commits to them. */
export function SelectionSummary({ target, selection, preview }: { target: Target; selection: PreviewSelection; preview?: RollbackPreview }) {
  return (
    <dl className="facts selection-summary" data-testid="selection-summary">
      <dt>Target</dt>
      <dd>
        {target.tenant} / {target.environment}
      </dd>
      <dt>Scope</dt>
      <dd>{MODE_LABEL[selection.mode]}</dd>
      <dt>Restore revision</dt>
      <dd>
        <code className="sha" title={selection.targetSha}>
          {shortSha(selection.targetSha)}
        </code>
      </dd>
      {selection.service && (
        <>
          <dt>Service</dt>
          <dd>{selection.service}</dd>
        </>
      )}
      {selection.fields && (
        <>
          <dt>Fields</dt>
          <dd>
            <ul className="plain-list">
              {selection.fields.map((field) => (
                <li key={`${field.file}\u0000${JSON.stringify(field.path)}`}>
                  <code>{formatFieldPath(field.path)}</code> <span className="muted">in {field.file.split('/').at(-1)}</span>
                </li>
              ))}
            </ul>
          </dd>
        </>
      )}
      <dt>Changes</dt>
      <dd>
        {preview
          ? `${preview.files.length} file${preview.files.length === 1 ? '' : 's'}, ${preview.fields.length} field${preview.fields.length === 1 ? '' : 's'}` +
            (preview.affectedServices.length > 0 ? ` in ${preview.affectedServices.join(', ')}` : '') +
            ` (planned on ${shortSha(preview.baseSha)})`
          : 'planning…'}
      </dd>
    </dl>
  );
}
