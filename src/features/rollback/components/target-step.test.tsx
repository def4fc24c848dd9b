import { render, screen, within } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { fakeSha, makeTarget } from '#src/test/fixtures.ts';
import { TargetStep } from './target-step.tsx';

const argo = makeTarget({
  head: { sha: fakeSha(0), timestamp: '2025-11-20T10:00:00Z' },
  cluster: { ...makeTarget().cluster, source: 'argocd', liveRevision: fakeSha(3), deployment: { state: 'behind', notDeployed: [fakeSha(0)], notDeployedCount: 1, failedToDeploy: [], since: null } },
});
const unconfigured = makeTarget({
  environment: 'staging',
  cluster: { ...makeTarget().cluster, source: 'none', liveRevision: null, observedAt: null, reason: 'no cluster connection configured', deployment: { state: 'unknown', notDeployed: [], notDeployedCount: 0, failedToDeploy: [], since: null, reason: 'no cluster connection configured' } },
});

describe('TargetStep', () => {
  it('calls the branch head the branch head and shows the live revision only as the agent reports it', () => {
    render(<TargetStep targets={[argo, unconfigured]} onChoose={() => {}} onNext={() => {}} />);
    const [first, second] = screen.getAllByTestId('target-choice');
    expect(within(first!).getByTestId('target-branch-head')).toHaveTextContent(`Branch head: ${fakeSha(0).slice(0, 7)}`);
    expect(within(first!).getByTestId('target-live-revision')).toHaveTextContent(`Live revision: ${fakeSha(3).slice(0, 7)} (reported by Argo CD)`);
    expect(within(second!).getByTestId('target-live-revision')).toHaveTextContent('Live revision: unknown — no cluster connection configured');
    // Git alone never claims a deployment.
    expect(document.body).not.toHaveTextContent(/deployed now|deployed there/i);
  });
});
