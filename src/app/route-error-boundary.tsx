import { isRouteErrorResponse, Link, useRouteError } from 'react-router';
import { isNotFound } from '#src/api/api-error.ts';
import { ErrorState } from '#src/components/error-state.tsx';
import { isChunkFailure } from '#src/lib/connection-store.ts';
import { NotFoundPage } from './not-found-page.tsx';

/** Whatever a page throws, the person sees what went wrong and a way on, never a blank screen. */
export function RouteErrorBoundary() {
  const error = useRouteError();
  if (isNotFound(error) || (isRouteErrorResponse(error) && error.status === 404)) return <NotFoundPage />;
  if (isChunkFailure(error)) return <ReloadPrompt />;
  const shown = isRouteErrorResponse(error) ? new Error(`${error.status} ${error.statusText}`) : error;
  return (
    <section className="page" aria-labelledby="route-error-heading">
      <h1 id="route-error-heading">This page could not be shown</h1>
      <ErrorState title="Something went wrong" error={shown} onRetry={() => window.location.reload()} />
      <p>
        <Link to="/">Back to all targets</Link>
      </p>
    </section>
  );
}

/** A page's code did not arrive: the connection dropped, or Rewind was updated and the old files are gone. */
function ReloadPrompt() {
  return (
    <section className="page" aria-labelledby="reload-heading">
      <h1 id="reload-heading">This page could not be loaded</h1>
      <div className="empty-state" role="alert">
        <p>Rewind could not download this page. The connection may have dropped, or Rewind may have been updated since you opened it.</p>
        <button type="button" className="button" onClick={() => window.location.reload()}>
          Reload Rewind
        </button>
      </div>
      <p>
        <Link to="/">Back to all targets</Link>
      </p>
    </section>
  );
}
