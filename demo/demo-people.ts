/** The demo's people: users with their roles, and who authors which kind of commit. */
import type { User } from '#core/schemas.ts';

// --- People -------------------------------------------------------------------------------------

/** The first user is the default demo user: a requester who cannot approve. */
export function demoUsers(): User[] {
  return [
    { email: 'sam@example.com', name: 'Sam Rivera', roles: ['requester'] },
    { email: 'dana@example.com', name: 'Dana Whitfield', roles: ['approver'] },
    { email: 'priya@example.com', name: 'Priya Raman', roles: ['approver'] },
    { email: 'marcus@example.com', name: 'Marcus Okafor', roles: ['admin'] },
    { email: 'olu@example.com', name: 'Olu Adeyemi', roles: ['requester', 'break-glass'] },
    { email: 'viktor@example.com', name: 'Viktor Lindqvist', roles: ['viewer'] },
  ];
}

export type Author = { name: string; email: string };
export const SAM: Author = { name: 'Sam Rivera', email: 'sam@example.com' };
export const DANA: Author = { name: 'Dana Whitfield', email: 'dana@example.com' };
export const PRIYA: Author = { name: 'Priya Raman', email: 'priya@example.com' };
export const MARCUS: Author = { name: 'Marcus Okafor', email: 'marcus@example.com' };
export const OLU: Author = { name: 'Olu Adeyemi', email: 'olu@example.com' };
/** The CI bot that authors promotions. */
export const RELEASE_BOT: Author = { name: 'release-bot', email: 'release-bot@example.com' };

export const RELEASE_AUTHORS: readonly (readonly [Author, number])[] = [
  [SAM, 30],
  [PRIYA, 20],
  [DANA, 14],
  [MARCUS, 10],
  [OLU, 16],
];
export const HOTFIX_AUTHORS: readonly (readonly [Author, number])[] = [
  [OLU, 40],
  [PRIYA, 20],
  [SAM, 20],
  [MARCUS, 10],
];
