import { useId } from 'react';
import type { IncidentInput } from '#src/features/rollback/api/incident-input.ts';

interface IncidentFieldsProps {
  value: IncidentInput;
  onChange: (value: IncidentInput) => void;
  problem: string | undefined;
  showProblem: boolean;
}

/** The optional incident of a request (decision 033): its ID and/or a link to it. */
export function IncidentFields({ value, onChange, problem, showProblem }: IncidentFieldsProps) {
  const id = useId();
  const invalid = showProblem && problem !== undefined;
  return (
    <fieldset className="incident-fields">
      <legend>Incident (optional)</legend>
      <p className="muted" id={`${id}-hint`}>
        Links this rollback to the incident record, so the post-incident review finds it.
      </p>
      <div className="incident-fields__row">
        <label htmlFor={`${id}-id`}>Incident ID</label>
        <input
          id={`${id}-id`}
          type="text"
          placeholder="INC-1234"
          value={value.id}
          aria-invalid={invalid}
          aria-describedby={`${id}-hint${invalid ? ` ${id}-problem` : ''}`}
          onChange={(event) => onChange({ ...value, id: event.target.value })}
        />
        <label htmlFor={`${id}-url`}>Incident link</label>
        <input
          id={`${id}-url`}
          type="url"
          placeholder="https://status.example.com/incidents/1234"
          value={value.url}
          aria-invalid={invalid}
          aria-describedby={`${id}-hint${invalid ? ` ${id}-problem` : ''}`}
          onChange={(event) => onChange({ ...value, url: event.target.value })}
        />
      </div>
      {invalid && (
        <p id={`${id}-problem`} className="field-problem" role="alert">
          {problem}
        </p>
      )}
    </fieldset>
  );
}
