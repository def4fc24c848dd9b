/**
 * Locating a field of a YAML text: the text parsed to values (as the field diff sees them) and to
 * the yaml package's lossless CST, a field path walked down to its tokens, and the document a path
 * names in a multi-document file. The path and edit types of core/yaml-field-edit.ts live here.
 */
import { isAlias, isMap, isPair, isScalar, isSeq, parseAllDocuments } from 'yaml';
import type { CST, Node as YamlNode, YAMLMap, YAMLSeq } from 'yaml';
import { badRequest } from './errors.ts';
import { documentIdentity, documentSelector, formatFieldPath, parsePathElement, resolveFieldPath, type FieldPathElement, type PathStep } from './field-path.ts';
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

export type Lookup = { found: true; value: unknown } | { found: false };
export const NOT_FOUND: Lookup = { found: false };

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

export function itemNameOf(item: unknown): string | null {
  if (!isPlainObject(item)) return null;
  const name = item['name'];
  return typeof name === 'string' || typeof name === 'number' || typeof name === 'boolean' ? String(name) : null;
}

export function formatPath(path: FieldPath): string {
  return path.length === 0 ? '(document)' : formatFieldPath(path);
}

// --------------------------------------------------------------------------------------------------
// Parsed texts: values as the field diff sees them, and the syntax tree with its CST tokens.

export type Collection = CST.BlockMap | CST.BlockSequence | CST.FlowCollection;
export type Item = CST.CollectionItem;

/** A map or list of the syntax tree, with the CST token it was composed from. */
export type CollectionNode = (YAMLMap | YAMLSeq) & { srcToken: Collection };

export interface ParsedText {
  text: string;
  eol: string;
  /** Root nodes of the non-empty documents (the documents the field diff counts). */
  roots: Array<YamlNode | null>;
  values: unknown[];
}

export function detectEol(text: string): string {
  const lf = text.indexOf('\n');
  return lf > 0 && text[lf - 1] === '\r' ? '\r\n' : '\n';
}

export function parseText(text: string): ParsedText {
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

export function isCollection(token: CST.Token | undefined): token is Collection {
  return token?.type === 'block-map' || token?.type === 'block-seq' || token?.type === 'flow-collection';
}

export function isMapLike(collection: Collection): boolean {
  return collection.type === 'block-map' || (collection.type === 'flow-collection' && collection.start.source === '{');
}

export function isTrivia(token: CST.Token): boolean {
  return token.type === 'space' || token.type === 'newline' || token.type === 'comment' || token.type === 'comma';
}

/** Items that hold an entry (comment-only items and a trailing flow comma are not entries). */
export function realItems(collection: Collection): Item[] {
  if (collection.type === 'block-seq') {
    return collection.items.filter((item) => item.start.some((token) => token.type === 'seq-item-ind'));
  }
  if (collection.type === 'block-map') return collection.items.filter((item) => item.sep !== undefined);
  return collection.items.filter((item) => item.key != null || item.value !== undefined || (item.sep?.length ?? 0) > 0);
}

/** The key of a map entry as the plain data spells it (`1.0:` → "1", `~:` → ""), or null for complex keys. */
export function keyString(key: unknown): string | null {
  if (!isScalar(key)) return null;
  const value = key.value;
  if (value === null || value === undefined) return '';
  return typeof value === 'object' ? null : String(value as string | number | boolean);
}

/** The `name` of a list item as the field diff reads it, or null. */
export function nodeName(node: unknown): string | null {
  if (!isMap(node)) return null;
  const pair = node.items.find((p) => keyString(p.key) === 'name');
  if (!pair || !isScalar(pair.value)) return null;
  const value = pair.value.value;
  return typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean' ? String(value) : null;
}

export function isCollectionNode(node: unknown): node is CollectionNode {
  return (isMap(node) || isSeq(node)) && isCollection(node.srcToken);
}

export interface Step {
  step: PathStep;
  /** The CST collection that holds the entry. */
  parent: Collection;
  /** The entry's CST item (key, separator, value; or `-` and value). */
  item: Item;
  /** The entry's value node (null for an empty value). */
  node: unknown;
}

/** The entry of `collection` that `step` names, with its CST item. */
export function findChild(collection: CollectionNode, step: PathStep): Step | null {
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
export function walk(root: YamlNode | null, path: FieldPath, label: FieldPath): { steps: Step[]; node: unknown } {
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

export function valueToken(step: Step): CST.Token | undefined {
  return step.item.value;
}

// --------------------------------------------------------------------------------------------------
// Documents.

export interface Located {
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
export function documentIndex(values: readonly unknown[], element: FieldPathElement): number {
  const selectors = values.map((value) => {
    const identity = documentIdentity(value);
    return identity ? documentSelector(identity) : null;
  });
  const unique = selectors.map((s) => (s !== null && selectors.indexOf(s) === selectors.lastIndexOf(s) ? s : null));
  if (typeof element === 'number') return element < values.length && unique[element] === null ? element : -1;
  return unique.indexOf(element);
}

/** Which documents a path addresses (see the header comment), or a 400. */
export function locate(path: FieldPath, head: ParsedText, source: ParsedText | null): Located {
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
