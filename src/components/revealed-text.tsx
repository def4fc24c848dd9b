import { useMemo } from 'react';
import { countHidden, revealHidden } from '#src/lib/hidden-characters.ts';

interface RevealedTextProps {
  text: string;
  className?: string;
  /** Element for the text itself; a `pre` keeps JSON indentation. */
  as?: 'p' | 'pre' | 'span';
  'data-testid'?: string;
}

/**
 * User text as inert text, with every hidden character (bidi overrides, zero-width, controls) shown as
 * a `⟨U+202E⟩` token, and a note saying the text contains them. Never markup.
 */
export function RevealedText({ text, className, as: Element = 'p', 'data-testid': testId }: RevealedTextProps) {
  const parts = useMemo(() => revealHidden(text), [text]);
  const hidden = countHidden(parts);
  const body = (
    // The controls themselves are never output, only their tokens (bidi-isolated in CSS), so what is left
    // is plain text whose direction comes from its own first letter.
    <Element className={className} data-testid={testId} dir="auto">
      {parts.map((part, index) =>
        part.kind === 'text' ? (
          part.text
        ) : (
          <abbr key={index} className="hidden-char" title={`${part.name} (hidden character)`} data-code={part.code}>
            {part.token}
          </abbr>
        ),
      )}
    </Element>
  );
  if (hidden === 0) return body;
  const Note = Element === 'span' ? 'span' : 'p';
  return (
    <>
      {body}
      <Note className="hidden-char-note" role="note">
        <span aria-hidden="true">⚠ </span>This text contains hidden characters ({hidden}): each is shown as a{' '}
        <span className="hidden-char">⟨U+…⟩</span> token instead of the invisible character. They can reorder or hide
        text, so read it with care.
      </Note>
    </>
  );
}
