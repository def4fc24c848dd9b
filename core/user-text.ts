/**
 * The one rule for text people type into Rewind (justifications, break-glass reasons, notes, review
 * comments): it is stored exactly as sent, it must show something, and its length is counted in Unicode
 * code points (an emoji is one character, as a person counts it). The server refuses with these rules
 * and the SPA warns with the same ones, so the two never disagree.
 */
import { badRequest } from './errors.ts';

/** Longest user text, in code points. */
export const USER_TEXT_MAX_LENGTH = 4000;

/**
 * What shows nothing on screen: whitespace and line separators, control and format characters
 * (zero-width spaces and joiners, bidi controls, the BOM, soft hyphens), the combining grapheme joiner,
 * variation selectors, and the Hangul fillers that render as blanks.
 */
const INVISIBLE = /[\s\p{Cc}\p{Cf}\p{Z}\p{Variation_Selector}\u115f\u1160\u3164\uffa0]|\u034f/gu;

export type UserTextProblem =
  /** Nothing at all, or only spaces and line breaks. */
  | { kind: 'blank' }
  /** Only characters that show nothing (zero-width, bidi controls, ...). */
  | { kind: 'invisible' }
  | { kind: 'too-long'; length: number; max: number };

/** Length as people count characters: code points, so an emoji is one, not two. */
export function textLength(text: string): number {
  let length = 0;
  for (const _ of text) length++;
  return length;
}

/** Whether the text shows nothing at all (blank or invisible only). */
export function showsNothing(text: string): boolean {
  return text.replace(INVISIBLE, '') === '';
}

/** The problem with a user text, or null when it is acceptable. `required: false` lets it be empty. */
export function userTextProblem(text: string, options: { max?: number; required?: boolean } = {}): UserTextProblem | null {
  const max = options.max ?? USER_TEXT_MAX_LENGTH;
  if (options.required !== false && showsNothing(text)) return text.trim() === '' ? { kind: 'blank' } : { kind: 'invisible' };
  const length = textLength(text);
  if (length > max) return { kind: 'too-long', length, max };
  return null;
}

export interface UserTextRule {
  /** The input field, named in the error body. */
  field: string;
  /** The 400's message when the text is missing or shows nothing. */
  required: string;
  /** How the message names the text: `justification is too long: ...`. */
  label: string;
  max?: number;
  /** Default true; an optional text may be empty but not too long. */
  isRequired?: boolean;
}

/** The text as stored (exactly as sent), or a 400 naming `rule.field`. */
export function checkUserText(text: unknown, rule: UserTextRule): string {
  const value = typeof text === 'string' ? text : rule.isRequired === false && text === undefined ? '' : null;
  if (value === null) throw badRequest(rule.required, { field: rule.field });
  const problem = userTextProblem(value, { ...(rule.max !== undefined ? { max: rule.max } : {}), required: rule.isRequired !== false });
  if (!problem) return value;
  if (problem.kind === 'too-long') {
    throw badRequest(`${rule.label} is too long: at most ${problem.max} characters (got ${problem.length})`, { field: rule.field });
  }
  throw badRequest(rule.required, { field: rule.field });
}

/**
 * A rollback's justification as it is stored: exactly the text sent (RTL overrides, zero-width
 * characters and CRLF included; the commit message escapes it onto one line).
 */
export function checkJustification(text: unknown): string {
  return checkUserText(text, { field: 'justification', label: 'justification', required: 'justification is required: say why this rollback is needed' });
}
