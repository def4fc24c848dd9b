import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { http, HttpResponse } from 'msw';
import { describe, expect, it, vi } from 'vitest';
import type { BreakGlass, User } from '#core/schemas.ts';
import { server } from '#mocks/node.ts';
import { makeTarget } from '#src/test/fixtures.ts';
import { renderApp } from '#src/test/render.tsx';
import { formatRemaining } from '#src/features/identity/hooks/use-countdown.ts';

const olu: User = { email: 'olu@example.com', name: 'Olu Adeyemi', roles: ['requester', 'break-glass'] };
const sam: User = { email: 'sam@example.com', name: 'Sam Rivera', roles: ['requester'] };

/** `/api/me` with a session that the break-glass endpoints open and close, as the server does. */
function serveBreakGlass(user: User, initial: BreakGlass | null = null) {
  const state = { session: initial };
  const opened: unknown[] = [];
  let closed = 0;
  server.use(
    http.get('*/api/me', () => HttpResponse.json({ user, breakGlass: state.session, identityMode: 'demo', can: { breakGlass: user.roles.some((role) => role === 'break-glass' || role === 'admin'), review: false } })),
    http.get('*/api/users', () => HttpResponse.json({ users: [user] })),
    http.get('*/api/targets', () => HttpResponse.json({ targets: [makeTarget()] })),
    http.post('*/api/break-glass', async ({ request }) => {
      const body = (await request.json()) as { justification: string; minutes: number };
      opened.push(body);
      const now = Date.now();
      state.session = {
        user: user.email,
        justification: body.justification,
        openedAt: new Date(now).toISOString(),
        expiresAt: new Date(now + body.minutes * 60_000).toISOString(),
      };
      return HttpResponse.json({ breakGlass: state.session }, { status: 201 });
    }),
    http.delete('*/api/break-glass', () => {
      closed += 1;
      state.session = null;
      return new HttpResponse(null, { status: 204 });
    }),
  );
  return { state, opened, closed: () => closed };
}

const openDialog = async () => {
  const user = userEvent.setup();
  renderApp({ route: '/' });
  await user.click(await screen.findByRole('button', { name: 'Break glass' }));
  const dialog = await screen.findByRole('dialog', { name: 'Open a break-glass session' });
  return { user, dialog: within(dialog), element: dialog };
};

describe('break-glass', () => {
  it('is offered only to roles that may open it', { timeout: 30_000 }, async () => {
    serveBreakGlass(sam);
    renderApp({ route: '/' });
    await screen.findByText(/Sam Rivera/);
    expect(screen.queryByRole('button', { name: 'Break glass' })).not.toBeInTheDocument();
  });

  it('requires a justification with something visible in it', { timeout: 30_000 }, async () => {
    const { opened } = serveBreakGlass(olu);
    const { user, dialog } = await openDialog();
    expect(dialog.getByRole('radio', { name: '30 minutes' })).toBeChecked();
    expect(dialog.getAllByRole('radio').map((radio) => radio.getAttribute('value'))).toEqual(['15', '30', '60', '120']);
    await user.click(dialog.getByRole('button', { name: 'Open break-glass' }));
    expect(dialog.getByRole('alert')).toHaveTextContent('Say why you need break-glass: a justification is required.');
    expect(dialog.getByLabelText('Justification (required)')).toHaveAttribute('aria-invalid', 'true');
    expect(dialog.getByLabelText('Justification (required)')).toHaveFocus();
    await user.type(dialog.getByLabelText('Justification (required)'), '   \u200B\u202E ');
    await user.click(dialog.getByRole('button', { name: 'Open break-glass' }));
    expect(dialog.getByRole('alert')).toHaveTextContent('a justification is required');
    expect(opened).toEqual([]);
  });

  it('opens a session: the banner shows the time left, the justification and a way to close it', { timeout: 30_000 }, async () => {
    const { opened, closed } = serveBreakGlass(olu);
    const { user, dialog, element } = await openDialog();
    await user.type(dialog.getByLabelText('Justification (required)'), 'INC-4211 checkout down, no approver reachable');
    await user.click(dialog.getByRole('radio', { name: '1 hour' }));
    await user.click(dialog.getByRole('button', { name: 'Open break-glass' }));
    expect(opened).toEqual([{ justification: 'INC-4211 checkout down, no approver reachable', minutes: 60 }]);

    const banner = within(await screen.findByRole('region', { name: 'Break-glass is active' }));
    expect(element).not.toBeInTheDocument();
    expect(banner.getByTestId('break-glass-remaining')).toHaveTextContent(/^(1:00:00|59:5\d) left$/);
    expect(banner.getByTestId('break-glass-justification')).toHaveTextContent('INC-4211 checkout down, no approver reachable');
    expect(screen.getByRole('region', { name: 'Break-glass is active' })).toHaveFocus();
    expect(screen.queryByRole('button', { name: 'Break glass' })).not.toBeInTheDocument();

    await user.click(banner.getByRole('button', { name: 'Close break-glass' }));
    await waitFor(() => expect(screen.queryByRole('region', { name: 'Break-glass is active' })).not.toBeInTheDocument());
    expect(closed()).toBe(1);
    expect(await screen.findByRole('button', { name: 'Break glass' })).toBeInTheDocument();
  });

  it('shows the server message when opening is refused, and Cancel closes the dialog', { timeout: 30_000 }, async () => {
    serveBreakGlass(olu);
    server.use(
      http.post('*/api/break-glass', () =>
        HttpResponse.json({ error: { code: 'FORBIDDEN', message: 'opening break-glass requires one of the roles break-glass, admin' } }, { status: 403 }),
      ),
    );
    const { user, dialog, element } = await openDialog();
    await user.type(dialog.getByLabelText('Justification (required)'), 'db down');
    await user.click(dialog.getByRole('button', { name: 'Open break-glass' }));
    expect(await dialog.findByRole('alert')).toHaveTextContent('opening break-glass requires one of the roles break-glass, admin');
    await user.click(dialog.getByRole('button', { name: 'Cancel' }));
    expect(element).not.toBeInTheDocument();
    expect(screen.getByRole('button', { name: 'Break glass' })).toHaveFocus();
  });

  it('shows an active session on every page with hidden characters visible, and ends it at expiry', async () => {
    // The clock is set by the test, not read: the countdown and its expiry do not depend on how fast
    // the page renders. Timers stay real, so the countdown's 1 s tick notices when the clock moves.
    vi.useFakeTimers({ toFake: ['Date'] });
    try {
      const now = Date.parse('2026-11-20T09:00:00.000Z');
      vi.setSystemTime(now);
      const { state } = serveBreakGlass(olu, {
        user: olu.email,
        justification: 'db down\u202E',
        openedAt: new Date(now - 60_000).toISOString(),
        expiresAt: new Date(now + 90_000).toISOString(),
      });
      renderApp({ route: '/audit' });
      const banner = within(await screen.findByRole('region', { name: 'Break-glass is active' }));
      expect(banner.getByTestId('break-glass-justification')).toHaveTextContent('db down⟨U+202E⟩');
      expect(banner.getByTestId('break-glass-remaining')).toHaveTextContent(/^1:30 left$/);
      state.session = null;
      vi.setSystemTime(now + 90_000);
      await waitFor(() => expect(screen.queryByRole('region', { name: 'Break-glass is active' })).not.toBeInTheDocument());
    } finally {
      vi.useRealTimers();
    }
  });
});

describe('formatRemaining', () => {
  it('shows minutes and seconds, and hours when there are any', () => {
    expect(formatRemaining(0)).toBe('0:00');
    expect(formatRemaining(999)).toBe('0:01');
    expect(formatRemaining(14 * 60_000 + 32_000)).toBe('14:32');
    expect(formatRemaining(2 * 3_600_000 + 5_000)).toBe('2:00:05');
  });
});
