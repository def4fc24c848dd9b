import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { resetMockBackend } from '#mocks/node.ts';
import { mockGridLayout } from '#src/test/layout.ts';
import { renderApp } from '#src/test/render.tsx';
import { useWizardDraftStore } from '#src/features/rollback/stores/wizard-draft-store.ts';

// End to end through the real API app over the in-memory demo data: acme/staging needs no approval.
beforeEach(() => {
  resetMockBackend();
  mockGridLayout();
});

afterEach(() => {
  vi.restoreAllMocks();
  useWizardDraftStore.setState({ justifications: {}, submitAttempt: null, lastSearch: null });
  sessionStorage.clear();
});

describe('rollback journey against the demo backend', () => {
  it('goes from the history panel to a completed service rollback in at most six interactions', { timeout: 90_000 }, async () => {
    const user = userEvent.setup();
    const { router } = renderApp({ route: '/targets/acme/staging' });
    await waitFor(() => expect(screen.getAllByTestId('history-row').length).toBeGreaterThan(3), { timeout: 10_000 });
    const row = screen.getAllByTestId('history-row')[1] as HTMLElement;
    const targetSha = row.dataset.sha ?? '';
    // Counted from the page's own events, in the capture phase (as the e2e journey counts them): each
    // press of a pointer is one interaction; typed text is not counted, but clicking into the field is.
    let interactions = 0;
    const countPress = () => {
      interactions += 1;
    };
    window.addEventListener('pointerdown', countPress, { capture: true });
    const click = (element: HTMLElement) => user.click(element);

    await click(within(row).getByRole('button', { name: /^Rollback to revision/ }));
    // The first visit loads the lazy wizard route.
    await screen.findByRole('heading', { level: 2, name: /How much should go back/ });
    await click(screen.getByRole('button', { name: 'Next' }));
    await screen.findByRole('heading', { level: 2, name: /Which revision, and which service/ });
    // The revision comes from the link; the only service changed since it is chosen for us.
    await waitFor(() => expect(screen.getAllByRole('radio', { checked: true })).toHaveLength(2));
    await click(screen.getByRole('button', { name: 'Next' }));
    await screen.findByRole('heading', { level: 2, name: /What will the rollback commit/ });
    await screen.findAllByTestId('breakdown-row');
    await click(screen.getByRole('button', { name: 'Next' }));
    await screen.findByRole('heading', { level: 2, name: /Why, and submit/ });
    expect(screen.getByTestId('approval-outcome')).toHaveTextContent('Executes immediately');
    await screen.findByText(/planned on/);
    await user.type(screen.getByLabelText('Justification (required)'), 'bad release');
    await click(screen.getByRole('button', { name: 'Roll back now' }));

    await waitFor(() => expect(router.state.location.pathname).toMatch(/^\/rollbacks\/rbk-/));
    expect(await screen.findByTestId('request-state', {}, { timeout: 10_000 })).toHaveTextContent('Completed');
    // The submit button is gone with the wizard: focus lands on the new request's heading.
    await waitFor(() => expect(screen.getByRole('heading', { level: 1, name: /^\w+ rollback of (\w+ in )?acme\/staging/ })).toHaveFocus());
    expect(screen.getByTestId('commit-sha')).toHaveTextContent(/^[0-9a-f]{7}$/);
    expect(screen.getByText(/Restores revision/).nextElementSibling).toHaveTextContent(targetSha.slice(0, 7));
    window.removeEventListener('pointerdown', countPress, { capture: true });
    // Five clicks through the wizard and one into the justification field.
    expect(interactions).toBe(6);
  });
});
