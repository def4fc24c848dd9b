/**
 * A deterministic 40-hex id for in-memory commits. Not SHA-1 (the browser has no synchronous SHA-1),
 * but stable for the same input and well spread, which is all the in-memory store needs.
 */
export function fakeSha(input: string): string {
  let hex = '';
  for (let round = 0; round < 5; round++) {
    // FNV-1a with a different offset basis per round gives five independent 32-bit words.
    let hash = (0x811c9dc5 ^ Math.imul(round + 1, 0x9e3779b1)) >>> 0;
    for (let i = 0; i < input.length; i++) {
      hash ^= input.charCodeAt(i);
      hash = Math.imul(hash, 0x01000193) >>> 0;
    }
    hash ^= hash >>> 15;
    hash = Math.imul(hash, 0x2c1b3c6d) >>> 0;
    hash ^= hash >>> 12;
    hex += (hash >>> 0).toString(16).padStart(8, "0");
  }
  return hex;
}
