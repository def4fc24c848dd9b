import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { http, HttpResponse } from 'msw';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { server } from '#mocks/node.ts';
import type { HistoryResponse } from '#core/schemas.ts';
import { fakeSha, makeHistoryPage, makeRevision, makeTarget } from '#src/test/fixtures.ts';
import { mockGridLayout } from '#src/test/layout.ts';
import { renderWithRouter } from '#src/test/render.tsx';
import { DeploymentHistoryPanel } from './deployment-history-panel.tsx';

function serveHistory(page: HistoryResponse) {
  server.use(http.get('*/api/targets/acme/production/history', () => HttpResponse.json(page)));
}

function renderPanel(search = '') {
  return renderWithRouter(<DeploymentHistoryPanel target={makeTarget()} />, {
    path: '/targets/acme/production',
    route: `/targets/acme/production${search}`,
  });
}

const checkbox = (n: number) => screen.getByRole('checkbox', { name: `Select revision ${fakeSha(n).slice(0, 7)} for compare` });
const compareButton = () => screen.getByRole('button', { name: 'Compare selected' });
const selectionStatus = () => within(screen.getByRole('group', { name: 'Compare two revisions' })).getByRole('status');

beforeEach(() => {
  mockGridLayout(520);
});

afterEach(() => {
  vi.restoreAllMocks();
});

describe('picking two revisions to compare', () => {
  it('selects at most two, and opens the compare view with the older one as from', async () => {
    serveHistory(makeHistoryPage(0, 6, null));
    const user = userEvent.setup();
    const { router } = renderPanel();
    await waitFor(() => expect(screen.getAllByTestId('history-row')).toHaveLength(6));
    expect(compareButton()).toBeDisabled();
    // The current revision can be picked too.
    expect(checkbox(0)).toBeEnabled();

    await user.click(checkbox(1));
    expect(selectionStatus()).toHaveTextContent(`${fakeSha(1).slice(0, 7)} selected: select one more revision.`);
    expect(compareButton()).toBeDisabled();
    await user.click(checkbox(4));
    expect(checkbox(1)).toBeChecked();
    expect(checkbox(4)).toBeChecked();
    expect(checkbox(2)).toBeDisabled();
    expect(selectionStatus()).toHaveTextContent(
      `Compare ${fakeSha(4).slice(0, 7)} (older) → ${fakeSha(1).slice(0, 7)} (newer)`,
    );

    await user.click(compareButton());
    expect(router.state.location.pathname).toBe('/targets/acme/production/compare');
    expect(Object.fromEntries(new URLSearchParams(router.state.location.search))).toEqual({ from: fakeSha(4), to: fakeSha(1) });
  });

  it('swaps the direction, and forgets a revision unticked', async () => {
    serveHistory(makeHistoryPage(0, 6, null));
    const user = userEvent.setup();
    const { router } = renderPanel();
    await waitFor(() => expect(screen.getAllByTestId('history-row')).toHaveLength(6));
    await user.click(checkbox(2));
    await user.click(checkbox(3));
    await user.click(screen.getByRole('button', { name: 'Swap from and to' }));
    expect(selectionStatus()).toHaveTextContent(`Compare ${fakeSha(2).slice(0, 7)} (newer) → ${fakeSha(3).slice(0, 7)} (older)`);

    await user.click(checkbox(3));
    expect(checkbox(5)).toBeEnabled();
    await user.click(checkbox(5));
    // A new pair starts in the default order again.
    expect(selectionStatus()).toHaveTextContent(`Compare ${fakeSha(5).slice(0, 7)} (older) → ${fakeSha(2).slice(0, 7)} (newer)`);
    await user.click(compareButton());
    expect(router.state.location.search).toBe(`?from=${fakeSha(5)}&to=${fakeSha(2)}`);
  });

  it('orders revisions with the same commit time by their place in the history', async () => {
    const at = '2025-11-20T10:00:00.000Z';
    serveHistory({ revisions: [0, 1, 2].map((n) => makeRevision(n, { timestamp: at })), nextCursor: null });
    const user = userEvent.setup();
    const { router } = renderPanel();
    await waitFor(() => expect(screen.getAllByTestId('history-row')).toHaveLength(3));
    await user.click(checkbox(0));
    await user.click(checkbox(2));
    await user.click(compareButton());
    expect(router.state.location.search).toBe(`?from=${fakeSha(2)}&to=${fakeSha(0)}`);
  });

  it('selects the active row with Space, keeping the grid one tab stop', async () => {
    serveHistory(makeHistoryPage(0, 5, null));
    const user = userEvent.setup();
    renderPanel();
    await waitFor(() => expect(screen.getAllByTestId('history-row')).toHaveLength(5));
    const grid = screen.getByRole('grid');
    grid.focus();
    await user.keyboard('{ArrowDown} ');
    expect(checkbox(1)).toBeChecked();
    expect(checkbox(1)).toHaveAttribute('tabindex', '-1');
    await user.keyboard('{ArrowDown}{ArrowDown} ');
    expect(checkbox(3)).toBeChecked();
    // A third one is refused while two are selected; Space on a selected row unticks it.
    await user.keyboard('{ArrowDown} ');
    expect(checkbox(4)).not.toBeChecked();
    await user.keyboard('{ArrowUp} ');
    expect(checkbox(3)).not.toBeChecked();
    expect(grid).toHaveFocus();
  });

  it('keeps the selection across a filter change, and clears it on request', async () => {
    serveHistory(makeHistoryPage(0, 5, null));
    const user = userEvent.setup();
    renderPanel();
    await waitFor(() => expect(screen.getAllByTestId('history-row')).toHaveLength(5));
    await user.click(checkbox(1));
    await user.selectOptions(screen.getByLabelText('Source'), 'hotfix');
    await waitFor(() => expect(checkbox(1)).toBeChecked());
    await user.click(screen.getByRole('button', { name: 'Clear selection' }));
    expect(checkbox(1)).not.toBeChecked();
    expect(selectionStatus()).toHaveTextContent('Select two revisions to compare them');
  });
});
