import { create } from 'zustand';
import { createJSONStorage, persist } from 'zustand/middleware';

interface IdentityState {
  /** The demo user the SPA acts as; null means the server's default demo user. */
  email: string | null;
  setEmail: (email: string | null) => void;
}

export const useIdentityStore = create<IdentityState>()(
  persist(
    (set) => ({
      email: null,
      setEmail: (email) => set({ email }),
    }),
    {
      name: 'rewind.identity',
      storage: createJSONStorage(() => localStorage),
      partialize: (state) => ({ email: state.email }),
    },
  ),
);

/** For non-React callers (the HTTP adapter) that must read the latest choice on every request. */
export const getSelectedEmail = () => useIdentityStore.getState().email;
