import { createBrowserRouter, type RouteObject } from 'react-router';
import { TargetsOverview } from '#src/features/targets/components/targets-overview.tsx';
import { NotFoundPage } from './not-found-page.tsx';
import { AppLoading, RootLayout } from './root-layout.tsx';
import { RouteErrorBoundary } from './route-error-boundary.tsx';

/**
 * The overview is the landing page and stays in the initial bundle; every other page is a lazy chunk
 * so the first paint during an incident does not wait for the history grid or the wizard.
 */
export const routes: RouteObject[] = [
  {
    path: '/',
    Component: RootLayout,
    ErrorBoundary: RouteErrorBoundary,
    HydrateFallback: AppLoading,
    children: [
      {
        ErrorBoundary: RouteErrorBoundary,
        children: [
          { index: true, Component: TargetsOverview },
          {
            path: 'targets/:tenant/:environment',
            lazy: async () => ({ Component: (await import('#src/app/routes/target-page.tsx')).TargetPage }),
          },
          {
            path: 'targets/:tenant/:environment/compare',
            lazy: async () => ({ Component: (await import('#src/app/routes/compare-page.tsx')).ComparePage }),
          },
          {
            path: 'targets/:tenant/:environment/revisions/:sha',
            lazy: async () => ({ Component: (await import('#src/app/routes/revision-page.tsx')).RevisionPage }),
          },
          {
            path: 'incidents/report',
            lazy: async () => ({ Component: (await import('#src/app/routes/incident-report-page.tsx')).IncidentReportPage }),
          },
          {
            path: 'rollback/new',
            lazy: async () => ({ Component: (await import('#src/app/routes/rollback-new-page.tsx')).RollbackNewPage }),
          },
          {
            path: 'rollbacks/:id',
            lazy: async () => ({ Component: (await import('#src/app/routes/rollback-request-page.tsx')).RollbackRequestPage }),
          },
          {
            path: 'approvals',
            lazy: async () => ({ Component: (await import('#src/app/routes/approvals-page.tsx')).ApprovalsPage }),
          },
          {
            path: 'audit',
            lazy: async () => ({ Component: (await import('#src/app/routes/audit-page.tsx')).AuditPage }),
          },
          { path: '*', Component: NotFoundPage },
        ],
      },
    ],
  },
];

export const createAppRouter = () => createBrowserRouter(routes);
