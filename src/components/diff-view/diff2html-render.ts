/**
 * The only module that talks to diff2html. Its core parses a git patch and renders it to an HTML
 * string; manifest text and file names inside that patch are attacker-controlled, so:
 *
 * - diff2html escapes every line, hunk header and file name it puts into the markup (proved by
 *   diff-view.test.tsx with `<script>`, `<img onerror>` and `javascript:` in each of them);
 * - on top of that, the markup is parsed in an inert <template> (no script runs, no image loads there)
 *   and reduced to the few elements and the one attribute (`class`) diff2html's tables use before it
 *   reaches the page: even a future escaping bug could not inject an element or a handler;
 * - no `style` attribute survives either, which our CSP (`style-src 'self'`) would refuse anyway.
 */
import { html, parse, type Diff2HtmlConfig } from 'diff2html';
import type { DiffFile } from 'diff2html/lib/types';
import { DIFF_LIMITS, DIFF_TOO_BIG_MESSAGE } from './diff-limits.ts';
import type { DiffLayout } from './diff-preferences-store.ts';

export type { DiffFile as ParsedDiffFile } from 'diff2html/lib/types';

const CONFIG: Diff2HtmlConfig = {
  matching: 'none',
  diffMaxChanges: DIFF_LIMITS.maxChanges,
  diffMaxLineLength: DIFF_LIMITS.maxLineLength,
  diffTooBigMessage: () => DIFF_TOO_BIG_MESSAGE,
  drawFileList: false,
};

export function parsePatch(patch: string): DiffFile[] {
  return parse(patch, CONFIG);
}

const ALLOWED_ELEMENTS = new Set(['DIV', 'TABLE', 'TBODY', 'TR', 'TD', 'SPAN', 'DEL', 'INS', 'BR']);
// The file header is ours (path, counts, collapse); diff2html's own repeats it with a "Viewed" checkbox.
const DROPPED_CLASSES = ['d2h-file-header'];

/** The diff2html markup of a parsed patch, as inert, sanitised DOM nodes ready to insert. */
export function renderDiffFragment(files: DiffFile[], layout: DiffLayout, doc: Document = document): DocumentFragment {
  const fragment = sanitizeDiffMarkup(html(files, { ...CONFIG, outputFormat: layout }), doc);
  labelScrollRegions(fragment, layout);
  return fragment;
}

/** Markup parsed where it cannot act (a template's content), reduced to what diff tables need. */
export function sanitizeDiffMarkup(markup: string, doc: Document = document): DocumentFragment {
  const template = doc.createElement('template');
  template.innerHTML = markup;
  sanitize(template.content);
  return template.content;
}

function sanitize(root: DocumentFragment) {
  for (const element of Array.from(root.querySelectorAll('*'))) {
    if (DROPPED_CLASSES.some((name) => element.classList.contains(name))) {
      element.remove();
      continue;
    }
    if (!ALLOWED_ELEMENTS.has(element.tagName)) {
      // Unreachable while diff2html escapes; if it ever did not, the text stays visible and inert.
      element.replaceWith(root.ownerDocument.createTextNode(element.textContent ?? ''));
      continue;
    }
    for (const name of element.getAttributeNames()) {
      if (name !== 'class') element.removeAttribute(name);
    }
  }
}

/** Long lines scroll sideways inside these boxes; keyboard users must be able to reach them. */
function labelScrollRegions(root: DocumentFragment, layout: DiffLayout) {
  const boxes = root.querySelectorAll(layout === 'side-by-side' ? '.d2h-file-side-diff' : '.d2h-file-diff');
  boxes.forEach((box, index) => {
    box.setAttribute('tabindex', '0');
    box.setAttribute('role', 'group');
    box.setAttribute(
      'aria-label',
      layout === 'line-by-line' ? 'Changes' : index === 0 ? 'Before (old version)' : 'After (new version)',
    );
  });
}
