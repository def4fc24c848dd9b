import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useEffect, useId, useRef, useState, type FormEvent } from 'react';
import { userTextProblem } from '#core/user-text.ts';
import { useBackend } from '#src/api/backend-context.tsx';
import { ErrorState } from '#src/components/error-state.tsx';
import { identityKeys } from '#src/features/identity/api/identity-query-options.ts';
import { focusBannerWhenShown } from './active-break-glass-banner.tsx';
import '#src/features/identity/break-glass-dialog.css';

export const BREAK_GLASS_MINUTES = [15, 30, 60, 120] as const;
const DEFAULT_MINUTES = 30;

/** The server's rule for a break-glass justification (core/user-text.ts), in the dialog's words. */
export function breakGlassProblem(justification: string): string | null {
  const problem = userTextProblem(justification);
  if (!problem) return null;
  if (problem.kind === 'too-long') return `The justification is too long: at most ${problem.max} characters (now ${problem.length}).`;
  return 'Say why you need break-glass: a justification is required.';
}

/** A modal `<dialog>`: the browser traps focus, Escape cancels, the page behind is inert. */
export function BreakGlassDialog({ onClose }: { onClose: () => void }) {
  const backend = useBackend();
  const queryClient = useQueryClient();
  const id = useId();
  const dialog = useRef<HTMLDialogElement>(null);
  const [justification, setJustification] = useState('');
  const [minutes, setMinutes] = useState<number>(DEFAULT_MINUTES);
  const [problem, setProblem] = useState<string | null>(null);

  useEffect(() => {
    const element = dialog.current;
    if (element && !element.open) element.showModal();
    return () => element?.close();
  }, []);

  const open = useMutation({
    mutationFn: () => backend.openBreakGlass(justification, minutes),
    onSuccess: async () => {
      // The banner that replaces the header button is where the person continues (and closes it again).
      focusBannerWhenShown();
      await queryClient.invalidateQueries({ queryKey: identityKeys.me });
      onClose();
    },
  });

  const submit = (event: FormEvent) => {
    event.preventDefault();
    const found = breakGlassProblem(justification);
    setProblem(found);
    if (found) {
      document.getElementById(`${id}-justification`)?.focus();
      return;
    }
    open.mutate();
  };

  return (
    <dialog
      ref={dialog}
      className="break-glass-dialog"
      aria-labelledby={`${id}-title`}
      aria-describedby={`${id}-lead`}
      onCancel={(event) => {
        event.preventDefault();
        if (!open.isPending) onClose();
      }}
    >
      <form onSubmit={submit} noValidate>
        <h2 id={`${id}-title`}>Open a break-glass session</h2>
        <p id={`${id}-lead`} className="break-glass-dialog__lead">
          For an emergency when approvers cannot be reached. While the session is open, your rollbacks execute
          <strong> without approval</strong>, and everything you do is flagged in the audit trail. It never lets you
          approve your own requests.
        </p>
        <div className="justification-field">
          <label htmlFor={`${id}-justification`}>Justification (required)</label>
          <textarea
            id={`${id}-justification`}
            value={justification}
            onChange={(event) => setJustification(event.target.value)}
            aria-invalid={problem ? true : undefined}
            aria-describedby={problem ? `${id}-problem` : undefined}
            rows={4}
            placeholder="e.g. INC-4211: checkout down, no approver reachable"
          />
          {problem && (
            <p id={`${id}-problem`} className="wizard-problem" role="alert">
              {problem}
            </p>
          )}
        </div>
        <fieldset className="break-glass-dialog__minutes">
          <legend>Duration</legend>
          {BREAK_GLASS_MINUTES.map((value) => (
            <label key={value} className="break-glass-dialog__minute">
              <input
                type="radio"
                name={`${id}-minutes`}
                value={value}
                checked={minutes === value}
                onChange={() => setMinutes(value)}
              />
              {value < 60 ? `${value} minutes` : value === 60 ? '1 hour' : `${value / 60} hours`}
            </label>
          ))}
        </fieldset>
        {open.isError && <ErrorState title="Break-glass was not opened" error={open.error} />}
        <div className="break-glass-dialog__actions">
          <button type="button" className="button" onClick={onClose} disabled={open.isPending}>
            Cancel
          </button>
          <button type="submit" className="button button--danger" disabled={open.isPending}>
            {open.isPending ? 'Opening…' : 'Open break-glass'}
          </button>
        </div>
      </form>
    </dialog>
  );
}
