import type { Revision } from '#core/schemas.ts';
import type { ComparePair } from '#src/features/history/hooks/use-compare-selection.ts';

interface CompareSelectionBarProps {
  selected: readonly Revision[];
  pair: ComparePair | null;
  onCompare: (pair: ComparePair) => void;
  onSwap: () => void;
  onClear: () => void;
}

export function CompareSelectionBar({ selected, pair, onCompare, onSwap, onClear }: CompareSelectionBarProps) {
  let message;
  if (pair) {
    const [fromAge, toAge] = pair.reversed ? ['newer', 'older'] : ['older', 'newer'];
    message = (
      <>
        Compare <code className="sha">{pair.from.shortSha}</code> ({fromAge}) → <code className="sha">{pair.to.shortSha}</code>{' '}
        ({toAge})
      </>
    );
  } else if (selected[0]) {
    message = (
      <>
        <code className="sha">{selected[0].shortSha}</code> selected: select one more revision.
      </>
    );
  } else {
    message = 'Select two revisions to compare them (tick their boxes, or press Space on a row).';
  }

  return (
    <div className="compare-selection" role="group" aria-label="Compare two revisions">
      <p className="compare-selection__status" role="status">
        {message}
      </p>
      {pair && (
        <button type="button" className="button button--small" onClick={onSwap} aria-label="Swap from and to">
          <span aria-hidden="true">⇄</span> Swap
        </button>
      )}
      <button
        type="button"
        className="button button--small"
        disabled={!pair}
        onClick={() => {
          if (pair) onCompare(pair);
        }}
      >
        Compare selected
      </button>
      {selected.length > 0 && (
        <button type="button" className="button button--small button--quiet" onClick={onClear}>
          Clear selection
        </button>
      )}
    </div>
  );
}
