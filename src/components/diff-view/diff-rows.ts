/**
 * Rows for the virtualised renderer, built from diff2html's parse() output: one row per line
 * (line by line), or one row per pair of old and new lines (side by side, a run of deletions paired
 * with the insertions that follow it, as diff2html pairs them with `matching: 'none'`).
 */
import type { ParsedDiffFile } from './diff2html-render.ts';
import type { DiffLayout } from './diff-preferences-store.ts';

export type LineKind = 'context' | 'insert' | 'delete';

export interface CodeLine {
  kind: LineKind;
  oldNumber: number | null;
  newNumber: number | null;
  /** The line without its `+`/`-`/` ` prefix. */
  text: string;
}

export type DiffRow =
  | { kind: 'hunk'; text: string }
  | { kind: 'line'; line: CodeLine }
  | { kind: 'pair'; left: CodeLine | null; right: CodeLine | null };

export interface DiffRows {
  rows: DiffRow[];
  /** Longest line in characters, so the scroll box can be as wide as the widest row. */
  longestLine: number;
}

export function buildDiffRows(files: readonly ParsedDiffFile[], layout: DiffLayout): DiffRows {
  const rows: DiffRow[] = [];
  let longestLine = 0;
  for (const file of files) {
    const prefixLength = file.isCombined ? 2 : 1;
    for (const block of file.blocks) {
      rows.push({ kind: 'hunk', text: block.header });
      longestLine = Math.max(longestLine, block.header.length);
      const lines: CodeLine[] = block.lines.map((line) => {
        const text = line.content.slice(prefixLength);
        longestLine = Math.max(longestLine, text.length);
        return {
          kind: String(line.type) as LineKind,
          oldNumber: line.oldNumber ?? null,
          newNumber: line.newNumber ?? null,
          text,
        };
      });
      if (layout === 'line-by-line') {
        for (const line of lines) rows.push({ kind: 'line', line });
      } else {
        pairLines(lines, rows);
      }
    }
  }
  return { rows, longestLine };
}

function pairLines(lines: readonly CodeLine[], rows: DiffRow[]) {
  let index = 0;
  while (index < lines.length) {
    const line = lines[index]!;
    if (line.kind !== 'delete' && line.kind !== 'insert') {
      rows.push({ kind: 'pair', left: line, right: line });
      index++;
      continue;
    }
    const deleted: CodeLine[] = [];
    const inserted: CodeLine[] = [];
    while (index < lines.length && lines[index]!.kind === 'delete') deleted.push(lines[index++]!);
    while (index < lines.length && lines[index]!.kind === 'insert') inserted.push(lines[index++]!);
    for (let i = 0; i < Math.max(deleted.length, inserted.length); i++) {
      rows.push({ kind: 'pair', left: deleted[i] ?? null, right: inserted[i] ?? null });
    }
  }
}
