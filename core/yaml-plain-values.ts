/**
 * A fast reader for the plain subset of YAML most manifests are written in: block maps and block lists
 * by indentation, one-line scalars (plain, or quoted without escapes), `[]` and `{}`, comments, `---`
 * between documents. It gives exactly the values the `yaml` library gives for such a text (scalars are
 * resolved by that library's own core-schema tags), about 20 times faster, and declines (`null`) any
 * text with something else in it: anchors, aliases, tags, block or multi-line scalars, flow
 * collections with content, escapes, complex or non-string keys, duplicate keys, tabs, CR, directives,
 * `...`. A declined text is parsed by `yaml` as before, so declining is never wrong, only slower.
 * Measured and argued in docs/decisions/042-fast-field-table.md; tested against `yaml` itself
 * (yaml-plain-values.test.ts) on generated texts and on every YAML file of the demo and fixtures.
 *
 * Values come back as `parseYamlValues` gives them: plain objects (a `__proto__` key is an own
 * property), `.inf`/`.nan` as the strings YAML writes them as, with the same node and depth budget.
 */
import { Schema, isScalar } from 'yaml';

const DECLINE = Symbol('decline');
const TOO_LARGE = Symbol('too-large');

interface ScalarTag {
  default?: boolean | 'key';
  test?: RegExp;
  collection?: unknown;
  resolve: (value: string, onError: (message: string) => void, options: { intAsBigInt: boolean }) => unknown;
}

/** yaml's core schema, as `parseAllDocuments` uses it by default (YAML 1.2, no merge keys). */
const CORE_TAGS = (new Schema({ schema: 'core' }).tags as unknown as ScalarTag[]).filter((tag) => !tag.collection && tag.test);
const RESOLVE_OPTIONS = { intAsBigInt: false };

/** Characters a plain scalar may hold here after its first (a safe subset of YAML's ns-plain-char). */
const REST = String.raw`[A-Za-z0-9_./~+$^=()@%,;!?*&<>|\\'"\[\]{}-]`;
const FIRST = String.raw`(?:[A-Za-z0-9_./~+$^=();\\]|-(?=${REST}))`;
const PLAIN = new RegExp(String.raw`^${FIRST}(?:${REST}|:(?=${REST})| +(?=${REST}|:${REST}))*`);
const END = /^(?: +#.*| *)$/;
const DOUBLE_QUOTED = /^"([\x20\x21\x23-\x5b\x5d-\x7e]*)"/;
const SINGLE_QUOTED = /^'([\x20-\x26\x28-\x7e]*)'/;
/** A key: plain, starting with a letter, digit, `_`, `.` or `/`, then `: ` or the end of the line. */
const KEY = /^([A-Za-z0-9_./][A-Za-z0-9_./-]*):(?= |$)/;
const DOCUMENT_MARKER = /^---(?: +#.*| *)$/;
/** Characters after which the plain reading is not attempted: controls, tab, CR, BOM, NEL, LS, PS. */
// eslint-disable-next-line no-control-regex -- control characters are exactly what this looks for
const UNSUPPORTED = /[\x00-\x09\x0b-\x1f\x7f\x85\u2028\u2029\ufeff]/;
/** yaml refuses implicit keys longer than 1024 characters; stay well below. */
const MAX_KEY = 1000;

interface Line {
  indent: number;
  text: string;
}

/** Starts no core-schema null, bool, int or float (those start with a digit, sign, `.`, `~`, n, t or f). */
const SURELY_STRING = /^[A-EG-MO-SU-Za-eg-mo-su-z_/$^=();\\]|^[nNtTfF][^]{5}/;

function resolvePlain(token: string): unknown {
  if (SURELY_STRING.test(token)) return token;
  for (const tag of CORE_TAGS) {
    if (tag.default === true && tag.test!.test(token)) {
      let failed = false;
      const value = tag.resolve(token, () => (failed = true), RESOLVE_OPTIONS);
      if (failed) throw DECLINE;
      const resolved = isScalar(value) ? value.value : value;
      if (typeof resolved === 'number' && !Number.isFinite(resolved)) return Number.isNaN(resolved) ? '.nan' : resolved > 0 ? '.inf' : '-.inf';
      return resolved;
    }
  }
  return token;
}

/** A key whose core-schema reading is a string (`80:` or `true:` would be a number or a boolean). */
function isStringKey(key: string): boolean {
  if (SURELY_STRING.test(key)) return key.length <= MAX_KEY;
  return key.length <= MAX_KEY && !CORE_TAGS.some((tag) => (tag.default === true || tag.default === 'key') && tag.test!.test(key));
}

/** The value of a one-line scalar (or `[]`, `{}`) that fills the rest of the line, comments aside. */
/** The common case, a whole-line token of letters, digits and `_./+-` not starting with `-`. */
const SIMPLE = /^[A-Za-z0-9_./+][A-Za-z0-9_./+-]*$/;

function scalar(text: string): unknown {
  if (SIMPLE.test(text)) return resolvePlain(text);
  let match: RegExpExecArray | null;
  let value: unknown;
  let length: number;
  if ((match = DOUBLE_QUOTED.exec(text)) || (match = SINGLE_QUOTED.exec(text))) {
    value = match[1];
    length = match[0].length;
  } else if (text.startsWith('[]') || text.startsWith('{}')) {
    value = text[0] === '[' ? [] : {};
    length = 2;
  } else if ((match = PLAIN.exec(text))) {
    value = resolvePlain(match[0]);
    length = match[0].length;
  } else throw DECLINE;
  if (!END.test(text.slice(length))) throw DECLINE;
  return value;
}

/** Nothing after an indicator but spaces and a comment. */
const isEmptyRest = (rest: string) => rest.length === 0 || END.test(rest);

/** `text` without its leading spaces. */
function trimStart(text: string): string {
  let at = 0;
  while (text.charCodeAt(at) === 0x20) at++;
  return at === 0 ? text : text.slice(at);
}
const isDash = (text: string) => text === '-' || text.startsWith('- ');

export interface PlainYamlBudget {
  /** Nodes left (maps, lists, scalars, over all documents); below zero the text is too large. */
  nodes: number;
  maxDepth: number;
}

class Reader {
  private pos = 0;

  constructor(
    private readonly lines: Line[],
    private readonly budget: PlainYamlBudget,
  ) {}

  document(): unknown {
    const first = this.lines[0]!;
    const value = this.node(first.indent, 0);
    if (this.pos !== this.lines.length) throw DECLINE;
    return value;
  }

  /** Counts one node at `depth` against the budget, as `toPlainJson` does. */
  private count(depth: number): void {
    if (--this.budget.nodes < 0 || depth > this.budget.maxDepth) throw TOO_LARGE;
  }

  private leaf(text: string, depth: number): unknown {
    const value = scalar(text);
    this.count(depth);
    return value;
  }

  private node(indent: number, depth: number): unknown {
    const line = this.lines[this.pos]!;
    if (isDash(line.text)) return this.list(indent, depth);
    if (KEY.test(line.text)) return this.map(indent, depth);
    throw DECLINE;
  }

  /** The value after `key:` or `-` with nothing else on its line. */
  private nested(indent: number, depth: number, compactList: boolean): unknown {
    const next = this.lines[this.pos];
    if (next && next.indent > indent) return this.node(next.indent, depth);
    if (compactList && next && next.indent === indent && isDash(next.text)) return this.list(indent, depth);
    this.count(depth);
    return null;
  }

  private map(indent: number, depth: number): Record<string, unknown> {
    this.count(depth);
    const map: Record<string, unknown> = {};
    for (let line = this.lines[this.pos]; line && line.indent >= indent; line = this.lines[this.pos]) {
      if (line.indent > indent) throw DECLINE;
      const key = KEY.exec(line.text);
      if (!key) throw DECLINE;
      const name = key[1]!;
      if (Object.hasOwn(map, name) || !isStringKey(name)) throw DECLINE;
      const rest = line.text.slice(key[0].length);
      this.pos++;
      const value = isEmptyRest(rest) ? this.nested(indent, depth + 1, true) : this.leaf(trimStart(rest), depth + 1);
      if (name === '__proto__') Object.defineProperty(map, name, { value, enumerable: true, writable: true, configurable: true });
      else map[name] = value;
    }
    return map;
  }

  private list(indent: number, depth: number): unknown[] {
    this.count(depth);
    const list: unknown[] = [];
    for (let line = this.lines[this.pos]; line && line.indent >= indent; line = this.lines[this.pos]) {
      if (line.indent > indent) throw DECLINE;
      if (!isDash(line.text)) break;
      const rest = line.text.slice(1);
      if (isEmptyRest(rest)) {
        this.pos++;
        list.push(this.nested(indent, depth + 1, false));
        continue;
      }
      const content = trimStart(rest);
      if (isDash(content)) throw DECLINE;
      if (KEY.test(content)) {
        // `- key: ...` opens a map whose keys sit where this one does.
        const column = indent + 1 + (rest.length - content.length);
        this.lines[this.pos] = { indent: column, text: content };
        list.push(this.map(column, depth + 1));
        continue;
      }
      this.pos++;
      list.push(this.leaf(content, depth + 1));
    }
    return list;
  }
}

/**
 * The documents of `text` as `parseYamlValues` would give them (empty documents left out), or null when
 * the text is not in the subset read here or exceeds `budget` (yaml then says which refusal applies:
 * a syntax error further on comes before the size).
 */
export function readPlainYaml(text: string, budget: PlainYamlBudget = { nodes: Infinity, maxDepth: Infinity }): unknown[] | null {
  if (UNSUPPORTED.test(text)) return null;
  const documents: Line[][] = [[]];
  for (let start = 0; start <= text.length; ) {
    let end = text.indexOf('\n', start);
    if (end === -1) end = text.length;
    const raw = text.slice(start, end);
    start = end + 1;
    let indent = 0;
    while (raw.charCodeAt(indent) === 0x20) indent++;
    if (indent === raw.length || raw.charCodeAt(indent) === 0x23 /* # */) continue;
    if (indent === 0) {
      if (raw.startsWith('---')) {
        if (!DOCUMENT_MARKER.test(raw)) return null;
        documents.push([]);
        continue;
      }
      if (raw.startsWith('...') || raw.startsWith('%')) return null;
    }
    documents[documents.length - 1]!.push({ indent, text: raw.slice(indent) });
  }
  const values: unknown[] = [];
  try {
    for (const lines of documents) if (lines.length > 0) values.push(new Reader(lines, budget).document());
  } catch (error) {
    if (error === DECLINE || error === TOO_LARGE) return null;
    throw error;
  }
  return values;
}
