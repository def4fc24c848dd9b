const SKELETON_ROWS = 8;

export function HistorySkeleton() {
  return (
    <div className="history-skeleton" role="status" aria-busy="true" aria-label="Loading deployment history">
      {Array.from({ length: SKELETON_ROWS }, (_, index) => (
        <div key={index} className="skeleton-row" aria-hidden="true">
          <span className="skeleton skeleton--sha" />
          <span className="skeleton skeleton--time" />
          <span className="skeleton skeleton--text" />
        </div>
      ))}
    </div>
  );
}
