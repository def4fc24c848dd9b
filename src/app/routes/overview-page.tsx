import { lazy, Suspense } from 'react';
import { TargetsOverview } from '#src/features/targets/components/targets-overview.tsx';

// The overview is in the initial bundle; the open-requests list arrives as its own small chunk (its
// data is a second query anyway), which keeps initial JS within its budget (decision 030).
const OpenRequests = lazy(async () => ({ default: (await import('#src/features/rollback/components/open-requests.tsx')).OpenRequests }));

/** Home: every target, and the rollbacks in progress anywhere (decision 039). */
export function OverviewPage() {
  return (
    <>
      <TargetsOverview />
      <div className="page">
        <Suspense fallback={null}>
          <OpenRequests />
        </Suspense>
      </div>
    </>
  );
}
