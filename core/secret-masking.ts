/**
 * Kubernetes Secret values never leave the server: not in field changes, not in patches. See
 * docs/decisions/004-field-diff.md ("Secrets").
 *
 * What is sensitive: in every map with `kind: Secret` (a document, or an item of a `kind: List`), the
 * values under `data` and `stringData`, and the `kubectl.kubernetes.io/last-applied-configuration`
 * annotation (kubectl copies the whole Secret, data included, into it). Keys stay visible: Kubernetes
 * itself shows them (`kubectl describe`), and reviewers need to see which entry changed.
 *
 * Markers: a sensitive value is shown as `<redacted>`; on the newer side of a change whose value
 * differs, as `<redacted:changed>`. Nothing derived from the value (hash, length) is shown. A field
 * change or file that was masked carries `redacted`, so a marker is never mistaken for a real value.
 */
import { isMap, isScalar, visit, type Document, type Node, type Pair, type YAMLMap } from 'yaml';
import { TextCache, isPlainObject, parseYamlDocuments, setOwn, type YamlLimits } from './yaml-documents.ts';

export const REDACTED = '<redacted>';
export const REDACTED_CHANGED = '<redacted:changed>';

export const LAST_APPLIED_ANNOTATION = 'kubectl.kubernetes.io/last-applied-configuration';

/** Paths, relative to a Secret map, whose values (and everything below them) are sensitive. */
export const SECRET_SENSITIVE_PATHS: readonly (readonly string[])[] = [
  ['data'],
  ['stringData'],
  ['metadata', 'annotations', LAST_APPLIED_ANNOTATION],
];

const MAX_SCOPE_DEPTH = Math.max(...SECRET_SENSITIVE_PATHS.map((p) => p.length));

export function isSecretObject(value: unknown): boolean {
  return isPlainObject(value) && value['kind'] === 'Secret';
}

/**
 * Where a walk over a manifest is relative to the nearest enclosing Secret map: `null` outside any
 * Secret (or too deep below one to matter), else the map keys from the Secret down to here.
 */
export type SecretScope = readonly string[] | null;

/** The scope of `parent[key]`, given the parent's own scope and whether the parent (either side) is a Secret. */
export function childSecretScope(scope: SecretScope, parentIsSecret: boolean, key: string): SecretScope {
  if (parentIsSecret) return [key];
  if (scope === null || isSensitiveScope(scope)) return scope;
  return scope.length < MAX_SCOPE_DEPTH ? [...scope, key] : null;
}

export function isSensitiveScope(scope: SecretScope): boolean {
  if (scope === null) return false;
  return SECRET_SENSITIVE_PATHS.some((p) => p.length <= scope.length && p.every((key, i) => scope[i] === key));
}

/**
 * A sensitive value as shown: a map keeps its keys (values replaced by `marker`), anything else is
 * the marker itself.
 */
export function maskSensitiveValue(value: unknown, marker: string): unknown {
  if (!isPlainObject(value)) return marker;
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(value)) setOwn(out, key, marker);
  return out;
}

/**
 * A copy of `value` (found at `scope`) with every sensitive part masked as `REDACTED`; `state.masked`
 * becomes true when something was.
 */
export function maskSecretsDeep(value: unknown, scope: SecretScope, state: { masked: boolean }): unknown {
  if (isSensitiveScope(scope)) {
    state.masked = true;
    return maskSensitiveValue(value, REDACTED);
  }
  if (Array.isArray(value)) return value.map((item) => maskSecretsDeep(item, null, state));
  if (!isPlainObject(value)) return value;
  const secret = isSecretObject(value);
  const out: Record<string, unknown> = {};
  for (const [key, item] of Object.entries(value)) {
    setOwn(out, key, maskSecretsDeep(item, childSecretScope(scope, secret, key), state));
  }
  return out;
}

/**
 * Whether a text says `kind: Secret` in YAML or JSON spelling. A text that says so but cannot be
 * parsed (or is too large to) is withheld.
 */
const SECRET_KIND = /kind["']?\s*:\s*["']?Secret(?![\w-])/;
export function mentionsSecret(text: string | null): boolean {
  return text !== null && SECRET_KIND.test(text);
}

/**
 * Whether a text can hold a value equal to `Secret` at all: YAML can only spell it literally or
 * with a backslash escape in a double-quoted scalar (tags, aliases and block scalars keep the
 * letters). A literal one is a scalar of its own, so the letters are not part of a longer word: a
 * letter or digit next to them would belong to the same scalar (`imagePullSecrets`, `SealedSecret`,
 * `SecretProviderClass`, `secretRef` never name a Secret). Texts with neither are never parsed for
 * masking.
 */
const SECRET_WORD = /(?:^|[^A-Za-z0-9])Secret(?![A-Za-z0-9])/;
function mayHoldSecret(text: string): boolean {
  return SECRET_WORD.test(text) || text.includes('\\');
}

export type MaskedTexts =
  /** Neither side holds a Secret: use the texts as they are. */
  | { kind: 'clean' }
  /** Sensitive values replaced by placeholders on both sides; diff these instead. */
  | { kind: 'masked'; from: string | null; to: string | null }
  /** A side mentions a Secret but cannot be masked reliably (unparseable, too large, aliases): show no content. */
  | { kind: 'withheld' };

/** Texts are masked up to this size; a larger Secret file is withheld. */
export const MASKING_LIMITS: YamlLimits = {
  maxChars: 2_000_000,
  maxDocuments: 1_000,
  maxNodes: 500_000,
  maxDepth: 100,
  maxAliasCount: 100,
};

interface Replacement {
  start: number;
  end: number;
  /** The new text: strings as they are, a number n for the marker of entry n (chosen once both sides are known). */
  parts: (string | number)[];
}

interface SensitiveEntry {
  /** Identifies the entry across the two sides: secret identity, section, key. */
  id: string;
  /** The value's canonical form, compared between the sides, never shown. */
  fingerprint: string;
}

interface CollectedSensitive {
  replacements: Replacement[];
  entries: SensitiveEntry[];
}

/**
 * Masks both sides of a changed file for its patch. Each sensitive value becomes `<redacted>`; on the
 * newer side, a value that differs from the older side's value of the same Secret, section and key
 * becomes `<redacted:changed>`, so the diff shows exactly which entries changed and nothing of them.
 * Comments inside a sensitive section are dropped, and a multi-line value becomes one line.
 */
export function maskSecretTexts(fromText: string | null, toText: string | null): MaskedTexts {
  const none: CollectedSensitive = { replacements: [], entries: [] };
  const collect = (text: string | null) => (text === null || !mayHoldSecret(text) ? none : collectSensitive(text));
  const before = collect(fromText);
  const after = collect(toText);
  if (before === null || after === null) return { kind: 'withheld' };
  if (before.entries.length === 0 && after.entries.length === 0) return { kind: 'clean' };
  const old = new Map(before.entries.map((e) => [e.id, e.fingerprint]));
  const marker = (entry: SensitiveEntry | undefined, side: 'from' | 'to') =>
    side === 'to' && entry && old.has(entry.id) && old.get(entry.id) !== entry.fingerprint ? REDACTED_CHANGED : REDACTED;
  const apply = (text: string | null, found: CollectedSensitive, side: 'from' | 'to') => {
    if (text === null) return null;
    const replacements = found.replacements.map(({ start, end, parts }) => ({
      start,
      end,
      text: parts.map((part) => (typeof part === 'number' ? marker(found.entries[part], side) : part)).join(''),
    }));
    return applyReplacements(text, replacements);
  };
  return { kind: 'masked', from: apply(fromText, before, 'from'), to: apply(toText, after, 'to') };
}

function applyReplacements(text: string, replacements: { start: number; end: number; text: string }[]): string {
  // Outer replacements win over ones nested inside them (a Secret inside another Secret's data).
  const sorted = [...replacements].sort((a, b) => a.start - b.start || b.end - a.end);
  let out = '';
  let at = 0;
  for (const r of sorted) {
    if (r.start < at) continue;
    out += text.slice(at, r.start) + r.text;
    at = r.end;
  }
  return out + text.slice(at);
}

function pairKey(pair: Pair): string | null {
  return isScalar(pair.key) && (typeof pair.key.value === 'string' || typeof pair.key.value === 'number') ? String(pair.key.value) : null;
}

function get(map: YAMLMap, key: string): Pair | undefined {
  return map.items.find((p) => pairKey(p) === key);
}

function isSecretMapNode(node: YAMLMap): boolean {
  const kind = get(node, 'kind');
  return kind !== undefined && isScalar(kind.value) && kind.value.value === 'Secret';
}

function scalarString(pair: Pair | undefined): string | null {
  return pair && isScalar(pair.value) && pair.value.value !== null ? String(pair.value.value) : null;
}

function secretIdentity(node: YAMLMap, docIndex: number, ordinal: number): string {
  const metadata = get(node, 'metadata');
  if (metadata && isMap(metadata.value)) {
    const name = scalarString(get(metadata.value, 'name'));
    const namespace = scalarString(get(metadata.value, 'namespace')) ?? '';
    if (name !== null) return JSON.stringify(['named', namespace, name]);
  }
  return JSON.stringify(['unnamed', docIndex, ordinal]);
}

function fingerprint(node: unknown, text: string): string {
  try {
    return JSON.stringify((node as { toJSON(): unknown } | null)?.toJSON() ?? null);
  } catch {
    const range = (node as Node | null)?.range;
    return range ? `src:${text.slice(range[0], range[1])}` : 'null';
  }
}

/** The source of a key as written, when it is a simple one-line scalar; else a JSON string of it. */
function keySource(pair: Pair, text: string): string {
  if (isScalar(pair.key) && pair.key.range) {
    const source = text.slice(pair.key.range[0], pair.key.range[1]);
    if (source.length > 0 && !/[\n\r#]/.test(source)) return source;
  }
  return JSON.stringify(pairKey(pair) ?? String(pair.key));
}

/** Where the value part of `pair` starts in the source: just after the `:` that follows its key. */
function afterColon(pair: Pair, text: string): number | null {
  if (!isScalar(pair.key) || !pair.key.range) return null;
  let i = pair.key.range[1];
  while (i < text.length && (text[i] === ' ' || text[i] === '\t')) i++;
  return text[i] === ':' ? i + 1 : null;
}

function lineIndent(text: string, offset: number): string {
  const lineStart = text.lastIndexOf('\n', offset - 1) + 1;
  const prefix = text.slice(lineStart, offset);
  return /^[ \t]*$/.test(prefix) ? prefix : ' '.repeat(prefix.length);
}

/**
 * Masks one sensitive pair's value: a block map becomes one `key: <marker>` line per entry (comments
 * and multi-line values dropped), a flow map `{ key: <marker>, ... }`, anything else one marker.
 * False when the source cannot be located reliably.
 */
function maskPair(pair: Pair, secretId: string, section: string, text: string, out: CollectedSensitive): boolean {
  const value = pair.value as Node | null;
  if (value === null || (isScalar(value) && value.value === null)) return true;
  const start = afterColon(pair, text);
  const range = value.range;
  if (start === null || !range || range[0] < start) return false;
  const end = Math.max(range[2], range[1]);
  const trailing = text.slice(start, end).endsWith('\n') ? '\n' : '';
  if (isMap(value) && value.items.length > 0) {
    const indent = lineIndent(text, range[0]);
    const parts: (string | number)[] = [value.flow ? ' { ' : ''];
    value.items.forEach((item, i) => {
      const entry = out.entries.push({
        id: JSON.stringify([secretId, section, pairKey(item) ?? keySource(item, text)]),
        fingerprint: fingerprint(item.value, text),
      });
      if (value.flow) parts.push(`${i > 0 ? ', ' : ''}${keySource(item, text)}: `, entry - 1);
      else parts.push(`\n${indent}${keySource(item, text)}: `, entry - 1);
    });
    parts.push(value.flow ? ` }${trailing}` : trailing);
    out.replacements.push({ start, end, parts });
    return true;
  }
  const entry = out.entries.push({ id: JSON.stringify([secretId, section]), fingerprint: fingerprint(value, text) });
  out.replacements.push({ start, end, parts: [' ', entry - 1, trailing] });
  return true;
}

function countSecretObjects(values: readonly unknown[]): number {
  let count = 0;
  const stack = [...values];
  while (stack.length > 0) {
    const value = stack.pop();
    if (isSecretObject(value)) count++;
    if (Array.isArray(value)) stack.push(...(value as unknown[]));
    else if (isPlainObject(value)) stack.push(...Object.values(value));
  }
  return count;
}

/** What `collectSensitive` found per text (see TextCache); `false` for null. Read only. */
const sensitiveCache = new TextCache<CollectedSensitive | false>(4_000_000, 256);

/** Null when the text holds (or says it holds) a Secret but cannot be masked reliably. */
function collectSensitive(text: string): CollectedSensitive | null {
  const cached = sensitiveCache.get(text);
  if (cached !== undefined) return cached || null;
  const found = collectSensitiveUncached(text);
  sensitiveCache.set(text, found ?? false);
  return found;
}

function collectSensitiveUncached(text: string): CollectedSensitive | null {
  const parsed = parseYamlDocuments(text, MASKING_LIMITS);
  // Not YAML (a script, a README) or too large: withheld only when it says `kind: Secret`.
  if (!parsed.ok) return mentionsSecret(text) ? null : { replacements: [], entries: [] };
  const out: CollectedSensitive = { replacements: [], entries: [] };
  let found = 0;
  let reliable = true;
  parsed.documents.forEach((doc: Document.Parsed, docIndex) => {
    const secrets: YAMLMap[] = [];
    let aliases = false;
    visit(doc, {
      Map(_, node) {
        if (isSecretMapNode(node)) secrets.push(node);
      },
      Alias() {
        aliases = true;
      },
    });
    if (secrets.length === 0) return;
    // An alias could copy a sensitive value elsewhere, or pull one in from outside: refuse to guess.
    if (aliases) reliable = false;
    found += secrets.length;
    secrets.forEach((secret, ordinal) => {
      const id = secretIdentity(secret, docIndex, ordinal);
      for (const section of ['data', 'stringData']) {
        const pair = get(secret, section);
        if (pair && !maskPair(pair, id, section, text, out)) reliable = false;
      }
      const metadata = get(secret, 'metadata');
      const annotations = metadata && isMap(metadata.value) ? get(metadata.value, 'annotations') : undefined;
      const lastApplied = annotations && isMap(annotations.value) ? get(annotations.value, LAST_APPLIED_ANNOTATION) : undefined;
      if (lastApplied && !maskPair(lastApplied, id, LAST_APPLIED_ANNOTATION, text, out)) reliable = false;
    });
  });
  // The values see Secrets the source walk missed (e.g. `kind` spelled through a tag): do not guess.
  if (countSecretObjects(parsed.values) !== found) reliable = false;
  return reliable ? out : null;
}
