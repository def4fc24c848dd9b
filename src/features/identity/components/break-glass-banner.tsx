import { useQuery } from '@tanstack/react-query';
import { lazy, Suspense } from 'react';
import { useBackend } from '#src/api/backend-context.tsx';
import { meQueryOptions } from '#src/features/identity/api/identity-query-options.ts';

// Most sessions never see a break-glass session: its banner is a chunk of its own, off the first paint.
const ActiveBanner = lazy(async () => ({ default: (await import('./active-break-glass-banner.tsx')).ActiveBanner }));

/** On every page while the current user's break-glass session is open: what it means, how long, and a way out. */
export function BreakGlassBanner() {
  const backend = useBackend();
  const me = useQuery(meQueryOptions(backend));
  const session = me.data?.breakGlass;
  if (!session) return null;
  return (
    <Suspense fallback={null}>
      <ActiveBanner key={session.openedAt} session={session} />
    </Suspense>
  );
}
