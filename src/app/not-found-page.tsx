import { Link } from 'react-router';

export function NotFoundPage({ message }: { message?: string }) {
  return (
    <section className="page not-found" aria-labelledby="not-found-heading">
      <title>Not found · Rewind</title>
      <h1 id="not-found-heading">Not found</h1>
      <p>{message ?? 'There is no page at this address.'}</p>
      <p>
        <Link to="/">Back to all targets</Link>
      </p>
    </section>
  );
}
