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
  /**
   * Destructive plans the person confirmed, by `tenant/environment`: the confirmed plan's diffHash, so
   * a confirmation never carries over to a different plan.
   */
  destructiveConfirmed: Record<string, string>;
  setJustification: (key: string, text: string) => void;
  confirmDestructive: (key: string, diffHash: string | null) => void;
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
      destructiveConfirmed: {},
      setJustification: (key, text) => set((state) => ({ justifications: { ...state.justifications, [key]: text } })),
      confirmDestructive: (key, diffHash) =>
        set((state) => {
          const destructiveConfirmed = { ...state.destructiveConfirmed };
          if (diffHash === null) delete destructiveConfirmed[key];
          else destructiveConfirmed[key] = diffHash;
          return { destructiveConfirmed };
        }),
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
          const destructiveConfirmed = { ...state.destructiveConfirmed };
          delete destructiveConfirmed[draftKey];
          return { justifications, destructiveConfirmed, submitAttempt: null, lastSearch: null };
        }),
      rememberSearch: (search) => set({ lastSearch: search }),
    }),
    {
      name: 'rewind.rollback-wizard',
      // Per tab: two incidents in two tabs keep two drafts, and nothing outlives the browser session.
      storage: createJSONStorage(() => sessionStorage),
      partialize: ({ justifications, submitAttempt, lastSearch, destructiveConfirmed }) => ({ justifications, submitAttempt, lastSearch, destructiveConfirmed }),
    },
  ),
);

export const draftKeyOf = (tenant: string, environment: string) => `${tenant}/${environment}`;
