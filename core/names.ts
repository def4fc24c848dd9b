/**
 * Tenant, environment and service names end up in filesystem paths and git pathspecs, so they are
 * held to DNS-label rules (RFC 1123): lowercase ASCII letters, digits and inner hyphens, 1..63 chars.
 * Anything else (traversal, encoded dots, NUL, Unicode look-alikes) is rejected before any read.
 */
export const NAME_PATTERN = /^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/;

export function isValidName(value: string): boolean {
  return NAME_PATTERN.test(value);
}

/** A full or abbreviated commit id as accepted on input (4..40 lowercase hex). */
export const SHA_INPUT_PATTERN = /^[0-9a-f]{4,40}$/;
export const FULL_SHA_PATTERN = /^[0-9a-f]{40}$/;

/**
 * A rollback request id as the server makes it (`IdGenerator.next('rbk-')`: `rbk-` and lowercase
 * letters and digits, e.g. `rbk-k3j2h1`; generated ids have 6 to 12). Anything else names no request.
 */
export const REQUEST_ID_PATTERN = /^rbk-[a-z0-9]{1,60}$/;
