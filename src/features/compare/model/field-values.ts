import type { FieldChange } from '#core/schemas.ts';

export type FieldCell =
  | { kind: 'absent'; text: string }
  | { kind: 'secret'; text: string }
  | { kind: 'value'; text: string; full: string };

const MAX_SHOWN = 300;

/**
 * One side of a field change as people should read it. A Secret's value is never shown, only that it
 * changed (and, for a map, its keys, as Kubernetes shows them); the side where the field does not
 * exist says so instead of showing an empty cell.
 */
export function describeFieldSide(change: FieldChange, side: 'from' | 'to'): FieldCell {
  const value = change[side];
  if (value === undefined) return { kind: 'absent', text: '(absent)' };
  if (change.redacted) {
    const keys = isPlainObject(value) ? Object.keys(value) : [];
    const keyList = keys.length > 0 ? `; keys: ${keys.join(', ')}` : '';
    if (side === 'from') return { kind: 'secret', text: `(secret value hidden${keyList})` };
    const what = change.from === undefined ? 'added' : 'changed';
    return { kind: 'secret', text: `${what} (secret value hidden${keyList})` };
  }
  const full = formatValue(value);
  return { kind: 'value', text: full.length > MAX_SHOWN ? `${full.slice(0, MAX_SHOWN)}…` : full, full };
}

// Strings that YAML would read as another type, or whose edges are invisible, are shown quoted: so the
// string "800" and the number 800 do not look the same in a change from one to the other.
const AMBIGUOUS = /^(?:|~|null|true|false|yes|no|on|off|[-+]?(?:\d[\d_]*)?\.?\d+(?:e[-+]?\d+)?|0x[0-9a-f]+|[-+]?\.inf|\.nan)$/i;

export function formatValue(value: unknown): string {
  // Several lines (a config file, a script) read as a block of text, not as one escaped line.
  if (typeof value === 'string' && value.includes('\n') && value.trim() !== '') return value;
  if (typeof value === 'string') return AMBIGUOUS.test(value) || value.trim() !== value ? JSON.stringify(value) : value;
  if (value === null) return 'null';
  if (typeof value === 'object') return JSON.stringify(value);
  return String(value);
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
