import { screen } from '@testing-library/react';
import { http, HttpResponse } from 'msw';
import { describe, expect, it } from 'vitest';
import { server } from '#mocks/node.ts';
import { renderWithRouter } from '#src/test/render.tsx';
import { Person, WithPeople } from './person.tsx';

const servePeople = () =>
  server.use(http.get('*/api/people', () => HttpResponse.json({ people: [{ email: 'sam@example.com', name: 'Sam Rivera' }] })));

describe('<Person> (decisions 043, 047)', () => {
  it('shows a known person by name, the email on hover and after the name for screen readers, matching emails case-insensitively', async () => {
    servePeople();
    renderWithRouter(
      <p data-testid="line">
        by <Person email="Sam@Example.com" />
      </p>,
    );
    const name = await screen.findByText('Sam Rivera');
    expect(name).toHaveAttribute('title', 'Sam@Example.com');
    expect(screen.getByText('(Sam@Example.com)')).toHaveClass('visually-hidden');
    expect(screen.getByTestId('line')).toHaveTextContent('by Sam Rivera (Sam@Example.com)');
  });

  it('shows an unknown email as the email, never an invented name; a git author not in the directory as git names them', async () => {
    servePeople();
    renderWithRouter(
      <p>
        <Person email="ghost@example.com" /> / <Person email="ci@example.com" fallback="CI Bot" /> / <Person email="sam@example.com" fallback="sam (laptop)" />
      </p>,
    );
    expect(await screen.findByText('Sam Rivera')).toBeInTheDocument();
    expect(screen.queryByText('sam (laptop)')).not.toBeInTheDocument();
    const ghost = screen.getByText('ghost@example.com');
    expect(ghost).not.toHaveAttribute('title');
    expect(screen.getByText('CI Bot')).toHaveAttribute('title', 'ci@example.com');
  });

  it('shows the email while the directory cannot be read', async () => {
    server.use(http.get('*/api/people', () => HttpResponse.json({ error: { code: 'INTERNAL', message: 'down' } }, { status: 500 })));
    renderWithRouter(<Person email="sam@example.com" />);
    expect(await screen.findByText('sam@example.com')).toBeInTheDocument();
    expect(screen.queryByText('Sam Rivera')).not.toBeInTheDocument();
  });

  it('<WithPeople> names each address in a sentence Rewind wrote and keeps the rest', async () => {
    servePeople();
    renderWithRouter(
      <p data-testid="line">
        <WithPeople text="Withdrawn by sam@example.com: asked by rewind and ops@example.com" />
      </p>,
    );
    expect(await screen.findByText('Sam Rivera')).toHaveAttribute('title', 'sam@example.com');
    expect(screen.getByTestId('line')).toHaveTextContent('Withdrawn by Sam Rivera (sam@example.com): asked by rewind and ops@example.com');
  });
});
