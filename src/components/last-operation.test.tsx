import { render, screen } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { fakeSha } from '#src/test/fixtures.ts';
import { LastOperation } from './last-operation.tsx';

describe('LastOperation', () => {
  it("shows the agent's phase, its own word, the commit, when it finished and its message", () => {
    render(
      <LastOperation
        source="argocd"
        reason={null}
        operation={{ phase: 'failed', agentPhase: 'Error', message: 'ImagePullBackOff', revision: fakeSha(1), startedAt: '2025-11-20T12:29:00Z', finishedAt: '2025-11-20T12:31:00Z' }}
      />,
    );
    expect(screen.getByTestId('last-operation')).toHaveTextContent(`Failed (Error) on ${fakeSha(1).slice(0, 7)}, finished 2025-11-20 12:31 UTC: ImagePullBackOff`);
  });

  it('says a running operation started, and labels the simulated cluster', () => {
    render(<LastOperation source="simulated" reason={null} operation={{ phase: 'running', agentPhase: 'Running', message: '', revision: null, startedAt: '2025-11-20T12:29:00Z', finishedAt: null }} />);
    expect(screen.getByTestId('last-operation')).toHaveTextContent('Running, started 2025-11-20 12:29 UTC (simulated)');
  });

  it('never invents one: unknown with the reason, or none reported', () => {
    const { rerender } = render(<LastOperation source="none" reason="no cluster connection configured" operation={null} />);
    expect(screen.getByText('unknown — no cluster connection configured')).toBeInTheDocument();
    rerender(<LastOperation source="flux" reason="Flux answered 403: forbidden" operation={null} />);
    expect(screen.getByText('unknown — Flux answered 403: forbidden')).toBeInTheDocument();
    rerender(<LastOperation source="argocd" reason={null} operation={null} />);
    expect(screen.getByText('none reported by Argo CD')).toBeInTheDocument();
  });
});
