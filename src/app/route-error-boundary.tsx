import { isRouteErrorResponse, Link, useRouteError } from 'react-router';
import { isNotFound } from '#src/api/api-error.ts';
import { ErrorState } from '#src/components/error-state.tsx';
import { NotFoundPage } from './not-found-page.tsx';

/** Whatever a page throws, the person sees what went wrong and a way on, never a blank screen. */
export function RouteErrorBoundary() {
  const error = useRouteError();
  if (isNotFound(error) || (isRouteErrorResponse(error) && error.status === 404)) return <NotFoundPage />;
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
