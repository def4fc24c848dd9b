import { formatFieldPath } from '#core/field-path.ts';
import type { Diff, FieldChange, FileDiff } from '#core/schemas.ts';
import { GROUPS_OPEN, RowGroup } from '#src/components/field-table/row-group.tsx';
import { BeforeAfter } from './field-value.tsx';
import { PatchList } from './patch-list.tsx';

interface RollbackDiffProps {
  /** From the head (now) to the state after the rollback. */
  diff: Diff;
  headingLevel?: 3 | 4;
}

const KIND_GROUP: Record<FileDiff['kind'], string> = {
  service: 'Services',
  binding: 'Bindings',
  variables: 'Variables',
  other: 'Other files',
};

const STATUS_WORD: Record<FileDiff['status'], string> = {
  added: 'restored',
  modified: 'changed',
  deleted: 'removed',
};

function groupOf(file: FileDiff): string {
  return file.service ?? KIND_GROUP[file.kind];
}

/** What a rollback changes: impact, the breakdown per service, the field table and the text diff. */
export function RollbackDiff({ diff, headingLevel = 3 }: RollbackDiffProps) {
  const Heading = `h${headingLevel}` as const;
  const groups = [...new Set(diff.files.map(groupOf))];
  const additions = diff.files.reduce((sum, file) => sum + file.additions, 0);
  const deletions = diff.files.reduce((sum, file) => sum + file.deletions, 0);

  return (
    <div className="rollback-diff">
      <div role="group" aria-label="Impact summary">
        <dl className="impact">
          <div>
            <dt>Services</dt>
            <dd data-testid="impact-services">{diff.impact.services}</dd>
          </div>
          <div>
            <dt>Bindings</dt>
            <dd data-testid="impact-bindings">{diff.impact.bindings}</dd>
          </div>
          <div>
            <dt>Variables</dt>
            <dd data-testid="impact-variables">{diff.impact.variables}</dd>
          </div>
          <div>
            <dt>Files</dt>
            <dd>
              {diff.files.length}{' '}
              <span className="diff-counts">
                (<span className="diff-counts__add">+{additions}</span> <span className="diff-counts__del">−{deletions}</span>)
              </span>
            </dd>
          </div>
        </dl>
      </div>

      <Heading>Per service</Heading>
      <table className="data-table breakdown-table stack-on-phone">
        <caption className="visually-hidden">Files the rollback changes, by service</caption>
        <thead>
          <tr>
            <th scope="col">Service</th>
            <th scope="col">File</th>
            <th scope="col">Change</th>
            <th scope="col">Fields</th>
          </tr>
        </thead>
        <tbody>
          {groups.flatMap((group) =>
            diff.files
              .filter((file) => groupOf(file) === group)
              .map((file, index) => (
                <tr key={file.path} data-testid="breakdown-row">
                  {index === 0 ? <th scope="row">{group}</th> : <td aria-hidden="true" className="stack-on-phone__empty" />}
                  <td data-label="File">
                    <code>{file.path}</code>
                  </td>
                  <td data-label="Change">
                    {STATUS_WORD[file.status]}{' '}
                    <span className="diff-counts">
                      <span className="diff-counts__add">+{file.additions}</span>{' '}
                      <span className="diff-counts__del">−{file.deletions}</span>
                    </span>
                  </td>
                  <td data-label="Fields">{diff.fields.filter((field) => field.file === file.path).length}</td>
                </tr>
              )),
          )}
        </tbody>
      </table>

      <Heading>Fields</Heading>
      {diff.fields.length === 0 ? (
        <p className="muted">No YAML field changes to list (see the text diff).</p>
      ) : (
        <table className="data-table field-table stack-on-phone">
          <caption className="visually-hidden">Changed fields by service: the value now and after the rollback</caption>
          <thead>
            <tr>
              <th scope="col">File</th>
              <th scope="col">Field</th>
              <th scope="col">Now → after rollback</th>
            </tr>
          </thead>
          {fieldsByService(diff.fields, diff.files).map(([service, fields], index) => (
            <RowGroup
              key={service}
              label={service}
              items={fields}
              columns={3}
              initiallyOpen={index < GROUPS_OPEN}
              renderRow={(field) => (
                <tr key={`${field.file}\u0000${JSON.stringify(field.path)}`} data-testid="field-row">
                  <td data-label="File">
                    <code>{field.file.split('/').slice(-2).join('/')}</code>
                  </td>
                  <td data-label="Field">
                    <code>{formatFieldPath(field.path)}</code>
                  </td>
                  <td data-label="Now → after rollback">
                    <BeforeAfter now={field.from} after={field.to} redacted={field.redacted === true} />
                  </td>
                </tr>
              )}
            />
          ))}
        </table>
      )}

      <Heading>Text diff</Heading>
      <PatchList files={diff.files} />
    </div>
  );
}

/** Field changes per service (or kind of file), in the order the groups first appear (decision 043). */
function fieldsByService(fields: readonly FieldChange[], files: readonly FileDiff[]): [string, FieldChange[]][] {
  const fileGroup = new Map(files.map((file) => [file.path, groupOf(file)]));
  const groups = new Map<string, FieldChange[]>();
  for (const field of fields) {
    const key = fileGroup.get(field.file) ?? field.service ?? KIND_GROUP.other;
    groups.set(key, [...(groups.get(key) ?? []), field]);
  }
  return [...groups];
}
