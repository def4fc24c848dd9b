/**
 * A stable hash of a planned rollback: what an approval binds to (DESIGN.md, "Approval binds to
 * content"). The same base sha and the same new file contents give the same hash on every machine and
 * in the browser; any changed byte, path, deletion or base gives another.
 *
 * Encoding (version 1), hashed with SHA-256 (WebCrypto, a global in browsers and Node 20):
 *   "rewind-plan-v1\n" base "\n" then, for each path in code-unit order:
 *   "P" len ":" path, then "D" for a deletion or "F" len ":" content
 * where len is the UTF-8 byte length in decimal. The length prefixes make the encoding unambiguous:
 * no choice of paths and contents can produce the same bytes as another.
 */

const PREFIX = 'rewind-plan-v1\n';

function sortedPaths(changes: Readonly<Record<string, string | null>>): string[] {
  // Code-unit order: independent of locale, the same in every runtime.
  return Object.keys(changes).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
}

/** The exact bytes that `hashPlan` digests (exported for tests and debugging). */
export function encodePlan(baseSha: string, changes: Readonly<Record<string, string | null>>): Uint8Array {
  const encoder = new TextEncoder();
  const parts: Uint8Array[] = [encoder.encode(`${PREFIX}${baseSha}\n`)];
  const field = (tag: string, text: string) => {
    const bytes = encoder.encode(text);
    parts.push(encoder.encode(`${tag}${bytes.length}:`), bytes);
  };
  for (const path of sortedPaths(changes)) {
    field('P', path);
    const content = changes[path];
    if (content === null || content === undefined) parts.push(encoder.encode('D'));
    else field('F', content);
  }
  const total = parts.reduce((sum, part) => sum + part.length, 0);
  const out = new Uint8Array(total);
  let offset = 0;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.length;
  }
  return out;
}

function toHex(buffer: ArrayBuffer): string {
  return Array.from(new Uint8Array(buffer), (byte) => byte.toString(16).padStart(2, '0')).join('');
}

/** SHA-256 of the plan's encoding, as 64 lowercase hex digits. */
export async function hashPlan(baseSha: string, changes: Readonly<Record<string, string | null>>): Promise<string> {
  const bytes = encodePlan(baseSha, changes);
  const digest = await globalThis.crypto.subtle.digest('SHA-256', bytes as Uint8Array<ArrayBuffer>);
  return toHex(digest);
}
