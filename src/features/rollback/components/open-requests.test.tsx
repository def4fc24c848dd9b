import { screen, waitFor, within } from '@testing-library/react';
import { http, HttpResponse } from 'msw';
import { describe, expect, it } from 'vitest';
import { server } from '#mocks/node.ts';
import { renderApp } from '#src/test/render.tsx';
import { makeRequest } from '#src/test/rollback-fixtures.ts';

const planChange = { previousBaseSha: 'a'.repeat(40), baseSha: 'b'.repeat(40), diffHash: 'd'.repeat(64), changes: ['now also reverts values.yaml: replicas 7 → 3'] };

describe('OpenRequests', () => {
  it('titles each open request, names people, and says "awaiting confirmation" for a changed plan, not "pending"', async () => {
    server.use(
      http.get('*/api/rollbacks', ({ request }) => {
        if (new URL(request.url).searchParams.get('open') !== 'true') return HttpResponse.json({ requests: [], nextCursor: null });
        return HttpResponse.json({
          requests: [
            { ...makeRequest({ id: 'rbk-moved', requestedBy: 'sam@example.com' }), planChange },
            makeRequest({ id: 'rbk-plain', mode: 'full', requestedBy: 'nobody@example.com', service: undefined }),
          ],
          nextCursor: null,
        });
      }),
    );
    renderApp({ route: '/' });
    const section = await screen.findByTestId('open-requests');
    await waitFor(() => expect(within(section).getAllByTestId('open-request')).toHaveLength(2));
    const [moved, plain] = within(section).getAllByTestId('open-request');
    expect(moved).toHaveAttribute('data-standing', 'awaiting-confirmation');
    expect(within(moved!).getByRole('link')).toHaveTextContent(/^Service rollback of payments in acme\/production to \w{7}$/);
    await waitFor(() => expect(moved).toHaveTextContent(/awaiting Sam .*'s confirmation: the plan changed, requested by Sam/));
    expect(moved).not.toHaveTextContent('pending approval');
    expect(within(moved!).getAllByTitle('sam@example.com').length).toBeGreaterThan(0);
    expect(plain).toHaveAttribute('data-standing', 'pending');
    expect(plain).toHaveTextContent('pending approval (0 of 1), requested by nobody@example.com');
    expect(within(plain!).getByRole('link')).toHaveTextContent(/^Full rollback of acme\/production to \w{7}$/);
  });
});
