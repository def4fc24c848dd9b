import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { resetMockBackend } from '#mocks/node.ts';
import { useIdentityStore } from '#src/features/identity/stores/identity-store.ts';
import { mockGridLayout } from '#src/test/layout.ts';
import { renderApp } from '#src/test/render.tsx';

// End to end through the real API app over the in-memory demo data (mocks/node.ts).
beforeEach(() => {
  resetMockBackend();
  mockGridLayout();
});

afterEach(() => {
  vi.restoreAllMocks();
  useIdentityStore.setState({ email: null });
  localStorage.clear();
});

const rows = () => screen.queryAllByTestId('history-row');

describe('against the demo backend', () => {
  it('lists all five demo targets on the overview', async () => {
    renderApp({ route: '/' });
    const targetRows = await screen.findAllByTestId('target-row');
    expect(targetRows.map((row) => within(within(row).getByRole('rowheader')).getByRole('link').textContent)).toEqual([
      'acme / production',
      'acme / staging',
      'globex / production',
      'globex / staging',
      'initech / production',
    ]);
    // The failing payments service of acme/production, and only it, offers its rollback (decision 044).
    const offered = screen.getAllByRole('link', { name: /^Roll back / });
    expect(offered.map((link) => link.getAttribute('aria-label'))).toEqual(['Roll back payments in acme/production']);
    expect(offered[0]).toHaveAttribute('href', '/rollback/new?tenant=acme&environment=production&mode=service&service=payments&step=revision');
  });

  it('marks the failed payments release of acme/production as current, without a rollback action', async () => {
    renderApp({ route: '/targets/acme/production' });
    await waitFor(() => expect(rows().length).toBeGreaterThan(5), { timeout: 10_000 });
    const first = rows()[0] as HTMLElement;
    const head = screen.getByText('Branch head').parentElement?.querySelector('code');
    expect(head?.getAttribute('title')).toBe(first.dataset.sha);
    // The simulated cluster runs the head: marked live, and labelled simulated.
    expect(screen.getByTestId('live-revision').querySelector('code')?.getAttribute('title')).toBe(first.dataset.sha);
    expect(within(first).getByTestId('deploy-mark')).toHaveTextContent('live');
    expect(screen.getByTestId('cluster-source')).toHaveTextContent('simulated cluster (demo)');
    expect(within(first).getByText('branch head')).toBeInTheDocument();
    expect(within(first).getByText('Failed')).toBeInTheDocument();
    expect(within(first).getByText('payments')).toBeInTheDocument();
    expect(within(first).queryByRole('button', { name: /^Rollback to revision/ })).not.toBeInTheDocument();
    expect(within(rows()[1] as HTMLElement).getByRole('button', { name: /^Rollback to revision [0-9a-f]{7}$/ }));
  });

  it('finds the rolled-back checkout release and the rollback that undid it', async () => {
    renderApp({ route: '/targets/acme/production?status=rolled-back' });
    await waitFor(() => expect(rows()).toHaveLength(1));
    const row = rows()[0] as HTMLElement;
    expect(within(row).getByText('Rolled back')).toBeInTheDocument();
    expect(within(row).getByText(/checkout/, { selector: '.history-summary' })).toBeInTheDocument();
    expect(within(row).getByTitle(/^Undone by rollback commit [0-9a-f]{40}$/)).toHaveTextContent(/^[0-9a-f]{7}$/);
  });

  it('switches the acting user through the header', async () => {
    const user = userEvent.setup();
    renderApp({ route: '/' });
    const select = await screen.findByLabelText('Acting as');
    expect(select).toHaveDisplayValue('Sam Rivera (requester)');
    await user.selectOptions(select, 'dana@example.com');
    await waitFor(() => expect(screen.getByLabelText('Acting as')).toHaveDisplayValue('Dana Whitfield (approver)'));
    expect(useIdentityStore.getState().email).toBe('dana@example.com');
  });
});
