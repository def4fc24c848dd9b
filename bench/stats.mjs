// Small statistics the benches share.

/** The median (the mean of the two middle values for an even count). */
export function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/** Rounded to two decimals, as the benches report milliseconds. */
export const round = (ms) => Math.round(ms * 100) / 100;
