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
import { DOCUMENT, ITEM, MIN_REGION_LINES, VALUE, type PlainYamlReuse, type RegionEntry, type RegionKind } from './yaml-plain-memo.ts';

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
const KEY_FIRST_CHARS = '[A-Za-z0-9_./]';
const KEY_REST_CHARS = '[A-Za-z0-9_./-]';
/** Starts no core-schema null, bool, int or float (those start with a digit, sign, `.`, `~`, n, t or f). */
const STRING_FIRST_CHARS = String.raw`[A-EG-MO-SU-Za-eg-mo-su-z_/$^=();\\]`;

/** Those character classes by code, for the hot loop. */
const KEY_FIRST = new Uint8Array(128);
const KEY_REST = new Uint8Array(128);
const STRING_FIRST = new Uint8Array(128);
for (let code = 0; code < 128; code++) {
  const char = String.fromCharCode(code);
  KEY_FIRST[code] = new RegExp(KEY_FIRST_CHARS).test(char) ? 1 : 0;
  KEY_REST[code] = new RegExp(KEY_REST_CHARS).test(char) ? 1 : 0;
  STRING_FIRST[code] = new RegExp(STRING_FIRST_CHARS).test(char) ? 1 : 0;
}

/** `^KEY_FIRST KEY_REST*:(?= |$)` on `text` from `from` to `end`: the key's length, or -1 for no key. */
function keyLength(text: string, from: number, end: number): number {
  const first = text.charCodeAt(from);
  if (!(from < end && first < 128 && KEY_FIRST[first] === 1)) return -1;
  let at = from + 1;
  for (let code = text.charCodeAt(at); at < end && code < 128 && KEY_REST[code] === 1; code = text.charCodeAt(++at));
  if (at >= end || text.charCodeAt(at) !== 0x3a /* : */) return -1;
  return at + 1 === end || text.charCodeAt(at + 1) === 0x20 ? at - from : -1;
}
const DOCUMENT_MARKER = /^---(?: +#.*| *)$/;
/** Characters after which the plain reading is not attempted: controls, tab, CR, BOM, NEL, LS, PS. */
// eslint-disable-next-line no-control-regex -- control characters are exactly what this looks for
const UNSUPPORTED = /[\x00-\x09\x0b-\x1f\x7f\x85\u2028\u2029\ufeff]/;
/** yaml refuses implicit keys longer than 1024 characters; stay well below. */
const MAX_KEY = 1000;


/** Surely a string in the core schema: starts with STRING_FIRST_CHARS, or with n, t or f and 6 characters or more. */
function isSurelyString(token: string): boolean {
  const first = token.charCodeAt(0);
  if (first < 128 && STRING_FIRST[first] === 1) return true;
  // n N t T f F
  return token.length >= 6 && (first === 0x6e || first === 0x4e || first === 0x74 || first === 0x54 || first === 0x66 || first === 0x46);
}

function resolvePlain(token: string): unknown {
  if (isSurelyString(token)) return token;
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
  if (isSurelyString(key)) return key.length <= MAX_KEY;
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
    value = text[0] === '[' ? Object.freeze([]) : Object.freeze({});
    length = 2;
  } else if ((match = PLAIN.exec(text))) {
    value = resolvePlain(match[0]);
    length = match[0].length;
  } else throw DECLINE;
  if (!END.test(text.slice(length))) throw DECLINE;
  return value;
}

export interface PlainYamlBudget {
  /** Nodes left (maps, lists, scalars, over all documents); below zero the text is too large. */
  nodes: number;
  maxDepth: number;
}

/**
 * The lines of a text that hold content (not blank, not only a comment), as numbers rather than an
 * object and a string each: reading a large file allocates little more than its values.
 */
interface Lines {
  /** Where each line starts in the text (its indentation included). */
  start: number[];
  /** Where it ends (before its newline). */
  end: number[];
  /** The column its content starts at; for `- key: v`, the reader moves it to `key` (a compact map). */
  column: number[];
}

const MISS = Symbol('miss');
const SPACE = 0x20;
const DASH = 0x2d;
const HASH = 0x23;

class Reader {
  private pos: number;
  /** Nodes counted by this reader, to know how many a subtree holds. */
  private counted = 0;
  private readonly start: number[];
  private readonly end: number[];
  private readonly column: number[];

  /** Reads lines `first` to `last` (exclusive) of `lines`: one document. */
  constructor(
    private readonly text: string,
    lines: Lines,
    private readonly first: number,
    private readonly last: number,
    private readonly budget: PlainYamlBudget,
    private readonly record: Map<string, RegionEntry> | null,
    private readonly reuse: Map<string, RegionEntry> | null,
  ) {
    this.pos = first;
    this.start = lines.start;
    this.end = lines.end;
    this.column = lines.column;
  }

  document(): unknown {
    const indent = this.column[this.first]!;
    let value = this.reuse ? this.reused(DOCUMENT, indent, 0) : MISS;
    if (value === MISS) {
      value = this.node(indent, 0);
      if (this.pos !== this.last) throw DECLINE;
      if (this.record) this.remember(DOCUMENT, this.first, indent, 0, 0, value);
    }
    return value;
  }

  /** Counts one node at `depth` against the budget, as `toPlainJson` does. */
  private count(depth: number): void {
    this.counted++;
    if (--this.budget.nodes < 0 || depth > this.budget.maxDepth) throw TOO_LARGE;
  }

  /** Whether line `at` holds an indicator `-` at its column: `-` alone or followed by a space. */
  private isDash(at: number): boolean {
    const content = this.start[at]! + this.column[at]!;
    return this.text.charCodeAt(content) === DASH && (content + 1 === this.end[at] || this.text.charCodeAt(content + 1) === SPACE);
  }

  /** The source text of lines `first` to `end` (exclusive), comments and blank lines between included. */
  private source(first: number, end: number): string {
    return this.text.slice(this.start[first], this.end[end - 1]);
  }

  /**
   * Where a subtree starting at line `first` ends: the reader's own rule for input it accepts. An
   * item is its `- ` line and the lines indented deeper than the `-`; a value under a key at column
   * `indent` is the lines deeper than the key, or, for a list written at the key's column, the `- `
   * lines there and the lines deeper; a document is all of its lines.
   */
  private extent(kind: RegionKind, first: number, indent: number): number {
    const last = this.last;
    const column = this.column;
    if (kind === DOCUMENT) return last;
    let end = first;
    if (kind === ITEM) end++;
    else if (first < last && column[first] === indent && this.isDash(first)) {
      while (end < last && (column[end]! > indent || (column[end] === indent && this.isDash(end)))) end++;
      return end;
    }
    while (end < last && column[end]! > indent) end++;
    return end;
  }

  /** The subtree at the current line, from `reuse`, or MISS when it holds none for these lines and place. */
  private reused(kind: RegionKind, indent: number, depth: number): unknown {
    const first = this.pos;
    const end = this.extent(kind, first, indent);
    if (end - first < MIN_REGION_LINES) return MISS;
    const entry = this.reuse!.get(this.source(first, end));
    if (!entry || entry.kind !== kind || entry.indent !== indent || entry.depth !== depth) return MISS;
    this.counted += entry.nodes;
    this.budget.nodes -= entry.nodes;
    if (this.budget.nodes < 0) throw TOO_LARGE;
    this.pos = end;
    return entry.value;
  }

  private remember(kind: RegionKind, first: number, indent: number, depth: number, countedBefore: number, value: unknown): void {
    if (this.pos - first < MIN_REGION_LINES) return;
    const key = this.source(first, this.pos);
    if (!this.record!.has(key)) this.record!.set(key, { kind, indent, depth, nodes: this.counted - countedBefore, value });
  }

  /** The scalar from `from` to the end of line `at`. */
  private leaf(from: number, at: number, depth: number): unknown {
    const value = scalar(this.text.slice(from, this.end[at]));
    this.count(depth);
    return value;
  }

  private node(indent: number, depth: number): unknown {
    const at = this.pos;
    if (this.isDash(at)) return this.list(indent, depth);
    if (keyLength(this.text, this.start[at]! + this.column[at]!, this.end[at]!) >= 0) return this.map(indent, depth);
    throw DECLINE;
  }

  /** The value after `key:` or `-` with nothing else on its line. */
  private nested(indent: number, depth: number, compactList: boolean): unknown {
    const next = this.pos;
    if (next < this.last && this.column[next]! > indent) return this.node(this.column[next]!, depth);
    if (compactList && next < this.last && this.column[next] === indent && this.isDash(next)) return this.list(indent, depth);
    this.count(depth);
    return null;
  }

  /** `nested` for the value of a key at column `indent`, taken from `reuse` when it has it. */
  private keyValue(indent: number, depth: number): unknown {
    const first = this.pos;
    const counted = this.counted;
    let value = this.reuse ? this.reused(VALUE, indent, depth) : MISS;
    if (value === MISS) {
      value = this.nested(indent, depth, true);
      if (this.record) this.remember(VALUE, first, indent, depth, counted, value);
    }
    return value;
  }

  private map(indent: number, depth: number): Record<string, unknown> {
    this.count(depth);
    const map: Record<string, unknown> = {};
    const text = this.text;
    for (let at = this.pos; at < this.last && this.column[at]! >= indent; at = this.pos) {
      if (this.column[at]! > indent) throw DECLINE;
      const content = this.start[at]! + indent;
      const end = this.end[at]!;
      const length = keyLength(text, content, end);
      if (length < 0) throw DECLINE;
      const name = text.slice(content, content + length);
      if (Object.hasOwn(map, name) || !isStringKey(name)) throw DECLINE;
      this.pos++;
      // What follows `key:`: nothing, spaces and a comment (a nested value), or a scalar after spaces.
      let next = content + length + 1;
      while (text.charCodeAt(next) === SPACE && next < end) next++;
      const nothing = next === end || (next > content + length + 1 && text.charCodeAt(next) === HASH);
      const value = nothing ? this.keyValue(indent, depth + 1) : this.leaf(next, at, depth + 1);
      if (name === '__proto__') Object.defineProperty(map, name, { value, enumerable: true, writable: true, configurable: true });
      else map[name] = value;
    }
    // Frozen as made (values are shared: parseYamlValues freezes them), not in a second walk.
    return Object.freeze(map);
  }

  private list(indent: number, depth: number): readonly unknown[] {
    this.count(depth);
    const list: unknown[] = [];
    for (let at = this.pos; at < this.last && this.column[at]! >= indent; at = this.pos) {
      if (this.column[at]! > indent) throw DECLINE;
      if (!this.isDash(at)) break;
      const counted = this.counted;
      let value = this.reuse ? this.reused(ITEM, indent, depth + 1) : MISS;
      if (value === MISS) {
        value = this.item(at, indent, depth + 1);
        if (this.record) this.remember(ITEM, at, indent, depth + 1, counted, value);
      }
      list.push(value);
    }
    return Object.freeze(list);
  }

  /** One item of a list at column `indent`: its `- ` line is line `at`, the current one. */
  private item(at: number, indent: number, depth: number): unknown {
    const text = this.text;
    const end = this.end[at]!;
    const dash = this.start[at]! + indent;
    let content = dash + 1;
    while (content < end && text.charCodeAt(content) === SPACE) content++;
    // Nothing after the `-` but spaces and a comment: the item is what the next lines hold.
    if (content === end || (content > dash + 1 && text.charCodeAt(content) === HASH)) {
      this.pos++;
      return this.nested(indent, depth, false);
    }
    if (text.charCodeAt(content) === DASH && (content + 1 === end || text.charCodeAt(content + 1) === SPACE)) throw DECLINE;
    if (keyLength(text, content, end) >= 0) {
      // `- key: ...` opens a map whose keys sit where this one does.
      const column = content - this.start[at]!;
      this.column[at] = column;
      return this.map(column, depth);
    }
    this.pos++;
    return this.leaf(content, at, depth);
  }
}

/** What reading a text found out besides its values (see `readPlainYaml`). */
export interface PlainYamlFacts {
  /** How many different columns its lines start at (not counting comments and blank lines). */
  indentLevels: number;
}

/** Columns counted one by one up to here; a line starting further right counts as unbounded. */
const TRACKED_COLUMNS = 256;

/**
 * The documents of `text` as `parseYamlValues` would give them (empty documents left out), or null when
 * the text is not in the subset read here or exceeds `budget` (yaml then says which refusal applies:
 * a syntax error further on comes before the size). `memo` remembers its subtrees for reading another
 * version of the file, or takes the subtrees it shares with one read before (PlainYamlMemo); `facts`
 * receives what yaml-documents.ts needs to skip its nesting scan.
 */
export function readPlainYaml(
  text: string,
  budget: PlainYamlBudget = { nodes: Infinity, maxDepth: Infinity },
  memo: PlainYamlReuse = {},
  facts?: PlainYamlFacts,
): unknown[] | null {
  if (UNSUPPORTED.test(text)) return null;
  const lines: Lines = { start: [], end: [], column: [] };
  /** Where each document's lines start in `lines`; the last one ends with them. */
  const documents = [0];
  const columns = new Uint8Array(TRACKED_COLUMNS);
  let indentLevels = 0;
  for (let start = 0; start <= text.length; ) {
    let end = text.indexOf('\n', start);
    if (end === -1) end = text.length;
    const lineStart = start;
    start = end + 1;
    let at = lineStart;
    while (at < end && text.charCodeAt(at) === SPACE) at++;
    if (at === end || text.charCodeAt(at) === HASH) continue;
    const indent = at - lineStart;
    if (indent === 0) {
      if (text.startsWith('---', lineStart)) {
        if (!DOCUMENT_MARKER.test(text.slice(lineStart, end))) return null;
        documents.push(lines.start.length);
        continue;
      }
      if (text.startsWith('...', lineStart) || text.charCodeAt(lineStart) === 0x25 /* % */) return null;
    }
    if (indent >= TRACKED_COLUMNS) indentLevels = Infinity;
    else if (columns[indent] === 0) {
      columns[indent] = 1;
      indentLevels++;
    }
    lines.start.push(lineStart);
    lines.end.push(end);
    lines.column.push(indent);
  }
  const reuse = memo.reuse && memo.reuse.maxDepth === budget.maxDepth && memo.reuse.size > 0 ? memo.reuse.entries : null;
  const record = memo.record ? memo.record.entries : null;
  if (memo.record) {
    memo.record.entries.clear();
    memo.record.maxDepth = budget.maxDepth;
  }
  const values: unknown[] = [];
  try {
    documents.forEach((first, i) => {
      const last = documents[i + 1] ?? lines.start.length;
      if (last > first) values.push(new Reader(text, lines, first, last, budget, record, reuse).document());
    });
  } catch (error) {
    record?.clear();
    if (error === DECLINE || error === TOO_LARGE) return null;
    throw error;
  }
  if (facts) facts.indentLevels = indentLevels;
  return values;
}
