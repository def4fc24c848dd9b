/**
 * Bounded parsing of (possibly multi-document) YAML manifests into plain JSON values. Manifest text is
 * attacker-controlled: a file can be huge, hold thousands of documents, nest without end or expand
 * aliases exponentially ("billion laughs"). Every limit here turns such input into a refusal, never
 * into a long computation, an exception or a blown heap. Shared by the field diff and secret masking.
 */
import { isMap, isScalar, parseAllDocuments, visit, type Document } from 'yaml';
import { nestingExceeds } from './yaml-nesting.ts';
import type { PlainYamlReuse } from './yaml-plain-memo.ts';
import { readPlainYaml } from './yaml-plain-values.ts';

export interface YamlLimits {
  /** Longest text parsed, in UTF-16 code units (about bytes for manifests). */
  maxChars: number;
  /** Most non-empty documents in one file. */
  maxDocuments: number;
  /** Most nodes (maps, lists, scalars) over all documents, after alias expansion. */
  maxNodes: number;
  /** Deepest nesting of maps and lists. */
  maxDepth: number;
  /** Passed to yaml's `toJS`: bounds alias expansion. */
  maxAliasCount: number;
}

export const DEFAULT_YAML_LIMITS: YamlLimits = {
  maxChars: 1_000_000,
  maxDocuments: 1_000,
  maxNodes: 200_000,
  maxDepth: 100,
  maxAliasCount: 100,
};

export type YamlRefusal = 'too-large' | 'unparseable';

export type ParsedYaml =
  | {
      ok: true;
      /** The non-empty documents (kubectl skips empty ones), in file order. */
      documents: Document.Parsed[];
      /** Each document's content as a plain JSON value (see `toPlainJson`). */
      values: unknown[];
    }
  | { ok: false; reason: YamlRefusal };

/** Counts document separators cheaply, so a file of 100k `---` lines is refused before parsing. */
function roughDocumentCount(text: string): number {
  let count = 1;
  const separator = /^---/gm;
  while (separator.exec(text)) count++;
  return count;
}

/**
 * Whether some map holds two equal keys: yaml's own rule (`uniqueKeys`: two scalar keys with `===`
 * values), checked in one pass per map. yaml checks it by comparing each key with every earlier one,
 * so a flat map of 60,000 keys (800 KB) takes 13 s to parse; this takes milliseconds.
 */
function hasDuplicateKeys(doc: Document.Parsed): boolean {
  let duplicate = false;
  visit(doc, {
    Map(_, map) {
      if (!isMap(map)) return undefined;
      const seen = new Set<unknown>();
      for (const pair of map.items) {
        if (!isScalar(pair.key)) continue;
        const value = pair.key.value;
        // `===` never holds for NaN; a Set would call two NaN keys equal.
        if (typeof value === 'number' && Number.isNaN(value)) continue;
        if (seen.has(value)) {
          duplicate = true;
          return visit.BREAK;
        }
        seen.add(value);
      }
      return undefined;
    },
  });
  return duplicate;
}

/** Parses without throwing; `ok: false` says why the text was refused. */
export function parseYamlDocuments(text: string, limits: YamlLimits = DEFAULT_YAML_LIMITS): ParsedYaml {
  if (text.length > limits.maxChars) return { ok: false, reason: 'too-large' };
  // Documents can also start with `--- ` after other separators; the exact count is checked below.
  if (roughDocumentCount(text) > limits.maxDocuments + 1) return { ok: false, reason: 'too-large' };
  // The depth limit checked before parsing too: the parser itself is slow on deep nesting.
  if (nestingExceeds(text, limits.maxDepth)) return { ok: false, reason: 'too-large' };
  let parsed: Document.Parsed[];
  try {
    // Duplicate keys are refused as yaml's `uniqueKeys` would, but checked in linear time (below).
    parsed = Array.from(parseAllDocuments(text, { logLevel: 'silent', prettyErrors: false, uniqueKeys: false }));
  } catch {
    return { ok: false, reason: 'unparseable' };
  }
  if (parsed.some((doc) => doc.errors.length > 0 || hasDuplicateKeys(doc))) return { ok: false, reason: 'unparseable' };
  const documents = parsed.filter((doc) => !isEmptyDocument(doc));
  if (documents.length > limits.maxDocuments) return { ok: false, reason: 'too-large' };
  const budget = { nodes: limits.maxNodes };
  const values: unknown[] = [];
  for (const doc of documents) {
    let raw: unknown;
    try {
      raw = doc.toJS({ maxAliasCount: limits.maxAliasCount });
    } catch {
      // yaml throws on excessive aliasing (resource exhaustion) and on some invalid aliases.
      return { ok: false, reason: 'too-large' };
    }
    const value = toPlainJson(raw, budget, limits.maxDepth);
    if (value === REFUSED) return { ok: false, reason: 'too-large' };
    values.push(value);
  }
  return { ok: true, documents, values };
}

// --- Cached parses ----------------------------------------------------------------------------------

const textCaches = new Set<TextCache<unknown>>();

/**
 * Results computed from a text, keyed by the text itself: content-addressed, so an entry is right for
 * as long as it is kept. Least recently used entries go first; bounded by total characters and by
 * entries. Values are shared between callers and must not be modified.
 */
export class TextCache<T> {
  private readonly entries = new Map<string, T>();
  private chars = 0;

  constructor(
    private readonly maxChars: number,
    private readonly maxEntries: number,
  ) {
    textCaches.add(this as TextCache<unknown>);
  }

  get(text: string): T | undefined {
    const value = this.entries.get(text);
    if (value !== undefined) {
      this.entries.delete(text);
      this.entries.set(text, value);
    }
    return value;
  }

  set(text: string, value: T): void {
    if (text.length > this.maxChars / 4) return;
    if (this.entries.delete(text)) this.chars -= text.length;
    while (this.entries.size > 0 && (this.entries.size >= this.maxEntries || this.chars + text.length > this.maxChars)) {
      const oldest = this.entries.keys().next().value!;
      this.entries.delete(oldest);
      this.chars -= oldest.length;
    }
    this.entries.set(text, value);
    this.chars += text.length;
  }

  clear(): void {
    this.entries.clear();
    this.chars = 0;
  }
}

/** Empties every TextCache (benchmarks measure first looks with it). */
export function clearTextCaches(): void {
  for (const cache of textCaches) cache.clear();
}

export type ParsedYamlValues = { ok: true; values: readonly unknown[] } | { ok: false; reason: YamlRefusal };

/** Texts of up to 4M characters in all: the values of a 1 MB manifest take about 3.5 MB of heap. */
const valuesCache = new TextCache<{ limits: YamlLimits; result: ParsedYamlValues }>(4_000_000, 256);

function deepFreeze(value: unknown): void {
  if (value === null || typeof value !== 'object' || Object.isFrozen(value)) return;
  Object.freeze(value);
  for (const item of Object.values(value)) deepFreeze(item);
}

/**
 * `parseYamlDocuments` without the documents, remembered per text (see TextCache): comparing the head
 * with several revisions, swapping the two sides or reloading a compare parses each text once. The
 * values are frozen: callers only read them. `memo` (for two versions of one file, decision 050): the
 * first one read records its subtrees, the second takes those it shares with it from there; a text
 * found in the cache is not read, and records nothing.
 */
export function parseYamlValues(text: string, limits: YamlLimits = DEFAULT_YAML_LIMITS, memo: PlainYamlReuse = {}): ParsedYamlValues {
  if (text.length > limits.maxChars) return { ok: false, reason: 'too-large' };
  const cached = valuesCache.get(text);
  if (cached && cached.limits === limits) return cached.result;
  const result = plainYamlValues(text, limits, memo) ?? valuesOf(parseYamlDocuments(text, limits));
  deepFreeze(result);
  valuesCache.set(text, { limits, result });
  return result;
}

function valuesOf(parsed: ParsedYaml): ParsedYamlValues {
  return parsed.ok ? { ok: true, values: parsed.values } : parsed;
}

/**
 * What `parseYamlDocuments` gives for a text in the plain subset `readPlainYaml` reads (same checks
 * before parsing, same node and depth budget), without yaml's parser: null for any other text, and
 * for refusals (yaml's parse then says which one applies).
 */
function plainYamlValues(text: string, limits: YamlLimits, memo: PlainYamlReuse): ParsedYamlValues | null {
  if (text.length > limits.maxChars || roughDocumentCount(text) > limits.maxDocuments + 1) return null;
  const facts = { indentLevels: Infinity };
  const values = readPlainYaml(text, { nodes: limits.maxNodes, maxDepth: limits.maxDepth }, memo, facts);
  // The reader's own depth budget bounds its work; yaml's nesting estimate is still the rule, but it
  // is only worth computing when it could say no (plainNestingBound).
  if (values === null || values.length > limits.maxDocuments || (plainNestingBound(text, facts.indentLevels, limits.maxDepth) > limits.maxDepth && nestingExceeds(text, limits.maxDepth))) {
    memo.record?.entries.clear();
    return null;
  }
  return { ok: true, values };
}

/**
 * An upper bound of `nestingExceeds`'s estimate for a text `readPlainYaml` accepted (decision 050): its
 * indentation stack holds different columns of the text's lines (and 0 for a `---` line), a line it
 * accepts starts with at most one `- `, and flow nesting never exceeds the number of `[` and `{` in
 * the text. Counting stops once the bound passes `maxDepth`.
 */
function plainNestingBound(text: string, indentLevels: number, maxDepth: number): number {
  let bound = indentLevels + 2;
  for (const opener of ['[', '{']) {
    for (let at = text.indexOf(opener); at !== -1 && bound <= maxDepth; at = text.indexOf(opener, at + 1)) bound++;
  }
  return bound;
}

/** A document with nothing in it (`---` followed by nothing or comments only); explicit `~` is not empty. */
function isEmptyDocument(doc: Document.Parsed): boolean {
  const contents = doc.contents;
  if (contents === null) return true;
  return isScalar(contents) && contents.value === null && !contents.tag && !contents.anchor && !!contents.range && contents.range[0] === contents.range[1];
}

const REFUSED = Symbol('refused');

/** Sets an own enumerable property, also for keys such as `__proto__`. */
export function setOwn(target: Record<string, unknown>, key: string, value: unknown): void {
  Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
}

export function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return false;
  const proto = Object.getPrototypeOf(value) as unknown;
  return proto === Object.prototype || proto === null;
}

function bytesToBase64(bytes: Uint8Array): string {
  let binary = '';
  for (let i = 0; i < bytes.length; i += 0x8000) binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(binary);
}

/**
 * A JSON-safe copy: `.inf`/`.nan` become the strings YAML writes them as (JSON would turn them into
 * null), binary into base64, dates into ISO strings, keys stay strings. Counts nodes against `budget`
 * and refuses values nested deeper than `maxDepth`.
 */
function toPlainJson(value: unknown, budget: { nodes: number }, maxDepth: number, depth = 0): unknown {
  if (--budget.nodes < 0 || depth > maxDepth) return REFUSED;
  if (value === null || value === undefined) return null;
  switch (typeof value) {
    case 'string':
    case 'boolean':
      return value;
    case 'number':
      if (Number.isFinite(value)) return value;
      return Number.isNaN(value) ? '.nan' : value > 0 ? '.inf' : '-.inf';
    case 'bigint':
      return value.toString();
    case 'object':
      break;
    default:
      return String(value);
  }
  if (Array.isArray(value) || value instanceof Set) {
    const out: unknown[] = [];
    for (const item of value) {
      const plain = toPlainJson(item, budget, maxDepth, depth + 1);
      if (plain === REFUSED) return REFUSED;
      out.push(plain);
    }
    return out;
  }
  if (value instanceof Uint8Array) return bytesToBase64(value);
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? String(value) : value.toISOString();
  const entries: [string, unknown][] =
    value instanceof Map ? [...value].map(([k, v]) => [String(k), v]) : Object.entries(value as Record<string, unknown>);
  const out: Record<string, unknown> = {};
  for (const [key, item] of entries) {
    const plain = toPlainJson(item, budget, maxDepth, depth + 1);
    if (plain === REFUSED) return REFUSED;
    setOwn(out, key, plain);
  }
  return out;
}
