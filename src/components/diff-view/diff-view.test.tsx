import { act, render, screen, waitFor } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { html } from 'diff2html';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { HOSTILE_PATH, HOSTILE_TEXTS, hostileCompare, makeFileDiff, makePatch, secretFile } from '#src/test/compare-fixtures.ts';
import { DIFF_LIMITS, DIFF_TOO_BIG_MESSAGE, measurePatch, planAutoLoad } from './diff-limits.ts';
import { DiffLayoutToggle } from './diff-layout-toggle.tsx';
import { useDiffPreferencesStore, type DiffLayout } from './diff-preferences-store.ts';
import { DiffView } from './diff-view.tsx';
import { parsePatch, sanitizeDiffMarkup } from './diff2html-render.ts';
import { patchFileName } from './patch-download.tsx';

const LAYOUTS: DiffLayout[] = ['side-by-side', 'line-by-line'];
const hostile = hostileCompare().files[0]!;

/** jsdom has no layout: give virtualised diff boxes a 600 px viewport so they render their rows. */
function mockDiffViewport(height = 600) {
  const isBox = (element: Element) => element.hasAttribute('data-virtual-diff');
  vi.spyOn(Element.prototype, 'clientHeight', 'get').mockImplementation(function (this: Element) {
    return isBox(this) ? height : 0;
  });
  vi.spyOn(Element.prototype, 'clientWidth', 'get').mockImplementation(function (this: Element) {
    return isBox(this) ? 1200 : 0;
  });
}

/** Small diffs render a few files per task, after the commit. */
const diffMarkup = () => waitFor(() => expect(screen.getByTestId('diff-html').childElementCount).toBeGreaterThan(0));

const renderedRows = (container: HTMLElement) => container.querySelectorAll('tr, [data-diff-row]').length;

/** Nothing a manifest could inject: no element of its own, no handler, no URL, no inline style. */
function expectInert(container: HTMLElement) {
  expect(container.querySelectorAll('script, img, svg, a, iframe, object, embed, style, link, form, input')).toHaveLength(0);
  for (const element of container.querySelectorAll('*')) {
    for (const name of element.getAttributeNames()) {
      expect(name.startsWith('on'), `${element.tagName} has ${name}`).toBe(false);
      expect(['href', 'src', 'srcset', 'action', 'formaction', 'xlink:href']).not.toContain(name);
    }
  }
}

beforeEach(() => {
  localStorage.clear();
  useDiffPreferencesStore.setState({ layout: 'side-by-side' });
});

afterEach(() => {
  vi.restoreAllMocks();
});

describe('diff2html (the library DiffView wraps)', () => {
  it('escapes file names, hunk headers and lines in its own markup', () => {
    for (const layout of LAYOUTS) {
      const markup = html(hostile.patch, { outputFormat: layout, drawFileList: true, matching: 'none' });
      expect(markup).not.toMatch(/<script|<img|<svg onload/i);
      expect(markup).not.toMatch(/style="/);
      // The file name, in the file list and the file header, and the lines: escaped text.
      expect(markup).toContain('&lt;img src=x onerror=&quot;window.__xss');
      expect(markup).toContain('&lt;script&gt;window.__xss');
      // Parsed (where nothing can run), diff2html's own markup has no element or attribute of the manifest's.
      const template = document.createElement('template');
      template.innerHTML = markup;
      expect(template.content.querySelectorAll('script, img, iframe, object, style')).toHaveLength(0);
      for (const element of template.content.querySelectorAll('*')) {
        for (const name of element.getAttributeNames()) expect(name.startsWith('on')).toBe(false);
      }
      for (const link of template.content.querySelectorAll('a[href]')) expect(link.getAttribute('href')).toMatch(/^#d2h-\d+$/);
      expect(template.content.textContent).toContain(HOSTILE_TEXTS[0]);
    }
  });

  it('keeps whatever the sanitiser does not know out of the page, as text', () => {
    const fragment = sanitizeDiffMarkup(
      '<div class="d2h-wrapper" style="color:red" onclick="x()"><img src=x onerror="alert(1)"><span class="d2h-code-line-ctn">a</span>' +
        '<div class="d2h-file-header">name <input type="checkbox"></div><a href="javascript:alert(1)">link</a></div>',
    );
    const host = document.createElement('div');
    host.append(fragment);
    expectInert(host);
    expect(host.querySelector('[style]')).toBeNull();
    expect(host.querySelector('.d2h-code-line-ctn')).toHaveTextContent('a');
    expect(host).toHaveTextContent('link');
    expect(host).not.toHaveTextContent('name');
  });
});

describe('DiffView', () => {
  it.each(LAYOUTS)('shows hostile content and file names as inert text (%s)', async (layout) => {
    const alert = vi.spyOn(window, 'alert').mockImplementation(() => {});
    const { container } = render(<DiffView file={hostile} layout={layout} />);
    await diffMarkup();
    const view = screen.getByTestId('diff-view');
    expectInert(view);
    expect(view.querySelector('[style]')).toBeNull();
    for (const text of HOSTILE_TEXTS) expect(view.textContent).toContain(text);
    expect(view.textContent).toContain('<div style="position:fixed;inset:0;background:red">covered</div>');
    expect(container.ownerDocument.querySelector('img, script')).toBeNull();
    expect(alert).not.toHaveBeenCalled();
    expect((window as { __xss?: unknown }).__xss).toBeUndefined();
  });

  it.each(LAYOUTS)('shows hostile content inert in virtualised rows too (%s)', async (layout) => {
    mockDiffViewport();
    const lines = [' plain', ...Array.from({ length: 450 }, (_, i) => `+${HOSTILE_TEXTS[i % 3]}`)];
    const patch = `diff --git a/${HOSTILE_PATH} b/${HOSTILE_PATH}\n--- a/${HOSTILE_PATH}\n+++ b/${HOSTILE_PATH}\n@@ -1,1 +1,451 @@ ${HOSTILE_TEXTS[1]}\n${lines.join('\n')}\n`;
    const user = userEvent.setup();
    render(<DiffView file={makeFileDiff(HOSTILE_PATH, patch)} layout={layout} />);
    await user.click(screen.getByRole('button', { name: 'Load diff' }));
    const view = screen.getByTestId('diff-view');
    expect(view.querySelector('[data-diff-row]')).not.toBeNull();
    expectInert(view);
    for (const text of HOSTILE_TEXTS) expect(view.textContent).toContain(text);
  });

  it('renders a small diff at once, with both layouts', async () => {
    const file = makeFileDiff('a.yaml', makePatch('a.yaml', 30));
    const { container, rerender } = render(<DiffView file={file} layout="side-by-side" />);
    await diffMarkup();
    expect(container.querySelectorAll('.d2h-file-side-diff')).toHaveLength(2);
    expect(screen.getAllByRole('group', { name: /Before|After/ })).toHaveLength(2);
    expect(container.textContent).toContain('key4: value-4-new');
    rerender(<DiffView file={file} layout="line-by-line" />);
    await waitFor(() => expect(container.querySelectorAll('.d2h-file-side-diff')).toHaveLength(0));
    expect(container.querySelectorAll('.d2h-file-diff')).toHaveLength(1);
  });

  it('shows Secret markers as they are: the patch says which entries changed, not to what', async () => {
    render(<DiffView file={secretFile} layout="line-by-line" />);
    await diffMarkup();
    const view = screen.getByTestId('diff-view');
    expect(view.textContent).toContain('password: <redacted:changed>');
    expect(view.textContent).toContain('token: <redacted>');
  });

  it('keeps a diff over 400 lines behind "Load diff", then mounts only the rows in view', async () => {
    mockDiffViewport(600);
    const file = makeFileDiff('big.yaml', makePatch('big.yaml', 19_000));
    const user = userEvent.setup();
    const { container } = render(<DiffView file={file} layout="line-by-line" />);
    const lines = measurePatch(file.patch).lines.toLocaleString('en');
    expect(screen.getByText(new RegExp(`Large diff: ${lines} lines`))).toBeInTheDocument();
    expect(renderedRows(container)).toBe(0);

    await user.click(screen.getByRole('button', { name: 'Load diff' }));
    const box = screen.getByRole('group', { name: 'Diff of big.yaml' });
    const mounted = renderedRows(container);
    expect(mounted).toBeGreaterThan(10);
    expect(mounted).toBeLessThanOrEqual(100);
    expect(box.textContent).toContain('section-0');

    // Scrolled to the end: still a window of rows, now the last ones.
    act(() => {
      box.scrollTop = 19_000 * 20;
      box.dispatchEvent(new Event('scroll'));
    });
    expect(renderedRows(container)).toBeLessThanOrEqual(100);
    expect(box.textContent).toContain(`section-${Math.floor((19_000 - 3) / 9) - 1}:`);
  });

  it('also waits for a patch of few but long lines (over 20 KB)', () => {
    const file = makeFileDiff('wide.yaml', makePatch('wide.yaml', 30, { width: 1_000 }));
    expect(measurePatch(file.patch).lines).toBeLessThan(DIFF_LIMITS.loadOnRequestLines);
    render(<DiffView file={file} layout="side-by-side" />);
    expect(screen.getByRole('button', { name: 'Load diff' })).toBeInTheDocument();
  });

  it('waits behind "Load diff" when the page budget is spent, even for a small diff', async () => {
    const user = userEvent.setup();
    const { container } = render(<DiffView file={makeFileDiff('a.yaml', makePatch('a.yaml', 30))} layout="side-by-side" autoLoad={false} />);
    expect(screen.getByText(/Not loaded yet/)).toBeInTheDocument();
    await user.click(screen.getByRole('button', { name: 'Load diff' }));
    await diffMarkup();
    expect(container.querySelector('.d2h-wrapper')).not.toBeNull();
  });

  it('offers a diff over 20,000 lines as a download only, under a safe file name', async () => {
    const createObjectURL = vi.fn((blob: Blob) => {
      void blob;
      return 'blob:patch';
    });
    Object.assign(URL, { createObjectURL, revokeObjectURL: vi.fn() });
    const click = vi.spyOn(HTMLAnchorElement.prototype, 'click').mockImplementation(function (this: HTMLAnchorElement) {
      expect(this.download).toBe('tenants_acme_x_.._evil_name_.yaml.patch');
      expect(this.href).toBe('blob:patch');
    });
    const path = 'tenants/acme/x/../evil name<>.yaml';
    const file = makeFileDiff(path, makePatch(path, 21_000));
    const user = userEvent.setup();
    const { container } = render(<DiffView file={file} layout="side-by-side" />);

    expect(screen.getByText(/too large to show here \(21,000 lines/)).toBeInTheDocument();
    expect(screen.queryByRole('button', { name: 'Load diff' })).not.toBeInTheDocument();
    expect(renderedRows(container)).toBe(0);
    await user.click(screen.getByRole('button', { name: /Download patch/ }));
    expect(click).toHaveBeenCalledOnce();
    const blob = createObjectURL.mock.calls[0]![0];
    expect(await blob.text()).toBe(file.patch);
  });

  it('replaces a diff with a line over diffMaxLineLength by the constant message and a download', async () => {
    const user = userEvent.setup();
    const patch = makePatch('one-line.yaml', 12, { width: DIFF_LIMITS.maxLineLength + 10 });
    expect(measurePatch(patch).sizeClass).toBe('large');
    render(<DiffView file={makeFileDiff('one-line.yaml', patch)} layout="side-by-side" />);
    await user.click(screen.getByRole('button', { name: 'Load diff' }));
    expect(screen.getByText(/longer than 10,000 characters/)).toBeInTheDocument();
    expect(screen.getByRole('button', { name: /Download patch/ })).toBeInTheDocument();
    expect(DIFF_TOO_BIG_MESSAGE).not.toMatch(/[<>&"']/);
  });

  it('says so for a withheld Secret file and for a binary file', () => {
    const withheld = makeFileDiff('s.yaml', 'diff --git a/s.yaml b/s.yaml\n', { redacted: 'file', additions: 3, deletions: 1 });
    const { rerender } = render(<DiffView file={withheld} layout="side-by-side" />);
    expect(screen.getByText(/Contents withheld/)).toBeInTheDocument();
    rerender(<DiffView file={makeFileDiff('b.bin', 'Binary files a/b.bin and b/b.bin differ\n', { binary: true })} layout="side-by-side" />);
    expect(screen.getByText(/Binary file/)).toBeInTheDocument();
  });
});

describe('diff limits', () => {
  it('classifies by lines and by size', () => {
    expect(measurePatch('').sizeClass).toBe('small');
    expect(measurePatch(makePatch('a', 400)).sizeClass).toBe('small');
    expect(measurePatch(makePatch('a', 420)).sizeClass).toBe('large');
    expect(measurePatch(makePatch('a', 10_000)).sizeClass).toBe('large');
    expect(measurePatch(makePatch('a', 20_020)).sizeClass).toBe('huge');
    expect(measurePatch(makePatch('a', 300, { width: 2_000 })).sizeClass).toBe('huge');
  });

  it('renders small diffs at once only within the page budget', () => {
    const small = measurePatch(makePatch('a', 300));
    const large = measurePatch(makePatch('a', 1_000));
    expect(planAutoLoad([small, large, small, small, small, small, small], 1_500)).toEqual([true, false, true, true, true, true, false]);
    expect(planAutoLoad([small, small, small, small])).toEqual([true, true, true, false]);
  });

  it('names downloads without paths or odd characters', () => {
    expect(patchFileName('tenants/acme/production/services/payments/values.yaml')).toBe(
      'tenants_acme_production_services_payments_values.yaml.patch',
    );
    expect(patchFileName('../../.bashrc')).toBe('bashrc.patch');
    expect(patchFileName('<script>/\u0000')).toBe('script___.patch');
    expect(patchFileName('')).toBe('diff.patch');
  });
});

describe('DiffLayoutToggle', () => {
  it('switches the layout and remembers it in localStorage', async () => {
    const user = userEvent.setup();
    render(<DiffLayoutToggle />);
    expect(screen.getByRole('radio', { name: 'Side by side' })).toBeChecked();
    await user.click(screen.getByRole('radio', { name: 'Line by line' }));
    expect(useDiffPreferencesStore.getState().layout).toBe('line-by-line');
    expect(JSON.parse(localStorage.getItem('rewind.diff-preferences') ?? '{}')).toMatchObject({ state: { layout: 'line-by-line' } });

    // A new page load reads it back; garbage leaves the default.
    useDiffPreferencesStore.setState({ layout: 'side-by-side' });
    localStorage.setItem('rewind.diff-preferences', JSON.stringify({ state: { layout: 'line-by-line' }, version: 0 }));
    await act(() => useDiffPreferencesStore.persist.rehydrate());
    expect(useDiffPreferencesStore.getState().layout).toBe('line-by-line');
    expect(screen.getByRole('radio', { name: 'Line by line' })).toBeChecked();
    useDiffPreferencesStore.setState({ layout: 'side-by-side' });
    localStorage.setItem('rewind.diff-preferences', JSON.stringify({ state: { layout: '<img>' }, version: 0 }));
    await act(() => useDiffPreferencesStore.persist.rehydrate());
    expect(useDiffPreferencesStore.getState().layout).toBe('side-by-side');
  });

  it('parses patches with diff2html', () => {
    const [file] = parsePatch(makePatch('a.yaml', 30));
    expect(file?.blocks).toHaveLength(3);
  });
});
