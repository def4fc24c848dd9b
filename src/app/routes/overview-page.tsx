import { OpenRequests } from '#src/features/rollback/components/open-requests.tsx';
import { TargetsOverview } from '#src/features/targets/components/targets-overview.tsx';

/** Home: every target, and the rollbacks in progress anywhere (decision 039). */
export function OverviewPage() {
  return (
    <>
      <TargetsOverview />
      <div className="page">
        <OpenRequests />
      </div>
    </>
  );
}
