import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useEffect, useRef } from 'react';
import type { BreakGlass } from '#core/schemas.ts';
import { useBackend } from '#src/api/backend-context.tsx';
import { RevealedText } from '#src/components/revealed-text.tsx';
import { formatAbsolute } from '#src/lib/time.ts';
import { identityKeys } from '#src/features/identity/api/identity-query-options.ts';
import { formatRemaining, useCountdown } from '#src/features/identity/hooks/use-countdown.ts';

export const BREAK_GLASS_BANNER_ID = 'break-glass-banner';

// Set by the dialog when it opened a session: the banner that replaces the header button takes focus.
let focusOnMount = false;
export function focusBannerWhenShown() {
  focusOnMount = true;
}

/** The open session: what it means, how long, and a way out (loaded only while a session is open). */
export function ActiveBanner({ session }: { session: BreakGlass }) {
  const backend = useBackend();
  const queryClient = useQueryClient();
  const remaining = useCountdown(session.expiresAt);
  const close = useMutation({
    mutationFn: () => backend.closeBreakGlass(),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: identityKeys.me }),
  });
  const expired = remaining === 0;
  const section = useRef<HTMLElement>(null);

  useEffect(() => {
    if (!focusOnMount) return;
    focusOnMount = false;
    section.current?.focus();
  }, []);

  // The server ends the session at `expiresAt`; ask it again then, so the banner goes with it.
  useEffect(() => {
    if (expired) void queryClient.invalidateQueries({ queryKey: identityKeys.me });
  }, [expired, queryClient]);

  return (
    <section ref={section} id={BREAK_GLASS_BANNER_ID} className="break-glass-banner" aria-labelledby="break-glass-banner-title" tabIndex={-1}>
      <p className="break-glass-banner__title" id="break-glass-banner-title">
        <span aria-hidden="true">⚠ </span>Break-glass is active
      </p>
      <p className="break-glass-banner__time">
        <span role="timer" data-testid="break-glass-remaining">
          {expired ? 'expired' : `${formatRemaining(remaining)} left`}
        </span>{' '}
        <span className="break-glass-banner__until">(until {formatAbsolute(session.expiresAt, 'minutes')})</span>
      </p>
      <p className="break-glass-banner__what">
        Your rollbacks execute without approval and every action is flagged in the audit trail.
      </p>
      <div className="break-glass-banner__why">
        <span className="break-glass-banner__label">Justification:</span>{' '}
        <RevealedText as="span" text={session.justification} data-testid="break-glass-justification" />
      </div>
      <div className="break-glass-banner__actions">
        <button type="button" className="button button--small" onClick={() => close.mutate()} disabled={close.isPending}>
          {close.isPending ? 'Closing…' : 'Close break-glass'}
        </button>
        {close.isError && (
          <span role="alert" className="break-glass-banner__error">
            Could not close break-glass: {close.error.message}
          </span>
        )}
      </div>
    </section>
  );
}
