import { useQueryClient } from '@tanstack/react-query';
import { useCallback, useEffect } from 'react';
import { useBackend } from '#src/api/backend-context.tsx';
import { useConnectionStore } from '#src/lib/connection-store.ts';
import { refreshAfterGap } from './use-live-updates.ts';

/** How often an unreachable API is asked again. The event stream has its own reconnect. */
const PROBE_MS = 3_000;

const clock = (at: number) => new Date(at).toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' });

/**
 * While the server cannot be reached: ask it again every few seconds, and when it answers, refetch
 * what failed meanwhile. Returns "probe now" for the banner's button.
 */
function useConnectionRecovery() {
  const backend = useBackend();
  const queryClient = useQueryClient();
  const apiDown = useConnectionStore((state) => state.apiDown);
  const streamDown = useConnectionStore((state) => state.streamDown);

  const probe = useCallback(async () => {
    try {
      await backend.me();
      useConnectionStore.getState().apiAnswered();
    } catch {
      // Still out of reach (the query cache is not involved here: say so ourselves).
      useConnectionStore.getState().apiUnreachable();
    }
  }, [backend]);

  // The stream is usually the first to notice: ask the API at once whether it is the whole server.
  useEffect(() => {
    if (streamDown) void probe();
  }, [streamDown, probe]);

  useEffect(() => {
    if (!apiDown) return;
    const timer = setInterval(() => void probe(), PROBE_MS);
    // Back: the answer that ended the outage is in; refresh everything else behind it.
    return () => {
      clearInterval(timer);
      if (!useConnectionStore.getState().apiDown) refreshAfterGap(queryClient);
    };
  }, [apiDown, probe, queryClient]);

  return probe;
}

/** "Connection lost, retrying; data as of 12:04": shown while the API or the live-update stream is down. */
export function ConnectionBanner() {
  const probe = useConnectionRecovery();
  const apiDown = useConnectionStore((state) => state.apiDown);
  const streamDown = useConnectionStore((state) => state.streamDown);
  const lastAnswerAt = useConnectionStore((state) => state.lastAnswerAt);
  const lost = apiDown || streamDown;
  return (
    // The live region exists before it has something to say, so screen readers announce the loss.
    <div className="connection-banner-region" role="status">
      {lost && (
        <div className="connection-banner" data-testid="connection-banner">
          <p>
            <strong>{apiDown ? 'Connection to Rewind lost, retrying.' : 'Live updates interrupted, retrying.'}</strong>{' '}
            {lastAnswerAt === null ? 'Nothing could be loaded yet.' : `Data as of ${clock(lastAnswerAt)}: statuses shown may be out of date.`}
          </p>
          <button type="button" className="button button--small" onClick={() => void probe()}>
            Retry now
          </button>
        </div>
      )}
    </div>
  );
}
