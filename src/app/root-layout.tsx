import { Link, Outlet, useNavigation } from 'react-router';
import { UserSwitcher } from '../features/identity/components/user-switcher.tsx';

export function RootLayout() {
  const navigation = useNavigation();
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
        <div className="app-header__spacer" />
        <UserSwitcher />
      </header>
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
