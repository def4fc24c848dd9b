import { formatAbsolute, formatRelative } from '#src/lib/time.ts';
import { useNow } from '#src/lib/use-now.ts';

interface RelativeTimeProps {
  iso: string;
  /** Also print the absolute time under the relative one, for tables people scan under stress. */
  showAbsolute?: boolean;
}

export function RelativeTime({ iso, showAbsolute = false }: RelativeTimeProps) {
  const now = useNow();
  const absolute = formatAbsolute(iso);
  return (
    <time dateTime={iso} title={absolute} className="relative-time">
      <span>{formatRelative(iso, now)}</span>
      {showAbsolute && <span className="relative-time__absolute">{formatAbsolute(iso, 'minutes')}</span>}
    </time>
  );
}
