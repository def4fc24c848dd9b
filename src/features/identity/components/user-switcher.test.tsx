import { screen, waitFor } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { http, HttpResponse } from 'msw';
import { afterEach, describe, expect, it } from 'vitest';
import { server } from '#mocks/node.ts';
import { demoUsers, makeTarget } from '#src/test/fixtures.ts';
import { renderWithRouter } from '#src/test/render.tsx';
import { useIdentityStore } from '#src/features/identity/stores/identity-store.ts';
import { UserSwitcher } from './user-switcher.tsx';

afterEach(() => {
  useIdentityStore.setState({ email: null });
  localStorage.clear();
});

/** /api/me answers as whoever the header names (default: the first user), like the demo server. */
function serveIdentity() {
  const headers: (string | null)[] = [];
  server.use(
    http.get('*/api/me', ({ request }) => {
      const email = request.headers.get('x-forwarded-email');
      headers.push(email);
      const user = demoUsers.find((candidate) => candidate.email === email) ?? demoUsers[0];
      return HttpResponse.json({ user, breakGlass: null, identityMode: 'demo' });
    }),
    http.get('*/api/users', () => HttpResponse.json({ users: demoUsers })),
    http.get('*/api/targets', () => HttpResponse.json({ targets: [makeTarget()] })),
  );
  return headers;
}

describe('UserSwitcher', () => {
  it('shows the current user and lists demo users with their roles', async () => {
    serveIdentity();
    renderWithRouter(<UserSwitcher />);
    const select = await screen.findByLabelText('Acting as');
    expect(select).toHaveValue('alice@example.com');
    expect(screen.getAllByRole('option').map((option) => option.textContent)).toEqual([
      'Alice Admin (requester, approver, admin)',
      'Bob Approver (approver)',
    ]);
  });

  it('switches user: persists the choice, sends it as the identity header and refetches', async () => {
    const headers = serveIdentity();
    const user = userEvent.setup();
    renderWithRouter(<UserSwitcher />);
    await user.selectOptions(await screen.findByLabelText('Acting as'), 'bob@example.com');

    expect(useIdentityStore.getState().email).toBe('bob@example.com');
    expect(JSON.parse(localStorage.getItem('rewind.identity') ?? '{}')).toMatchObject({
      state: { email: 'bob@example.com' },
    });
    await waitFor(() => expect(headers.at(-1)).toBe('bob@example.com'));
    expect(screen.getByLabelText('Acting as')).toHaveValue('bob@example.com');
  });

  it('shows just the current user when the server lists no users (proxy mode)', async () => {
    serveIdentity();
    server.use(
      http.get('*/api/users', () =>
        HttpResponse.json({ error: { code: 'NOT_FOUND', message: 'not in demo mode' } }, { status: 404 }),
      ),
    );
    renderWithRouter(<UserSwitcher />);
    expect(await screen.findByText(/Alice Admin/)).toHaveTextContent('Alice Admin (requester, approver, admin)');
    await waitFor(() => expect(screen.queryByText('Signing in…')).not.toBeInTheDocument());
    expect(screen.queryByLabelText('Acting as')).not.toBeInTheDocument();
  });
});
