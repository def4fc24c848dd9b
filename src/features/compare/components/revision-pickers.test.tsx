import { screen, waitFor } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it } from 'vitest';
import type { HistoryResponse } from '#core/schemas.ts';
import { getMockBackend } from '#mocks/node.ts';
import { renderApp } from '#src/test/render.tsx';

const demoHistory = async () => ((await (await getMockBackend().app.request('/api/targets/acme/production/history?limit=10')).json()) as HistoryResponse).revisions;
const search = (router: ReturnType<typeof renderApp>['router']) => Object.fromEntries(new URLSearchParams(router.state.location.search));

describe('compare revision pickers', () => {
  it('choose from and to among the target\'s revisions, update the URL, and offer "Roll back to this" for a revision that is not the head', async () => {
    const revisions = await demoHistory();
    const [head, previous, older] = revisions;
    const user = userEvent.setup();
    const { router } = renderApp({ route: `/targets/acme/production/compare?from=${previous!.sha}&to=head` });
    const from = await screen.findByRole('combobox', { name: 'From revision' });
    const to = screen.getByRole('combobox', { name: 'To revision' });
    await waitFor(() => expect(from).toHaveValue(previous!.sha));
    expect(to).toHaveValue('head');
    // Each option says what the revision is: sha, versions, subject, time; the newest is the branch head.
    const options = [...(from as HTMLSelectElement).options].map((o) => o.textContent ?? '');
    expect(options[0]).toBe(`Branch head (${head!.shortSha})`);
    expect(options[1]).toMatch(new RegExp(`^${head!.shortSha} · .* · branch head$`));
    expect(options.some((text) => text.includes(previous!.summary.slice(0, 20)))).toBe(true);
    // The chosen option's whole text on hover (a narrow select cuts it); "Branch head (sha)" is short.
    expect(from).toHaveAttribute('title', (from as HTMLSelectElement).selectedOptions[0]!.textContent);
    expect(from.getAttribute('title')).toContain(previous!.shortSha);
    expect(to).not.toHaveAttribute('title');

    expect(screen.getByRole('link', { name: `Roll back to ${previous!.shortSha}` })).toHaveAttribute(
      'href',
      `/rollback/new?tenant=acme&environment=production&revision=${previous!.sha}`,
    );
    // The head is not something to roll back to.
    expect(screen.getAllByRole('link', { name: /^Roll back to / })).toHaveLength(1);

    await user.selectOptions(from, older!.sha);
    expect(search(router)).toEqual({ from: older!.sha, to: 'head' });
    await user.selectOptions(to, previous!.sha);
    expect(search(router)).toEqual({ from: older!.sha, to: previous!.sha });
    await waitFor(() => expect(screen.getByTestId('compare-to')).toHaveTextContent(previous!.shortSha));
    expect(screen.getAllByRole('link', { name: /^Roll back to / })).toHaveLength(2);
    // Back goes to the previous choice.
    router.navigate(-1);
    await waitFor(() => expect(search(router)).toEqual({ from: older!.sha, to: 'head' }));
  });

  it('keeps a revision outside the newest ones selectable as itself (with no rollback offered), and starts from an empty choice without one', async () => {
    const user = userEvent.setup();
    const { router } = renderApp({ route: '/targets/acme/production/compare' });
    const from = await screen.findByRole('combobox', { name: 'From revision' });
    expect(from).toHaveValue('');
    const revisions = await demoHistory();
    await waitFor(() => expect((from as HTMLSelectElement).options.length).toBeGreaterThan(2));
    await user.selectOptions(from, revisions[2]!.sha);
    expect(search(router)).toEqual({ from: revisions[2]!.sha, to: 'head' });

    router.navigate('/targets/acme/production/compare?from=abcdef1&to=head');
    await waitFor(() => expect(screen.getByRole('combobox', { name: 'From revision' })).toHaveValue('abcdef1'));
    expect(screen.getByRole('option', { name: 'abcdef1 (not among the newest 50)' })).toBeInTheDocument();
    // Nothing is offered that the wizard would refuse: only revisions of the target's history.
    expect(screen.queryByRole('link', { name: /^Roll back to / })).not.toBeInTheDocument();
  });
});
