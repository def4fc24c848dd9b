import { Link } from 'react-router';
import type { RequestLink } from '#core/schemas.ts';
import { paths } from '#src/lib/paths.ts';
import { Person } from '#src/components/person.tsx';

/** A rollback request by id: a link when this Rewind has its record, otherwise the id and why not. */
export function RequestLinkText({ link }: { link: RequestLink }) {
  if (!link.state) {
    return (
      <span>
        request <code>{link.id}</code> <span className="muted">(no record of it in this Rewind)</span>
      </span>
    );
  }
  return (
    <span>
      <Link to={paths.rollbackRequest(link.id)}>request {link.id}</Link> <span className="muted">({link.state}{link.requestedBy ? <>, by <Person email={link.requestedBy} /></> : ''})</span>
    </span>
  );
}
