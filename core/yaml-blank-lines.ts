/**
 * Which blank lines go with an entry a field rollback removes. An entry added between two others
 * usually came with a blank line of its own; removing only its lines leaves two blank lines where the
 * target revision has one (issue 11). The target's own text decides where it can: the candidate whose
 * surroundings read as in the target wins; otherwise one of two adjacent gaps goes.
 */
const BLANK_LINE = /^[ \t]*\r?\n/;

/** Start of the blank lines that end at `offset` (a line start). */
function blankRunBefore(text: string, offset: number): number {
  let start = offset;
  while (start > 0) {
    const previous = text.lastIndexOf('\n', start - 2) + 1;
    if (!BLANK_LINE.test(text.slice(previous, start))) break;
    start = previous;
  }
  return start;
}

/** End of the blank lines that start at `offset` (a line start). */
function blankRunAfter(text: string, offset: number): number {
  let end = offset;
  for (let match = BLANK_LINE.exec(text.slice(end)); match; match = BLANK_LINE.exec(text.slice(end))) end += match[0].length;
  return end;
}

/** The non-blank lines around `offset` in `text` and the blank lines between them, as one string. */
function seam(text: string, offset: number): { snippet: string; atStart: boolean; atEnd: boolean } {
  const before = blankRunBefore(text, offset);
  const after = blankRunAfter(text, offset);
  const prevStart = before === 0 ? 0 : text.lastIndexOf('\n', before - 2) + 1;
  const nextBreak = text.indexOf('\n', after);
  const nextEnd = nextBreak === -1 ? text.length : nextBreak + 1;
  return { snippet: text.slice(prevStart, nextEnd), atStart: before === 0, atEnd: after === text.length };
}

function seamIn(source: string, result: string, offset: number): boolean {
  const { snippet, atStart, atEnd } = seam(result, offset);
  if (atStart && atEnd) return source === snippet;
  if (atStart) return source.startsWith(snippet);
  if (atEnd) return source.endsWith(snippet);
  return source.startsWith(snippet) || source.includes(`\n${snippet}`);
}

/**
 * The range to delete for whole lines `[start, end)` (both at line starts), blank lines around them
 * included as the target's text `source` shows them.
 */
export function removalRange(text: string, start: number, end: number, source: string | null): { start: number; end: number } {
  const before = blankRunBefore(text, start);
  const after = blankRunAfter(text, end);
  const candidates = [
    { start, end },
    { start: before, end },
    { start, end: after },
    { start: before, end: after },
  ].filter((c, i, all) => all.findIndex((o) => o.start === c.start && o.end === c.end) === i);
  if (source !== null) {
    const found = candidates.find((c) => seamIn(source, text.slice(0, c.start) + text.slice(c.end), c.start));
    if (found) return found;
  }
  // Without evidence: two gaps meeting become one (the one after), and a last entry takes its gap along.
  if (before < start && (after > end || end === text.length)) return { start: before, end };
  return { start, end };
}
