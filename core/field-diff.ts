/**
 * Changed YAML leaves between two versions of a manifest file. The rule is written down in
 * docs/decisions/004-field-diff.md; in short:
 *
 * - A file is its non-empty documents. With more than one document on either side, every path starts
 *   with the document: `[kind=Deployment,name=api]` (with `namespace=` when set) for a document whose
 *   identity is unique in its file, paired by it across versions; else its index (a number), paired
 *   by position.
 * - Maps pair by key. Lists whose items are all maps with a unique scalar `name` (containers, env,
 *   ports, volumes, volumeMounts...) pair by name, and the item's path element is the string
 *   `[name=<name>]`; other lists pair by index (a number). Reordering a named list is no change.
 * - A change is reported at the deepest path where the two sides differ: a scalar that differs, a key
 *   or item present on one side only (its whole value on that side, `undefined` on the other), or a
 *   change of type (scalar, map, list) as one change of the whole value.
 * - Secret values are masked (see secret-masking.ts) and such changes carry `redacted: true`.
 * - Unparseable or oversized input yields no changes and a reason; it never throws.
 */
import {
  REDACTED,
  REDACTED_CHANGED,
  childSecretScope,
  isSecretObject,
  isSensitiveScope,
  maskSecretsDeep,
  maskSensitiveValue,
  type SecretScope,
} from './secret-masking.ts';
import { DEFAULT_YAML_LIMITS, isPlainObject, parseYamlValues, type YamlLimits, type YamlRefusal } from './yaml-documents.ts';
import { PlainYamlMemo } from './yaml-plain-memo.ts';
import {
  documentIdentity,
  documentSelector,
  itemName,
  keyElement,
  matchDocuments,
  nameSelector,
  type DocumentIdentity,
  type FieldPathElement,
} from './field-path.ts';



export interface FieldLeafChange {
  path: FieldPathElement[];
  /** The older value; `undefined` when the key, item or document is absent there. */
  from: unknown;
  /** The newer value; `undefined` when absent there. */
  to: unknown;
  /** Some part of `from`/`to` is a Secret value replaced by a marker. */
  redacted?: true;
}

/** Why a file's field changes are missing (`too-large`, `unparseable`) or partial (`truncated`). */
export type FieldDiffIncomplete = YamlRefusal | 'truncated';

export interface FieldDiffResult {
  changes: FieldLeafChange[];
  incomplete?: FieldDiffIncomplete;
}

/** At most this many changes are reported per file; beyond, the list is cut and marked truncated. */
export const MAX_FIELD_CHANGES_PER_FILE = 2_000;

export interface FieldDiffOptions {
  limits?: YamlLimits;
  maxChanges?: number;
  /** Parse only the changed documents of multi-document files when possible (default true). */
  perDocument?: boolean;
}

/** Changed leaves between two texts of one file; null stands for an absent file. Never throws. */
export function diffYamlFields(fromText: string | null, toText: string | null, options: FieldDiffOptions = {}): FieldLeafChange[] {
  return diffYamlFieldsDetailed(fromText, toText, options).changes;
}

export function diffYamlFieldsDetailed(fromText: string | null, toText: string | null, options: FieldDiffOptions = {}): FieldDiffResult {
  const limits = options.limits ?? DEFAULT_YAML_LIMITS;
  const walker = new Walker(options.maxChanges ?? MAX_FIELD_CHANGES_PER_FILE);
  try {
    const fast = options.perDocument === false || fromText === null || toText === null ? FALLBACK : diffChangedDocuments(walker, fromText, toText, limits);
    if (fast !== FALLBACK) return fast ? { changes: [], incomplete: fast } : { changes: walker.changes };
    // The newer text takes the subtrees it shares with the older one from its reading (decision 050).
    const memo = new PlainYamlMemo();
    const before = fromText === null ? ({ ok: true, values: [] } as const) : parseYamlValues(fromText, limits, { record: memo });
    if (!before.ok) return { changes: [], incomplete: before.reason };
    const after = toText === null ? ({ ok: true, values: [] } as const) : parseYamlValues(toText, limits, { reuse: memo });
    if (!after.ok) return { changes: [], incomplete: after.reason };
    diffDocuments(walker, before.values, after.values);
  } catch (error) {
    if (error !== TRUNCATED) throw error;
    return { changes: walker.changes, incomplete: 'truncated' };
  }
  return { changes: walker.changes };
}

/**
 * True when `diffYamlFieldsDetailed` would answer `too-large` without parsing anything: a side over the
 * size limit with no document marker (a multi-document file may still be diffed document by document).
 * Lets a compare say so at once instead of deferring a field diff that cannot happen.
 */
export function isCertainlyTooLarge(fromText: string | null, toText: string | null, limits: YamlLimits = DEFAULT_YAML_LIMITS): boolean {
  const over = (text: string | null) => text !== null && text.length > limits.maxChars && !new RegExp(DOCUMENT_MARKER, 'm').test(text);
  return over(fromText) || over(toText);
}

// --- Multi-document files: parse only the documents that changed ----------------------------------

/** A multi-document file up to this size is diffed document by document (see `diffChangedDocuments`). */
export const MAX_PER_DOCUMENT_CHARS = 20_000_000;
/** ...with at most this many documents. */
export const MAX_PER_DOCUMENT_COUNT = 50_000;

const FALLBACK = Symbol('fallback');

/** A `---` document marker line (YAML forbids one inside content at column 0); used with flag `m`. */
const DOCUMENT_MARKER = /^---(?=[ \t\r]|$)/.source;

interface RawDocument {
  text: string;
  /** Only blank lines and comments (after the `---` marker): kubectl and the field diff skip it. */
  empty: boolean;
}

/**
 * The documents of a text, split at `---` marker lines (which YAML forbids inside content at column
 * 0), or null when the text has directives or `...` end markers (the full parse handles those).
 */
function splitDocuments(text: string): RawDocument[] | null {
  if (/^(%|\.\.\.(?=[ \t\r]|$))/m.test(text)) return null;
  const starts = [0];
  const marker = new RegExp(DOCUMENT_MARKER, 'gm');
  for (let m = marker.exec(text); m; m = marker.exec(text)) if (m.index > 0) starts.push(m.index);
  return starts.map((start, i) => {
    const chunk = text.slice(start, starts[i + 1] ?? text.length);
    return { text: chunk, empty: onlyBlanksAndComments(chunk, chunk.startsWith('---') ? 3 : 0) };
  });
}

const BLANK_OR_COMMENT = /^\s*(#.*)?$/;

/** Whether every line of `text` from `from` on is blank or a comment; stops at the first that is not. */
function onlyBlanksAndComments(text: string, from: number): boolean {
  for (let start = from; ; ) {
    const end = text.indexOf('\n', start);
    if (!BLANK_OR_COMMENT.test(text.slice(start, end === -1 ? text.length : end))) return false;
    if (end === -1) return true;
    start = end + 1;
  }
}

/**
 * Which of `docs` might hold a document of a given kind and name: those where both appear as whole
 * tokens (runs of `[A-Za-z0-9._-]`, what Kubernetes kinds and names are made of).
 */
function tokenIndex(docs: readonly RawDocument[], skip: ReadonlySet<number>): Map<string, Set<number>> {
  const index = new Map<string, Set<number>>();
  docs.forEach((doc, i) => {
    if (doc.empty || skip.has(i)) return;
    for (const token of doc.text.split(/[^A-Za-z0-9._-]+/)) {
      let holders = index.get(token);
      if (!holders) index.set(token, (holders = new Set()));
      holders.add(i);
    }
  });
  return index;
}

function mightHaveIdentityElsewhere(index: Map<string, Set<number>>, identity: DocumentIdentity): boolean {
  const names = index.get(identity.name);
  const kinds = index.get(identity.kind);
  if (!names || !kinds) return false;
  for (const i of names) if (kinds.has(i)) return true;
  return false;
}

const TOKEN_CHAR = /[A-Za-z0-9._-]/;

function hasToken(text: string, token: string): boolean {
  for (let at = text.indexOf(token); at !== -1; at = text.indexOf(token, at + 1)) {
    const before = at === 0 ? '' : text[at - 1]!;
    const after = text[at + token.length] ?? '';
    if (!TOKEN_CHAR.test(before) && !TOKEN_CHAR.test(after)) return true;
  }
  return false;
}

/** The same question for a few documents, without indexing the whole file. */
function mightHaveIdentityIn(docs: readonly RawDocument[], skip: ReadonlySet<number>, identity: DocumentIdentity): boolean {
  return docs.some((doc, i) => !doc.empty && !skip.has(i) && hasToken(doc.text, identity.name) && hasToken(doc.text, identity.kind));
}

/**
 * Big manifests usually hold many documents of which a release changes a few: parsing all of them
 * would cost far more than the text diff. When both versions have the same documents at the same
 * places, except for some whose text changed without changing their identity, only those are parsed,
 * and the result is the one the whole-file rule gives. Otherwise (documents added, removed, moved or
 * renamed; identities that may repeat), FALLBACK: the whole files are parsed.
 *
 * Differences from parsing the whole files, by design: a syntax error or an oversized value in an
 * unchanged document does not hide the changed ones; and another document spelling a changed one's
 * name with escape sequences is not seen as a duplicate of it.
 */
function diffChangedDocuments(walker: Walker, fromText: string, toText: string, limits: YamlLimits): FieldDiffIncomplete | null | typeof FALLBACK {
  if (fromText.length > MAX_PER_DOCUMENT_CHARS || toText.length > MAX_PER_DOCUMENT_CHARS) return FALLBACK;
  const before = splitDocuments(fromText);
  const after = splitDocuments(toText);
  if (!before || !after || before.length !== after.length || before.length > MAX_PER_DOCUMENT_COUNT) return FALLBACK;
  const changed: number[] = [];
  for (let i = 0; i < before.length; i++) {
    const a = before[i]!;
    const b = after[i]!;
    if (a.text === b.text) continue;
    if (a.empty !== b.empty) return FALLBACK;
    if (!a.empty) changed.push(i);
  }
  const nonEmpty = before.filter((d) => !d.empty).length;
  if (nonEmpty < 2) return FALLBACK;
  const parsed: { index: number; from: unknown; to: unknown; selector: string | null; identity: DocumentIdentity | null }[] = [];
  for (const index of changed) {
    const memo = new PlainYamlMemo();
    const a = parseYamlValues(before[index]!.text, limits, { record: memo });
    const b = parseYamlValues(after[index]!.text, limits, { reuse: memo });
    if (!a.ok) return a.reason;
    if (!b.ok) return b.reason;
    if (a.values.length !== 1 || b.values.length !== 1) return FALLBACK;
    const identityA = documentIdentity(a.values[0]);
    const identityB = documentIdentity(b.values[0]);
    const selector = identityA ? documentSelector(identityA) : null;
    if (selector !== (identityB ? documentSelector(identityB) : null)) return FALLBACK;
    parsed.push({ index, from: a.values[0], to: b.values[0], selector, identity: identityA });
  }
  const changedSet = new Set(changed);
  const position = new Map<number, number>();
  let count = 0;
  before.forEach((doc, i) => {
    if (!doc.empty) position.set(i, count++);
  });
  // Decide every element before reporting anything: a fallback must leave the walker untouched.
  const elements: FieldPathElement[] = [];
  const bySelector = new Map<string, number>();
  for (const doc of parsed) if (doc.selector !== null) bySelector.set(doc.selector, (bySelector.get(doc.selector) ?? 0) + 1);
  // Few changed documents: look for their names directly; many: index the tokens of the file once.
  const tokens = parsed.filter((doc) => doc.identity).length > 16 ? tokenIndex(before, changedSet) : null;
  for (const doc of parsed) {
    let element: FieldPathElement = position.get(doc.index)!;
    if (doc.selector !== null && doc.identity) {
      const elsewhere = tokens ? mightHaveIdentityElsewhere(tokens, doc.identity) : mightHaveIdentityIn(before, changedSet, doc.identity);
      if (elsewhere) return FALLBACK;
      if (bySelector.get(doc.selector) === 1) element = doc.selector;
    }
    elements.push(element);
  }
  parsed.forEach((doc, i) => walker.diff(doc.from, doc.to, [elements[i]!], null));
  return null;
}

function diffDocuments(walker: Walker, fromDocs: readonly unknown[], toDocs: readonly unknown[]): void {
  if (fromDocs.length <= 1 && toDocs.length <= 1) {
    let a = fromDocs[0];
    let b = toDocs[0];
    // A file added or removed shows its top-level keys, as a document gaining or losing them would.
    if (a === undefined && isPlainObject(b)) a = {};
    if (b === undefined && isPlainObject(a)) b = {};
    walker.diff(a, b, [], null);
    return;
  }
  for (const pair of matchDocuments(fromDocs, toDocs)) {
    const a = pair.from === undefined ? undefined : fromDocs[pair.from];
    const b = pair.to === undefined ? undefined : toDocs[pair.to];
    walker.diff(a, b, [pair.element], null);
  }
}

// --- The walk --------------------------------------------------------------------------------------

const TRUNCATED = Symbol('truncated');

/** Items by name when every item is a map with a unique scalar `name`; else null. */
function byName(list: readonly unknown[]): Map<string, unknown> | null {
  const map = new Map<string, unknown>();
  for (const item of list) {
    if (!isPlainObject(item)) return null;
    const name = itemName(item);
    if (name === null || map.has(name)) return null;
    map.set(name, item);
  }
  return map;
}

type Shape = 'absent' | 'map' | 'list' | 'scalar';

function shapeOf(value: unknown): Shape {
  if (value === undefined) return 'absent';
  if (Array.isArray(value)) return 'list';
  if (isPlainObject(value)) return 'map';
  return 'scalar';
}

class Walker {
  readonly changes: FieldLeafChange[] = [];
  /** The path of the node being compared; copied into a change only when one is reported. */
  private path: FieldPathElement[] = [];

  constructor(private readonly maxChanges: number) {}

  diff(a: unknown, b: unknown, path: readonly FieldPathElement[], scope: SecretScope): void {
    this.path = [...path];
    this.walk(a, b, scope);
  }

  private walk(a: unknown, b: unknown, scope: SecretScope): void {
    // Equal scalars, or the very same value: nothing below can differ.
    if (a === b) return;
    const shapeA = shapeOf(a);
    const shapeB = shapeOf(b);
    if (shapeA === 'map' && shapeB === 'map') return this.diffMaps(a as Record<string, unknown>, b as Record<string, unknown>, scope);
    if (shapeA === 'list' && shapeB === 'list') return this.diffLists(a as unknown[], b as unknown[]);
    this.emit(a, b, scope);
  }

  private child(a: unknown, b: unknown, element: FieldPathElement, scope: SecretScope): void {
    this.path.push(element);
    this.walk(a, b, scope);
    this.path.pop();
  }

  private diffMaps(a: Record<string, unknown>, b: Record<string, unknown>, scope: SecretScope): void {
    const secret = isSecretObject(a) || isSecretObject(b);
    for (const key of Object.keys(a)) {
      this.child(a[key], Object.hasOwn(b, key) ? b[key] : undefined, keyElement(key), childSecretScope(scope, secret, key));
    }
    for (const key of Object.keys(b)) {
      if (!Object.hasOwn(a, key)) this.child(undefined, b[key], keyElement(key), childSecretScope(scope, secret, key));
    }
  }

  private diffLists(a: unknown[], b: unknown[]): void {
    const namedA = byName(a);
    const namedB = namedA && byName(b);
    if (namedA && namedB && (namedA.size > 0 || namedB.size > 0)) {
      for (const [name, itemB] of namedB) this.child(namedA.get(name), itemB, nameSelector(name), null);
      for (const [name, itemA] of namedA) if (!namedB.has(name)) this.child(itemA, undefined, nameSelector(name), null);
      return;
    }
    const length = Math.max(a.length, b.length);
    for (let i = 0; i < length; i++) this.child(a[i], b[i], i, null);
  }

  private emit(a: unknown, b: unknown, scope: SecretScope): void {
    if (this.changes.length >= this.maxChanges) throw TRUNCATED;
    const change: FieldLeafChange = { path: [...this.path], from: a, to: b };
    if (isSensitiveScope(scope)) {
      change.from = a === undefined ? undefined : maskSensitiveValue(a, REDACTED);
      change.to = b === undefined ? undefined : maskSensitiveValue(b, a === undefined ? REDACTED : REDACTED_CHANGED);
      change.redacted = true;
    } else {
      const state = { masked: false };
      change.from = a === undefined ? undefined : maskSecretsDeep(a, scope, state);
      change.to = b === undefined ? undefined : maskSecretsDeep(b, scope, state);
      if (state.masked) change.redacted = true;
    }
    this.changes.push(change);
  }
}
