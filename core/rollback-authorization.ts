/**
 * Who may do what to a target's rollbacks: the roles of its access policy (DESIGN.md "Approval
 * policy"). Shared by the rollback and approval services, so a refusal reads the same everywhere.
 */
import { forbidden } from './errors.ts';
import type { Role, User } from './schemas.ts';

export function hasRole(user: User, allowed: readonly Role[]): boolean {
  return user.roles.some((role) => allowed.includes(role));
}

/** 403 naming the roles that would allow `action` and the ones the user has. */
export function assertRole(user: User, allowed: readonly Role[], action: string): void {
  if (hasRole(user, allowed)) return;
  const roles = [...new Set(allowed)];
  throw forbidden(
    `${action} requires the role ${roles.length === 1 ? roles[0] : `${roles.slice(0, -1).join(', ')} or ${roles.at(-1)}`}` +
      ` (${user.email} has ${user.roles.length ? user.roles.join(', ') : 'no role'})`,
  );
}
