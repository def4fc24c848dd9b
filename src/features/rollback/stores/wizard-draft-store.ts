import { create } from 'zustand';
import { createJSONStorage, persist } from 'zustand/middleware';

export interface SubmitAttempt {
  /** The request body this attempt sends; a changed body is a new attempt with a new key. */
  fingerprint: string;
  idempotencyKey: string;
}

interface WizardDraftState {
  /** Justification drafts by `tenant/environment`: typed under stress, never lost to a reload. */
  justifications: Record<string, string>;
  /** The submit in flight or failed, so a retry (even after a reload) reuses its idempotency key. */
  submitAttempt: SubmitAttempt | null;
  /** The last wizard URL (search part), to offer resuming it from a bare `/rollback/new`. */
  lastSearch: string | null;
  setJustification: (key: string, text: string) => void;
  /** The idempotency key for this body: the same as the last attempt's when the body is the same. */
  beginSubmit: (fingerprint: string) => string;
  /** A submit succeeded: its draft and attempt are done with. */
  finishSubmit: (draftKey: string) => void;
  rememberSearch: (search: string | null) => void;
}

const newKey = () =>
  typeof crypto.randomUUID === 'function'
    ? crypto.randomUUID()
    : Array.from(crypto.getRandomValues(new Uint8Array(16)), (b) => b.toString(16).padStart(2, '0')).join('');

export const useWizardDraftStore = create<WizardDraftState>()(
  persist(
    (set, get) => ({
      justifications: {},
      submitAttempt: null,
      lastSearch: null,
      setJustification: (key, text) => set((state) => ({ justifications: { ...state.justifications, [key]: text } })),
      beginSubmit: (fingerprint) => {
        const previous = get().submitAttempt;
        if (previous?.fingerprint === fingerprint) return previous.idempotencyKey;
        const idempotencyKey = newKey();
        set({ submitAttempt: { fingerprint, idempotencyKey } });
        return idempotencyKey;
      },
      finishSubmit: (draftKey) =>
        set((state) => {
          const justifications = { ...state.justifications };
          delete justifications[draftKey];
          return { justifications, submitAttempt: null, lastSearch: null };
        }),
      rememberSearch: (search) => set({ lastSearch: search }),
    }),
    {
      name: 'rewind.rollback-wizard',
      // Per tab: two incidents in two tabs keep two drafts, and nothing outlives the browser session.
      storage: createJSONStorage(() => sessionStorage),
      partialize: ({ justifications, submitAttempt, lastSearch }) => ({ justifications, submitAttempt, lastSearch }),
    },
  ),
);

export const draftKeyOf = (tenant: string, environment: string) => `${tenant}/${environment}`;
