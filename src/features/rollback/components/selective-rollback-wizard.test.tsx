import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { http, HttpResponse } from 'msw';
import { afterEach, describe, expect, it } from 'vitest';
import { server } from '#mocks/node.ts';
import { fakeSha } from '#src/test/fixtures.ts';
import { renderApp } from '#src/test/render.tsx';
import { makeChangesSince, makePreview, makeRequest, PAYMENTS_VALUES, serveRollbackBackend } from '#src/test/rollback-fixtures.ts';
import { encodeFields } from '#src/features/rollback/api/wizard-params.ts';
import { useWizardDraftStore } from '#src/features/rollback/stores/wizard-draft-store.ts';

const base = `/rollback/new?tenant=acme&environment=production`;
const serviceAtSubmit = `${base}&mode=service&revision=${fakeSha(2)}&service=payments&step=submit`;

// Generous: the first render of a file loads the lazy wizard route (and diff2html) through Vite.
const LAZY_ROUTE = { timeout: 30_000 };
const stepHeading = (name: RegExp | string) => screen.findByRole('heading', { level: 2, name }, LAZY_ROUTE);
const search = (router: { state: { location: { search: string } } }) =>
  Object.fromEntries(new URLSearchParams(router.state.location.search));

afterEach(() => {
  useWizardDraftStore.setState({ justifications: {}, submitAttempt: null, lastSearch: null, destructiveConfirmed: {} });
  sessionStorage.clear();
});

describe('SelectiveRollbackWizard', () => {
  it('opens a history link at the scope step, focused, with service rollback preselected', async () => {
    serveRollbackBackend();
    renderApp({ route: `${base}&revision=${fakeSha(2)}` });
    const heading = await stepHeading(/How much should go back/);
    await waitFor(() => expect(heading).toHaveFocus());
    expect(heading).toHaveTextContent('Step 2 of 5');
    expect(screen.getByRole('radio', { name: 'Service rollback' })).toBeChecked();
    expect(screen.getByRole('radio', { name: 'Full rollback' })).toHaveAccessibleDescription(/Blast radius|all 3 services/);
    // The target step is done and can be reopened; later steps cannot be jumped to.
    const steps = screen.getByRole('navigation', { name: 'Rollback steps' });
    expect(within(steps).getByRole('button', { name: /Target/ })).toBeInTheDocument();
    expect(within(steps).queryByRole('button', { name: /Preview/ })).not.toBeInTheDocument();
    expect(within(steps).getByText('Scope').closest('[aria-current]')).toHaveAttribute('aria-current', 'step');
  });

  it('disables the modes the plan or flags forbid, with the reason from core', async () => {
    serveRollbackBackend();
    const { unmount } = renderApp({ route: '/rollback/new?tenant=globex&environment=staging' });
    const field = await screen.findByRole('radio', { name: 'Field rollback' }, LAZY_ROUTE);
    expect(field).toBeDisabled();
    expect(field).toHaveAccessibleDescription(/Not available: field rollback requires the enterprise plan \(globex\/staging is on pro\)/);
    expect(screen.getByRole('radio', { name: 'Service rollback' })).toBeEnabled();
    unmount();

    renderApp({ route: '/rollback/new?tenant=initech&environment=production&mode=service' });
    expect(await screen.findByRole('radio', { name: 'Service rollback' }, LAZY_ROUTE)).toBeDisabled();
    expect(screen.getByRole('radio', { name: 'Service rollback' })).toHaveAccessibleDescription(
      /service rollback requires the pro plan or higher \(initech\/production is on free\)/,
    );
    // The link asked for a mode the target cannot use: it says so, and offers the one that is allowed.
    expect(screen.getByRole('alert')).toHaveTextContent('The link asked for a service rollback, which is not available');
    expect(screen.getByRole('radio', { name: 'Full rollback' })).toBeChecked();
  });

  it('validates the target step before Next', async () => {
    serveRollbackBackend();
    const user = userEvent.setup();
    const { router } = renderApp({ route: '/rollback/new' });
    await stepHeading(/Which tenant and environment/);
    await user.click(screen.getByRole('button', { name: 'Next' }));
    expect(screen.getByRole('alert')).toHaveTextContent('Choose the tenant and environment to roll back.');
    expect(search(router)).toEqual({});

    await user.click(screen.getByRole('radio', { name: 'acme / production' }));
    expect(search(router)).toEqual({ tenant: 'acme', environment: 'production', step: 'target' });
    await user.click(screen.getByRole('button', { name: 'Next' }));
    await stepHeading(/How much should go back/);
    expect(search(router)).toMatchObject({ step: 'scope' });
  });

  it('defaults the revision to the last successful one before the head, and warns about a failed one', async () => {
    serveRollbackBackend();
    const user = userEvent.setup();
    renderApp({ route: `${base}&mode=full&step=revision` });
    await stepHeading(/Which revision should the target go back to/);
    const choices = await screen.findAllByTestId('revision-choice');
    expect(within(choices[0] as HTMLElement).getByRole('radio')).toBeDisabled();
    // Revision 1 failed: the default is revision 2.
    expect(within(choices[2] as HTMLElement).getByRole('radio')).toBeChecked();
    await user.click(within(choices[1] as HTMLElement).getByRole('radio'));
    expect(screen.getByTestId('revision-warning')).toHaveTextContent('This revision failed when it was deployed');
  });

  it('validates the field selection before Next, and defaults the only changed service', async () => {
    const { previews } = serveRollbackBackend();
    const user = userEvent.setup();
    const { router } = renderApp({ route: `${base}&mode=field&revision=${fakeSha(2)}&step=revision` });
    await stepHeading(/Which revision, and which service/);
    await waitFor(() => expect(screen.getByRole('radio', { name: 'payments' })).toBeChecked());
    expect(screen.getByRole('radio', { name: 'checkout' })).toBeDisabled();
    await user.click(screen.getByRole('button', { name: 'Next' }));
    expect(screen.getByRole('alert')).toHaveTextContent('Select at least one field to restore.');

    const tag = screen.getAllByTestId('field-choice')[0] as HTMLElement;
    expect(tag).toHaveTextContent('image.tag"v2.14.0" → becomes "v2.13.14"');
    await user.click(within(tag).getByRole('checkbox'));
    await user.click(screen.getByRole('button', { name: 'Next' }));
    await stepHeading(/What will the rollback commit/);
    expect(search(router)).toMatchObject({ service: 'payments', fields: encodeFields([{ file: PAYMENTS_VALUES, path: ['image', 'tag'] }]) });
    await waitFor(() => expect(previews).toHaveLength(1));
    expect(previews[0]?.body).toEqual({
      mode: 'field',
      targetSha: fakeSha(2),
      service: 'payments',
      fields: [{ file: PAYMENTS_VALUES, path: ['image', 'tag'] }],
    });
    expect(await screen.findAllByTestId('field-row')).toHaveLength(2);
    expect(screen.getByTestId('impact-services')).toHaveTextContent('1');
    expect(screen.getByTestId('diff-view')).toBeInTheDocument();
  });

  it('fetches the field changes a large compare deferred before offering fields to pick', async () => {
    serveRollbackBackend();
    const changes = makeChangesSince();
    const fieldsAsked: URL[] = [];
    server.use(
      http.get('*/api/targets/:tenant/:environment/compare', () =>
        HttpResponse.json({ ...changes, fields: [], files: changes.files.map((file) => ({ ...file, fieldDiff: 'deferred' })) }),
      ),
      http.get('*/api/targets/:tenant/:environment/compare/fields', ({ request }) => {
        fieldsAsked.push(new URL(request.url));
        return HttpResponse.json({ from: changes.from, to: changes.to, files: changes.files.map((file) => ({ path: file.path })), fields: changes.fields });
      }),
    );
    renderApp({ route: `${base}&mode=field&revision=${fakeSha(2)}&step=revision` });
    await stepHeading(/Which revision, and which service/);
    await waitFor(() => expect(screen.getAllByTestId('field-choice')).toHaveLength(changes.fields.length));
    expect(screen.getAllByTestId('field-choice')[0]).toHaveTextContent('image.tag"v2.14.0" → becomes "v2.13.14"');
    expect(fieldsAsked).toHaveLength(1);
    // The resolved shas of the compare, not `head`.
    expect([fieldsAsked[0]!.searchParams.get('from'), fieldsAsked[0]!.searchParams.get('to')]).toEqual([changes.from, changes.to]);
    expect(screen.queryByText(/has no field list|not computed/)).not.toBeInTheDocument();
  });

  it('keeps every choice in the URL: a fresh page on that URL reopens the same step with the same choices', async () => {
    serveRollbackBackend();
    const user = userEvent.setup();
    const first = renderApp({ route: '/rollback/new' });
    await user.click(await screen.findByRole('radio', { name: 'acme / production' }, LAZY_ROUTE));
    await user.click(screen.getByRole('button', { name: 'Next' }));
    await user.click(await screen.findByRole('radio', { name: 'Field rollback' }));
    await user.click(screen.getByRole('button', { name: 'Next' }));
    await user.click(await screen.findByRole('radio', { name: 'payments' }));
    const checkboxes = await screen.findAllByRole('checkbox');
    await user.click(checkboxes[1] as HTMLElement);
    const url = `${first.router.state.location.pathname}${first.router.state.location.search}`;
    expect(search(first.router)).toMatchObject({ mode: 'field', revision: fakeSha(2), service: 'payments', step: 'revision' });
    first.unmount();

    renderApp({ route: url });
    await stepHeading(/Which revision, and which service/);
    await waitFor(() => expect(screen.getByRole('radio', { name: 'payments' })).toBeChecked());
    const restored = await screen.findAllByRole('checkbox');
    expect(restored.map((box) => (box as HTMLInputElement).checked)).toEqual([false, true]);
    expect(screen.getAllByTestId('revision-choice').find((row) => within(row).getByRole('radio').matches(':checked'))).toHaveAttribute(
      'data-sha',
      fakeSha(2),
    );
  });

  it('keeps the justification draft in sessionStorage, so a reload loses nothing', async () => {
    serveRollbackBackend();
    const user = userEvent.setup();
    const first = renderApp({ route: serviceAtSubmit });
    const textarea = await screen.findByLabelText('Justification (required)', {}, LAZY_ROUTE);
    await user.type(textarea, 'payments times out');
    expect(screen.getByText('18 / 4,000 characters')).toBeInTheDocument();
    expect(sessionStorage.getItem('rewind.rollback-wizard')).toContain('payments times out');
    first.unmount();

    // A reload: the in-memory store starts empty, sessionStorage still holds the draft.
    const saved = sessionStorage.getItem('rewind.rollback-wizard') ?? '';
    useWizardDraftStore.setState({ justifications: {} });
    sessionStorage.setItem('rewind.rollback-wizard', saved);
    await useWizardDraftStore.persist.rehydrate();
    renderApp({ route: serviceAtSubmit });
    expect(await screen.findByLabelText('Justification (required)')).toHaveValue('payments times out');
  });

  it('validates the justification before submitting', async () => {
    const { creates } = serveRollbackBackend();
    const user = userEvent.setup();
    renderApp({ route: serviceAtSubmit });
    await stepHeading(/Why, and submit/);
    expect(screen.getByTestId('approval-outcome')).toHaveTextContent('Waits for 1 approval');
    await screen.findByText(/1 file, 2 fields in payments/, {}, LAZY_ROUTE);
    await user.click(screen.getByRole('button', { name: 'Submit for approval' }));
    expect(screen.getByRole('alert')).toHaveTextContent('A justification is required');
    expect(screen.getByLabelText('Justification (required)')).toHaveFocus();

    useWizardDraftStore.getState().setJustification('acme/production', 'x'.repeat(4001));
    await user.click(screen.getByRole('button', { name: 'Submit for approval' }));
    expect(screen.getByRole('alert')).toHaveTextContent('1 characters over the limit of 4,000');
    expect(creates).toHaveLength(0);
  });

  it('submits with the preview diff hash and an idempotency key, and opens the request page', async () => {
    const { creates } = serveRollbackBackend();
    const user = userEvent.setup();
    const { router } = renderApp({ route: serviceAtSubmit });
    await screen.findByText(/1 file, 2 fields in payments/, {}, LAZY_ROUTE);
    await user.type(screen.getByLabelText('Justification (required)'), 'payments v2.14.0 times out');
    await user.click(screen.getByRole('button', { name: 'Submit for approval' }));
    await waitFor(() => expect(router.state.location.pathname).toBe('/rollbacks/rbk-1'));
    expect(creates[0]?.body).toEqual({
      tenant: 'acme',
      environment: 'production',
      mode: 'service',
      targetSha: fakeSha(2),
      service: 'payments',
      justification: 'payments v2.14.0 times out',
      diffHash: 'c'.repeat(64),
    });
    expect(creates[0]?.headers.get('idempotency-key')).toMatch(/^[0-9a-f-]{32,36}$/);
    expect(await screen.findByTestId('request-state', {}, LAZY_ROUTE)).toHaveTextContent('Pending approval');
    expect(screen.getByText(/Waiting for 1 approval/)).toBeInTheDocument();
    // The draft is done with.
    expect(useWizardDraftStore.getState().justifications).toEqual({});
  });

  it('shows a destructive plan in red and submits it only once the deletions are confirmed', async () => {
    const { creates } = serveRollbackBackend();
    const deleted = makePreview().files.map((file) => ({ ...file, status: 'deleted' as const }));
    server.use(
      http.post('*/api/targets/:tenant/:environment/rollback-preview', () =>
        HttpResponse.json(makePreview({ files: deleted, destructive: { deletes: 1, files: 1, all: true, maxShare: 0.5 } })),
      ),
    );
    const user = userEvent.setup();
    renderApp({ route: `${base}&mode=service&revision=${fakeSha(2)}&service=payments&step=preview` });
    const warning = await screen.findByTestId('destructive-warning', {}, LAZY_ROUTE);
    expect(within(warning).getByRole('heading')).toHaveTextContent('This rollback deletes every file of service payments (1)');
    expect(within(warning).getByText(PAYMENTS_VALUES)).toBeInTheDocument();
    // Next is refused until the deletions are confirmed.
    await user.click(screen.getByRole('button', { name: 'Next' }));
    expect(await screen.findByText(/confirm the deletions above/)).toBeInTheDocument();
    await user.click(within(warning).getByRole('checkbox', { name: /I have checked the deletions/ }));
    await user.click(screen.getByRole('button', { name: 'Next' }));
    await stepHeading(/Why, and submit/);
    await user.type(screen.getByLabelText('Justification (required)'), 'remove payments');
    await user.click(screen.getByRole('button', { name: 'Submit for approval' }));
    await waitFor(() => expect(creates).toHaveLength(1));
    expect(creates[0]?.body).toMatchObject({ allowDestructive: true, diffHash: 'c'.repeat(64) });
  });

  it('reuses the idempotency key when the same submit is retried', async () => {
    const { creates } = serveRollbackBackend();
    let calls = 0;
    server.use(
      http.post('*/api/rollbacks', async ({ request }) => {
        creates.push({ url: new URL(request.url), body: await request.json(), headers: request.headers });
        calls += 1;
        if (calls === 1) return HttpResponse.json({ error: { code: 'INTERNAL', message: 'database is locked' } }, { status: 500 });
        return HttpResponse.json({ request: makeRequest() }, { status: 201 });
      }),
    );
    const user = userEvent.setup();
    const { router } = renderApp({ route: serviceAtSubmit });
    await screen.findByText(/1 file, 2 fields in payments/, {}, LAZY_ROUTE);
    await user.type(screen.getByLabelText('Justification (required)'), 'retry me');
    await user.click(screen.getByRole('button', { name: 'Submit for approval' }));
    const alert = await screen.findByRole('alert');
    expect(alert).toHaveTextContent('The rollback was not submitted');
    expect(alert).toHaveTextContent('database is locked');
    await user.click(within(alert).getByRole('button', { name: 'Retry submit' }));
    await waitFor(() => expect(router.state.location.pathname).toBe('/rollbacks/rbk-1'));
    expect(creates).toHaveLength(2);
    expect(creates[1]?.headers.get('idempotency-key')).toBe(creates[0]?.headers.get('idempotency-key'));
  });

  it('shows a gating refusal of the preview in the scope step, with the server message', async () => {
    serveRollbackBackend();
    server.use(
      http.post('*/api/targets/:tenant/:environment/rollback-preview', () =>
        HttpResponse.json(
          { error: { code: 'FORBIDDEN', message: 'service rollback requires the rollback and selective_rollback feature flags', field: 'mode' } },
          { status: 403 },
        ),
      ),
    );
    const { router } = renderApp({ route: `${base}&mode=service&revision=${fakeSha(2)}&service=payments&step=preview` });
    const heading = await stepHeading(/How much should go back/);
    await waitFor(() => expect(heading).toHaveFocus());
    const alert = screen.getByRole('alert');
    expect(alert).toHaveTextContent('The server refused this rollback scope');
    expect(alert).toHaveTextContent('service rollback requires the rollback and selective_rollback feature flags');
    expect(alert).toHaveTextContent('FORBIDDEN');
    expect(search(router).step).toBe('scope');
  });

  it('shows "nothing to roll back" in the revision step', async () => {
    serveRollbackBackend();
    server.use(
      http.post('*/api/targets/:tenant/:environment/rollback-preview', () =>
        HttpResponse.json(
          {
            error: {
              code: 'BAD_REQUEST',
              message: 'nothing to roll back: service payments of acme/production already matches revision 0000002',
              field: 'targetSha',
              rule: 'nothing-to-roll-back',
            },
          },
          { status: 400 },
        ),
      ),
    );
    renderApp({ route: `${base}&mode=service&revision=${fakeSha(2)}&service=payments&step=preview` });
    await stepHeading(/Which revision, and which service/);
    expect(await screen.findByText(/nothing to roll back: service payments/)).toBeInTheDocument();
  });

  it('shows a 409 at submit in the preview step and re-runs the preview', async () => {
    const { previews } = serveRollbackBackend();
    server.use(
      http.post('*/api/rollbacks', () =>
        HttpResponse.json(
          { error: { code: 'CONFLICT', message: 'acme/production changed since your preview: preview it again' } },
          { status: 409 },
        ),
      ),
    );
    const user = userEvent.setup();
    renderApp({ route: serviceAtSubmit });
    await screen.findByText(/1 file, 2 fields in payments/, {}, LAZY_ROUTE);
    await user.type(screen.getByLabelText('Justification (required)'), 'x');
    await user.click(screen.getByRole('button', { name: 'Submit for approval' }));
    await stepHeading(/What will the rollback commit/);
    const alert = screen.getByRole('alert');
    expect(alert).toHaveTextContent('The branch moved since this preview');
    expect(alert).toHaveTextContent('changed since your preview');
    const before = previews.length;
    await user.click(within(alert).getByRole('button', { name: 'Re-run the preview' }));
    await waitFor(() => expect(previews.length).toBeGreaterThan(before));
    expect(screen.queryByRole('alert')).not.toBeInTheDocument();
  });

  it('shows a role refusal at submit in the submit step', async () => {
    serveRollbackBackend();
    server.use(
      http.post('*/api/rollbacks', () =>
        HttpResponse.json(
          { error: { code: 'FORBIDDEN', message: 'requesting a rollback on acme/production requires the role requester' } },
          { status: 403 },
        ),
      ),
    );
    const user = userEvent.setup();
    renderApp({ route: serviceAtSubmit });
    await screen.findByText(/1 file, 2 fields in payments/, {}, LAZY_ROUTE);
    await user.type(screen.getByLabelText('Justification (required)'), 'x');
    await user.click(screen.getByRole('button', { name: 'Submit for approval' }));
    expect(await screen.findByRole('alert')).toHaveTextContent('requires the role requester');
    expect(screen.getByRole('heading', { level: 2 })).toHaveTextContent('Why, and submit');
  });

  it('works from the keyboard alone: Enter is Next, arrows choose', async () => {
    serveRollbackBackend();
    const user = userEvent.setup();
    const { router } = renderApp({ route: `${base}&revision=${fakeSha(2)}` });
    const heading = await stepHeading(/How much should go back/);
    await waitFor(() => expect(heading).toHaveFocus());
    await user.tab();
    expect(screen.getByRole('radio', { name: 'Service rollback' })).toHaveFocus();
    await user.keyboard('{ArrowLeft}');
    expect(screen.getByRole('radio', { name: 'Full rollback' })).toBeChecked();
    await user.tab();
    await user.tab();
    expect(screen.getByRole('button', { name: 'Next' })).toHaveFocus();
    await user.keyboard('{Enter}');
    const revisionHeading = await stepHeading(/Which revision should the target go back to/);
    await waitFor(() => expect(revisionHeading).toHaveFocus());
    expect(search(router)).toMatchObject({ mode: 'full', step: 'revision' });
  });
});
