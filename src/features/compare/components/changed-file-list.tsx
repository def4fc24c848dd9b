import { DiffCounts } from '#src/components/diff-view/diff-file-card.tsx';
import type { FileGroup } from '#src/features/compare/model/compare-files.ts';

interface ChangedFileListProps {
  groups: FileGroup[];
  /** Called before the browser follows the link, so a collapsed file opens. */
  onReveal: (path: string) => void;
}

export function ChangedFileList({ groups, onReveal }: ChangedFileListProps) {
  return (
    <nav className="compare-section file-list" aria-labelledby="changed-files-heading">
      <h2 id="changed-files-heading">Changed files</h2>
      <div className="file-list__groups">
        {groups.map((group) => (
          <div key={group.key} className="file-list__group">
            <h3 className={`file-list__group-title${group.kind === 'service' ? ' file-list__group-title--service' : ''}`}>
              {group.label}
            </h3>
            <ul>
              {group.files.map((entry) => (
                <li key={entry.file.path}>
                  <a href={`#${entry.anchor}`} title={entry.file.path} onClick={() => onReveal(entry.file.path)}>
                    {entry.shortPath}
                  </a>
                  {entry.file.status !== 'modified' && <span className="muted"> ({entry.file.status})</span>}
                  <DiffCounts additions={entry.file.additions} deletions={entry.file.deletions} />
                </li>
              ))}
            </ul>
          </div>
        ))}
      </div>
    </nav>
  );
}
