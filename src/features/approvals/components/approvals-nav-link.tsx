import { NavLink } from 'react-router';

/** The tooltip: what waits for the user's review, and what waits for a requester's confirmation first. */
export function queueTooltip(count: number | undefined, awaitingConfirmation: number | undefined): string | undefined {
  const parts = [
    count ? `${count} waiting for your review` : null,
    awaitingConfirmation ? `${awaitingConfirmation} awaiting the requester's confirmation (the plan changed)` : null,
  ].filter((part) => part !== null);
  return parts.length > 0 ? parts.join('; ') : undefined;
}

/** "Approvals 3" in the header: the count is what waits for the current user's review. */
export function ApprovalsNavLink({ count, awaitingConfirmation }: { count: number | undefined; awaitingConfirmation?: number | undefined }) {
  return (
    <NavLink
      to="/approvals"
      className="app-nav__link"
      aria-label={count ? `Approvals ${count} waiting for your review` : undefined}
      title={queueTooltip(count, awaitingConfirmation)}
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
