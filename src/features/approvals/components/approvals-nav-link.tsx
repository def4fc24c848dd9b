import { NavLink } from 'react-router';

/** "Approvals 3" in the header: the count is what waits for the current user's review. */
export function ApprovalsNavLink({ count }: { count: number | undefined }) {
  return (
    <NavLink
      to="/approvals"
      className="app-nav__link"
      aria-label={count ? `Approvals ${count} waiting for your review` : undefined}
    >
      Approvals
      {count !== undefined && count > 0 && (
        <span className="app-nav__count" data-testid="approvals-count">
          {count}
        </span>
      )}
    </NavLink>
  );
}
