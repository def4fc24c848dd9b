/**
 * A large, deeply nested YAML manifest (within the parse limits, so it is really parsed): the input of
 * the test and the benchmark that show YAML work of a rollback preview leaving the event loop free.
 */

/** About `targetChars` characters: `depth` levels of nested maps, each level with sibling keys. */
export function nestedManifest(targetChars: number, depth = 80, value = 'v1'): string {
  const lines: string[] = [];
  let chars = 0;
  const perLevel = Math.max(1, Math.floor(targetChars / (depth * (depth + 24))));
  for (let level = 0; level < depth && chars < targetChars; level++) {
    const indent = ' '.repeat(level * 2);
    for (let i = 0; i < perLevel; i++) {
      const line = `${indent}key-${level}-${i}: ${value}-${level}-${i}`;
      lines.push(line);
      chars += line.length + 1;
    }
    lines.push(`${indent}level-${level + 1}:`);
  }
  lines.push(`${' '.repeat(depth * 2)}leaf: ${value}`);
  return `${lines.join('\n')}\n`;
}
