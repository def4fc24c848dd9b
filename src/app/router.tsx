import { createBrowserRouter, type LoaderFunction, type RouteObject, type ShouldRevalidateFunction } from 'react-router';
import { OverviewPage } from '#src/app/routes/overview-page.tsx';
import { NotFoundPage } from './not-found-page.tsx';
import { AppLoading, RootLayout } from './root-layout.tsx';
import { RouteErrorBoundary } from './route-error-boundary.tsx';
import type * as RouteLoaders from './route-loaders.ts';
import type { LoaderContext } from './route-loaders.ts';

type LoaderName = Exclude<keyof typeof RouteLoaders, 'LoaderContext'>;

/**
 * The overview is the landing page and stays in the initial bundle; every other page is a lazy chunk
 * so the first paint during an incident does not wait for the history grid or the wizard.
 *
 * Each lazy page loads its loader and its component separately (React Router's object form of
 * `lazy`): the loader's small module arrives first and starts the page's queries while the component's
 * chunk is still downloading.
 */
/**
 * A loader runs when its page is entered, not when its search parameters change: filters, wizard steps
 * and choices live in the URL and are typed into, and a navigation that has a loader to run is not
 * synchronous (the input would lag behind the keyboard). The page's own queries follow those changes.
 */
const onEnterOnly: ShouldRevalidateFunction = ({ currentUrl, nextUrl }) => currentUrl.pathname !== nextUrl.pathname;

export function createRoutes(context: LoaderContext): RouteObject[] {
  const loader = (name: LoaderName) => async (): Promise<LoaderFunction> => (await import('./route-loaders.ts'))[name](context);
  return [
    {
      path: '/',
      Component: RootLayout,
      ErrorBoundary: RouteErrorBoundary,
      HydrateFallback: AppLoading,
      children: [
        {
          ErrorBoundary: RouteErrorBoundary,
          children: [
            { index: true, Component: OverviewPage },
            {
              path: 'targets/:tenant/:environment',
              shouldRevalidate: onEnterOnly,
              lazy: {
                loader: loader('targetPageLoader'),
                Component: async () => (await import('#src/app/routes/target-page.tsx')).TargetPage,
              },
            },
            {
              path: 'targets/:tenant/:environment/compare',
              shouldRevalidate: onEnterOnly,
              lazy: {
                loader: loader('comparePageLoader'),
                Component: async () => (await import('#src/app/routes/compare-page.tsx')).ComparePage,
              },
            },
            {
              path: 'targets/:tenant/:environment/revisions/:sha',
              lazy: { loader: loader('peoplePageLoader'), Component: async () => (await import('#src/app/routes/revision-page.tsx')).RevisionPage },
            },
            {
              path: 'incidents/report',
              lazy: { loader: loader('peoplePageLoader'), Component: async () => (await import('#src/app/routes/incident-report-page.tsx')).IncidentReportPage },
            },
            {
              path: 'rollback/new',
              shouldRevalidate: onEnterOnly,
              lazy: {
                loader: loader('rollbackNewPageLoader'),
                Component: async () => (await import('#src/app/routes/rollback-new-page.tsx')).RollbackNewPage,
              },
            },
            {
              path: 'rollbacks/:id',
              shouldRevalidate: onEnterOnly,
              lazy: {
                loader: loader('requestPageLoader'),
                Component: async () => (await import('#src/app/routes/rollback-request-page.tsx')).RollbackRequestPage,
              },
            },
            {
              path: 'approvals',
              shouldRevalidate: onEnterOnly,
              lazy: {
                loader: loader('approvalsPageLoader'),
                Component: async () => (await import('#src/app/routes/approvals-page.tsx')).ApprovalsPage,
              },
            },
            {
              path: 'audit',
              shouldRevalidate: onEnterOnly,
              lazy: {
                loader: loader('auditPageLoader'),
                Component: async () => (await import('#src/app/routes/audit-page.tsx')).AuditPage,
              },
            },
            { path: '*', Component: NotFoundPage },
          ],
        },
      ],
    },
  ];
}

export const createAppRouter = (context: LoaderContext) => createBrowserRouter(createRoutes(context));
