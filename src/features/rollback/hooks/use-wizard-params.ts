import { useCallback, useEffect, useMemo } from 'react';
import { useSearchParams } from 'react-router';
import { useWizardDraftStore } from '#src/features/rollback/stores/wizard-draft-store.ts';
import { parseWizardParams, wizardSearchParams, withChoice, type WizardParams, type WizardStep } from '#src/features/rollback/api/wizard-params.ts';

/**
 * The wizard's choices live in the URL. A choice replaces the history entry (nobody wants to go
 * "back" through each radio button); moving to another step pushes one, so Back returns to it.
 */
export function useWizardParams() {
  const [search, setSearch] = useSearchParams();
  const params = useMemo(() => parseWizardParams(search), [search]);
  const rememberSearch = useWizardDraftStore((state) => state.rememberSearch);

  const serialized = search.toString();
  useEffect(() => {
    if (serialized !== '') rememberSearch(serialized);
  }, [serialized, rememberSearch]);

  const choose = useCallback(
    (patch: Partial<WizardParams>) =>
      setSearch((previous) => wizardSearchParams(withChoice(parseWizardParams(previous), patch)), {
        replace: true,
        // The inputs are controlled by the URL: a deferred (transition) update would let React put the
        // old checked state back first, and a radio would flicker off and on.
        flushSync: true,
      }),
    [setSearch],
  );

  const goTo = useCallback(
    (step: WizardStep, patch: Partial<WizardParams> = {}) =>
      setSearch((previous) => wizardSearchParams({ ...withChoice(parseWizardParams(previous), patch), step })),
    [setSearch],
  );

  return { params, choose, goTo };
}
