import { QueryClientProvider, type QueryClient } from '@tanstack/react-query';
import type { ReactNode } from 'react';
import type { BackendAdapter } from '#src/api/backend-adapter.ts';
import { BackendProvider } from '#src/api/backend-context.tsx';

interface AppProvidersProps {
  adapter: BackendAdapter;
  queryClient: QueryClient;
  children: ReactNode;
}

export function AppProviders({ adapter, queryClient, children }: AppProvidersProps) {
  return (
    <BackendProvider adapter={adapter}>
      <QueryClientProvider client={queryClient}>{children}</QueryClientProvider>
    </BackendProvider>
  );
}
