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
 */
import { CST, isAlias, isMap, isPair, isScalar, isSeq, parseAllDocuments, stringify } from 'yaml';
import type { Node as YamlNode, Scalar, YAMLMap, YAMLSeq } from 'yaml';
import { badRequest } from './errors.ts';
import {
  documentIdentity,
  documentSelector,
  formatFieldPath,
  parsePathElement,
  resolveFieldPath,
  type FieldPathElement,
  type PathStep,
} from './field-diff.ts';
import { isPlainObject, parseYamlDocuments } from './yaml-documents.ts';

export type { FieldPathElement };
export type FieldPath = readonly FieldPathElement[];

/** The value that asks for a field's removal. */
export const REMOVE: unique symbol = Symbol.for('rewind.yaml-field-edit.remove');
export type Remove = typeof REMOVE;

export interface FieldValueEdit {
  path: FieldPath;
  /** The new value (plain JSON-like data, as the field diff reports it) or `REMOVE`. */
  value: unknown;
}

// --------------------------------------------------------------------------------------------------
// Plain-data helpers.

type Lookup = { found: true; value: unknown } | { found: false };
const NOT_FOUND: Lookup = { found: false };

export function lookupPath(root: unknown, path: FieldPath): Lookup {
  const value = resolveFieldPath(root, path);
  return value === undefined ? NOT_FOUND : { found: true, value };
}

/** Structural equality of parsed YAML data (map key order does not matter, list order does). */
export function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (Array.isArray(a) || Array.isArray(b)) {
    if (!Array.isArray(a) || !Array.isArray(b) || a.length !== b.length) return false;
    return a.every((item, i) => deepEqual(item, b[i]));
  }
  if (isPlainObject(a) && isPlainObject(b)) {
    const keys = Object.keys(a);
    if (keys.length !== Object.keys(b).length) return false;
    return keys.every((key) => Object.hasOwn(b, key) && deepEqual(a[key], b[key]));
  }
  return false;
}

function itemNameOf(item: unknown): string | null {
  if (!isPlainObject(item)) return null;
  const name = item['name'];
  return typeof name === 'string' || typeof name === 'number' || typeof name === 'boolean' ? String(name) : null;
}

export function formatPath(path: FieldPath): string {
  return path.length === 0 ? '(document)' : formatFieldPath(path);
}

// --------------------------------------------------------------------------------------------------
// Parsed texts: values as the field diff sees them, and the syntax tree with its CST tokens.

type Collection = CST.BlockMap | CST.BlockSequence | CST.FlowCollection;
type Item = CST.CollectionItem;

/** A map or list of the syntax tree, with the CST token it was composed from. */
type CollectionNode = (YAMLMap | YAMLSeq) & { srcToken: Collection };

interface ParsedText {
  text: string;
  eol: string;
  /** Root nodes of the non-empty documents (the documents the field diff counts). */
  roots: Array<YamlNode | null>;
  values: unknown[];
}

function detectEol(text: string): string {
  const lf = text.indexOf('\n');
  return lf > 0 && text[lf - 1] === '\r' ? '\r\n' : '\n';
}

function parseText(text: string): ParsedText {
  const parsed = parseYamlDocuments(text);
  if (!parsed.ok) {
    throw badRequest(parsed.reason === 'too-large' ? 'the file is too large to edit by field' : 'the file is not valid YAML');
  }
  const roots: Array<YamlNode | null> = [];
  for (const doc of parseAllDocuments(text, { keepSourceTokens: true, logLevel: 'silent' })) {
    if (doc.contents !== null) roots.push(doc.contents);
  }
  if (roots.length !== parsed.values.length) throw badRequest('the file is not valid YAML');
  return { text, eol: detectEol(text), roots, values: parsed.values };
}

function isCollection(token: CST.Token | undefined): token is Collection {
  return token?.type === 'block-map' || token?.type === 'block-seq' || token?.type === 'flow-collection';
}

function isMapLike(collection: Collection): boolean {
  return collection.type === 'block-map' || (collection.type === 'flow-collection' && collection.start.source === '{');
}

function isTrivia(token: CST.Token): boolean {
  return token.type === 'space' || token.type === 'newline' || token.type === 'comment' || token.type === 'comma';
}

/** Items that hold an entry (comment-only items and a trailing flow comma are not entries). */
function realItems(collection: Collection): Item[] {
  if (collection.type === 'block-seq') {
    return collection.items.filter((item) => item.start.some((token) => token.type === 'seq-item-ind'));
  }
  if (collection.type === 'block-map') return collection.items.filter((item) => item.sep !== undefined);
  return collection.items.filter((item) => item.key != null || item.value !== undefined || (item.sep?.length ?? 0) > 0);
}

/** The key of a map entry as the plain data spells it (`1.0:` → "1", `~:` → ""), or null for complex keys. */
function keyString(key: unknown): string | null {
  if (!isScalar(key)) return null;
  const value = key.value;
  if (value === null || value === undefined) return '';
  return typeof value === 'object' ? null : String(value as string | number | boolean);
}

/** The `name` of a list item as the field diff reads it, or null. */
function nodeName(node: unknown): string | null {
  if (!isMap(node)) return null;
  const pair = node.items.find((p) => keyString(p.key) === 'name');
  if (!pair || !isScalar(pair.value)) return null;
  const value = pair.value.value;
  return typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean' ? String(value) : null;
}

function isCollectionNode(node: unknown): node is CollectionNode {
  return (isMap(node) || isSeq(node)) && isCollection(node.srcToken);
}

interface Step {
  step: PathStep;
  /** The CST collection that holds the entry. */
  parent: Collection;
  /** The entry's CST item (key, separator, value; or `-` and value). */
  item: Item;
  /** The entry's value node (null for an empty value). */
  node: unknown;
}

/** The entry of `collection` that `step` names, with its CST item. */
function findChild(collection: CollectionNode, step: PathStep): Step | null {
  const parent = collection.srcToken;
  if (isMap(collection)) {
    if (step.type !== 'key' || !isMapLike(parent)) return null;
    const pair = collection.items.find((p) => keyString(p.key) === step.key);
    if (!pair?.srcToken) return null;
    return { step, parent, item: pair.srcToken, node: pair.value };
  }
  const items = collection.items;
  let index = -1;
  if (step.type === 'index') index = step.index < items.length ? step.index : -1;
  else if (step.type === 'name') index = items.findIndex((node) => nodeName(node) === step.name);
  const entries = realItems(parent);
  const item = entries[index];
  const node = items[index];
  if (!item || entries.length !== items.length || isPair(node)) return null; // `[a: 1]`: a pair in a flow list
  const token = isScalar(node) || isCollectionNode(node) || isAlias(node) ? node.srcToken : undefined;
  if (token && item.value !== token) return null;
  return { step, parent, item, node };
}

/** Walks along `path` as far as it exists. */
function walk(root: YamlNode | null, path: FieldPath, label: FieldPath): { steps: Step[]; node: unknown } {
  const steps: Step[] = [];
  let node: unknown = root;
  for (const element of path) {
    if (isAlias(node)) throw badRequest(`cannot edit ${formatPath(label)}: it goes through a YAML alias`);
    if (!isCollectionNode(node)) break;
    const found = findChild(node, parsePathElement(element));
    if (!found) break;
    steps.push(found);
    node = found.node;
  }
  return { steps, node };
}

function valueToken(step: Step): CST.Token | undefined {
  return step.item.value;
}

// --------------------------------------------------------------------------------------------------
// Documents.

interface Located {
  headDoc: number;
  sourceDoc: number | null;
  rest: FieldPath;
}

/**
 * The index of the document a multi-document path's first element names, or -1: a selector
 * (`[kind=...,name=...]`) names the document with that identity when it is unique in the file; an
 * index names the document at that position when it has no such identity (as `matchDocuments` pairs
 * them), so a number never lands on a document the field diff would have named by identity.
 */
function documentIndex(values: readonly unknown[], element: FieldPathElement): number {
  const selectors = values.map((value) => {
    const identity = documentIdentity(value);
    return identity ? documentSelector(identity) : null;
  });
  const unique = selectors.map((s) => (s !== null && selectors.indexOf(s) === selectors.lastIndexOf(s) ? s : null));
  if (typeof element === 'number') return element < values.length && unique[element] === null ? element : -1;
  return unique.indexOf(element);
}

/** Which documents a path addresses (see the header comment), or a 400. */
function locate(path: FieldPath, head: ParsedText, source: ParsedText | null): Located {
  const prefixed = Math.max(head.values.length, source?.values.length ?? 0) > 1;
  if (!prefixed) {
    if (head.values.length === 0) throw badRequest(`cannot edit ${formatPath(path)}: the file has no document`);
    return { headDoc: 0, sourceDoc: source && source.values.length > 0 ? 0 : null, rest: path };
  }
  const first = path[0];
  const kind = first === undefined ? null : parsePathElement(first).type;
  if (first === undefined || (kind !== 'document' && kind !== 'index')) {
    throw badRequest(`cannot resolve ${formatPath(path)}: in a file of several documents a path starts with its document`);
  }
  const headDoc = documentIndex(head.values, first);
  if (headDoc < 0) {
    throw badRequest(`cannot edit ${formatPath(path)}: the document is not in the file now (whole documents are restored with service mode)`);
  }
  const sourceDoc = source ? documentIndex(source.values, first) : -1;
  return { headDoc, sourceDoc: sourceDoc < 0 ? null : sourceDoc, rest: path.slice(1) };
}

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
// Offsets.

function tokenEnd(token: CST.Token): number {
  return token.offset + CST.stringify(token).length;
}

/** Where a value's text ends (before any trailing comment or line break). */
function contentEnd(token: CST.Token): number {
  switch (token.type) {
    case 'scalar':
    case 'single-quoted-scalar':
    case 'double-quoted-scalar':
    case 'alias':
      return token.offset + token.source.length;
    case 'block-scalar': {
      const header = token.props.find((prop) => prop.type === 'block-scalar-header');
      const lastProp = token.props.at(-1);
      const bodyStart = lastProp ? tokenEnd(lastProp) : token.offset;
      const trimmed = token.source.replace(/\s+$/, '');
      if (trimmed.length > 0) return bodyStart + trimmed.length;
      return header ? tokenEnd(header) : bodyStart;
    }
    case 'block-map':
    case 'block-seq':
      return Math.max(token.offset, ...token.items.map(itemContentEnd));
    case 'flow-collection': {
      const close = token.end.find((t) => t.type === 'flow-map-end' || t.type === 'flow-seq-end');
      return close ? tokenEnd(close) : Math.max(tokenEnd(token.start), ...token.items.map(itemContentEnd));
    }
    default:
      return tokenEnd(token);
  }
}

function itemContentStart(item: Item): number {
  const tokens: CST.Token[] = [...item.start];
  if (item.key) tokens.push(item.key);
  if (item.sep) tokens.push(...item.sep);
  if (item.value) tokens.push(item.value);
  for (const token of tokens) {
    if (!isTrivia(token)) return token.offset;
  }
  return item.value?.offset ?? item.key?.offset ?? 0;
}

function itemContentEnd(item: Item): number {
  let end = -1;
  for (const token of [...item.start, ...(item.sep ?? [])]) {
    if (!isTrivia(token)) end = Math.max(end, tokenEnd(token));
  }
  if (item.key) end = Math.max(end, contentEnd(item.key));
  if (item.value) end = Math.max(end, contentEnd(item.value));
  return end;
}

function lineStart(text: string, offset: number): number {
  return text.lastIndexOf('\n', offset - 1) + 1;
}

/** From a content end: past trailing blanks and a comment, to the end of the line (before the break). */
function lineContentEnd(text: string, offset: number): number {
  let p = offset;
  while (text[p] === ' ' || text[p] === '\t') p++;
  if (text[p] === '#') {
    while (p < text.length && text[p] !== '\n' && text[p] !== '\r') p++;
  }
  if (p < text.length && text[p] !== '\n' && text[p] !== '\r') return offset; // more content follows
  return p;
}

/** Past the line break at `offset` (or `offset` itself at the end of the text). */
function afterLineBreak(text: string, offset: number): number {
  if (text.startsWith('\r\n', offset)) return offset + 2;
  if (text[offset] === '\n') return offset + 1;
  return offset;
}

interface BlockSpan {
  /** First content character (the key, `?` or `-`). */
  contentStart: number;
  /** Start of its line. */
  lineStart: number;
  /** Whether only indentation precedes it on its line. */
  ownLine: boolean;
  /** End of the entry's last line, before the line break (a trailing comment included). */
  lineEnd: number;
  /** After that line break (= lineEnd on the last line of a text without final newline). */
  end: number;
}

function blockSpan(text: string, item: Item): BlockSpan {
  const contentStart = itemContentStart(item);
  const start = lineStart(text, contentStart);
  const ownLine = /^[ \t]*$/.test(text.slice(start, contentStart));
  const lineEnd = lineContentEnd(text, itemContentEnd(item));
  return { contentStart, lineStart: start, ownLine, lineEnd, end: afterLineBreak(text, lineEnd) };
}

/**
 * The span extended over the comment lines right after it that are indented deeper than the entry
 * (`  # trailing` at the end of a nested block): they belong to the entry, not to its next sibling.
 */
function withOwnedComments(text: string, span: BlockSpan): BlockSpan {
  const column = span.contentStart - span.lineStart;
  const comment = /([ \t]*)#[^\r\n]*/y;
  let { lineEnd, end } = span;
  while (end !== lineEnd) {
    comment.lastIndex = end;
    const match = comment.exec(text);
    if (!match || match[1]!.length <= column) break;
    lineEnd = end + match[0].length;
    end = afterLineBreak(text, lineEnd);
  }
  return { ...span, lineEnd, end };
}

function splice(text: string, start: number, end: number, insert: string): string {
  return text.slice(0, start) + insert + text.slice(end);
}

function withEol(text: string, eol: string): string {
  return text.replace(/\r?\n/g, eol);
}

/** Shifts the lines after the first from column `from` to column `to` (`\n` line breaks out). */
function reindent(text: string, from: number, to: number): string {
  return text
    .split(/\r?\n/)
    .map((line, i) => {
      if (i === 0) return line;
      if (line.trim() === '') return '';
      const indent = line.length - line.trimStart().length;
      return ' '.repeat(Math.max(0, indent - from + to)) + line.trimStart();
    })
    .join('\n');
}

interface Style {
  indent: number;
  indentSeq: boolean;
}

/** The indentation step and whether lists under a key are indented, as the text writes them (null: no evidence). */
function styleEvidence(text: string): { indent: number | null; indentSeq: boolean | null } {
  const lines = text.split(/\r?\n/).filter((line) => line.trim() !== '' && !line.trimStart().startsWith('#'));
  let indent: number | null = null;
  let indentSeq: boolean | null = null;
  for (let i = 0; i + 1 < lines.length && (indent === null || indentSeq === null); i++) {
    const line = lines[i]!;
    if (!/:[ \t]*(#.*)?$/.test(line)) continue;
    const next = lines[i + 1]!;
    const trimmed = line.trimStart();
    const own = line.length - trimmed.length + (trimmed.startsWith('- ') ? 2 : 0);
    const child = next.length - next.trimStart().length;
    if (next.trimStart().startsWith('- ')) indentSeq ??= child > own;
    else if (child > own) indent ??= child - own;
  }
  return { indent, indentSeq };
}

/** The head's style where it shows one, else the source's, else two spaces and indented lists. */
function detectStyle(head: string, source: string | null): Style {
  const own = styleEvidence(head);
  const other = source === null ? { indent: null, indentSeq: null } : styleEvidence(source);
  return { indent: own.indent ?? other.indent ?? 2, indentSeq: own.indentSeq ?? other.indentSeq ?? true };
}

// --------------------------------------------------------------------------------------------------
// Text for new entries.

function stringifyOptions(style: Style) {
  return { indent: style.indent, indentSeq: style.indentSeq, lineWidth: 0, minContentWidth: 0, aliasDuplicateObjects: false } as const;
}

/** Generated text of an entry with its first line at column 0 (`key: ...` or `- ...`), `\n` line breaks. */
function generateEntry(step: PathStep, value: unknown, mapLike: boolean, inFlow: boolean, style: Style): string {
  const data: unknown = mapLike ? new Map([[step.type === 'key' ? step.key : '', value]]) : [value];
  if (inFlow) {
    const text = stringify(data, { ...stringifyOptions(style), collectionStyle: 'flow', flowCollectionPadding: false, blockQuote: false }).trim();
    return text.slice(1, -1);
  }
  return stringify(data, stringifyOptions(style)).replace(/\n$/, '');
}

/** The source revision's own text for an entry, first line at column 0, when it can be reused. */
function sourceEntryText(source: ParsedText, step: Step, inFlow: boolean): string | null {
  if ((step.parent.type === 'flow-collection') !== inFlow) return null;
  if (inFlow) {
    const text = source.text.slice(itemContentStart(step.item), itemContentEnd(step.item));
    return /[\r\n]/.test(text) ? null : text;
  }
  const span = blockSpan(source.text, step.item);
  return reindent(source.text.slice(span.contentStart, span.lineEnd), span.contentStart - span.lineStart, 0);
}

// --------------------------------------------------------------------------------------------------
// Scalars.

function scalarType(token: CST.Token | undefined): Scalar.Type | null {
  switch (token?.type) {
    case 'scalar':
      return 'PLAIN';
    case 'single-quoted-scalar':
      return 'QUOTE_SINGLE';
    case 'double-quoted-scalar':
      return 'QUOTE_DOUBLE';
    case 'block-scalar':
      return token.props.some((p) => p.type === 'block-scalar-header' && CST.stringify(p).startsWith('>'))
        ? 'BLOCK_FOLDED'
        : 'BLOCK_LITERAL';
    default:
      return null;
  }
}

function isScalarValue(value: unknown): value is string | number | boolean | null {
  return value === null || typeof value === 'string' || typeof value === 'boolean' || (typeof value === 'number' && Number.isFinite(value));
}

/** Candidate (text, type) pairs for a scalar's new value, best first; each is checked by parsing. */
function scalarCandidates(value: string | number | boolean | null, headToken: CST.Token, sourceToken: CST.Token | undefined) {
  const out: Array<{ text: string; type: Scalar.Type }> = [];
  const headType = scalarType(headToken);
  const sourceType = scalarType(sourceToken);
  if (typeof value === 'string') {
    // Keep the head's style (a quoted value stays quoted the same way); then the source's; then "...".
    if (headType && headType !== 'PLAIN') out.push({ text: value, type: headType });
    else if (!value.includes('\n')) out.push({ text: value, type: 'PLAIN' });
    if (sourceType) out.push({ text: value, type: sourceType });
    out.push({ text: value, type: 'QUOTE_DOUBLE' });
  } else {
    // Numbers, booleans, null: the source's own spelling (`0x1F`, `~`, `1.50`) when it had one.
    if (sourceToken?.type === 'scalar') out.push({ text: sourceToken.source, type: 'PLAIN' });
    out.push({ text: stringify(value).trim(), type: 'PLAIN' });
  }
  return out;
}

// --------------------------------------------------------------------------------------------------
// Verification.

function without<T>(list: readonly T[], index: number): T[] {
  return [...list.slice(0, index), ...list.slice(index + 1)];
}

function sizeOf(value: unknown): number {
  if (Array.isArray(value)) return value.length;
  if (isPlainObject(value)) return Object.keys(value).length;
  return 0;
}

function isEmptyContainer(value: unknown): boolean {
  return value === null || ((Array.isArray(value) || isPlainObject(value)) && sizeOf(value) === 0);
}

/** Whether `after` equals `before` everywhere except at (and below) `path`. */
function equalExceptPath(before: unknown, after: unknown, path: FieldPath): boolean {
  const [element, ...rest] = path;
  if (element === undefined) return true;
  const step = parsePathElement(element);
  if (Array.isArray(before) && Array.isArray(after) && step.type !== 'key') {
    if (step.type === 'index') {
      const i = step.index;
      if (before.length === after.length) {
        if (!before.every((item, j) => j === i || deepEqual(item, after[j]))) return false;
        return i >= before.length || equalExceptPath(before[i], after[i], rest);
      }
      if (after.length === before.length + 1) return deepEqual(before, without(after, i));
      if (before.length === after.length + 1) return deepEqual(without(before, i), after);
      return false;
    }
    const i = before.findIndex((item) => itemNameOf(item) === step.name);
    const j = after.findIndex((item) => itemNameOf(item) === step.name);
    if (!deepEqual(i >= 0 ? without(before, i) : before, j >= 0 ? without(after, j) : after)) return false;
    return i < 0 || j < 0 || equalExceptPath(before[i], after[j], rest);
  }
  if (isPlainObject(before) && isPlainObject(after) && step.type === 'key') {
    const keys = new Set([...Object.keys(before), ...Object.keys(after)]);
    for (const key of keys) {
      if (key === step.key) continue;
      if (Object.hasOwn(before, key) !== Object.hasOwn(after, key) || !deepEqual(before[key], after[key])) return false;
    }
    if (!Object.hasOwn(before, step.key) || !Object.hasOwn(after, step.key)) return true;
    return equalExceptPath(before[step.key], after[step.key], rest);
  }
  // An empty value (null, {} or []) that gained exactly the edited entry, or a container that lost it.
  if (isEmptyContainer(before)) return sizeOf(after) === 1 && lookupPath(after, [element]).found;
  if (isEmptyContainer(after)) return sizeOf(before) === 1 && lookupPath(before, [element]).found;
  return false;
}

// --------------------------------------------------------------------------------------------------
// The edits.

interface EditContext {
  head: ParsedText;
  source: ParsedText | null;
  /** The whole path, for messages. */
  label: FieldPath;
  headDoc: number;
  sourceDoc: number | null;
  /** The path inside the document. */
  rest: FieldPath;
  style: Style;
}

function withRest(ctx: EditContext, rest: FieldPath): EditContext {
  const prefix = ctx.label.slice(0, ctx.label.length - ctx.rest.length);
  return { ...ctx, rest, label: [...prefix, ...rest] };
}

/** Parses `after` and checks that only `ctx.rest` changed, to `expected` (or away, for REMOVE). */
function verify(ctx: EditContext, after: string, expected: unknown): boolean {
  const parsed = parseYamlDocuments(after);
  if (!parsed.ok) return false;
  if (parsed.values.length === 0 && ctx.head.values.length === 1) {
    // The only document lost its last entry: the file is empty now (the field diff reads it as {}).
    return expected === REMOVE && ctx.rest.length === 1 && sizeOf(ctx.head.values[0]) === 1;
  }
  if (parsed.values.length !== ctx.head.values.length) return false;
  for (let i = 0; i < parsed.values.length; i++) {
    if (i !== ctx.headDoc && !deepEqual(parsed.values[i], ctx.head.values[i])) return false;
  }
  const now = lookupPath(parsed.values[ctx.headDoc], ctx.rest);
  if (expected === REMOVE ? now.found : !now.found || !deepEqual(now.value, expected)) return false;
  return equalExceptPath(ctx.head.values[ctx.headDoc], parsed.values[ctx.headDoc], ctx.rest);
}

/** The first candidate text that verifies, or a 400. */
function firstVerified(ctx: EditContext, candidates: Iterable<string>, expected: unknown, what: string): string {
  for (const candidate of candidates) {
    if (verify(ctx, candidate, expected)) return candidate;
  }
  throw badRequest(`cannot ${what} ${formatPath(ctx.label)} without changing other fields`);
}

function sourceValue(ctx: EditContext, path: FieldPath): Lookup {
  if (!ctx.source || ctx.sourceDoc === null) return NOT_FOUND;
  return lookupPath(ctx.source.values[ctx.sourceDoc], path);
}

/** The source's step for `path` when the source has exactly `value` there. */
function sourceStepWith(ctx: EditContext, path: FieldPath, value: unknown): Step | undefined {
  if (!ctx.source || ctx.sourceDoc === null) return undefined;
  const there = sourceValue(ctx, path);
  if (!there.found || !deepEqual(there.value, value)) return undefined;
  try {
    const { steps } = walk(ctx.source.roots[ctx.sourceDoc] ?? null, path, ctx.label);
    return steps.length === path.length ? steps.at(-1) : undefined;
  } catch {
    return undefined;
  }
}

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
