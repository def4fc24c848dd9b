import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useId } from 'react';
import { useBackend } from '#src/api/backend-context.tsx';
import { meQueryOptions, usersQueryOptions } from '#src/features/identity/api/identity-query-options.ts';
import { useIdentityStore } from '#src/features/identity/stores/identity-store.ts';

export function UserSwitcher() {
  const backend = useBackend();
  const queryClient = useQueryClient();
  const selectedEmail = useIdentityStore((state) => state.email);
  const setEmail = useIdentityStore((state) => state.setEmail);
  const me = useQuery(meQueryOptions(backend));
  const users = useQuery(usersQueryOptions(backend));
  const selectId = useId();

  if (me.isPending) return <span className="user-switcher user-switcher--loading">Signing in…</span>;
  if (me.isError) {
    return (
      <span className="user-switcher user-switcher--error" role="status">
        Not signed in: {me.error.message}
      </span>
    );
  }

  const current = me.data.user;
  const roles = current.roles.join(', ') || 'no roles';
  if (!users.isSuccess || users.data.length === 0) {
    return (
      <span className="user-switcher" title={current.email}>
        {current.name} <span className="user-switcher__roles">({roles})</span>
      </span>
    );
  }

  const onChange = (email: string) => {
    setEmail(email);
    // Everything on screen may depend on who asks (roles, self-approval): refetch it all as the new user.
    void queryClient.invalidateQueries();
  };

  // Show the new choice at once; /api/me catches up after the refetch.
  const value =
    selectedEmail && users.data.some((user) => user.email === selectedEmail) ? selectedEmail : current.email;

  return (
    <div className="user-switcher">
      <label htmlFor={selectId} className="user-switcher__label">
        Acting as
      </label>
      <select id={selectId} value={value} onChange={(event) => onChange(event.target.value)}>
        {users.data.map((user) => (
          <option key={user.email} value={user.email}>
            {user.name} ({user.roles.join(', ') || 'no roles'})
          </option>
        ))}
      </select>
    </div>
  );
}
