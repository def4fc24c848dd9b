import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { http, HttpResponse } from 'msw';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { server } from '#mocks/node.ts';
import { makeHistoryPage, makeTarget, demoUsers } from '#src/test/fixtures.ts';
import { mockGridLayout } from '#src/test/layout.ts';
import { renderApp } from '#src/test/render.tsx';

const acmeProduction = makeTarget();
const globexStaging = makeTarget({ tenant: 'globex', environment: 'staging', plan: 'pro', health: 'healthy', head: null });

/** A small, fixed backend so these tests do not depend on the demo data set. */
function serveBackend() {
  server.use(
    http.get('*/api/me', () => HttpResponse.json({ user: demoUsers[0], breakGlass: null, identityMode: 'demo' })),
    http.get('*/api/users', () => HttpResponse.json({ users: demoUsers })),
    http.get('*/api/targets', () => HttpResponse.json({ targets: [acmeProduction, globexStaging] })),
    http.get('*/api/targets/acme/production', () => HttpResponse.json({ target: acmeProduction })),
    http.get('*/api/targets/:tenant/:environment', ({ params }) =>
      HttpResponse.json(
        { error: { code: 'NOT_FOUND', message: `unknown target ${String(params.tenant)}/${String(params.environment)}` } },
        { status: 404 },
      ),
    ),
    http.get('*/api/targets/acme/production/history', () => HttpResponse.json(makeHistoryPage(0, 5, null))),
  );
}

beforeEach(() => {
  serveBackend();
  mockGridLayout();
});

afterEach(() => {
  vi.restoreAllMocks();
});

describe('app routes', () => {
  it('lists every target on the overview with plan, head, health and sync, linking to its page', async () => {
    renderApp({ route: '/' });
    const rows = await screen.findAllByTestId('target-row', {}, { timeout: 5_000 });
    expect(rows).toHaveLength(2);
    const acme = within(rows[0] as HTMLElement);
    expect(acme.getByRole('link', { name: 'acme / production' })).toHaveAttribute('href', '/targets/acme/production');
    expect(acme.getByText('enterprise')).toBeInTheDocument();
    expect(within(acme.getByTestId('target-live')).getByText(acmeProduction.head?.sha.slice(0, 7) ?? '')).toHaveAttribute('title', acmeProduction.head?.sha);
    // Every cluster value names its source.
    expect(acme.getByText('Degraded').closest('.badge')).toHaveTextContent('Degradedsimulated');
    expect(acme.getByText('Synced').closest('.badge')).toHaveTextContent('Syncedsimulated');
    const time = rows[0]?.querySelector('time');
    expect(time).toHaveAttribute('dateTime', '2025-11-20T10:00:00Z');
    expect(time).toHaveAttribute('title', '2025-11-20 10:00:00 UTC');
    expect(within(rows[1] as HTMLElement).getByText('No revisions yet')).toBeInTheDocument();
  });

  it('has a skip link to the main content and names the product in the header', async () => {
    renderApp({ route: '/' });
    expect(await screen.findByRole('link', { name: 'Skip to content' }, { timeout: 5_000 })).toHaveAttribute('href', '#main');
    expect(screen.getByRole('main')).toHaveAttribute('id', 'main');
    expect(screen.getByRole('banner')).toHaveTextContent('Rewind');
    await screen.findAllByTestId('target-row');
  });

  it('shows the target page with its header, service chips and history', async () => {
    renderApp({ route: '/targets/acme/production' });
    expect(await screen.findByRole('heading', { level: 1, name: /acme\s*\/\s*production/ }, { timeout: 5_000 })).toBeInTheDocument();
    const services = screen.getAllByTestId('service-status');
    expect(services.map((service) => service.textContent)).toEqual([
      'api-gatewayHealthysimulatedSyncedsimulated',
      'paymentsDegradedsimulatedSyncedsimulated',
      'checkoutHealthysimulatedOut of syncsimulated',
    ]);
    await waitFor(() => expect(screen.getAllByTestId('history-row')).toHaveLength(5), { timeout: 5_000 });
  });

  it('asks for the target and its history at once, not one after the other', async () => {
    const asked: string[] = [];
    let releaseTarget = () => {};
    const targetHeld = new Promise<void>((resolve) => (releaseTarget = resolve));
    server.use(
      http.get('*/api/targets/acme/production', async () => {
        asked.push('target');
        await targetHeld;
        return HttpResponse.json({ target: acmeProduction });
      }),
      http.get('*/api/targets/acme/production/history', () => {
        asked.push('history');
        return HttpResponse.json(makeHistoryPage(0, 5, null));
      }),
    );
    renderApp({ route: '/targets/acme/production' });
    // The history is asked for while the target's answer is still held back.
    await waitFor(() => expect(asked).toEqual(expect.arrayContaining(['target', 'history'])), { timeout: 5_000 });
    releaseTarget();
    await waitFor(() => expect(screen.getAllByTestId('history-row')).toHaveLength(5), { timeout: 5_000 });
  });

  it('opens a target from the overview with the target the list loaded, without asking for it again', async () => {
    let targetCalls = 0;
    server.use(
      http.get('*/api/targets/acme/production', () => {
        targetCalls += 1;
        return HttpResponse.json({ target: acmeProduction });
      }),
    );
    renderApp({ route: '/' });
    await userEvent.click(await screen.findByRole('link', { name: 'acme / production' }, { timeout: 5_000 }));
    expect(await screen.findByRole('heading', { level: 1, name: /acme\s*\/\s*production/ }, { timeout: 5_000 })).toBeInTheDocument();
    await waitFor(() => expect(screen.getAllByTestId('history-row')).toHaveLength(5), { timeout: 5_000 });
    expect(targetCalls).toBe(0);
  });

  it('shows not-found when the API does not know the target', async () => {
    renderApp({ route: '/targets/acme/nowhere' });
    expect(await screen.findByRole('heading', { name: 'Not found' }, { timeout: 5_000 })).toBeInTheDocument();
    expect(screen.getByText('There is no target acme/nowhere.')).toBeInTheDocument();
    expect(screen.getByRole('link', { name: 'Back to all targets' })).toHaveAttribute('href', '/');
  });

  it('shows not-found for an unknown URL', async () => {
    renderApp({ route: '/no/such/page' });
    expect(await screen.findByRole('heading', { name: 'Not found' }, { timeout: 5_000 })).toBeInTheDocument();
    expect(screen.getByRole('link', { name: 'Back to all targets' })).toHaveAttribute('href', '/');
  });

  it('shows an error, never a blank page, when the target response fails validation', async () => {
    server.use(
      http.get('*/api/targets/acme/production', () =>
        HttpResponse.json({ target: { ...acmeProduction, health: 'on fire' } }),
      ),
    );
    renderApp({ route: '/targets/acme/production' });
    const alert = await screen.findByRole('alert', {}, { timeout: 5_000 });
    expect(alert).toHaveTextContent('Could not load acme/production');
    expect(alert).toHaveTextContent('target.health');
    expect(within(alert).getByRole('button', { name: 'Retry' })).toBeInTheDocument();
  });

  it('shows an error on the overview when the targets response fails validation', async () => {
    server.use(http.get('*/api/targets', () => HttpResponse.json({ targets: 'nope' })));
    renderApp({ route: '/' });
    expect(await screen.findByRole('alert')).toHaveTextContent('INVALID_RESPONSE');
  });

  it('opens the compare view at its URL, with the server\'s message for an unknown revision and a way back', async () => {
    const from = 'a'.repeat(40);
    renderApp({ route: `/targets/acme/production/compare?from=${from}&to=head` });
    expect(await screen.findByRole('heading', { name: 'Compare revisions of acme/production' }, { timeout: 5_000 })).toBeInTheDocument();
    expect(await screen.findByRole('alert')).toHaveTextContent(`unknown revision ${from}`);
    expect(screen.getByRole('link', { name: 'acme/production' })).toHaveAttribute('href', '/targets/acme/production');
  });

  it('opens the rollback wizard with the target and revision of the link, at the scope step', async () => {
    const revision = 'b'.repeat(40);
    renderApp({ route: `/rollback/new?tenant=acme&environment=production&revision=${revision}` });
    expect(await screen.findByRole('heading', { level: 1, name: 'New rollback' })).toBeInTheDocument();
    expect(screen.getByRole('heading', { level: 2 })).toHaveTextContent('How much should go back?');
    expect(screen.getByText(`acme/production · to ${revision.slice(0, 7)}`)).toBeInTheDocument();
  });
});
