import { render, screen } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { SharedFilesWarning } from './shared-files-warning.tsx';

describe('SharedFilesWarning', () => {
  it('names the other targets a rollback changes, and the shared files', () => {
    render(<SharedFilesWarning shared={[{ path: 'apps/base/podinfo/release.yaml', targets: ['fleet/staging'] }]} />);
    expect(screen.getByRole('note')).toHaveTextContent('This rollback also changes fleet/staging: a file it changes is shared with that target.');
    expect(screen.getByRole('note')).toHaveTextContent('apps/base/podinfo/release.yaml (also fleet/staging)');
  });

  it('says nothing when no file is shared', () => {
    const { container } = render(<SharedFilesWarning shared={[]} />);
    expect(container).toBeEmptyDOMElement();
  });
});
