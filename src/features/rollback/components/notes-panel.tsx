import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useId, useState, type FormEvent } from 'react';
import type { RollbackDetail, RollbackRequest } from '#core/schemas.ts';
import { userTextProblem } from '#core/user-text.ts';
import { useBackend } from '#src/api/backend-context.tsx';
import { RelativeTime } from '#src/components/relative-time.tsx';
import { RevealedText } from '#src/components/revealed-text.tsx';
import { DEFAULT_ROLES, hasRole, noteRoles, type Reviewer } from '#core/review-rules.ts';
import { rollbackKeys } from '#src/features/rollback/api/rollback-query-options.ts';
import { ServerError } from './step-frame.tsx';

interface NotesPanelProps {
  request: RollbackRequest;
  viewer: Reviewer | undefined;
  onNoted?: (request: RollbackRequest) => void;
}

/** Post-rollback notes (what was seen after, follow-ups); each is an audit event. */
export function NotesPanel({ request, viewer, onNoted }: NotesPanelProps) {
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
                {note.by} <RelativeTime iso={note.at} />
              </p>
              <RevealedText className="note__text" text={note.text} />
            </li>
          ))}
        </ol>
      )}
      {viewer &&
        (hasRole(viewer.user, noteRoles(DEFAULT_ROLES)) ? (
          <NoteForm request={request} onNoted={onNoted} />
        ) : (
          <p className="review-note">Adding notes needs a requester, approver, break-glass or admin role.</p>
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
