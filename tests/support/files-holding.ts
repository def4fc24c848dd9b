/** Where a secret could have leaked to disk: every file under `dir` whose bytes hold `secret`. */
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

export function filesHolding(dir: string, secret: string): string[] {
  const found: string[] = [];
  for (const name of readdirSync(dir, { recursive: true, encoding: 'utf8' })) {
    const path = join(dir, name);
    if (statSync(path).isFile() && readFileSync(path).includes(secret)) found.push(path);
  }
  return found;
}
