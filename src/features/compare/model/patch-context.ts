/**
 * Whether a patch asked for with `context` lines of context already shows its whole file: one hunk
 * that starts at the first line and ends with fewer context lines than were asked for (git stops at
 * the end of the file). Then "More context" has nothing left to show. Conservative: a hunk that ends
 * with exactly `context` lines may or may not be at the end, and counts as not whole.
 */
export function showsWholeFile(patch: string, context: number): boolean {
  const lines = patch.split('\n');
  const hunks = lines.filter((line) => line.startsWith('@@ '));
  if (hunks.length !== 1) return false;
  const header = /^@@ -(\d+)(?:,\d+)? \+(\d+)(?:,\d+)? @@/.exec(hunks[0]!);
  if (!header || Number(header[1]) > 1 || Number(header[2]) > 1) return false;
  const body = lines.slice(lines.indexOf(hunks[0]!) + 1).filter((line) => line !== '' && !line.startsWith('\\'));
  let trailing = 0;
  for (let i = body.length - 1; i >= 0 && body[i]!.startsWith(' '); i--) trailing++;
  return trailing < context;
}
