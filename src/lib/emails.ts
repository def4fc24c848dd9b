/**
 * A text cut around the email addresses in it (decision 047), so a sentence Rewind wrote ("Withdrawn by
 * sam@example.com: wrong revision") can show each person by name. Only addresses: any other text,
 * "rewind" (Rewind acting by itself) included, stays as written.
 */
const EMAIL = /[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}/g;

export type TextPart = { text: string } | { email: string };

export function splitByEmails(text: string): TextPart[] {
  const parts: TextPart[] = [];
  let last = 0;
  for (const match of text.matchAll(EMAIL)) {
    if (match.index > last) parts.push({ text: text.slice(last, match.index) });
    parts.push({ email: match[0] });
    last = match.index + match[0].length;
  }
  if (last < text.length) parts.push({ text: text.slice(last) });
  return parts;
}
