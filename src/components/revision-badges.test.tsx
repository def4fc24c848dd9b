import { render, screen } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { StatusBadge } from './revision-badges.tsx';

describe('StatusBadge', () => {
  it('names who reported the outcome, and says when nobody did', () => {
    const { rerender } = render(<StatusBadge revision={{ status: 'failed', statusSource: 'argocd' }} />);
    expect(screen.getByText('Failed')).toBeInTheDocument();
    expect(screen.getByTestId('status-source')).toHaveTextContent('Argo CD');
    // Nobody reported: unknown, never a success nobody saw (decision 056).
    rerender(<StatusBadge revision={{ status: 'unknown', statusSource: 'none' }} />);
    expect(screen.getByText('Unknown')).toBeInTheDocument();
    expect(screen.queryByText('Success')).not.toBeInTheDocument();
    expect(screen.getByTestId('status-source')).toHaveTextContent('no report');
    expect(screen.getByTestId('status-source')).toHaveAttribute('title', 'No agent, deployment note or rollback says how this revision went');
    rerender(<StatusBadge revision={{ status: 'rolled-back', statusSource: 'rollback', rolledBackBy: 'a'.repeat(40) }} />);
    expect(screen.queryByTestId('status-source')).not.toBeInTheDocument();
  });
});
