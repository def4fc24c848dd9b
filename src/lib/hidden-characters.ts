/**
 * Characters that change how text reads without being seen: bidirectional overrides, embeddings and
 * isolates (a "Trojan Source" justification can show an approver one thing and mean another),
 * zero-width characters, the BOM, and control characters. User text shows each as a visible token
 * (`⟨U+202E⟩`) instead of the character itself, so it can neither reorder nor hide anything.
 */

const NAMES: Record<number, string> = {
  0x00ad: 'SOFT HYPHEN',
  0x061c: 'ARABIC LETTER MARK',
  0x180e: 'MONGOLIAN VOWEL SEPARATOR',
  0x200b: 'ZERO WIDTH SPACE',
  0x200c: 'ZERO WIDTH NON-JOINER',
  0x200d: 'ZERO WIDTH JOINER',
  0x200e: 'LEFT-TO-RIGHT MARK',
  0x200f: 'RIGHT-TO-LEFT MARK',
  0x2028: 'LINE SEPARATOR',
  0x2029: 'PARAGRAPH SEPARATOR',
  0x202a: 'LEFT-TO-RIGHT EMBEDDING',
  0x202b: 'RIGHT-TO-LEFT EMBEDDING',
  0x202c: 'POP DIRECTIONAL FORMATTING',
  0x202d: 'LEFT-TO-RIGHT OVERRIDE',
  0x202e: 'RIGHT-TO-LEFT OVERRIDE',
  0x2060: 'WORD JOINER',
  0x2066: 'LEFT-TO-RIGHT ISOLATE',
  0x2067: 'RIGHT-TO-LEFT ISOLATE',
  0x2068: 'FIRST STRONG ISOLATE',
  0x2069: 'POP DIRECTIONAL ISOLATE',
  0xfeff: 'ZERO WIDTH NO-BREAK SPACE (BOM)',
};

/** Whether a code point is shown as a token. Line feed and tab are ordinary layout; CR only before LF. */
function isHidden(code: number): boolean {
  if (code === 0x0a || code === 0x09) return false;
  return (
    code < 0x20 || // C0 controls (CR is handled by the caller)
    (code >= 0x7f && code <= 0x9f) || // DEL and C1 controls
    code in NAMES ||
    (code >= 0x2061 && code <= 0x2064) || // invisible operators
    (code >= 0x206a && code <= 0x206f) || // deprecated format characters
    (code >= 0xfff9 && code <= 0xfffb) || // interlinear annotation
    (code >= 0xe0000 && code <= 0xe007f) // tag characters (invisible "ASCII smuggling")
  );
}

export type TextPart = { kind: 'text'; text: string } | { kind: 'hidden'; code: number; token: string; name: string };

export function codePointLabel(code: number): string {
  return `U+${code.toString(16).toUpperCase().padStart(4, '0')}`;
}

export function hiddenCharacterName(code: number): string {
  return NAMES[code] ?? (code < 0x20 || (code >= 0x7f && code <= 0x9f) ? 'CONTROL CHARACTER' : 'INVISIBLE FORMAT CHARACTER');
}

/** The text split into visible runs and hidden characters, in order; joining the runs loses nothing else. */
export function revealHidden(text: string): TextPart[] {
  const parts: TextPart[] = [];
  let run = '';
  const chars = [...text];
  chars.forEach((char, index) => {
    const code = char.codePointAt(0) ?? 0;
    // CRLF is a Windows line break, not a trick; a lone CR can hide what comes before it in a terminal.
    const hidden = code === 0x0d ? chars[index + 1] !== '\n' : isHidden(code);
    if (!hidden) {
      run += char;
      return;
    }
    if (run) parts.push({ kind: 'text', text: run });
    run = '';
    parts.push({ kind: 'hidden', code, token: `⟨${codePointLabel(code)}⟩`, name: hiddenCharacterName(code) });
  });
  if (run) parts.push({ kind: 'text', text: run });
  return parts;
}

export function countHidden(parts: readonly TextPart[]): number {
  return parts.filter((part) => part.kind === 'hidden').length;
}

/** The text as shown on screen: every hidden character replaced by its token (for copies and exports). */
export function withVisibleTokens(text: string): string {
  return revealHidden(text)
    .map((part) => (part.kind === 'text' ? part.text : part.token))
    .join('');
}
