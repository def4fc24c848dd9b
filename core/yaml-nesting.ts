/**
 * The depth budget of YAML parsing: an upper estimate of a text's nesting, found in one pass without
 * parsing. The yaml parser spends seconds on a deeply nested file before a depth limit applied to its
 * result can refuse it (400,000 nested flow brackets: 8 s on the event loop); this scan refuses such a
 * file in milliseconds. It counts block indentation levels (outside block scalars), leading `- ` entries
 * and flow brackets (outside quotes and comments), so it may overestimate odd files, never a plain one.
 */

const SPACE = 0x20;
const TAB = 0x09;
const CR = 0x0d;
const HASH = 0x23;
const DASH = 0x2d;
const DOUBLE = 0x22;
const SINGLE = 0x27;
const BACKSLASH = 0x5c;
const OPEN_SQUARE = 0x5b;
const CLOSE_SQUARE = 0x5d;
const OPEN_CURLY = 0x7b;
const CLOSE_CURLY = 0x7d;

/** After these a node may start, so a flow collection or a quoted scalar can open there. */
const isNodeStart = (code: number) =>
  code === 0x3a /* : */ || code === DASH || code === 0x3f /* ? */ || code === 0x2c /* , */ || code === OPEN_SQUARE || code === OPEN_CURLY;
/** Characters a block scalar header (`|`, `>-`, `|2+`) can end with. */
const mayEndBlockHeader = (code: number) => code === 0x7c || code === 0x3e || code === 0x2b || code === DASH || (code >= 0x31 && code <= 0x39);
const BLOCK_SCALAR_HEADER = /(?:^|[\s:-])[|>][1-9+-]{0,2}$/;

export function nestingExceeds(text: string, maxDepth: number): boolean {
  const indents: number[] = [];
  let flow = 0;
  let quote = 0;
  /** Indentation of the line that opened a block scalar; its more-indented lines are text. */
  let blockScalar = -1;
  let lineStart = 0;
  const length = text.length;
  while (lineStart <= length) {
    let lineEnd = text.indexOf('\n', lineStart);
    if (lineEnd === -1) lineEnd = length;
    let i = lineStart;
    while (i < lineEnd && text.charCodeAt(i) === SPACE) i++;
    const indent = i - lineStart;
    const blank = i >= lineEnd || text.charCodeAt(i) === CR;
    if (blockScalar >= 0 && (blank || indent > blockScalar)) {
      lineStart = lineEnd + 1;
      continue;
    }
    blockScalar = -1;
    if (quote === 0 && flow === 0 && (blank || text.charCodeAt(i) === HASH)) {
      lineStart = lineEnd + 1;
      continue;
    }
    let depth = 0;
    const inBlock = quote === 0 && flow === 0;
    if (inBlock) {
      while (indents.length > 0 && indents[indents.length - 1]! >= indent) indents.pop();
      indents.push(indent);
      // `- - - x` nests one level per entry marker.
      for (;;) {
        const next = text.charCodeAt(i + 1);
        if (text.charCodeAt(i) !== DASH || !(next === SPACE || next === TAB || i + 1 === lineEnd)) break;
        depth++;
        i += 2;
        while (i < lineEnd && text.charCodeAt(i) === SPACE) i++;
      }
    }
    let previous = 0x3a; // the line start counts as a node start
    let lineFlowMax = flow;
    /** The last character that is not a space or part of a comment: where a block header would end. */
    let last = 0;
    let lastAt = -1;
    for (; i < lineEnd; i++) {
      const code = text.charCodeAt(i);
      if (quote !== 0) {
        if (code === BACKSLASH && quote === DOUBLE) i++;
        else if (code === quote) {
          if (quote === SINGLE && text.charCodeAt(i + 1) === SINGLE) i++;
          else quote = 0;
        }
        continue;
      }
      if (code === SPACE || code === TAB || code === CR) continue;
      if (code === HASH && (i === lineStart || text.charCodeAt(i - 1) === SPACE || text.charCodeAt(i - 1) === TAB)) break;
      if ((code === DOUBLE || code === SINGLE) && isNodeStart(previous)) quote = code;
      else if ((code === OPEN_SQUARE || code === OPEN_CURLY) && (flow > 0 || isNodeStart(previous))) {
        flow++;
        if (flow > lineFlowMax) lineFlowMax = flow;
      } else if ((code === CLOSE_SQUARE || code === CLOSE_CURLY) && flow > 0) flow--;
      previous = code;
      last = code;
      lastAt = i;
    }
    if (indents.length + depth + lineFlowMax > maxDepth) return true;
    if (inBlock && quote === 0 && flow === 0 && mayEndBlockHeader(last) && BLOCK_SCALAR_HEADER.test(text.slice(Math.max(lineStart, lastAt - 4), lastAt + 1))) {
      blockScalar = indent;
    }
    lineStart = lineEnd + 1;
  }
  return false;
}
