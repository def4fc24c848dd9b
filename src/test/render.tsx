import { QueryClient } from '@tanstack/react-query';
import { render } from '@testing-library/react';
import type { ReactElement } from 'react';
import { createMemoryRouter, RouterProvider, type RouteObject } from 'react-router';
import type { BackendAdapter } from '#src/api/backend-adapter.ts';
import { HttpBackendAdapter } from '#src/api/http-backend-adapter.ts';
import { AppProviders } from '#src/app/providers.tsx';
import { connectionTrackingCaches } from '#src/app/query-client.ts';
import type { LoaderContext } from '#src/app/route-loaders.ts';
import { createRoutes } from '#src/app/router.tsx';
import { getSelectedEmail } from '#src/features/identity/stores/identity-store.ts';

export function createTestQueryClient() {
  return new QueryClient({ ...connectionTrackingCaches(), defaultOptions: { queries: { retry: false, gcTime: Infinity } } });
}

interface RenderOptions {
  /** The URL the memory router starts at. */
  route?: string;
  adapter?: BackendAdapter;
}

function renderRouter(routesFor: RouteObject[] | ((context: LoaderContext) => RouteObject[]), { route = '/', adapter }: RenderOptions) {
  const queryClient = createTestQueryClient();
  const backend = adapter ?? new HttpBackendAdapter({ getUserEmail: getSelectedEmail });
  const routes = typeof routesFor === 'function' ? routesFor({ queryClient, backend }) : routesFor;
  const router = createMemoryRouter(routes, { initialEntries: [route] });
  const result = render(
    <AppProviders adapter={backend} queryClient={queryClient}>
      <RouterProvider router={router} />
    </AppProviders>,
  );
  return { ...result, router, queryClient };
}

/** Renders `ui` at `path` (with params); any other URL renders a marker so navigation can be asserted. */
export function renderWithRouter(ui: ReactElement, options: RenderOptions & { path?: string } = {}) {
  const routes: RouteObject[] = [
    { path: options.path ?? '/', element: ui },
    { path: '*', element: <p data-testid="elsewhere">elsewhere</p> },
  ];
  return renderRouter(routes, options);
}

/** The whole application, as main.tsx mounts it, on a memory router. */
export function renderApp(options: RenderOptions = {}) {
  return renderRouter(createRoutes, options);
}
