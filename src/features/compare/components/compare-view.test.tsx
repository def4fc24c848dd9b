import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { delay, http, HttpResponse } from 'msw';
import { beforeEach, describe, expect, it } from 'vitest';
import type { Diff, FieldChange, HistoryResponse } from '#core/schemas.ts';
import { getMockBackend, server } from '#mocks/node.ts';
import { useDiffPreferencesStore } from '#src/components/diff-view/diff-preferences-store.ts';
import {
  FROM_SHA,
  HOSTILE_TEXTS,
  hostileCompare,
  makeDiff,
  makeFileDiff,
  makePatch,
  paymentsFields,
  paymentsFile,
  ROOT,
  secretFields,
  secretFile,
  TO_SHA,
} from '#src/test/compare-fixtures.ts';
import { renderApp } from '#src/test/render.tsx';
import { GROUP_ROWS_SHOWN, GROUPS_OPEN } from '#src/components/field-table/row-group.tsx';

const COMPARE_URL = '*/api/targets/acme/production/compare';
const pageUrl = (from: string, to: string) => `/targets/acme/production/compare?from=${from}&to=${to}`;

function serveCompare(diff: Diff) {
  const requests: URL[] = [];
  server.use(
    http.get(COMPARE_URL, ({ request }) => {
      requests.push(new URL(request.url));
      return HttpResponse.json(diff);
    }),
  );
  return requests;
}

const fieldRows = () => screen.queryAllByTestId('field-row');

beforeEach(() => {
  localStorage.clear();
  useDiffPreferencesStore.setState({ layout: 'side-by-side' });
});

describe('CompareView', () => {
  it('says it is comparing while the diff loads', async () => {
    server.use(http.get(COMPARE_URL, () => delay('infinite')));
    renderApp({ route: pageUrl(FROM_SHA, 'head') });
    expect(await screen.findByText('Comparing revisions…')).toHaveAttribute('role', 'status');
    expect(screen.getByTestId('compare-from')).toHaveTextContent(FROM_SHA.slice(0, 7));
    expect(screen.getByTestId('compare-to')).toHaveTextContent('head');
  });

  it('shows the server message and retries', async () => {
    server.use(
      http.get(COMPARE_URL, () =>
        HttpResponse.json({ error: { code: 'NOT_FOUND', message: 'unknown revision 1111111' } }, { status: 404 }),
      ),
    );
    const user = userEvent.setup();
    renderApp({ route: pageUrl('1111111', 'head') });
    const alert = await screen.findByRole('alert');
    expect(alert).toHaveTextContent('Could not compare these revisions');
    expect(alert).toHaveTextContent('unknown revision 1111111');
    expect(alert).toHaveTextContent('NOT_FOUND');

    serveCompare(makeDiff([paymentsFile], paymentsFields));
    await user.click(within(alert).getByRole('button', { name: 'Retry' }));
    await waitFor(() => expect(fieldRows()).toHaveLength(2));
  });

  it('says when the two revisions do not differ for the target', async () => {
    serveCompare(makeDiff([]));
    renderApp({ route: pageUrl(FROM_SHA, TO_SHA) });
    expect(await screen.findByText('No differences')).toBeInTheDocument();
    expect(screen.queryByRole('heading', { name: 'Changed fields' })).not.toBeInTheDocument();
  });

  it('asks for two revisions when the URL names none', async () => {
    renderApp({ route: '/targets/acme/production/compare' });
    expect(await screen.findByText('No revision to compare was given.')).toBeInTheDocument();
    expect(screen.getByRole('link', { name: 'deployment history' })).toHaveAttribute('href', '/targets/acme/production');
  });

  it('compares a demo revision with head: header, impact, field table, file list and diff', async () => {
    const history = (await (await getMockBackend().app.request('/api/targets/acme/production/history?limit=2')).json()) as HistoryResponse;
    const [head, previous] = history.revisions;
    renderApp({ route: pageUrl(previous!.sha, 'head') });

    await waitFor(() => expect(fieldRows()).toHaveLength(2));
    const [tag, timeout] = fieldRows();
    expect(screen.getByRole('button', { name: 'payments 2 fields' })).toHaveAttribute('aria-expanded', 'true');
    expect(within(tag!).getByText('image.tag')).toBeInTheDocument();
    expect(tag).toHaveTextContent('v2.13.14');
    expect(tag).toHaveTextContent('v2.14.0');
    expect(within(timeout!).getByText('env[name=PAYMENT_PROVIDER_TIMEOUT_MS].value')).toBeInTheDocument();
    // Strings that look like numbers are quoted, so "800" never reads as the number 800.
    expect(within(timeout!).getByText('"3000"')).toBeInTheDocument();
    expect(within(timeout!).getByText('"800"')).toBeInTheDocument();

    expect(screen.getByRole('region', { name: 'Impact' })).toHaveTextContent('1 service changed');
    // Revision details come from the history, looked up by sha.
    await waitFor(() => expect(screen.getByTestId('compare-from')).toHaveTextContent(previous!.summary));
    expect(screen.getByTestId('compare-to')).toHaveTextContent(head!.summary);
    expect(screen.getByTestId('compare-to')).toHaveTextContent('branch head');

    const files = screen.getByRole('navigation', { name: 'Changed files' });
    const link = within(files).getByRole('link', { name: 'payments/values.yaml' });
    expect(link).toHaveAttribute('href', '#file-tenants-acme-production-services-payments-values-yaml');
    const card = document.getElementById('file-tenants-acme-production-services-payments-values-yaml')!;
    expect(within(card).getByRole('button', { name: `${ROOT}services/payments/values.yaml` })).toHaveAttribute('aria-expanded', 'true');
    await waitFor(() => expect(card.querySelector('.d2h-file-side-diff')).not.toBeNull());
  });

  it('swaps from and to in the URL', async () => {
    serveCompare(makeDiff([paymentsFile], paymentsFields));
    const user = userEvent.setup();
    const { router } = renderApp({ route: pageUrl(FROM_SHA, 'head') });
    await user.click(await screen.findByRole('button', { name: 'Swap from and to' }));
    expect(Object.fromEntries(new URLSearchParams(router.state.location.search))).toEqual({ from: 'head', to: FROM_SHA });
    expect(screen.getByTestId('compare-from')).toHaveTextContent('branch head');
    expect(screen.getByTestId('compare-to')).not.toHaveTextContent('branch head');
  });

  it('hides Secret values in the field table and says what is absent', async () => {
    serveCompare(makeDiff([paymentsFile, secretFile], [...paymentsFields, ...secretFields]));
    renderApp({ route: pageUrl(FROM_SHA, TO_SHA) });
    await waitFor(() => expect(fieldRows()).toHaveLength(4));
    const table = screen.getByRole('table', { name: 'Changed fields' });
    expect(table.textContent).not.toContain('<redacted');
    const [password, token] = fieldRows().filter((row) => row.textContent?.includes('data.'));
    expect(password).toHaveTextContent('(secret value hidden)');
    expect(password).toHaveTextContent('changed (secret value hidden)');
    expect(token).toHaveTextContent('(absent)');
    expect(token).toHaveTextContent('added (secret value hidden)');
    expect(screen.getByText('Secret values masked')).toBeInTheDocument();
  });

  it('groups files by service, then bindings, variables and other files, in list and diff alike', async () => {
    const file = (path: string) => makeFileDiff(`${ROOT}${path}`, makePatch(`${ROOT}${path}`, 12));
    serveCompare(
      makeDiff([
        file('notes.txt'),
        file('variables.yaml'),
        file('services/web/values.yaml'),
        file('kustomization.yaml'),
        file('services/api-gateway/values.yaml'),
      ]),
    );
    renderApp({ route: pageUrl(FROM_SHA, TO_SHA) });
    const files = await screen.findByRole('navigation', { name: 'Changed files' });
    expect(within(files).getAllByRole('heading').map((h) => h.textContent)).toEqual([
      'Changed files',
      'api-gateway',
      'web',
      'Bindings',
      'Variables',
      'Other files',
    ]);
    expect(screen.getAllByTestId('diff-file').map((card) => card.dataset.path?.slice(ROOT.length))).toEqual([
      'services/api-gateway/values.yaml',
      'services/web/values.yaml',
      'kustomization.yaml',
      'variables.yaml',
      'notes.txt',
    ]);
    expect(screen.getByRole('region', { name: 'Impact' })).toHaveTextContent('2 services changed1 binding changed1 variables file changed');
  });

  it('collapses and expands a file, and all of them', async () => {
    const other = makeFileDiff(`${ROOT}services/web/values.yaml`, makePatch(`${ROOT}services/web/values.yaml`, 12));
    serveCompare(makeDiff([paymentsFile, other], paymentsFields));
    const user = userEvent.setup();
    renderApp({ route: pageUrl(FROM_SHA, TO_SHA) });
    const toggle = await screen.findByRole('button', { name: paymentsFile.path });
    const body = document.getElementById(toggle.getAttribute('aria-controls')!)!;
    expect(body).toBeVisible();

    await user.click(toggle);
    expect(toggle).toHaveAttribute('aria-expanded', 'false');
    expect(body).not.toBeVisible();
    await user.click(toggle);
    expect(body).toBeVisible();

    await user.click(screen.getByRole('button', { name: 'Collapse all' }));
    // In the page: the header's Menu button is collapsed too.
    const main = within(screen.getByRole('main'));
    expect(main.getAllByRole('button', { expanded: false })).toHaveLength(2);
    // Following a file's link opens it again.
    await user.click(screen.getByRole('link', { name: 'payments/values.yaml' }));
    expect(toggle).toHaveAttribute('aria-expanded', 'true');
    await user.click(screen.getByRole('button', { name: 'Expand all' }));
    expect(main.queryAllByRole('button', { expanded: false })).toHaveLength(0);
  });

  it('follows the remembered layout, and changes it for every file', async () => {
    useDiffPreferencesStore.setState({ layout: 'line-by-line' });
    serveCompare(makeDiff([paymentsFile], paymentsFields));
    const user = userEvent.setup();
    renderApp({ route: pageUrl(FROM_SHA, TO_SHA) });
    const card = await screen.findByTestId('diff-file');
    expect(screen.getByRole('radio', { name: 'Line by line' })).toBeChecked();
    await waitFor(() => expect(card.querySelector('.d2h-file-diff')).not.toBeNull());
    expect(card.querySelector('.d2h-file-side-diff')).toBeNull();
    await user.click(screen.getByRole('radio', { name: 'Side by side' }));
    await waitFor(() => expect(card.querySelectorAll('.d2h-file-side-diff')).toHaveLength(2));
  });

  it('lists the first field changes and the rest on request, and says why some files have none', async () => {
    const path = `${ROOT}services/bulk/manifest.yaml`;
    const fields: FieldChange[] = Array.from({ length: 250 }, (_, i) => ({
      service: 'bulk',
      file: path,
      path: ['items', i, 'value'],
      from: i,
      to: i + 1,
    }));
    serveCompare(
      makeDiff(
        [
          makeFileDiff(path, makePatch(path, 30), { fieldDiff: 'truncated' }),
          makeFileDiff(`${ROOT}services/bulk/broken.yaml`, makePatch('broken.yaml', 12), { fieldDiff: 'unparseable' }),
        ],
        fields,
      ),
    );
    const user = userEvent.setup();
    renderApp({ route: pageUrl(FROM_SHA, TO_SHA) });
    await waitFor(() => expect(fieldRows()).toHaveLength(GROUP_ROWS_SHOWN), { timeout: 10_000 });
    expect(screen.getByText(/broken\.yaml/, { selector: 'code' }).parentElement).toHaveTextContent('not valid YAML');
    expect(screen.getByText(/manifest\.yaml/, { selector: 'code' }).parentElement).toHaveTextContent('first 2,000');
    await user.click(screen.getByRole('button', { name: 'Show all 250 fields of bulk' }));
    expect(fieldRows()).toHaveLength(250);
    expect(within(fieldRows()[3]!).getByText('items[3].value')).toBeInTheDocument();
  });

  it('bounds a large field table: one collapsible group per service with its count, the first rows, and multi-line values as blocks', async () => {
    const services = ['alpha', 'beta', 'gamma', 'delta', 'epsilon', 'zeta'];
    // 110 rows: 60 in alpha, 10 in each of the others.
    const fields: FieldChange[] = services.flatMap((service, s) =>
      Array.from({ length: s === 0 ? 60 : 10 }, (_, i) => ({ service, file: `${ROOT}services/${service}/config.yaml`, path: ['data', `key${i}`], from: i, to: i + 1 })),
    );
    fields[0] = { ...fields[0]!, path: ['data', 'nginx.conf'], from: 'server {\n  listen 80;\n}\n', to: 'server {\n  listen 8080;\n}\n' };
    serveCompare(makeDiff(services.map((service) => makeFileDiff(`${ROOT}services/${service}/config.yaml`, makePatch('config.yaml', 3))), fields));
    const user = userEvent.setup();
    renderApp({ route: pageUrl(FROM_SHA, TO_SHA) });
    await waitFor(() => expect(screen.getAllByTestId('row-group')).toHaveLength(6));
    expect(screen.getByTestId('field-count')).toHaveTextContent('110 fields in 6 groups');
    // The first groups are open and show their first rows; the rest are collapsed with their counts.
    expect(fieldRows()).toHaveLength(GROUPS_OPEN * GROUP_ROWS_SHOWN);
    const alpha = screen.getByRole('button', { name: /alpha 60 fields/ });
    expect(alpha).toHaveAttribute('aria-expanded', 'true');
    const zeta = screen.getByRole('button', { name: /zeta 10 fields/ });
    expect(zeta).toHaveAttribute('aria-expanded', 'false');
    // Keyboard: the group header is a button.
    zeta.focus();
    await user.keyboard('{Enter}');
    expect(zeta).toHaveAttribute('aria-expanded', 'true');
    expect(fieldRows()).toHaveLength((GROUPS_OPEN + 1) * GROUP_ROWS_SHOWN);
    await user.click(alpha);
    expect(fieldRows()).toHaveLength(GROUPS_OPEN * GROUP_ROWS_SHOWN);
    await user.click(alpha);
    await user.click(screen.getByRole('button', { name: 'Show all 60 fields of alpha' }));
    expect(fieldRows()).toHaveLength((GROUPS_OPEN + 1) * GROUP_ROWS_SHOWN + 60 - GROUP_ROWS_SHOWN);
    // A multi-line value is a pre-wrapped block with its lines, not one escaped line.
    const [before, after] = within(fieldRows()[0]!).getAllByTestId('field-block');
    expect(before).toHaveClass('field-block');
    expect(before!.textContent).toBe('server {\n  listen 80;\n}');
    expect(after!.textContent).toContain('listen 8080;');
    expect(fieldRows()[0]!.textContent).not.toContain('\\n');
  });

  it('keeps hostile names, paths and values inert everywhere on the page', async () => {
    serveCompare(hostileCompare());
    renderApp({ route: pageUrl(FROM_SHA, TO_SHA) });
    await waitFor(() => expect(fieldRows()).toHaveLength(2));
    const main = document.body;
    expect(main.querySelectorAll('img, script, svg, iframe')).toHaveLength(0);
    for (const element of main.querySelectorAll('*')) {
      for (const name of element.getAttributeNames()) expect(name.startsWith('on')).toBe(false);
    }
    for (const link of main.querySelectorAll('a')) expect(link.getAttribute('href')).not.toMatch(/javascript:/i);
    for (const text of HOSTILE_TEXTS) expect(main.textContent).toContain(text);
    expect((window as { __xss?: unknown }).__xss).toBeUndefined();
  });
});

describe('CompareView: field changes computed after the text', () => {
  const FIELDS_URL = '*/api/targets/acme/production/compare/fields';
  const deferredDiff = () => makeDiff([{ ...paymentsFile, fieldDiff: 'deferred' }]);

  it('shows the text diff at once and the field table when the fields arrive, for the same two revisions', async () => {
    serveCompare(deferredDiff());
    const asked: URL[] = [];
    let answer: () => void = () => {};
    const answered = new Promise<void>((resolve) => (answer = resolve));
    server.use(
      http.get(FIELDS_URL, async ({ request }) => {
        asked.push(new URL(request.url));
        await answered;
        return HttpResponse.json({ from: FROM_SHA, to: TO_SHA, files: [{ path: paymentsFile.path }], fields: paymentsFields });
      }),
    );
    renderApp({ route: pageUrl(FROM_SHA.slice(0, 7), 'head') });
    // The diff is readable while the fields are computed.
    const card = await screen.findByTestId('diff-file');
    await waitFor(() => expect(card.querySelector('.d2h-file-diff, .d2h-file-side-diff')).not.toBeNull());
    expect(screen.getByText(/Computing field changes/)).toHaveAttribute('role', 'status');
    expect(screen.getByLabelText('Impact')).toHaveTextContent('1 file, fields pending');
    expect(screen.queryByText(/not computed yet/)).not.toBeInTheDocument();
    await waitFor(() => expect(asked).toHaveLength(1));
    // Resolved shas, not `head`: the head may move between the two requests.
    expect([asked[0]!.searchParams.get('from'), asked[0]!.searchParams.get('to')]).toEqual([FROM_SHA, TO_SHA]);

    answer();
    await waitFor(() => expect(fieldRows()).toHaveLength(2));
    expect(screen.queryByText(/Computing field changes/)).not.toBeInTheDocument();
    expect(screen.getByLabelText('Impact')).toHaveTextContent('1 file, 2 fields');
  });

  it('says when the fields could not be computed, and retries', async () => {
    serveCompare(deferredDiff());
    let fail = true;
    server.use(
      http.get(FIELDS_URL, () =>
        fail
          ? HttpResponse.json({ error: { code: 'INTERNAL', message: 'field diff worker exited' } }, { status: 500 })
          : HttpResponse.json({ from: FROM_SHA, to: TO_SHA, files: [{ path: paymentsFile.path, fieldDiff: 'unparseable' }], fields: [] }),
      ),
    );
    const user = userEvent.setup();
    renderApp({ route: pageUrl(FROM_SHA, TO_SHA) });
    const alert = await screen.findByRole('alert');
    expect(alert).toHaveTextContent('Could not compute the field changes');
    expect(alert).toHaveTextContent('field diff worker exited');
    // The text diff stays.
    expect(screen.getByTestId('diff-file')).toBeInTheDocument();
    fail = false;
    await user.click(within(alert).getByRole('button', { name: 'Retry' }));
    expect(await screen.findByText(/not valid YAML/)).toBeInTheDocument();
  });
});

describe('CompareView: expandable context', () => {
  // As if the file went on above the change: more context can still show more.
  const wider = (context: number) =>
    makeFileDiff(paymentsFile.path, paymentsFile.patch.replace('@@ -1,5 +1,5 @@\n', `@@ -20,6 +20,6 @@\n context-${context}\n`));

  it('asks for the same file with more context, or all of it, and back', async () => {
    const asked: URLSearchParams[] = [];
    server.use(
      http.get(COMPARE_URL, ({ request }) => {
        const params = new URL(request.url).searchParams;
        asked.push(params);
        const context = params.get('context');
        return HttpResponse.json(context === null ? makeDiff([paymentsFile, secretFile], [...paymentsFields]) : makeDiff([wider(Number(context))]));
      }),
    );
    const user = userEvent.setup();
    renderApp({ route: pageUrl(FROM_SHA, TO_SHA) });
    const card = (await screen.findAllByTestId('diff-file')).find((c) => c.dataset.path === paymentsFile.path)!;
    const bar = within(card).getByRole('group', { name: `Context lines of ${paymentsFile.path}` });
    expect(bar).toHaveTextContent('3 lines of context');
    expect(within(bar).queryByRole('button', { name: 'Less context' })).not.toBeInTheDocument();

    await user.click(within(bar).getByRole('button', { name: 'More context' }));
    await waitFor(() => expect(card).toHaveTextContent('context-23'));
    expect(asked.at(-1)!.get('file')).toBe(paymentsFile.path);
    expect(asked.at(-1)!.get('context')).toBe('23');
    expect([asked.at(-1)!.get('from'), asked.at(-1)!.get('to')]).toEqual([FROM_SHA, TO_SHA]);
    expect(bar).toHaveTextContent('23 lines of context');

    await user.click(within(bar).getByRole('button', { name: 'Whole file' }));
    await waitFor(() => expect(card).toHaveTextContent('context-1000000'));
    expect(bar).toHaveTextContent('Whole file');
    expect(within(bar).queryByRole('button', { name: 'More context' })).not.toBeInTheDocument();

    await user.click(within(bar).getByRole('button', { name: 'Less context' }));
    await waitFor(() => expect(card).not.toHaveTextContent('context-'));
    expect(bar).toHaveTextContent('3 lines of context');
  });

  it('says when the wider patch already shows the whole file, and offers no more', async () => {
    server.use(
      http.get(COMPARE_URL, ({ request }) =>
        HttpResponse.json(
          new URL(request.url).searchParams.get('context') === null
            ? makeDiff([paymentsFile], paymentsFields)
            : makeDiff([makeFileDiff(paymentsFile.path, paymentsFile.patch.replace('@@ -1,5 +1,5 @@\n', '@@ -1,6 +1,6 @@\n # payments\n'))]),
        ),
      ),
    );
    const user = userEvent.setup();
    renderApp({ route: pageUrl(FROM_SHA, TO_SHA) });
    const card = await screen.findByTestId('diff-file');
    const bar = within(card).getByRole('group', { name: /^Context lines of / });
    await user.click(within(bar).getByRole('button', { name: 'More context' }));
    await waitFor(() => expect(card).toHaveTextContent('# payments'));
    expect(bar).toHaveTextContent('Whole file');
    expect(within(bar).queryByRole('button', { name: 'More context' })).not.toBeInTheDocument();
    expect(within(bar).queryByRole('button', { name: 'Whole file' })).not.toBeInTheDocument();
    expect(within(bar).getByRole('button', { name: 'Less context' })).toBeInTheDocument();
  });

  it('offers no context for added, binary, withheld or whole-file diffs', async () => {
    const path = (name: string) => `${ROOT}services/web/${name}.yaml`;
    serveCompare(
      makeDiff([
        makeFileDiff(path('added'), makePatch(path('added'), 12), { status: 'added' }),
        makeFileDiff(path('binary'), `diff --git a/x b/x\nBinary files a/x and b/x differ\n`, { binary: true, additions: 0, deletions: 0 }),
        makeFileDiff(path('withheld'), `diff --git a/x b/x\n`, { redacted: 'file', additions: 1, deletions: 1 }),
        makeFileDiff(path('whole'), makePatch(path('whole'), 12), { wholeFile: true }),
        makeFileDiff(path('plain'), makePatch(path('plain'), 12)),
      ]),
    );
    renderApp({ route: pageUrl(FROM_SHA, TO_SHA) });
    await waitFor(() => expect(screen.getAllByTestId('diff-file')).toHaveLength(5));
    const bars = screen.getAllByRole('group', { name: /^Context lines of / });
    expect(bars.map((bar) => bar.getAttribute('aria-label'))).toEqual([`Context lines of ${path('plain')}`]);
  });

  it('shows why more context could not be loaded, keeping the diff', async () => {
    server.use(
      http.get(COMPARE_URL, ({ request }) =>
        new URL(request.url).searchParams.get('context') === null
          ? HttpResponse.json(makeDiff([paymentsFile], paymentsFields))
          : HttpResponse.json({ error: { code: 'NOT_FOUND', message: 'unknown revision 1111111' } }, { status: 404 }),
      ),
    );
    const user = userEvent.setup();
    renderApp({ route: pageUrl(FROM_SHA, TO_SHA) });
    const card = await screen.findByTestId('diff-file');
    await user.click(within(card).getByRole('button', { name: 'More context' }));
    const alert = await within(card).findByRole('alert');
    expect(alert).toHaveTextContent('Could not load more context: unknown revision 1111111');
    expect(card).toHaveTextContent('tag: "v2.14.0"');
  });
});
