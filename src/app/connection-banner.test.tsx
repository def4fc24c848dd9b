import { act, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { http, HttpResponse } from 'msw';
import { afterEach, describe, expect, it } from 'vitest';
import { server } from '#mocks/node.ts';
import { useConnectionStore } from '#src/lib/connection-store.ts';
import { demoUsers, makeTarget } from '#src/test/fixtures.ts';
import { renderApp } from '#src/test/render.tsx';

const target = makeTarget();

afterEach(() => {
  useConnectionStore.setState({ apiDown: false, streamDown: false, lastAnswerAt: null });
});

describe('connection state', () => {
  it('says the server is out of reach, and refetches what failed once it answers again', { timeout: 30_000 }, async () => {
    let reachable = false;
    server.use(
      http.get('*/api/me', () => (reachable ? HttpResponse.json({ user: demoUsers[0], breakGlass: null }) : HttpResponse.error())),
      http.get('*/api/users', () => HttpResponse.json({ users: demoUsers })),
      http.get('*/api/targets', () => (reachable ? HttpResponse.json({ targets: [target] }) : HttpResponse.error())),
    );
    renderApp({ route: '/' });
    const banner = await screen.findByTestId('connection-banner', {}, { timeout: 5_000 });
    expect(banner).toHaveTextContent('Connection to Rewind lost, retrying. Nothing could be loaded yet.');
    expect(await screen.findByRole('alert', {}, { timeout: 5_000 })).toHaveTextContent('Could not load targets');

    reachable = true;
    await userEvent.click(within(banner).getByRole('button', { name: 'Retry now' }));
    // No Retry on the failed list was pressed: coming back refetched it.
    expect(await screen.findAllByTestId('target-row', {}, { timeout: 5_000 })).toHaveLength(1);
    expect(screen.queryByTestId('connection-banner')).not.toBeInTheDocument();
  });

  it('greys health and sync as last known while the connection is lost, with the time of the data', { timeout: 30_000 }, async () => {
    server.use(
      http.get('*/api/me', () => HttpResponse.json({ user: demoUsers[0], breakGlass: null })),
      http.get('*/api/users', () => HttpResponse.json({ users: demoUsers })),
      http.get('*/api/targets', () => HttpResponse.json({ targets: [target] })),
    );
    renderApp({ route: '/' });
    const row = (await screen.findAllByTestId('target-row', {}, { timeout: 5_000 }))[0] as HTMLElement;
    const health = within(row).getByText('Degraded').closest('.badge') as HTMLElement;
    expect(health).not.toHaveAttribute('data-stale');

    act(() => useConnectionStore.getState().streamLost());
    const banner = screen.getByTestId('connection-banner');
    expect(banner).toHaveTextContent(/Live updates interrupted, retrying\. Data as of \d{1,2}:\d{2}/);
    const stale = within(row).getByText('Degraded').closest('.badge') as HTMLElement;
    expect(stale).toHaveAttribute('data-stale', 'true');
    expect(stale).toHaveClass('badge--stale-status');
    expect(stale).toHaveTextContent('Last known: Degraded');

    act(() => useConnectionStore.getState().streamOpened());
    await waitFor(() => expect(screen.queryByTestId('connection-banner')).not.toBeInTheDocument());
    expect(within(row).getByText('Degraded').closest('.badge')).not.toHaveAttribute('data-stale');
  });
});
