import { FieldText, isBlockText } from '#src/components/field-table/field-text.tsx';

const MAX_SHOWN = 160;

/** A YAML value as inert text: JSON spelling, so `"1"` and `1`, `""` and absent, stay distinguishable. */
export function formatFieldValue(value: unknown): string {
  if (value === undefined) return 'absent';
  const text = JSON.stringify(value) ?? String(value);
  return text.length > MAX_SHOWN ? `${text.slice(0, MAX_SHOWN - 1)}…` : text;
}

function isMarker(value: unknown) {
  return typeof value === 'string' && value.startsWith('<redacted');
}

function Value({ value, redacted }: { value: unknown; redacted: boolean }) {
  if (value === undefined) return <span className="field-value field-value--absent">absent</span>;
  if (redacted && isMarker(value)) return <span className="field-value field-value--secret">hidden (Secret)</span>;
  // Several lines (a config file, a script) as a block of text, not one escaped line (decision 043).
  if (typeof value === 'string' && isBlockText(value)) return <FieldText text={value} />;
  const full = JSON.stringify(value) ?? String(value);
  return (
    <code className="field-value" title={full.length > MAX_SHOWN ? full : undefined}>
      {formatFieldValue(value)}
    </code>
  );
}

/** "now → after the rollback", the two sides of one changed leaf. */
export function BeforeAfter({ now, after, redacted = false }: { now: unknown; after: unknown; redacted?: boolean }) {
  return (
    <span className="before-after">
      <Value value={now} redacted={redacted} />
      <span className="before-after__arrow" aria-hidden="true">
        {' → '}
      </span>
      <span className="visually-hidden"> becomes </span>
      <Value value={after} redacted={redacted} />
    </span>
  );
}
