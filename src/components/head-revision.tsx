import type { Target } from '#core/schemas.ts';
import { RelativeTime } from './relative-time.tsx';
import { shortSha } from '#src/lib/sha.ts';

export function HeadRevision({ head }: { head: Target['head'] }) {
  if (!head) return <span className="muted">No revisions yet</span>;
  return (
    <span className="head-revision">
      <code className="sha" title={head.sha}>
        {shortSha(head.sha)}
      </code>{' '}
      <RelativeTime iso={head.timestamp} />
    </span>
  );
}
