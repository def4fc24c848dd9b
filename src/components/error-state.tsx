import { isApiError } from '#src/api/api-error.ts';

interface ErrorStateProps {
  title: string;
  error: unknown;
  onRetry?: () => void;
}

/** Shows the server's own message: under an incident, "git exploded" beats "Something went wrong". */
export function ErrorState({ title, error, onRetry }: ErrorStateProps) {
  const message = error instanceof Error ? error.message : String(error);
  const code = isApiError(error) ? error.code : null;
  return (
    <div className="error-state" role="alert">
      <p className="error-state__title">{title}</p>
      <p className="error-state__message">{message}</p>
      {code && <p className="error-state__code">Error code: {code}</p>}
      {onRetry && (
        <button type="button" className="button" onClick={onRetry}>
          Retry
        </button>
      )}
    </div>
  );
}
