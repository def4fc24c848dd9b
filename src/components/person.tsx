import { useQuery } from '@tanstack/react-query';
import { useBackend } from '#src/api/backend-context.tsx';
import { peopleQueryOptions } from '#src/api/people-query-options.ts';

/** A person's name when the directory knows it (emails compare case-insensitively), else undefined. */
export function usePersonName(): (email: string) => string | undefined {
  const backend = useBackend();
  const people = useQuery(peopleQueryOptions(backend));
  return (email) => people.data?.get(email.toLowerCase());
}

/**
 * A person by name, the email on hover (decision 043); the email itself only when no name is known.
 * `rewind` is Rewind acting by itself.
 */
export function Person({ email }: { email: string }) {
  const nameOf = usePersonName();
  const name = nameOf(email);
  if (!name) return <span className="person">{email}</span>;
  return (
    <span className="person" title={email}>
      {name}
    </span>
  );
}
