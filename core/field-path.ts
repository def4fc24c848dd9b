/**
 * Field paths and document identity: how a path element names a map key, a named list item or a
 * document of a multi-document file, and how to follow a path back to its value. The field diff
 * (field-diff.ts) produces these paths; the SPA, the YAML editor and the rollback planner read them.
 */
import { isPlainObject } from './yaml-documents.ts';

export type FieldPathElement = string | number;

/** A list item's scalar `name`, as a string, or null. Lists of such items pair by name. */
export function itemName(item: Record<string, unknown>): string | null {
  const name = item['name'];
  return typeof name === 'string' || typeof name === 'number' || typeof name === 'boolean' ? String(name) : null;
}

// --- Path elements ---------------------------------------------------------------------------------

const SELECTOR = /^\[name=([\s\S]*)\]$/;

/** The path element of a list item matched by name. */
export function nameSelector(name: string): string {
  return `[name=${name}]`;
}

/**
 * The path element of a map key. A key that could be read as a name selector or as an escaped key
 * (starting with `[` or `\`) is written with a leading `\`, so every element reads back one way.
 */
export function keyElement(key: string): string {
  return key.startsWith('[') || key.startsWith('\\') ? `\\${key}` : key;
}

export type PathStep =
  | { type: 'key'; key: string }
  | { type: 'index'; index: number }
  | { type: 'name'; name: string }
  | { type: 'document'; kind: string; namespace?: string; name: string };

/**
 * How to follow one path element. The first element of a multi-document file's paths names the
 * document: `document` by identity, or `index` for a document without one.
 */
export function parsePathElement(element: FieldPathElement): PathStep {
  if (typeof element === 'number') return { type: 'index', index: element };
  if (element.startsWith('\\')) return { type: 'key', key: element.slice(1) };
  const document = DOCUMENT_SELECTOR.exec(element);
  if (document) {
    const step: PathStep = { type: 'document', kind: document[1]!, name: document[3]! };
    if (document[2]) step.namespace = document[2];
    return step;
  }
  const selector = SELECTOR.exec(element);
  if (selector) return { type: 'name', name: selector[1]! };
  return { type: 'key', key: element };
}

/** A path for people: `env[name=LOG_LEVEL].value`, `[1].spec.replicas`, `metadata.labels["app.kubernetes.io/name"]`. */
export function formatFieldPath(path: readonly FieldPathElement[]): string {
  let out = '';
  for (const element of path) {
    const step = parsePathElement(element);
    if (step.type === 'index') out += `[${step.index}]`;
    else if (step.type === 'document') out += element;
    else if (step.type === 'name') out += `[name=${JSON.stringify(step.name).slice(1, -1)}]`;
    else if (/^[A-Za-z_][A-Za-z0-9_-]*$/.test(step.key)) out += out === '' ? step.key : `.${step.key}`;
    else out += `[${JSON.stringify(step.key)}]`;
  }
  return out;
}

/**
 * The value at `path` inside one document's value (the document element, if any, already taken off:
 * see `resolveDocument`),
 * or undefined when there is none. Follows the same rules the diff uses, so every reported path
 * resolves on the side where it is present.
 */
export function resolveFieldPath(document: unknown, path: readonly FieldPathElement[]): unknown {
  let node = document;
  for (const element of path) {
    const step = parsePathElement(element);
    if (step.type === 'key') {
      if (!isPlainObject(node) || !Object.hasOwn(node, step.key)) return undefined;
      node = node[step.key];
    } else if (step.type === 'index') {
      if (!Array.isArray(node)) return undefined;
      node = node[step.index];
    } else if (step.type === 'name') {
      if (!Array.isArray(node)) return undefined;
      node = node.find((item) => isPlainObject(item) && itemName(item) === step.name);
    } else {
      return undefined;
    }
    if (node === undefined) return undefined;
  }
  return node;
}

// --- Documents -------------------------------------------------------------------------------------

/** Characters that would make a document selector ambiguous; such names make the document anonymous. */
const SELECTOR_UNSAFE = /[,=[\]\s]/;
const DOCUMENT_SELECTOR = /^\[kind=([^,=[\]\s]+)(?:,namespace=([^,=[\]\s]+))?,name=([^,=[\]\s]+)\]$/;

export interface DocumentIdentity {
  kind: string;
  namespace?: string;
  name: string;
}

/** `kind`, `metadata.namespace` and `metadata.name` of a manifest document, or null when it has none. */
export function documentIdentity(value: unknown): DocumentIdentity | null {
  if (!isPlainObject(value) || typeof value['kind'] !== 'string') return null;
  const metadata = value['metadata'];
  if (!isPlainObject(metadata) || typeof metadata['name'] !== 'string') return null;
  const identity: DocumentIdentity = { kind: value['kind'], name: metadata['name'] };
  if (typeof metadata['namespace'] === 'string' && metadata['namespace'] !== '') identity.namespace = metadata['namespace'];
  const parts = [identity.kind, identity.name, identity.namespace ?? 'x'];
  if (parts.some((part) => part === '' || SELECTOR_UNSAFE.test(part))) return null;
  return identity;
}

/** The path element of a document by identity: `[kind=Deployment,name=api]`, with `namespace=` when set. */
export function documentSelector(identity: DocumentIdentity): string {
  return `[kind=${identity.kind}${identity.namespace ? `,namespace=${identity.namespace}` : ''},name=${identity.name}]`;
}

export interface DocumentPair {
  /** The first path element of this document's changes. */
  element: FieldPathElement;
  from?: number;
  to?: number;
}

/**
 * Pairs the documents of two versions of a file. A document whose identity (kind, namespace, name) is
 * unique in its file pairs with the document of the same identity and is named by it; the others
 * ("anonymous") pair by position and are named by their index. An index thus names the same position
 * on both sides and never a document that has an identity. In the order of the newer file, removed
 * documents last.
 */
export function matchDocuments(fromDocs: readonly unknown[], toDocs: readonly unknown[]): DocumentPair[] {
  const selectors = (docs: readonly unknown[]) => {
    const all = docs.map((doc) => {
      const identity = documentIdentity(doc);
      return identity ? documentSelector(identity) : null;
    });
    const count = new Map<string, number>();
    for (const s of all) if (s !== null) count.set(s, (count.get(s) ?? 0) + 1);
    return all.map((s) => (s !== null && count.get(s) === 1 ? s : null));
  };
  const fromSelectors = selectors(fromDocs);
  const toSelectors = selectors(toDocs);
  const fromBySelector = new Map<string, number>();
  fromSelectors.forEach((s, i) => s !== null && fromBySelector.set(s, i));
  const pairedFrom = new Set<number>();
  const pairs: DocumentPair[] = toDocs.map((_, to) => {
    const selector = toSelectors[to] ?? null;
    if (selector !== null) {
      const from = fromBySelector.get(selector);
      if (from === undefined) return { element: selector, to };
      pairedFrom.add(from);
      return { element: selector, from, to };
    }
    if (to < fromDocs.length && fromSelectors[to] === null) {
      pairedFrom.add(to);
      return { element: to, from: to, to };
    }
    return { element: to, to };
  });
  fromDocs.forEach((_, from) => {
    if (!pairedFrom.has(from)) pairs.push({ element: fromSelectors[from] ?? from, from });
  });
  return pairs;
}

/** The document a path's first element names in a multi-document file's values, or undefined. */
export function resolveDocument(docs: readonly unknown[], element: FieldPathElement): unknown {
  if (typeof element === 'number') return docs[element];
  return docs.find((doc) => {
    const identity = documentIdentity(doc);
    return identity !== null && documentSelector(identity) === element;
  });
}
