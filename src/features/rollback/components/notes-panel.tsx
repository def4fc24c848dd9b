import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useId, useState, type FormEvent } from 'react';
import type { RollbackDetail, RollbackRequest, Target } from '#core/schemas.ts';
import { userTextProblem } from '#core/user-text.ts';
import { useBackend } from '#src/api/backend-context.tsx';
import { RelativeTime } from '#src/components/relative-time.tsx';
import { RevealedText } from '#src/components/revealed-text.tsx';
import { permissionsOn, type Reviewer } from '#core/review-rules.ts';
import { rollbackKeys } from '#src/features/rollback/api/rollback-query-options.ts';
import { ServerError } from './step-frame.tsx';
import { Person } from '#src/components/person.tsx';

interface NotesPanelProps {
  request: RollbackRequest;
  viewer: Reviewer | undefined;
  /** The request's target: its policy says who may add notes (unknown: the server answers). */
  target: Target | undefined;
  onNoted?: (request: RollbackRequest) => void;
}

/** Post-rollback notes (what was seen after, follow-ups); each is an audit event. */
export function NotesPanel({ request, viewer, target, onNoted }: NotesPanelProps) {
  const refusal = viewer && target ? permissionsOn(target.policy, viewer.user, `${target.tenant}/${target.environment}`).note : { allowed: true as const };
  return (
    <section className="panel request-section" aria-labelledby="request-notes">
      <h2 id="request-notes">Notes</h2>
      {request.notes.length === 0 ? (
        <p className="muted">No notes yet.</p>
      ) : (
        <ol className="note-list">
          {request.notes.map((note, index) => (
            <li key={`${note.at}-${index}`} className="note" data-testid="note">
              <p className="note__head">
                <Person email={note.by} /> <RelativeTime iso={note.at} />
              </p>
              <RevealedText className="note__text" text={note.text} />
            </li>
          ))}
        </ol>
      )}
      {viewer &&
        (refusal.allowed ? (
          <NoteForm request={request} onNoted={onNoted} />
        ) : (
          <p className="review-note">You cannot add notes: {refusal.reason}.</p>
        ))}
    </section>
  );
}

function NoteForm({ request, onNoted }: Pick<NotesPanelProps, 'request' | 'onNoted'>) {
  const backend = useBackend();
  const queryClient = useQueryClient();
  const id = useId();
  const [text, setText] = useState('');
  const [problem, setProblem] = useState<string | null>(null);
  const add = useMutation({
    mutationFn: () => backend.addNote(request.id, text),
    onSuccess: (updated) => {
      setText('');
      queryClient.setQueryData(rollbackKeys.request(request.id), (old: RollbackDetail | undefined) => old && { ...old, request: updated });
      onNoted?.(updated);
    },
    onSettled: () => {
      void queryClient.invalidateQueries({ queryKey: rollbackKeys.request(request.id) });
    },
  });

  const submit = (event: FormEvent) => {
    event.preventDefault();
    // The server's rule (core/user-text.ts): a note must show something and is counted in code points.
    const trouble = userTextProblem(text);
    const found =
      trouble === null ? null : trouble.kind === 'too-long' ? `The note is too long: at most ${trouble.max} characters (now ${trouble.length}).` : 'Write the note first.';
    setProblem(found);
    if (!found) add.mutate();
  };

  return (
    <form className="note-form" onSubmit={submit} noValidate>
      <div className="justification-field">
        <label htmlFor={`${id}-text`}>Add a note</label>
        <textarea
          id={`${id}-text`}
          value={text}
          onChange={(event) => setText(event.target.value)}
          rows={3}
          disabled={add.isPending}
          aria-invalid={problem ? true : undefined}
          aria-describedby={problem ? `${id}-problem` : `${id}-hint`}
          placeholder="What you saw after the rollback, follow-ups, links to the incident"
        />
        {problem ? (
          <p id={`${id}-problem`} className="wizard-problem" role="alert">
            {problem}
          </p>
        ) : (
          <p id={`${id}-hint`} className="muted">
            Notes are kept with the request and recorded in the audit trail.
          </p>
        )}
      </div>
      <div>
        <button type="submit" className="button" disabled={add.isPending}>
          {add.isPending ? 'Adding…' : 'Add note'}
        </button>
      </div>
      {add.isError && <ServerError title="The note was not added" error={add.error} />}
    </form>
  );
}
