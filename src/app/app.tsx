import { useState } from 'react';
// The DOM build of RouterProvider honours `flushSync` navigations (URL-controlled inputs need it).
import { RouterProvider } from 'react-router/dom';
import { HttpBackendAdapter } from '#src/api/http-backend-adapter.ts';
import { getSelectedEmail } from '#src/features/identity/stores/identity-store.ts';
import { AppProviders } from './providers.tsx';
import { createQueryClient } from './query-client.ts';
import { createAppRouter } from './router.tsx';

export function App() {
  // Created once per mount, not per module, so tests and hot reloads start clean.
  const [adapter] = useState(() => new HttpBackendAdapter({ getUserEmail: getSelectedEmail }));
  const [queryClient] = useState(createQueryClient);
  const [router] = useState(() => createAppRouter({ queryClient, backend: adapter }));

  return (
    <AppProviders adapter={adapter} queryClient={queryClient}>
      <RouterProvider router={router} />
    </AppProviders>
  );
}
