import { describe, expect, it } from 'vitest';
import { countHidden, revealHidden, withVisibleTokens } from './hidden-characters.ts';

describe('revealHidden', () => {
  it('leaves ordinary text, tabs, line feeds and CRLF alone', () => {
    const text = 'Bad image tag v2.1.0\r\ncausing 500s\tin checkout — ünïcode, 日本語, עברית, emoji 🔥';
    expect(revealHidden(text)).toEqual([{ kind: 'text', text }]);
  });

  it('turns bidi overrides, embeddings and isolates into tokens', () => {
    const codes = [0x202a, 0x202b, 0x202c, 0x202d, 0x202e, 0x2066, 0x2067, 0x2068, 0x2069];
    const text = codes.map((code) => `x${String.fromCodePoint(code)}`).join('');
    expect(withVisibleTokens(text)).toBe('x⟨U+202A⟩x⟨U+202B⟩x⟨U+202C⟩x⟨U+202D⟩x⟨U+202E⟩x⟨U+2066⟩x⟨U+2067⟩x⟨U+2068⟩x⟨U+2069⟩');
    expect(countHidden(revealHidden(text))).toBe(9);
  });

  it('turns zero-width characters, the BOM, controls, a lone CR and tag characters into tokens', () => {
    const text = 'a\u200Bb\u200Cc\u200Dd\uFEFFe\u0000f\u001Bg\u007Fh\u0085i\rj\u{E0041}k';
    expect(withVisibleTokens(text)).toBe(
      'a⟨U+200B⟩b⟨U+200C⟩c⟨U+200D⟩d⟨U+FEFF⟩e⟨U+0000⟩f⟨U+001B⟩g⟨U+007F⟩h⟨U+0085⟩i⟨U+000D⟩j⟨U+E0041⟩k',
    );
  });

  it('names what it found, and never outputs the character itself', () => {
    const parts = revealHidden('approve\u202Eevil');
    expect(parts).toEqual([
      { kind: 'text', text: 'approve' },
      { kind: 'hidden', code: 0x202e, token: '⟨U+202E⟩', name: 'RIGHT-TO-LEFT OVERRIDE' },
      { kind: 'text', text: 'evil' },
    ]);
    expect(parts.map((part) => (part.kind === 'text' ? part.text : part.token)).join('')).not.toContain('\u202E');
  });
});
