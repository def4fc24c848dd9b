import { useQuery } from '@tanstack/react-query';
import { Fragment } from 'react';
import { useBackend } from '#src/api/backend-context.tsx';
import { peopleQueryOptions } from '#src/api/people-query-options.ts';
import { splitByEmails } from '#src/lib/emails.ts';

/**
 * A person's name when the directory knows it (emails compare case-insensitively), else undefined.
 * The one place pages read `GET /api/people` (decisions 043, 047): cached for long, and prefetched by
 * the route loaders of the pages that show people, beside their own data.
 */
export function usePersonName(): (email: string) => string | undefined {
  const backend = useBackend();
  const people = useQuery(peopleQueryOptions(backend));
  return (email) => people.data?.get(email.toLowerCase());
}

/**
 * A person by name, the email on hover and read out after the name by screen readers (decisions 043,
 * 047); the email itself when no name is known (never an invented name). `fallback` is what to show
 * for someone the directory does not know, when the caller has better than the email (a git author's
 * own name).
 */
export function Person({ email, fallback }: { email: string; fallback?: string | undefined }) {
  const nameOf = usePersonName();
  const name = nameOf(email);
  if (!name) {
    if (!fallback || fallback === email) return <span className="person">{email}</span>;
    return (
      <span className="person" title={email}>
        {fallback}
        <span className="visually-hidden"> ({email})</span>
      </span>
    );
  }
  return (
    <span className="person" title={email}>
      {name}
      <span className="visually-hidden"> ({email})</span>
    </span>
  );
}

/** A sentence Rewind wrote, each email address in it shown as a `<Person>`. */
export function WithPeople({ text }: { text: string }) {
  return (
    <>
      {splitByEmails(text).map((part, index) => ('email' in part ? <Person key={index} email={part.email} /> : <Fragment key={index}>{part.text}</Fragment>))}
    </>
  );
}
