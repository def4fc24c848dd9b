import { useId, useRef, useState } from 'react';
import { Link, NavLink, useLocation } from 'react-router';
import { ThemeSwitcher } from '#src/features/appearance/components/theme-switcher.tsx';
import { ApprovalsNavLink } from '#src/features/approvals/components/approvals-nav-link.tsx';
import { BreakGlassButton } from '#src/features/identity/components/break-glass-button.tsx';
import { UserSwitcher } from '#src/features/identity/components/user-switcher.tsx';
import type { ReviewQueueCount } from './use-review-queue-count.ts';

/**
 * The header. On a phone the navigation, theme and user switcher fold behind a "Menu" button (the CSS
 * decides when); break glass stays in view, it is what an on-call person opens the page for.
 */
export function AppHeader({ queue }: { queue: ReviewQueueCount | undefined }) {
  const reviewCount = queue?.toReview;
  const { pathname } = useLocation();
  // Open on the page where it was opened: following a link in it closes it.
  const [openOn, setOpenOn] = useState<string | null>(null);
  const open = openOn === pathname;
  const close = () => setOpenOn(null);
  const menuId = useId();
  const button = useRef<HTMLButtonElement>(null);

  const waiting = reviewCount ? `, ${reviewCount} approval${reviewCount === 1 ? '' : 's'} waiting` : '';
  return (
    <header className={`app-header${open ? ' app-header--open' : ''}`}>
      <Link to="/" className="app-header__brand">
        <span className="app-header__logo" aria-hidden="true">
          ⟲
        </span>
        Rewind
      </Link>
      <span className="app-header__tagline">GitOps rollback console</span>
      <div className="app-header__always">
        <BreakGlassButton />
        <button
          ref={button}
          type="button"
          className="app-header__menu-button"
          aria-expanded={open}
          aria-controls={menuId}
          aria-label={`Menu${waiting}`}
          onClick={() => setOpenOn(open ? null : pathname)}
        >
          <span aria-hidden="true">☰</span> Menu
          {reviewCount !== undefined && reviewCount > 0 && (
            <span className="app-nav__count" aria-hidden="true">
              {reviewCount}
            </span>
          )}
        </button>
      </div>
      <div
        id={menuId}
        className="app-header__menu"
        onKeyDown={(event) => {
          if (event.key === 'Escape' && open) {
            close();
            button.current?.focus();
          }
        }}
        onClick={(event) => {
          // A link to the page one is on does not change the path: close for it too.
          if (event.target instanceof Element && event.target.closest('a')) close();
        }}
      >
        <nav className="app-nav" aria-label="Main">
          <NavLink to="/" end className="app-nav__link">
            Targets
          </NavLink>
          <ApprovalsNavLink count={reviewCount} awaitingConfirmation={queue?.awaitingConfirmation} />
          <NavLink to="/audit" className="app-nav__link">
            Audit
          </NavLink>
        </nav>
        <div className="app-header__spacer" />
        <ThemeSwitcher />
        <UserSwitcher />
      </div>
    </header>
  );
}
