/**
 * Byte-minimal YAML field edits for field-mode rollbacks (DESIGN.md, "Git, done right").
 *
 * `applyFieldValues(text, edits, sourceText)` makes the given fields of `text` take the given values
 * (or disappear) and leaves every other byte as it was: comments, quoting, key order, indentation,
 * CRLF line endings, a missing final newline, the other documents of a multi-document file.
 *
 * How: the text is parsed to the yaml package's lossless CST; the field is located on it; the edit
 * becomes one splice of the original text:
 * - a scalar takes its new value through `CST.setScalarValue` + `CST.stringify` on its own token, in
 *   the token's own style when the value allows (a quoted scalar stays quoted the same way);
 * - a key or list item that exists only at the source revision is inserted next to the sibling it
 *   followed there, copied from the source text (re-indented, with this file's line endings), or
 *   generated with `yaml.stringify` when the source has no usable text for it;
 * - a key or list item that exists only now is removed with its lines (its whole block value);
 * - a map or list value (or a change of type) replaces the whole entry.
 * Every edit is checked by parsing the result: the edited field has the wanted value and nothing else
 * changed. An edit that cannot pass that check is refused with a 400, never written approximately.
 *
 * Paths are the field diff's (core/field-diff.ts, docs/decisions/004-field-diff.md): map keys,
 * list positions (numbers), `[name=<name>]` for items of lists matched by name; when either text has
 * more than one document, the first element is the document's index in `text` (the head: the newer
 * side of the compare from the source revision), and the source's document is the one the field
 * diff pairs with it (`matchDocuments`).
 *
 * Locating is in yaml-locate.ts, splicing in yaml-splice.ts, verification in yaml-edit-verify.ts.
 */
import { CST, isPair, isScalar } from 'yaml';
import { badRequest } from './errors.ts';
import { parsePathElement, type PathStep } from './field-path.ts';
import { isPlainObject } from './yaml-documents.ts';
import { type CollectionNode, deepEqual, type FieldPath, type FieldValueEdit, formatPath, isCollectionNode, isMapLike, type Item, itemNameOf, keyString, locate, lookupPath, nodeName, NOT_FOUND, type ParsedText, parseText, realItems, REMOVE, type Step, valueToken, walk } from './yaml-locate.ts';
import { removalRange } from './yaml-blank-lines.ts';
import { blockSpan, contentEnd, detectStyle, generateEntry, isScalarValue, itemContentEnd, itemContentStart, reindent, scalarCandidates, sourceEntryText, splice, tokenEnd, withEol, withOwnedComments } from './yaml-splice.ts';
import { type EditContext, firstVerified, isEmptyContainer, sourceStepWith, sourceValue, verify, withRest } from './yaml-edit-verify.ts';

/**
 * For each path, the edit that gives it back its value in `sourceText` (`REMOVE` where the source has
 * none). `sourceText` null: the file does not exist there. A path in neither text is a 400.
 */
export function restoringEdits(headText: string, sourceText: string | null, paths: readonly FieldPath[]): FieldValueEdit[] {
  const head = parseText(headText);
  const source = sourceText === null ? null : parseText(sourceText);
  return paths.map((path) => {
    const at = locate(path, head, source);
    if (at.rest.length === 0) {
      throw badRequest(`cannot edit ${formatPath(path)}: whole documents are restored with service mode`);
    }
    const now = lookupPath(head.values[at.headDoc], at.rest);
    const then = at.sourceDoc === null || !source ? NOT_FOUND : lookupPath(source.values[at.sourceDoc], at.rest);
    if (!now.found && !then.found) {
      throw badRequest(`${formatPath(path)} is in neither the current file nor the target revision`);
    }
    return { path, value: then.found ? then.value : REMOVE };
  });
}

// --------------------------------------------------------------------------------------------------
// The edits.

function setScalar(ctx: EditContext, step: Step, value: string | number | boolean | null): string {
  const { text, eol } = ctx.head;
  const token = valueToken(step)!;
  const sourceToken = sourceStepWith(ctx, ctx.rest, value)?.item.value;
  const inFlow = step.parent.type === 'flow-collection';
  const afterKey = step.parent.type === 'block-map';
  const oldLength = CST.stringify(token).length;
  const candidates = function* () {
    for (const candidate of scalarCandidates(value, token, sourceToken)) {
      const copy = structuredClone(token);
      CST.setScalarValue(copy, candidate.text, { afterKey, inFlow, type: candidate.type });
      yield splice(text, token.offset, token.offset + oldLength, withEol(CST.stringify(copy), eol));
    }
  };
  return firstVerified(ctx, candidates(), value, 'set');
}

/** Replaces a whole entry: a map or list value, a change of type, an empty value. */
function replaceEntry(ctx: EditContext, step: Step, value: unknown): string {
  const { text, eol } = ctx.head;
  const inFlow = step.parent.type === 'flow-collection';
  const texts: string[] = [];
  const sourceStep = sourceStepWith(ctx, ctx.rest, value);
  const reused = sourceStep && sourceEntryText(ctx.source!, sourceStep, inFlow);
  if (reused) texts.push(reused);
  texts.push(generateEntry(step.step, value, isMapLike(step.parent), inFlow, ctx.style));
  const candidates = function* () {
    for (const entry of texts) {
      if (inFlow) {
        yield splice(text, itemContentStart(step.item), itemContentEnd(step.item), entry);
      } else {
        const span = blockSpan(text, step.item);
        yield splice(text, span.contentStart, span.lineEnd, withEol(reindent(entry, 0, span.contentStart - span.lineStart), eol));
      }
    }
  };
  return firstVerified(ctx, candidates(), value, 'set');
}

function removeEntry(ctx: EditContext, steps: Step[]): string {
  const { text } = ctx.head;
  const step = steps.at(-1)!;
  const siblings = realItems(step.parent);
  const index = siblings.indexOf(step.item);
  const parentPath = ctx.rest.slice(0, -1);

  if (siblings.length === 1 && parentPath.length === 0 && ctx.head.values.length > 1) {
    // The last entry of a document among several: the document stays, as `{}` / `[]`, so that the
    // other documents keep their positions.
    const span = blockOrFlowRange(text, step);
    const result = splice(text, span.start, span.end, isMapLike(step.parent) ? '{}' : '[]');
    if (!verify(ctx, result, REMOVE)) throw badRequest(`cannot remove ${formatPath(ctx.label)} cleanly`);
    return result;
  }
  if (siblings.length === 1 && parentPath.length > 0) {
    // The last entry of its map or list: drop the parent too when the source revision has no such
    // parent, else leave it empty (`{}` / `[]`) rather than null.
    const parentCtx = withRest(ctx, parentPath);
    if (ctx.source && !sourceValue(ctx, parentPath).found) return removeEntry(parentCtx, steps.slice(0, -1));
    const result = replaceEntry(parentCtx, steps.at(-2)!, isMapLike(step.parent) ? {} : []);
    if (!verify(ctx, result, REMOVE)) throw badRequest(`cannot remove ${formatPath(ctx.label)} cleanly`);
    return result;
  }

  let start: number;
  let end: number;
  if (step.parent.type === 'flow-collection') {
    if (index > 0) {
      start = itemContentEnd(siblings[index - 1]!);
      end = itemContentEnd(step.item);
    } else {
      start = itemContentStart(step.item);
      end = siblings[1] ? itemContentStart(siblings[1]) : itemContentEnd(step.item);
    }
  } else {
    const span = withOwnedComments(text, blockSpan(text, step.item));
    const next = siblings[index + 1];
    if (!span.ownLine && next) {
      // `- name: a` losing `name`: the next key moves up onto the `- ` line.
      start = span.contentStart;
      end = itemContentStart(next);
    } else if (!span.ownLine) {
      start = span.contentStart;
      end = span.lineEnd;
    } else {
      start = span.lineStart;
      end = span.end;
      if (end === span.lineEnd && start > 0) {
        // The last line of a text without a final newline: the line break before it goes instead.
        start -= text[start - 2] === '\r' ? 2 : 1;
      } else {
        // With the blank lines that came with the entry, unless that changes a value (a `|+` scalar's).
        const wider = removalRange(text, start, end, ctx.source?.text ?? null);
        const result = splice(text, wider.start, wider.end, '');
        if (verify(ctx, result, REMOVE)) return result;
      }
    }
  }
  const result = splice(text, start, end, '');
  if (!verify(ctx, result, REMOVE)) throw badRequest(`cannot remove ${formatPath(ctx.label)} cleanly`);
  return result;
}

/** The text range of a whole collection (the last entry's parent), from its first to its last content character. */
function blockOrFlowRange(text: string, step: Step): { start: number; end: number } {
  if (step.parent.type === 'flow-collection') {
    return { start: step.parent.start.offset, end: contentEnd(step.parent) };
  }
  const span = withOwnedComments(text, blockSpan(text, step.item));
  return { start: span.contentStart, end: span.lineEnd };
}

/** The smallest part of `node` that leads along `path` to `leaf`. */
function prune(node: unknown, path: FieldPath, leaf: unknown, label: FieldPath): unknown {
  const [element, ...rest] = path;
  if (element === undefined) return leaf;
  const step = parsePathElement(element);
  if (step.type === 'index') {
    if (Array.isArray(node)) return node; // positions only make sense with their predecessors
    if (step.index !== 0) throw badRequest(`cannot add ${formatPath(label)}: its list does not exist`);
    return [prune(undefined, rest, leaf, label)];
  }
  if (step.type === 'name') {
    const item = Array.isArray(node) ? node.find((candidate) => itemNameOf(candidate) === step.name) : undefined;
    if (rest.length === 0) return [leaf];
    const inner = prune(item, rest, leaf, label);
    const name = isPlainObject(item) ? item['name'] : step.name;
    return [isPlainObject(inner) ? { name, ...inner } : inner];
  }
  if (step.type === 'document') throw badRequest(`cannot add ${formatPath(label)}: a document is not a field`);
  const child = isPlainObject(node) && Object.hasOwn(node, step.key) ? node[step.key] : undefined;
  const out: Record<string, unknown> = {};
  Object.defineProperty(out, step.key, { value: prune(child, rest, leaf, label), enumerable: true, writable: true, configurable: true });
  return out;
}

/** The value the missing entry at `rest[0..depth]` takes so that `rest` gets `value`. */
function missingEntryValue(ctx: EditContext, depth: number, value: unknown): unknown {
  const remainder = ctx.rest.slice(depth + 1);
  if (remainder.length === 0) return value;
  const there = sourceValue(ctx, ctx.rest.slice(0, depth + 1));
  return prune(there.found ? there.value : undefined, remainder, value, ctx.label);
}

type InsertionPoint = { after: Item } | { before: Item } | { append: true };

/** Where a new entry goes among the head's items: after the sibling it followed in the source, etc. */
function insertionPoint(ctx: EditContext, parent: CollectionNode, step: PathStep, parentPath: FieldPath): InsertionPoint {
  const items = realItems(parent.srcToken);
  if (step.type === 'index') {
    const before = items[step.index];
    if (before) return { before };
    if (step.index > items.length) throw badRequest(`cannot add ${formatPath(ctx.label)}: position ${step.index} is past the end of the list`);
    return { append: true };
  }
  const mapLike = isMapLike(parent.srcToken);
  const idOf = (node: unknown): string | null => (mapLike ? (isPair(node) ? keyString(node.key) : null) : nodeName(node));
  const headIds = (parent.items as unknown[]).map(idOf);
  let sourceIds: Array<string | null> = [];
  if (ctx.source && ctx.sourceDoc !== null) {
    try {
      const { steps, node } = walk(ctx.source.roots[ctx.sourceDoc] ?? null, parentPath, ctx.label);
      if (steps.length === parentPath.length && isCollectionNode(node) && isMapLike(node.srcToken) === mapLike) {
        sourceIds = (node.items as unknown[]).map(idOf);
      }
    } catch {
      sourceIds = [];
    }
  }
  const id = step.type === 'key' ? step.key : step.name;
  const at = sourceIds.indexOf(id);
  const headItem = (key: string | null) => {
    const i = key === null ? -1 : headIds.indexOf(key);
    return i >= 0 && items.length === parent.items.length ? items[i] : undefined;
  };
  if (at >= 0) {
    for (let i = at - 1; i >= 0; i--) {
      const match = headItem(sourceIds[i] ?? null);
      if (match) return { after: match };
    }
    for (let i = at + 1; i < sourceIds.length; i++) {
      const match = headItem(sourceIds[i] ?? null);
      if (match) return { before: match };
    }
  }
  return { append: true };
}

function insertEntry(ctx: EditContext, parent: CollectionNode, depth: number, value: unknown): string {
  const { text, eol } = ctx.head;
  const step = parsePathElement(ctx.rest[depth]!);
  const collection = parent.srcToken;
  const mapLike = isMapLike(collection);
  if (step.type === 'document' || mapLike !== (step.type === 'key')) {
    throw badRequest(`cannot add ${formatPath(ctx.label)}: ${formatPath(ctx.label.slice(0, ctx.label.length - ctx.rest.length + depth))} is a ${mapLike ? 'map' : 'list'}`);
  }
  const inFlow = collection.type === 'flow-collection';
  const entryValue = missingEntryValue(ctx, depth, value);
  const texts: string[] = [];
  const sourceStep = sourceStepWith(ctx, ctx.rest.slice(0, depth + 1), entryValue);
  const reused = sourceStep && sourceEntryText(ctx.source!, sourceStep, inFlow);
  if (reused) texts.push(reused);
  texts.push(generateEntry(step, entryValue, mapLike, inFlow, ctx.style));

  const items = realItems(collection);
  const point = insertionPoint(ctx, parent, step, ctx.rest.slice(0, depth));
  const candidates = function* () {
    for (const entry of texts) {
      if (inFlow) {
        if (items.length === 0) {
          yield splice(text, tokenEnd(collection.start), tokenEnd(collection.start), entry);
        } else if ('before' in point) {
          const at = itemContentStart(point.before);
          yield splice(text, at, at, `${entry}, `);
        } else {
          const at = itemContentEnd('after' in point ? point.after : items.at(-1)!);
          yield splice(text, at, at, `, ${entry}`);
        }
        continue;
      }
      const firstSpan = blockSpan(text, items[0]!);
      const column = firstSpan.contentStart - firstSpan.lineStart;
      const body = withEol(reindent(entry, 0, column), eol);
      const pad = ' '.repeat(column);
      if ('before' in point) {
        const span = blockSpan(text, point.before);
        yield span.ownLine
          ? splice(text, span.lineStart, span.lineStart, `${pad}${body}${eol}`)
          : splice(text, span.contentStart, span.contentStart, `${body}${eol}${pad}`);
      } else {
        const span = withOwnedComments(text, blockSpan(text, 'after' in point ? point.after : items.at(-1)!));
        yield span.end === span.lineEnd
          ? splice(text, span.end, span.end, `${eol}${pad}${body}`)
          : splice(text, span.end, span.end, `${pad}${body}${eol}`);
      }
    }
  };
  return firstVerified(ctx, candidates(), value, 'add');
}

function isPlainData(value: unknown): boolean {
  if (isScalarValue(value)) return true;
  if (Array.isArray(value)) return value.every(isPlainData);
  return isPlainObject(value) && Object.values(value).every(isPlainData);
}

function applyOne(headText: string, edit: FieldValueEdit, source: ParsedText | null): string {
  const head = parseText(headText);
  const at = locate(edit.path, head, source);
  if (at.rest.length === 0) throw badRequest(`cannot edit ${formatPath(edit.path)}: whole documents are restored with service mode`);
  const ctx: EditContext = {
    head,
    source,
    label: edit.path,
    headDoc: at.headDoc,
    sourceDoc: at.sourceDoc,
    rest: at.rest,
    style: detectStyle(head.text, source?.text ?? null),
  };
  const current = lookupPath(head.values[at.headDoc], at.rest);
  if (edit.value === REMOVE ? !current.found : current.found && deepEqual(current.value, edit.value)) return headText;
  if (edit.value !== REMOVE && !isPlainData(edit.value)) throw badRequest(`cannot set ${formatPath(edit.path)}: unsupported value`);

  const { steps, node } = walk(head.roots[at.headDoc] ?? null, at.rest, edit.path);
  const complete = steps.length === at.rest.length;
  if (edit.value === REMOVE) return complete ? removeEntry(ctx, steps) : headText;
  if (complete) {
    const step = steps.at(-1)!;
    const token = valueToken(step);
    if (isScalarValue(edit.value) && token && CST.isScalar(token) && isScalar(node)) return setScalar(ctx, step, edit.value);
    return replaceEntry(ctx, step, edit.value);
  }

  // Missing: add the first missing entry under the deepest existing parent.
  const depth = steps.length;
  if (isCollectionNode(node) && (realItems(node.srcToken).length > 0 || (depth === 0 && node.srcToken.type === 'flow-collection'))) {
    return insertEntry(ctx, node, depth, edit.value);
  }
  const parentValue = lookupPath(head.values[at.headDoc], at.rest.slice(0, depth));
  if (depth > 0 && parentValue.found && isEmptyContainer(parentValue.value)) {
    // `parent:` (null), `parent: {}` or `parent: []`: write the parent with its one new entry.
    const step = parsePathElement(at.rest[depth]!);
    if (step.type === 'index' && step.index !== 0) {
      throw badRequest(`cannot add ${formatPath(edit.path)}: position ${step.index} is past the end of the list`);
    }
    const inner = missingEntryValue(ctx, depth, edit.value);
    const container = step.type === 'key' ? prune(undefined, [at.rest[depth]!], inner, edit.path) : [inner];
    const result = replaceEntry(withRest(ctx, at.rest.slice(0, depth)), steps.at(-1)!, container);
    if (!verify(ctx, result, edit.value)) throw badRequest(`cannot add ${formatPath(edit.path)} without changing other fields`);
    return result;
  }
  const where = depth === 0 ? 'the document' : formatPath(edit.path.slice(0, edit.path.length - at.rest.length + depth));
  throw badRequest(`cannot resolve ${formatPath(edit.path)}: ${where} is not a map or list`);
}

/** Index-addressed list edits in an order where earlier ones do not shift later ones. */
function orderEdits(edits: readonly FieldValueEdit[]): FieldValueEdit[] {
  const lastIndex = (edit: FieldValueEdit) => {
    const last = edit.path.at(-1);
    return typeof last === 'number' && edit.path.length > 1 ? last : -1;
  };
  const sorted = (list: FieldValueEdit[], sign: number) =>
    list
      .map((edit, i) => ({ edit, i }))
      .sort((a, b) => sign * (lastIndex(a.edit) - lastIndex(b.edit)) || a.i - b.i)
      .map((entry) => entry.edit);
  return [...sorted(edits.filter((e) => e.value !== REMOVE), 1), ...sorted(edits.filter((e) => e.value === REMOVE), -1)];
}

/**
 * `text` with each edit's field set to its value (or removed, for `REMOVE`) and every other byte as it
 * was. `sourceText` (the file at the revision the values come from) gives new entries their position
 * and formatting, and pairs documents. A field that already has its value is left alone.
 */
export function applyFieldValues(text: string, edits: readonly FieldValueEdit[], sourceText?: string | null): string {
  const source = sourceText === undefined || sourceText === null ? null : parseText(sourceText);
  let current = text;
  for (const edit of orderEdits(edits)) current = applyOne(current, edit, source);
  return current;
}
