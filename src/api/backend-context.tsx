import { createContext, useContext, type ReactNode } from 'react';
import type { BackendAdapter } from './backend-adapter.ts';

const BackendContext = createContext<BackendAdapter | null>(null);

export function BackendProvider({ adapter, children }: { adapter: BackendAdapter; children: ReactNode }) {
  return <BackendContext.Provider value={adapter}>{children}</BackendContext.Provider>;
}

export function useBackend(): BackendAdapter {
  const adapter = useContext(BackendContext);
  if (!adapter) throw new Error('useBackend() needs a <BackendProvider> above it');
  return adapter;
}
