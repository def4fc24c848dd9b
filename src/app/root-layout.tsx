import { Link, NavLink, Outlet, useNavigation } from 'react-router';
import { ApprovalsNavLink } from '#src/features/approvals/components/approvals-nav-link.tsx';
import { BreakGlassBanner } from '#src/features/identity/components/break-glass-banner.tsx';
import { BreakGlassButton } from '#src/features/identity/components/break-glass-button.tsx';
import { UserSwitcher } from '#src/features/identity/components/user-switcher.tsx';
import { useLiveUpdates } from './use-live-updates.ts';
import { useReviewQueueCount } from './use-review-queue-count.ts';

export function RootLayout() {
  const navigation = useNavigation();
  useLiveUpdates();
  const reviewCount = useReviewQueueCount();
  return (
    <div className="app">
      <a href="#main" className="skip-link">
        Skip to content
      </a>
      <header className="app-header">
        <Link to="/" className="app-header__brand">
          <span className="app-header__logo" aria-hidden="true">
            ⟲
          </span>
          Rewind
        </Link>
        <span className="app-header__tagline">GitOps rollback console</span>
        <nav className="app-nav" aria-label="Main">
          <NavLink to="/" end className="app-nav__link">
            Targets
          </NavLink>
          <ApprovalsNavLink count={reviewCount} />
          <NavLink to="/audit" className="app-nav__link">
            Audit
          </NavLink>
        </nav>
        <div className="app-header__spacer" />
        <BreakGlassButton />
        <UserSwitcher />
      </header>
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
