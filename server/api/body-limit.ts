/**
 * The API's request-body limit. Hono's `bodyLimit` looks at `c.req.raw.body` first, and on Node that
 * makes @hono/node-server build a full web `Request` with a stream around the socket for every API
 * call, GETs included: about a sixth of the event loop's work per review under load. A body that
 * declares its length is judged by that header alone, as `bodyLimit` itself does: Node's parser
 * never hands on more bytes than Content-Length says (the rest would be the next request). Only a
 * body without a declared length (chunked) goes through `bodyLimit`, which counts it as it streams.
 */
import type { Context, MiddlewareHandler } from 'hono';
import { bodyLimit } from 'hono/body-limit';

const WITHOUT_BODY = new Set(['GET', 'HEAD']);

export function limitBody(maxSize: number, onError: (c: Context) => Response | Promise<Response>): MiddlewareHandler {
  const counted = bodyLimit({ maxSize, onError });
  return async (c, next) => {
    if (WITHOUT_BODY.has(c.req.method)) return next();
    const declared = c.req.header('content-length');
    if (declared === undefined || c.req.header('transfer-encoding') !== undefined) return counted(c, next);
    // An unreadable length is left to `bodyLimit`, which then counts what actually arrives.
    if (!/^\d+$/.test(declared)) return counted(c, next);
    return Number(declared) > maxSize ? onError(c) : next();
  };
}
