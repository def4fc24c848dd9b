/** Longest block shown in full; the rest is on the title (hover) and in the text diff. */
const MAX_BLOCK = 2_000;

/** A value's text is a block when it has several lines: a config file, a script, a certificate. */
export function isBlockText(text: string): boolean {
  return text.includes('\n');
}

/**
 * A field value as inert text: one line in `<code>`, several lines as a pre-wrapped block (decision
 * 043), never one long line with "\n" in it.
 */
export function FieldText({ text, full = text }: { text: string; full?: string }) {
  if (isBlockText(full)) {
    const block = full.length > MAX_BLOCK ? `${full.slice(0, MAX_BLOCK)}…` : full;
    // A span (display: block; pre-wrap) so a block may sit inside inline text too ("now → after").
    return (
      <span className="field-block" title={block === full ? undefined : full} data-testid="field-block">
        {block.replace(/\n$/, '')}
      </span>
    );
  }
  return <code title={full === text ? undefined : full}>{text}</code>;
}
