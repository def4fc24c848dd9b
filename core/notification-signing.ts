/**
 * The generic webhook's signature (decision 038, Stripe-style): `X-Rewind-Signature: t=<unix seconds>,
 * v1=<hex HMAC-SHA256(secret, "<t>.<body>")>`. The timestamp is signed with the body, so a receiver
 * that rejects old timestamps (default tolerance: 5 minutes) cannot be fed a recorded delivery later;
 * within the tolerance, `X-Rewind-Delivery` (the message id) lets it drop duplicates. Web Crypto
 * only: the same code runs in Node and the browser.
 */

export const SIGNATURE_HEADER = 'X-Rewind-Signature';
export const DELIVERY_HEADER = 'X-Rewind-Delivery';
export const DEFAULT_TOLERANCE_SECONDS = 300;

const encoder = new TextEncoder();

async function hmacHex(secret: string, text: string): Promise<string> {
  const key = await crypto.subtle.importKey('raw', encoder.encode(secret), { name: 'HMAC', hash: 'SHA-256' }, false, ['sign']);
  const mac = new Uint8Array(await crypto.subtle.sign('HMAC', key, encoder.encode(text)));
  return Array.from(mac, (byte) => byte.toString(16).padStart(2, '0')).join('');
}

/** The header value for `body` sent at `at`. */
export async function signatureHeader(secret: string, body: string, at: Date): Promise<string> {
  const t = Math.floor(at.getTime() / 1000);
  return `t=${t},v1=${await hmacHex(secret, `${t}.${body}`)}`;
}

export type SignatureCheck = { ok: true } | { ok: false; reason: string };

/** What a receiver does: parse, check the age, recompute and compare in constant time. */
export async function verifySignature(secret: string, body: string, header: string | null | undefined, now: Date, toleranceSeconds = DEFAULT_TOLERANCE_SECONDS): Promise<SignatureCheck> {
  if (!header) return { ok: false, reason: 'no signature header' };
  const parts = new Map(header.split(',').map((part) => {
    const at = part.indexOf('=');
    return [part.slice(0, at).trim(), part.slice(at + 1).trim()] as const;
  }));
  const t = Number(parts.get('t'));
  const v1 = parts.get('v1');
  if (!Number.isInteger(t) || !v1) return { ok: false, reason: 'malformed signature header' };
  if (Math.abs(now.getTime() / 1000 - t) > toleranceSeconds) return { ok: false, reason: 'timestamp outside the tolerance (replayed or clock skew)' };
  const expected = await hmacHex(secret, `${t}.${body}`);
  if (expected.length !== v1.length) return { ok: false, reason: 'signature mismatch' };
  let diff = 0;
  for (let i = 0; i < expected.length; i += 1) diff |= expected.charCodeAt(i) ^ v1.charCodeAt(i);
  return diff === 0 ? { ok: true } : { ok: false, reason: 'signature mismatch' };
}
