import { fireEvent, render, screen, waitFor } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { useState } from 'react';
import { describe, expect, it } from 'vitest';
import { makeRevision } from '#src/test/fixtures.ts';
import { RevisionList } from './revision-list.tsx';

const all = Array.from({ length: 6 }, (_, i) => makeRevision(i));

/** Loads three more revisions per press, as the infinite query would, after the test lets it finish. */
function Harness() {
  const [count, setCount] = useState(3);
  const [fetching, setFetching] = useState(false);
  return (
    <>
      <RevisionList
        revisions={all.slice(0, count)}
        selectedSha={undefined}
        headSha={all[0]?.sha ?? null}
        hasNextPage={count < all.length}
        isFetchingNextPage={fetching}
        onSelect={() => {}}
        onLoadMore={() => setFetching(true)}
      />
      <button
        type="button"
        onClick={() => {
          setCount((n) => n + 3);
          setFetching(false);
        }}
      >
        finish loading
      </button>
    </>
  );
}

describe('RevisionList', () => {
  it('keeps focus on "Load older revisions" while loading, then moves it to the first older revision', async () => {
    const user = userEvent.setup();
    render(<Harness />);
    const loadOlder = screen.getByRole('button', { name: 'Load older revisions' });
    await user.click(loadOlder);
    const loading = screen.getByRole('button', { name: 'Loading older revisions…' });
    expect(loading).toHaveAttribute('aria-disabled', 'true');
    expect(loading).toHaveFocus();
    // Finishing the load from elsewhere must still land focus on the new rows.
    fireEvent.click(screen.getByRole('button', { name: 'finish loading' }));
    await waitFor(() => expect(screen.getAllByRole('radio')).toHaveLength(6));
    const radios = screen.getAllByRole('radio');
    expect(radios[3]).toHaveFocus();
    expect(screen.queryByRole('button', { name: /older revisions/ })).not.toBeInTheDocument();
  });
});
