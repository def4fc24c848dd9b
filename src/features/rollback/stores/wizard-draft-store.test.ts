import { afterEach, describe, expect, it } from 'vitest';
import { draftKeyOf, useWizardDraftStore } from './wizard-draft-store.ts';

const STORAGE_KEY = 'rewind.rollback-wizard';

afterEach(() => {
  useWizardDraftStore.setState({ justifications: {}, submitAttempt: null, lastSearch: null });
  sessionStorage.clear();
});

describe('wizard draft store', () => {
  it('keeps justification drafts per target in sessionStorage, and restores them', async () => {
    useWizardDraftStore.getState().setJustification(draftKeyOf('acme', 'production'), 'payments v2.14.0 times out');
    const stored = JSON.parse(sessionStorage.getItem(STORAGE_KEY) ?? '{}') as { state: { justifications: Record<string, string> } };
    expect(stored.state.justifications).toEqual({ 'acme/production': 'payments v2.14.0 times out' });
    expect(localStorage.getItem(STORAGE_KEY)).toBeNull();

    // A reload: memory is gone, sessionStorage is not.
    useWizardDraftStore.setState({ justifications: {} });
    sessionStorage.setItem(STORAGE_KEY, JSON.stringify(stored));
    await useWizardDraftStore.persist.rehydrate();
    expect(useWizardDraftStore.getState().justifications['acme/production']).toBe('payments v2.14.0 times out');
  });

  it('reuses the idempotency key for a retried body and makes a new one for a changed body', () => {
    const { beginSubmit } = useWizardDraftStore.getState();
    const first = beginSubmit('{"justification":"a"}');
    expect(beginSubmit('{"justification":"a"}')).toBe(first);
    const second = beginSubmit('{"justification":"b"}');
    expect(second).not.toBe(first);
    expect(JSON.parse(sessionStorage.getItem(STORAGE_KEY) ?? '{}').state.submitAttempt.idempotencyKey).toBe(second);
  });

  it('forgets the draft, the attempt and the resume link once the request is submitted', () => {
    const state = useWizardDraftStore.getState();
    state.setJustification('acme/production', 'x');
    state.setJustification('acme/staging', 'y');
    state.rememberSearch('tenant=acme&environment=production');
    state.beginSubmit('{}');
    useWizardDraftStore.getState().finishSubmit('acme/production');
    expect(useWizardDraftStore.getState()).toMatchObject({
      justifications: { 'acme/staging': 'y' },
      submitAttempt: null,
      lastSearch: null,
    });
  });
});
