/**
 * One JSON call to an agent's API over node:http(s), with a bearer token, an optional CA and a hard
 * timeout. Plain node:https rather than a client library (decision 019): a custom CA needs only the
 * `ca` option here, while global fetch would need undici's Agent as another dependency.
 */
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';

/** Why an agent call failed, worded for a person reading the status ("unknown — <reason>"). */
export class AgentCallError extends Error {
  override name = 'AgentCallError';
  constructor(
    message: string,
    readonly status: number | null,
  ) {
    super(message);
  }
}

export interface JsonCall {
  url: string;
  method?: 'GET' | 'POST' | 'PATCH';
  token: string;
  ca?: Buffer | undefined;
  body?: unknown;
  contentType?: string;
  timeoutMs: number;
  /** Largest answer read; an Application with thousands of resources is a few MB. */
  maxBytes?: number;
}

export interface JsonAnswer {
  status: number;
  body: unknown;
}

const DEFAULT_MAX_BYTES = 16 * 1024 * 1024;

export function callJson(call: JsonCall): Promise<JsonAnswer> {
  const url = new URL(call.url);
  const payload = call.body === undefined ? undefined : Buffer.from(JSON.stringify(call.body));
  const send = url.protocol === 'https:' ? httpsRequest : httpRequest;
  const maxBytes = call.maxBytes ?? DEFAULT_MAX_BYTES;
  return new Promise<JsonAnswer>((resolve, reject) => {
    const req = send(
      url,
      {
        method: call.method ?? 'GET',
        headers: {
          accept: 'application/json',
          authorization: `Bearer ${call.token}`,
          ...(payload ? { 'content-type': call.contentType ?? 'application/json', 'content-length': payload.length } : {}),
        },
        ...(call.ca ? { ca: call.ca } : {}),
        timeout: call.timeoutMs,
      },
      (res) => {
        const chunks: Buffer[] = [];
        let size = 0;
        res.on('data', (chunk: Buffer) => {
          size += chunk.length;
          if (size > maxBytes) {
            req.destroy(new AgentCallError(`answer over ${maxBytes} bytes`, res.statusCode ?? null));
            return;
          }
          chunks.push(chunk);
        });
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          const status = res.statusCode ?? 0;
          let body: unknown = text;
          try {
            body = text ? JSON.parse(text) : null;
          } catch {
            if (status >= 200 && status < 300) {
              reject(new AgentCallError(`answered ${status} with malformed JSON`, status));
              return;
            }
          }
          resolve({ status, body });
        });
        res.on('error', reject);
      },
    );
    // A hung agent must not hold a poller: the whole call, not only the socket, is bounded.
    const timer = setTimeout(() => req.destroy(new AgentCallError(`no answer within ${call.timeoutMs} ms`, null)), call.timeoutMs);
    req.on('timeout', () => req.destroy(new AgentCallError(`no answer within ${call.timeoutMs} ms`, null)));
    req.on('error', (error: Error & { code?: string }) => {
      clearTimeout(timer);
      reject(error instanceof AgentCallError ? error : new AgentCallError(callFailure(error), null));
    });
    req.on('close', () => clearTimeout(timer));
    req.end(payload);
  });
}

/** Node's codes for a certificate the configured CAs do not vouch for (or that names another host). */
const TLS_TRUST_CODES = /^(UNABLE_TO_VERIFY_LEAF_SIGNATURE|UNABLE_TO_GET_ISSUER_CERT(_LOCALLY)?|SELF_SIGNED_CERT_IN_CHAIN|DEPTH_ZERO_SELF_SIGNED_CERT|CERT_UNTRUSTED|ERR_TLS_CERT_ALTNAME_INVALID|CERT_HAS_EXPIRED)$/;

/** Why a call got no HTTP answer, in words an operator can act on. */
function callFailure(error: Error & { code?: string }): string {
  if (error.code && TLS_TRUST_CODES.test(error.code)) {
    return `unreachable: its TLS certificate is not trusted (${error.code}: ${error.message}); set caFile to the CA that signed it`;
  }
  return `unreachable: ${error.code ?? error.message}`;
}

/** The message an agent put in an error body (Argo CD: `{ error, message }`, Kubernetes: Status), if any. */
export function errorMessageOf(body: unknown): string | null {
  if (typeof body === 'string') return body.slice(0, 200) || null;
  if (body && typeof body === 'object') {
    const { message, error } = body as Record<string, unknown>;
    if (typeof message === 'string' && message) return message.slice(0, 200);
    if (typeof error === 'string' && error) return error.slice(0, 200);
  }
  return null;
}
