/**
 * Who is calling. Demo mode: `X-Forwarded-Email` if sent, else the demo user. Proxy mode: the header
 * is required and trusted only when the deployment says the request came through its proxy.
 */
import type { Context, MiddlewareHandler } from 'hono';
import { badRequest, unauthenticated } from '#core/errors.ts';
import type { UserDirectory } from '#core/ports.ts';
import type { User } from '#core/schemas.ts';

export const IDENTITY_HEADER = 'x-forwarded-email';
const EMAIL_PATTERN = /^[^\s@,;<>"]{1,64}@[^\s@,;<>"]{1,255}$/;

export type IdentityOptions =
  | { mode: 'demo'; defaultUser: string }
  | { mode: 'proxy'; isTrustedProxy?: (c: Context) => boolean };

export type ApiVariables = { user: User };

export function identityMiddleware(
  options: IdentityOptions,
  users: UserDirectory,
): MiddlewareHandler<{ Variables: ApiVariables }> {
  return async (c, next) => {
    const raw = c.req.header(IDENTITY_HEADER);
    let email: string | undefined;
    if (raw !== undefined) {
      // fetch Headers join repeated headers with ", "; two identities is an attack or a broken proxy.
      if (raw.includes(',')) throw badRequest('X-Forwarded-Email must be sent exactly once');
      email = raw.trim();
      if (!EMAIL_PATTERN.test(email)) throw badRequest('X-Forwarded-Email is not a valid email address');
    }
    if (options.mode === 'proxy') {
      if (options.isTrustedProxy && !options.isTrustedProxy(c)) throw unauthenticated('request did not come through the trusted proxy');
      if (!email) throw unauthenticated('missing X-Forwarded-Email: sign in through the proxy');
    }
    email ??= options.mode === 'demo' ? options.defaultUser : undefined;
    if (!email) throw unauthenticated();
    // Someone the directory does not know may look, but holds no role that changes anything.
    const user: User = (await users.find(email)) ?? { email: email.toLowerCase(), name: email, roles: ['viewer'] };
    c.set('user', user);
    await next();
  };
}
