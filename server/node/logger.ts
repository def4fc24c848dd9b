/**
 * Structured JSON logs (pino), one line per event, each carrying the id of the HTTP request it
 * belongs to (`requestId`, also sent back as `X-Request-Id`), so one request's lines can be found
 * among every replica's. The API layer logs through the plain `Logger` function type (it runs in the
 * browser too); this adapts it.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { randomUUID } from 'node:crypto';
import pino, { type DestinationStream, type Logger as PinoLogger } from 'pino';
import type { Logger } from '#server/api/http-errors.ts';

const requestContext = new AsyncLocalStorage<{ requestId: string }>();

/** An incoming `X-Request-Id` is kept when it is a plain token (a proxy's id); anything else is replaced. */
export function requestIdFrom(header: string | undefined): string {
  return header && /^[A-Za-z0-9._:-]{1,128}$/.test(header) ? header : randomUUID();
}

export function withRequestId<T>(requestId: string, work: () => T): T {
  return requestContext.run({ requestId }, work);
}

export function currentRequestId(): string | undefined {
  return requestContext.getStore()?.requestId;
}

export function createPinoLogger(destination?: DestinationStream): PinoLogger {
  const options = {
    base: { service: 'rewind' },
    timestamp: pino.stdTimeFunctions.isoTime,
    formatters: { level: (label: string) => ({ level: label }) },
    mixin: () => {
      const requestId = currentRequestId();
      return requestId ? { requestId } : {};
    },
  };
  return destination ? pino(options, destination) : pino(options);
}

const LEVELS = new Set(['trace', 'debug', 'info', 'warn', 'error', 'fatal']);

/** The API's `Logger` over pino: `level` and `msg` of the entry pick the call, the rest are fields. */
export function pinoLogger(logger: PinoLogger): Logger {
  return ({ level, msg, ...fields }) => {
    const method = typeof level === 'string' && LEVELS.has(level) ? (level as 'info') : 'info';
    logger[method](fields, typeof msg === 'string' ? msg : '');
  };
}
