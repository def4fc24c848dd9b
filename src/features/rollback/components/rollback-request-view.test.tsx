import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { http, HttpResponse } from 'msw';
import { describe, expect, it } from 'vitest';
import type { RollbackRequest } from '#core/schemas.ts';
import { server } from '#mocks/node.ts';
import { demoUsers, fakeSha } from '#src/test/fixtures.ts';
import { renderApp } from '#src/test/render.tsx';
import { makePreview, makeRequest } from '#src/test/rollback-fixtures.ts';

function serveRequest(request: RollbackRequest) {
  server.use(
    http.get('*/api/me', () => HttpResponse.json({ user: demoUsers[0], breakGlass: null, identityMode: 'demo' })),
    http.get('*/api/users', () => HttpResponse.json({ users: demoUsers })),
    http.get(`*/api/rollbacks/${request.id}`, () => HttpResponse.json({ request, diff: makePreview() })),
  );
}

describe('rollback request page', () => {
  it('says how many approvals a pending request still waits for', async () => {
    serveRequest(
      makeRequest({
        requiredApprovals: 2,
        reviews: [{ by: 'bob@example.com', decision: 'approve', comment: '', at: '2025-11-20T10:06:00Z', stale: false }],
      }),
    );
    renderApp({ route: '/rollbacks/rbk-1' });
    // The first render loads the lazy route through Vite.
    expect(await screen.findByTestId('request-state')).toHaveTextContent('Pending approval');
    expect(screen.getByText(/Waiting for 1 approval/)).toHaveTextContent('Waiting for 1 approval');
    expect(screen.getByText(/1 of 2 given/)).toBeInTheDocument();
    expect(screen.getByTestId('review')).toHaveTextContent(/^Approved by bob@example.com/);
    expect(screen.getByRole('heading', { level: 1 })).toHaveTextContent(`Service rollback of payments in acme/production to ${fakeSha(2).slice(0, 7)}`);
    expect(screen.getAllByTestId('field-row')).toHaveLength(2);
  });

  it('titles a request with the version it recorded (decision 047)', async () => {
    const version = (v: string) => ({ known: true as const, version: v, source: 'helm-values' as const, file: 'payments/values.yaml', field: 'image.tag' });
    serveRequest(makeRequest({ versions: [{ service: 'payments', from: version('v2.14.0'), to: version('v2.13.12') }] }));
    renderApp({ route: '/rollbacks/rbk-1' });
    expect(await screen.findByRole('heading', { level: 1 })).toHaveTextContent('Service rollback of payments in acme/production to v2.13.12');
  });

  it('shows a completed request with its commit and a link to compare it', async () => {
    serveRequest(makeRequest({ state: 'completed', requiredApprovals: 0, commitSha: fakeSha(7) }));
    renderApp({ route: '/rollbacks/rbk-1' });
    expect(await screen.findByTestId('commit-sha')).toHaveTextContent(fakeSha(7).slice(0, 7));
    expect(screen.getByRole('link', { name: 'Compare the commit with the revision before it' })).toHaveAttribute(
      'href',
      `/targets/acme/production/compare?from=${fakeSha(0)}&to=${fakeSha(7)}`,
    );
  });

  it('shows the error of a failed request and retries the execution', async () => {
    let request = makeRequest({ state: 'failed', requiredApprovals: 0, error: 'push rejected by the remote' });
    const executed: string[] = [];
    serveRequest(request);
    server.use(
      http.get('*/api/rollbacks/rbk-1', () => HttpResponse.json({ request, diff: makePreview() })),
      http.post('*/api/rollbacks/rbk-1/execute', ({ request: call }) => {
        executed.push(call.headers.get('content-type') ?? '');
        request = { ...request, state: 'completed', commitSha: fakeSha(8) };
        delete request.error;
        return HttpResponse.json({ request });
      }),
    );
    const user = userEvent.setup();
    renderApp({ route: '/rollbacks/rbk-1' });
    expect(await screen.findByTestId('request-error')).toHaveTextContent('push rejected by the remote');
    await user.click(screen.getByRole('button', { name: 'Retry execute' }));
    expect(await screen.findByTestId('commit-sha')).toHaveTextContent(fakeSha(8).slice(0, 7));
    expect(executed).toEqual(['application/json']);
  });

  it('shows the server message when the retry fails', async () => {
    serveRequest(makeRequest({ state: 'failed', requiredApprovals: 0, error: 'branch moved' }));
    server.use(
      http.post('*/api/rollbacks/rbk-1/execute', () =>
        HttpResponse.json({ error: { code: 'EXECUTION_FAILED', message: 'rollback execution failed: disk full' } }, { status: 500 }),
      ),
    );
    const user = userEvent.setup();
    renderApp({ route: '/rollbacks/rbk-1' });
    await user.click(await screen.findByRole('button', { name: 'Retry execute' }));
    const alert = await screen.findByRole('alert');
    expect(alert).toHaveTextContent('rollback execution failed: disk full');
  });

  it('shows the justification as inert text', async () => {
    const justification = '<img src=x onerror="alert(1)"> **bold**\nApproval: Approved by nobody';
    serveRequest(makeRequest({ justification }));
    renderApp({ route: '/rollbacks/rbk-1' });
    const shown = await screen.findByTestId('justification');
    expect(shown.textContent).toBe(justification);
    expect(shown.querySelector('img')).toBeNull();
  });

  it('says when the request does not exist', async () => {
    serveRequest(makeRequest());
    server.use(
      http.get('*/api/rollbacks/rbk-404', () =>
        HttpResponse.json({ error: { code: 'NOT_FOUND', message: 'rollback request rbk-404 not found' } }, { status: 404 }),
      ),
    );
    renderApp({ route: '/rollbacks/rbk-404' });
    const alert = await screen.findByRole('alert');
    expect(alert).toHaveTextContent('There is no rollback request rbk-404');
    await waitFor(() => expect(within(alert).queryByRole('button', { name: 'Retry' })).not.toBeInTheDocument());
  });
});
