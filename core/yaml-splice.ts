/**
 * Splicing YAML text: offsets of CST tokens and of entries with the lines and comments they own,
 * the file's indentation style, text for new entries, and scalars in their token's own style
 * (core/yaml-field-edit.ts).
 */
import { CST, stringify } from 'yaml';
import type { Scalar } from 'yaml';
import { type PathStep } from './field-path.ts';
import { isTrivia, type Item, type ParsedText, type Step } from './yaml-locate.ts';

// --------------------------------------------------------------------------------------------------
// Offsets.

export function tokenEnd(token: CST.Token): number {
  return token.offset + CST.stringify(token).length;
}

/** Where a value's text ends (before any trailing comment or line break). */
export function contentEnd(token: CST.Token): number {
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

export function itemContentStart(item: Item): number {
  const tokens: CST.Token[] = [...item.start];
  if (item.key) tokens.push(item.key);
  if (item.sep) tokens.push(...item.sep);
  if (item.value) tokens.push(item.value);
  for (const token of tokens) {
    if (!isTrivia(token)) return token.offset;
  }
  return item.value?.offset ?? item.key?.offset ?? 0;
}

export function itemContentEnd(item: Item): number {
  let end = -1;
  for (const token of [...item.start, ...(item.sep ?? [])]) {
    if (!isTrivia(token)) end = Math.max(end, tokenEnd(token));
  }
  if (item.key) end = Math.max(end, contentEnd(item.key));
  if (item.value) end = Math.max(end, contentEnd(item.value));
  return end;
}

export function lineStart(text: string, offset: number): number {
  return text.lastIndexOf('\n', offset - 1) + 1;
}

/** From a content end: past trailing blanks and a comment, to the end of the line (before the break). */
export function lineContentEnd(text: string, offset: number): number {
  let p = offset;
  while (text[p] === ' ' || text[p] === '\t') p++;
  if (text[p] === '#') {
    while (p < text.length && text[p] !== '\n' && text[p] !== '\r') p++;
  }
  if (p < text.length && text[p] !== '\n' && text[p] !== '\r') return offset; // more content follows
  return p;
}

/** Past the line break at `offset` (or `offset` itself at the end of the text). */
export function afterLineBreak(text: string, offset: number): number {
  if (text.startsWith('\r\n', offset)) return offset + 2;
  if (text[offset] === '\n') return offset + 1;
  return offset;
}

export interface BlockSpan {
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

export function blockSpan(text: string, item: Item): BlockSpan {
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
export function withOwnedComments(text: string, span: BlockSpan): BlockSpan {
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

export function splice(text: string, start: number, end: number, insert: string): string {
  return text.slice(0, start) + insert + text.slice(end);
}

export function withEol(text: string, eol: string): string {
  return text.replace(/\r?\n/g, eol);
}

/** Shifts the lines after the first from column `from` to column `to` (`\n` line breaks out). */
export function reindent(text: string, from: number, to: number): string {
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

export interface Style {
  indent: number;
  indentSeq: boolean;
}

/** The indentation step and whether lists under a key are indented, as the text writes them (null: no evidence). */
export function styleEvidence(text: string): { indent: number | null; indentSeq: boolean | null } {
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
export function detectStyle(head: string, source: string | null): Style {
  const own = styleEvidence(head);
  const other = source === null ? { indent: null, indentSeq: null } : styleEvidence(source);
  return { indent: own.indent ?? other.indent ?? 2, indentSeq: own.indentSeq ?? other.indentSeq ?? true };
}

// --------------------------------------------------------------------------------------------------
// Text for new entries.

export function stringifyOptions(style: Style) {
  return { indent: style.indent, indentSeq: style.indentSeq, lineWidth: 0, minContentWidth: 0, aliasDuplicateObjects: false } as const;
}

/** Generated text of an entry with its first line at column 0 (`key: ...` or `- ...`), `\n` line breaks. */
export function generateEntry(step: PathStep, value: unknown, mapLike: boolean, inFlow: boolean, style: Style): string {
  const data: unknown = mapLike ? new Map([[step.type === 'key' ? step.key : '', value]]) : [value];
  if (inFlow) {
    const text = stringify(data, { ...stringifyOptions(style), collectionStyle: 'flow', flowCollectionPadding: false, blockQuote: false }).trim();
    return text.slice(1, -1);
  }
  return stringify(data, stringifyOptions(style)).replace(/\n$/, '');
}

/** The source revision's own text for an entry, first line at column 0, when it can be reused. */
export function sourceEntryText(source: ParsedText, step: Step, inFlow: boolean): string | null {
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

export function scalarType(token: CST.Token | undefined): Scalar.Type | null {
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

export function isScalarValue(value: unknown): value is string | number | boolean | null {
  return value === null || typeof value === 'string' || typeof value === 'boolean' || (typeof value === 'number' && Number.isFinite(value));
}

/** Candidate (text, type) pairs for a scalar's new value, best first; each is checked by parsing. */
export function scalarCandidates(value: string | number | boolean | null, headToken: CST.Token, sourceToken: CST.Token | undefined) {
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
