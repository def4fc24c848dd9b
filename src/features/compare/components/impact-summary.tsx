import type { Diff } from '#core/schemas.ts';

const plural = (count: number, one: string, many: string) => `${count.toLocaleString('en')} ${count === 1 ? one : many}`;

export function ImpactSummary({ diff, fieldsPending = false }: { diff: Diff; fieldsPending?: boolean }) {
  const additions = diff.files.reduce((sum, file) => sum + file.additions, 0);
  const deletions = diff.files.reduce((sum, file) => sum + file.deletions, 0);
  const items = [
    { key: 'services', value: diff.impact.services, label: diff.impact.services === 1 ? 'service' : 'services' },
    { key: 'bindings', value: diff.impact.bindings, label: diff.impact.bindings === 1 ? 'binding' : 'bindings' },
    {
      key: 'variables',
      value: diff.impact.variables,
      label: diff.impact.variables === 1 ? 'variables file' : 'variables files',
    },
  ];
  return (
    <section className="impact-summary" aria-label="Impact">
      <ul className="impact-summary__list">
        {items.map((item) => (
          <li key={item.key} className={`impact-summary__item${item.value > 0 ? ' impact-summary__item--changed' : ''}`}>
            <strong>{item.value}</strong> {item.label} changed
          </li>
        ))}
        <li className="impact-summary__item impact-summary__item--files">
          {plural(diff.files.length, 'file', 'files')}, {fieldsPending ? 'fields pending' : plural(diff.fields.length, 'field', 'fields')},{' '}
          <span className="diff-counts__add">+{additions.toLocaleString('en')}</span>{' '}
          <span className="diff-counts__del">−{deletions.toLocaleString('en')}</span> lines
        </li>
      </ul>
    </section>
  );
}
