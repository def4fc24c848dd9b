import { Outlet, useNavigation } from 'react-router';
import { BreakGlassBanner } from '#src/features/identity/components/break-glass-banner.tsx';
import { AppHeader } from './app-header.tsx';
import { ConnectionBanner } from './connection-banner.tsx';
import { useLiveUpdates } from './use-live-updates.ts';
import { useReviewQueueCount } from './use-review-queue-count.ts';

export function RootLayout() {
  const navigation = useNavigation();
  useLiveUpdates();
  const reviewQueue = useReviewQueueCount();
  return (
    <div className="app">
      <a href="#main" className="skip-link">
        Skip to content
      </a>
      <AppHeader queue={reviewQueue} />
      <ConnectionBanner />
      <BreakGlassBanner />
      {navigation.state === 'loading' && <div className="route-progress" role="progressbar" aria-label="Loading page" />}
      <main id="main" tabIndex={-1} className="app-main">
        <Outlet />
      </main>
    </div>
  );
}

export function AppLoading() {
  return (
    <p className="app-loading" role="status" aria-busy="true">
      Loading Rewind…
    </p>
  );
}
