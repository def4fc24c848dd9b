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

/** `^KEY_FIRST KEY_REST* :(?= |$)` on `text`: the length of the key, or -1 when the line does not start with one. */
function keyLength(text: string): number {
  const first = text.charCodeAt(0);
  if (!(first < 128 && KEY_FIRST[first] === 1)) return -1;
  let at = 1;
  for (let code = text.charCodeAt(at); code < 128 && KEY_REST[code] === 1; code = text.charCodeAt(++at));
  if (text.charCodeAt(at) !== 0x3a /* : */) return -1;
  return at + 1 === text.length || text.charCodeAt(at + 1) === 0x20 ? at : -1;
}
const DOCUMENT_MARKER = /^---(?: +#.*| *)$/;
/** Characters after which the plain reading is not attempted: controls, tab, CR, BOM, NEL, LS, PS. */
// eslint-disable-next-line no-control-regex -- control characters are exactly what this looks for
const UNSUPPORTED = /[\x00-\x09\x0b-\x1f\x7f\x85\u2028\u2029\ufeff]/;
/** yaml refuses implicit keys longer than 1024 characters; stay well below. */
const MAX_KEY = 1000;

interface Line {
  indent: number;
  /** The line without its indentation. */
  text: string;
  /** Where the whole line starts and ends in the source (the end excludes the newline). */
  start: number;
  end: number;
}

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

const MISS = Symbol('miss');

class Reader {
  private pos = 0;
  /** Nodes counted by this reader, to know how many a subtree holds. */
  private counted = 0;

  constructor(
    private readonly text: string,
    private readonly lines: Line[],
    private readonly budget: PlainYamlBudget,
    private readonly record: Map<string, RegionEntry> | null,
    private readonly reuse: Map<string, RegionEntry> | null,
  ) {}

  document(): unknown {
    const first = this.lines[0]!;
    let value = this.reuse ? this.reused(DOCUMENT, first.indent, 0) : MISS;
    if (value === MISS) {
      value = this.node(first.indent, 0);
      if (this.pos !== this.lines.length) throw DECLINE;
      if (this.record) this.remember(DOCUMENT, 0, first.indent, 0, 0, value);
    }
    return value;
  }

  /** Counts one node at `depth` against the budget, as `toPlainJson` does. */
  private count(depth: number): void {
    this.counted++;
    if (--this.budget.nodes < 0 || depth > this.budget.maxDepth) throw TOO_LARGE;
  }

  /** The source text of lines `first` to `end` (exclusive), comments and blank lines between included. */
  private source(first: number, end: number): string {
    return this.text.slice(this.lines[first]!.start, this.lines[end - 1]!.end);
  }

  /**
   * Where a subtree starting at line `first` ends: the reader's own rule for input it accepts. An
   * item is its `- ` line and the lines indented deeper than the `-`; a value under a key at column
   * `indent` is the lines deeper than the key, or, for a list written at the key's column, the `- `
   * lines there and the lines deeper; a document is all of its lines.
   */
  private extent(kind: RegionKind, first: number, indent: number): number {
    const lines = this.lines;
    if (kind === DOCUMENT) return lines.length;
    let end = first;
    if (kind === ITEM) end++;
    else if (lines[first]?.indent === indent && isDash(lines[first]!.text)) {
      for (let line = lines[end]; line && (line.indent > indent || (line.indent === indent && isDash(line.text))); line = lines[++end]);
      return end;
    }
    for (let line = lines[end]; line && line.indent > indent; line = lines[++end]);
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

  private leaf(text: string, depth: number): unknown {
    const value = scalar(text);
    this.count(depth);
    return value;
  }

  private node(indent: number, depth: number): unknown {
    const line = this.lines[this.pos]!;
    if (isDash(line.text)) return this.list(indent, depth);
    if (keyLength(line.text) >= 0) return this.map(indent, depth);
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
    for (let line = this.lines[this.pos]; line && line.indent >= indent; line = this.lines[this.pos]) {
      if (line.indent > indent) throw DECLINE;
      const text = line.text;
      const length = keyLength(text);
      if (length < 0) throw DECLINE;
      const name = text.slice(0, length);
      if (Object.hasOwn(map, name) || !isStringKey(name)) throw DECLINE;
      this.pos++;
      // What follows `key:`: nothing, spaces and a comment (a nested value), or a scalar after spaces.
      let at = length + 1;
      while (text.charCodeAt(at) === 0x20) at++;
      const nothing = at === text.length || (at > length + 1 && text.charCodeAt(at) === 0x23); /* # */
      const value = nothing ? this.keyValue(indent, depth + 1) : this.leaf(text.slice(at), depth + 1);
      if (name === '__proto__') Object.defineProperty(map, name, { value, enumerable: true, writable: true, configurable: true });
      else map[name] = value;
    }
    // Frozen as made (values are shared: parseYamlValues freezes them), not in a second walk.
    return Object.freeze(map);
  }

  private list(indent: number, depth: number): readonly unknown[] {
    this.count(depth);
    const list: unknown[] = [];
    for (let line = this.lines[this.pos]; line && line.indent >= indent; line = this.lines[this.pos]) {
      if (line.indent > indent) throw DECLINE;
      if (!isDash(line.text)) break;
      const first = this.pos;
      const counted = this.counted;
      let value = this.reuse ? this.reused(ITEM, indent, depth + 1) : MISS;
      if (value === MISS) {
        value = this.item(line, indent, depth + 1);
        if (this.record) this.remember(ITEM, first, indent, depth + 1, counted, value);
      }
      list.push(value);
    }
    return Object.freeze(list);
  }

  /** One item of a list at column `indent`: its `- ` line is the current one. */
  private item(line: Line, indent: number, depth: number): unknown {
    const rest = line.text.slice(1);
    if (isEmptyRest(rest)) {
      this.pos++;
      return this.nested(indent, depth, false);
    }
    const content = trimStart(rest);
    if (isDash(content)) throw DECLINE;
    if (keyLength(content) >= 0) {
      // `- key: ...` opens a map whose keys sit where this one does.
      const column = indent + 1 + (rest.length - content.length);
      this.lines[this.pos] = { indent: column, text: content, start: line.start, end: line.end };
      return this.map(column, depth);
    }
    this.pos++;
    return this.leaf(content, depth);
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
  const documents: Line[][] = [[]];
  const columns = new Uint8Array(TRACKED_COLUMNS);
  let indentLevels = 0;
  for (let start = 0; start <= text.length; ) {
    let end = text.indexOf('\n', start);
    if (end === -1) end = text.length;
    const lineStart = start;
    start = end + 1;
    let at = lineStart;
    while (at < end && text.charCodeAt(at) === 0x20) at++;
    if (at === end || text.charCodeAt(at) === 0x23 /* # */) continue;
    const indent = at - lineStart;
    if (indent === 0) {
      if (text.startsWith('---', lineStart)) {
        if (!DOCUMENT_MARKER.test(text.slice(lineStart, end))) return null;
        documents.push([]);
        continue;
      }
      if (text.startsWith('...', lineStart) || text.charCodeAt(lineStart) === 0x25 /* % */) return null;
    }
    if (indent >= TRACKED_COLUMNS) indentLevels = Infinity;
    else if (columns[indent] === 0) {
      columns[indent] = 1;
      indentLevels++;
    }
    documents[documents.length - 1]!.push({ indent, text: text.slice(at, end), start: lineStart, end });
  }
  const reuse = memo.reuse && memo.reuse.maxDepth === budget.maxDepth && memo.reuse.size > 0 ? memo.reuse.entries : null;
  const record = memo.record ? memo.record.entries : null;
  if (memo.record) {
    memo.record.entries.clear();
    memo.record.maxDepth = budget.maxDepth;
  }
  const values: unknown[] = [];
  try {
    for (const lines of documents) if (lines.length > 0) values.push(new Reader(text, lines, budget, record, reuse).document());
  } catch (error) {
    record?.clear();
    if (error === DECLINE || error === TOO_LARGE) return null;
    throw error;
  }
  if (facts) facts.indentLevels = indentLevels;
  return values;
}
