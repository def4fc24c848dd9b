import { act, fireEvent, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { delay, http, HttpResponse } from 'msw';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { server } from '#mocks/node.ts';
import type { HistoryResponse, Target } from '#core/schemas.ts';
import { fakeSha, makeHistoryPage, makeRevision, makeTarget } from '#src/test/fixtures.ts';
import { mockGridLayout } from '#src/test/layout.ts';
import { renderWithRouter } from '#src/test/render.tsx';
import { HISTORY_CARDS_QUERY } from '#src/features/history/hooks/use-history-cards.ts';
import { DeploymentHistoryPanel } from './deployment-history-panel.tsx';
import { ROW_HEIGHT } from './history-grid.tsx';

const HISTORY_URL = '*/api/targets/acme/production/history';

/** Serves `pages` in order by cursor (`p1`, `p2`, ...) and records every request URL. */
function serveHistory(pages: HistoryResponse[]) {
  const requests: URL[] = [];
  server.use(
    http.get(HISTORY_URL, ({ request }) => {
      const url = new URL(request.url);
      requests.push(url);
      const cursor = url.searchParams.get('cursor');
      const index = cursor ? Number(cursor.slice(1)) - 1 : 0;
      return HttpResponse.json(pages[index] ?? { revisions: [], nextCursor: null });
    }),
  );
  return requests;
}

function renderPanel(target: Target = makeTarget(), search = '') {
  return renderWithRouter(<DeploymentHistoryPanel target={target} />, {
    path: '/targets/:tenant/:environment',
    route: `/targets/acme/production${search}`,
  });
}

const rows = () => screen.queryAllByTestId('history-row');
const row = (n: number) => {
  const found = rows().find((element) => element.dataset.sha === fakeSha(n));
  if (!found) throw new Error(`row ${n} is not rendered`);
  return found;
};

beforeEach(() => {
  mockGridLayout(520);
});

afterEach(() => {
  vi.useRealTimers();
  vi.restoreAllMocks();
});

describe('DeploymentHistoryPanel', () => {
  it('shows a busy skeleton while the first page loads', async () => {
    server.use(http.get(HISTORY_URL, () => delay('infinite')));
    renderPanel();
    const skeleton = await screen.findByRole('status', { name: 'Loading deployment history' });
    expect(skeleton).toHaveAttribute('aria-busy', 'true');
    expect(rows()).toHaveLength(0);
  });

  it('lists revisions with their badges, marks the current one and offers actions on the others', async () => {
    serveHistory([
      {
        revisions: [
          makeRevision(0, { status: 'failed', source: 'release', services: ['payments'], summary: 'payments v2.4.0' }),
          makeRevision(1, { source: 'hotfix' }),
          makeRevision(2, { status: 'rolled-back', rolledBackBy: fakeSha(9), services: ['checkout', 'web'] }),
          makeRevision(3, {
            source: 'rollback',
            rollback: { requestId: 'rbk-1', targetSha: fakeSha(4), mode: 'service' },
          }),
        ],
        nextCursor: null,
      },
    ]);
    renderPanel();

    await waitFor(() => expect(rows()).toHaveLength(4));
    const grid = screen.getByRole('grid', { name: 'Deployment history of acme/production' });
    expect(grid).toHaveAttribute('aria-rowcount', '5');
    expect(row(2)).toHaveAttribute('aria-rowindex', '4');

    const current = within(row(0));
    expect(current.getByText('branch head')).toBeInTheDocument();
    expect(current.getByText('Failed')).toBeInTheDocument();
    expect(current.getByText('payments v2.4.0')).toBeInTheDocument();
    expect(current.getByText(fakeSha(0).slice(0, 7))).toHaveAttribute('title', fakeSha(0));
    expect(current.queryByRole('button', { name: /rollback/i })).not.toBeInTheDocument();
    // Decision 048: blanks as wide as the missing buttons keep the Actions column aligned, unseen and unread.
    const blank = row(0).querySelector('.history-actions-spacer');
    expect(blank).toHaveAttribute('aria-hidden', 'true');
    // Drawn by CSS from data-label: no text a search or getByText would find.
    expect([...(blank?.children ?? [])].map((span) => span.getAttribute('data-label'))).toEqual(['Rollback', 'Compare']);
    expect(blank).toHaveTextContent(/^$/);
    expect(current.queryAllByText(/^(Rollback|Compare)$/)).toEqual([]);
    expect(current.getByRole('link', { name: `Details of revision ${fakeSha(0).slice(0, 7)}` })).toBeInTheDocument();
    const actionsHeader = screen.getByRole('columnheader', { name: 'Actions' });
    expect(actionsHeader.querySelector('.history-actions-sizer')).toHaveAttribute('aria-hidden', 'true');
    // The author's name may end in an ellipsis: the title tells it in full, with the address.
    expect(row(1).querySelector('.history-cell--author')?.getAttribute('title')).toMatch(/^Author \d+ <author\d+@example\.com>$/);

    expect(within(row(1)).getByText('Hotfix')).toBeInTheDocument();
    expect(within(row(1)).queryByText('branch head')).not.toBeInTheDocument();
    const rolledBack = within(row(2));
    expect(rolledBack.getByText('Rolled back')).toBeInTheDocument();
    expect(rolledBack.getByText(fakeSha(9).slice(0, 7))).toBeInTheDocument();
    expect(rolledBack.getByText('checkout')).toBeInTheDocument();
    expect(within(row(3)).getByText('Rollback', { selector: '.badge' })).toBeInTheDocument();
    expect(within(row(3)).getByText(/restores/)).toHaveTextContent(`restores ${fakeSha(4).slice(0, 7)} (service)`);

    expect(screen.getByRole('button', { name: `Rollback to revision ${fakeSha(1).slice(0, 7)}` })).toBeInTheDocument();
    expect(
      screen.getByRole('button', { name: `Compare revision ${fakeSha(2).slice(0, 7)} with current` }),
    ).toBeInTheDocument();
  });

  it('marks the live row, the rows not deployed yet and those that failed to deploy, from the agent', async () => {
    serveHistory([{ revisions: [0, 1, 2, 3, 4].map((n) => makeRevision(n)), nextCursor: null }]);
    const behind = makeTarget({
      head: { sha: fakeSha(0), timestamp: '2025-11-20T12:30:00Z' },
      cluster: {
        source: 'argocd',
        liveRevision: fakeSha(3),
        operation: { phase: 'failed', agentPhase: 'Failed', message: 'ImagePullBackOff', revision: fakeSha(1), startedAt: null, finishedAt: null },
        observedAt: '2025-11-20T12:31:00Z',
        reason: null,
        outcomes: [],
        deployment: { state: 'behind', notDeployed: [fakeSha(0), fakeSha(1), fakeSha(2)], notDeployedCount: 3, failedToDeploy: [fakeSha(1), fakeSha(2)], since: '2025-11-20T12:04:00Z' },
      },
    });
    renderPanel(behind);
    await waitFor(() => expect(rows()).toHaveLength(5));
    const mark = (n: number) => within(row(n)).queryByTestId('deploy-mark')?.textContent ?? '';
    expect([0, 1, 2, 3, 4].map(mark)).toEqual(['not deployed yet', 'failed to deploy', 'failed to deploy', 'live', '']);
  });

  it('opens the rollback wizard and the compare view for a revision', async () => {
    serveHistory([makeHistoryPage(0, 3, null)]);
    const user = userEvent.setup();
    const { router } = renderPanel();

    await user.click(await screen.findByRole('button', { name: `Rollback to revision ${fakeSha(2).slice(0, 7)}` }));
    expect(router.state.location.pathname).toBe('/rollback/new');
    expect(Object.fromEntries(new URLSearchParams(router.state.location.search))).toEqual({
      tenant: 'acme',
      environment: 'production',
      revision: fakeSha(2),
    });

    await act(() => router.navigate('/targets/acme/production'));
    await user.click(
      await screen.findByRole('button', { name: `Compare revision ${fakeSha(1).slice(0, 7)} with current` }),
    );
    expect(router.state.location.pathname).toBe('/targets/acme/production/compare');
    expect(router.state.location.search).toBe(`?from=${fakeSha(1)}&to=head`);
  });

  it('shows the server message and retries after an error', async () => {
    server.use(
      http.get(HISTORY_URL, () =>
        HttpResponse.json({ error: { code: 'INTERNAL', message: 'git exploded' } }, { status: 500 }),
      ),
    );
    const user = userEvent.setup();
    renderPanel();

    const alert = await screen.findByRole('alert');
    expect(alert).toHaveTextContent('Could not load deployment history');
    expect(alert).toHaveTextContent('git exploded');

    serveHistory([makeHistoryPage(0, 2, null)]);
    await user.click(within(alert).getByRole('button', { name: 'Retry' }));
    await waitFor(() => expect(rows()).toHaveLength(2));
    expect(screen.queryByText('git exploded')).not.toBeInTheDocument();
  });

  it('shows an error, not a blank panel, when the response fails schema validation', async () => {
    server.use(
      http.get(HISTORY_URL, () =>
        HttpResponse.json({ revisions: [{ ...makeRevision(0), sha: 'not-a-sha' }], nextCursor: null }),
      ),
    );
    renderPanel();
    const alert = await screen.findByRole('alert');
    expect(alert).toHaveTextContent('unexpected response');
    expect(alert).toHaveTextContent('revisions.0.sha');
    expect(alert).toHaveTextContent('INVALID_RESPONSE');
  });

  it('says when no revision matches and clears the filters', async () => {
    const requests = serveHistory([{ revisions: [], nextCursor: null }]);
    const user = userEvent.setup();
    const { router } = renderPanel(makeTarget(), '?status=rolled-back&service=payments');

    expect(await screen.findByText('No revisions match these filters')).toBeInTheDocument();
    expect(requests[0]?.searchParams.get('status')).toBe('rolled-back');
    expect(requests[0]?.searchParams.get('service')).toBe('payments');

    serveHistory([makeHistoryPage(0, 2, null)]);
    await user.click(screen.getByRole('button', { name: 'Clear all filters' }));
    expect(router.state.location.search).toBe('');
    await waitFor(() => expect(rows()).toHaveLength(2));
  });

  it('keeps filters in the URL and sends them with the request', async () => {
    const requests = serveHistory([makeHistoryPage(0, 3, null)]);
    const user = userEvent.setup();
    const { router } = renderPanel(makeTarget(), '?source=hotfix');

    await waitFor(() => expect(rows()).toHaveLength(3));
    expect(screen.getByLabelText('Source')).toHaveValue('hotfix');
    expect(requests.at(-1)?.searchParams.get('source')).toBe('hotfix');

    await user.selectOptions(screen.getByLabelText('Service'), 'payments');
    await user.selectOptions(screen.getByLabelText('Status'), 'failed');
    await waitFor(() => expect(requests.at(-1)?.searchParams.get('status')).toBe('failed'));
    const params = new URLSearchParams(router.state.location.search);
    expect(Object.fromEntries(params)).toEqual({ source: 'hotfix', service: 'payments', status: 'failed' });
    expect(requests.at(-1)?.searchParams.get('service')).toBe('payments');
    expect(requests.at(-1)?.searchParams.get('source')).toBe('hotfix');
    // The service list comes from the target, not from the history loaded so far.
    expect(within(screen.getByLabelText('Service')).getAllByRole('option').map((o) => o.textContent)).toEqual([
      'All',
      'api-gateway',
      'payments',
      'checkout',
    ]);

    await user.click(screen.getByRole('button', { name: 'Clear filters' }));
    expect(router.state.location.search).toBe('');
    await waitFor(() => expect(requests.at(-1)?.searchParams.toString()).toBe('limit=50'));
    expect(screen.getByRole('button', { name: 'Clear filters' })).toBeDisabled();
  });

  it('debounces the free-text search before it reaches the URL and the server', async () => {
    const requests = serveHistory([makeHistoryPage(0, 3, null)]);
    const user = userEvent.setup();
    const { router } = renderPanel();
    await waitFor(() => expect(rows()).toHaveLength(3));
    const before = requests.length;

    await user.type(screen.getByLabelText('Search'), 'payments');
    // Typed fast: nothing committed yet.
    expect(router.state.location.search).toBe('');
    expect(requests).toHaveLength(before);

    await waitFor(() => expect(router.state.location.search).toBe('?q=payments'));
    await waitFor(() => expect(requests.at(-1)?.searchParams.get('q')).toBe('payments'));
    // One request for the whole word, not one per keystroke.
    expect(requests.filter((url) => url.searchParams.has('q'))).toHaveLength(1);
  });

  it('moves the active row with the keyboard and opens compare for it with Enter', async () => {
    serveHistory([makeHistoryPage(0, 30, null)]);
    const user = userEvent.setup();
    const { router } = renderPanel();
    await waitFor(() => expect(rows().length).toBeGreaterThan(0));
    const grid = screen.getByRole('grid');
    const activeSha = () => document.getElementById(grid.getAttribute('aria-activedescendant') ?? '')?.dataset.sha;

    grid.focus();
    expect(activeSha()).toBe(fakeSha(0));
    expect(row(0)).toHaveAttribute('data-active', 'true');

    await user.keyboard('{ArrowDown}{ArrowDown}');
    expect(activeSha()).toBe(fakeSha(2));
    expect(row(2)).toHaveAttribute('data-active', 'true');
    expect(row(0)).not.toHaveAttribute('data-active');

    await user.keyboard('k');
    expect(activeSha()).toBe(fakeSha(1));
    await user.keyboard('j');
    expect(activeSha()).toBe(fakeSha(2));

    await user.keyboard('{End}');
    expect(activeSha()).toBe(fakeSha(29));
    expect(row(29)).toBeInTheDocument();
    await user.keyboard('{Home}');
    expect(activeSha()).toBe(fakeSha(0));
    // Arrow up at the top stays at the top.
    await user.keyboard('{ArrowUp}');
    expect(activeSha()).toBe(fakeSha(0));

    await user.keyboard('{ArrowDown}{Enter}');
    expect(router.state.location.pathname).toBe('/targets/acme/production/compare');
    expect(router.state.location.search).toBe(`?from=${fakeSha(1)}&to=head`);
  });

  it('keeps the row list to one tab stop plus the active row actions', async () => {
    serveHistory([makeHistoryPage(0, 5, null)]);
    const user = userEvent.setup();
    renderPanel();
    await waitFor(() => expect(rows()).toHaveLength(5));
    const grid = screen.getByRole('grid');
    grid.focus();
    await user.keyboard('{ArrowDown}');
    await user.tab();
    expect(document.activeElement).toHaveAccessibleName(`Rollback to revision ${fakeSha(1).slice(0, 7)}`);
    await user.tab();
    expect(document.activeElement).toHaveAccessibleName(`Compare revision ${fakeSha(1).slice(0, 7)} with current`);
    await user.tab();
    expect(document.activeElement).toHaveAccessibleName(`Details of revision ${fakeSha(1).slice(0, 7)}`);
    expect(document.activeElement).toHaveAttribute('href', `/targets/acme/production/revisions/${fakeSha(1)}`);
    await user.tab();
    expect(grid).not.toContainElement(document.activeElement as HTMLElement);
  });

  it('keeps fetching through empty pages until rows arrive', async () => {
    const requests = serveHistory([
      { revisions: [], nextCursor: 'p2' },
      { revisions: [], nextCursor: 'p3' },
      makeHistoryPage(0, 4, null),
    ]);
    renderPanel();
    await waitFor(() => expect(rows()).toHaveLength(4));
    expect(requests.map((url) => url.searchParams.get('cursor'))).toEqual([null, 'p2', 'p3']);
    expect(screen.queryByText('No revisions match these filters')).not.toBeInTheDocument();
  });

  it('renders at most 100 rows however long the history is, and loads older pages on scroll', async () => {
    // 100 pages of 500: the 50,000-revision case.
    const pageOf = (n: number) => makeHistoryPage(n * 500, 500, n < 99 ? `p${n + 2}` : null);
    const requests = serveHistory(Array.from({ length: 100 }, (_, n) => pageOf(n)));
    renderPanel();
    await waitFor(() => expect(rows().length).toBeGreaterThan(0));
    expect(rows().length).toBeLessThanOrEqual(100);
    expect(requests).toHaveLength(1);

    const grid = screen.getByRole('grid');
    grid.focus();
    fireEvent.keyDown(grid, { key: 'End' });
    await waitFor(() => expect(requests).toHaveLength(2));
    await waitFor(() => expect(grid).toHaveAttribute('aria-rowcount', String(1000 + 1)));
    expect(rows().length).toBeLessThanOrEqual(100);
    expect(row(499)).toHaveAttribute('aria-rowindex', '501');
  });

  it('lays the rows out as measured cards below 1000 px (a tablet), as fixed 52 px rows above (decision 053)', async () => {
    serveHistory([makeHistoryPage(0, 30, null)]);
    // A tablet: the cards' query matches, the phone's does not.
    const matchMedia = vi.fn((query: string) => ({ matches: query === HISTORY_CARDS_QUERY, media: query, addEventListener: vi.fn(), removeEventListener: vi.fn() }));
    vi.stubGlobal('matchMedia', matchMedia);
    try {
      const { unmount } = renderPanel();
      await waitFor(() => expect(rows().length).toBeGreaterThan(0));
      expect(screen.getByRole('grid')).toHaveClass('history-grid--cards');
      // Measured, not fixed: no inline height on a card.
      expect(rows()[0]!.style.height).toBe('');
      unmount();
    } finally {
      vi.unstubAllGlobals();
    }
    renderPanel();
    await waitFor(() => expect(rows().length).toBeGreaterThan(0));
    expect(screen.getByRole('grid')).not.toHaveClass('history-grid--cards');
    expect(rows()[0]!.style.height).toBe(`${ROW_HEIGHT}px`);
  });
});
