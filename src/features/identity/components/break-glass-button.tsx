import { useQuery } from '@tanstack/react-query';
import { lazy, Suspense, useRef, useState } from 'react';
import { useBackend } from '#src/api/backend-context.tsx';
import { meQueryOptions } from '#src/features/identity/api/identity-query-options.ts';

// The dialog loads when first opened: most visits never break glass.
const BreakGlassDialog = lazy(async () => ({ default: (await import('./break-glass-dialog.tsx')).BreakGlassDialog }));

/** "Break glass" in the header, for users whose roles may open a session and who have none open. */
export function BreakGlassButton() {
  const backend = useBackend();
  const me = useQuery(meQueryOptions(backend));
  const [open, setOpen] = useState(false);
  const button = useRef<HTMLButtonElement>(null);
  // The server says, by the targets' policies (decision 039); an older server that does not: no button.
  if (!me.data || me.data.breakGlass || !me.data.can?.breakGlass) return null;

  return (
    <>
      <button
        ref={button}
        type="button"
        className="button button--small break-glass-button"
        aria-haspopup="dialog"
        onClick={() => setOpen(true)}
      >
        <span aria-hidden="true">⚠ </span>Break glass
      </button>
      {open && (
        <Suspense fallback={null}>
          <BreakGlassDialog
            onClose={() => {
              setOpen(false);
              // Gone when a session opened: then the banner has taken focus.
              button.current?.focus();
            }}
          />
        </Suspense>
      )}
    </>
  );
}
