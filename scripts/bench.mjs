#!/usr/bin/env node
// `npm run bench`: runs every bench/*.bench.mjs (or those named on the command line) and prints one
// JSON object per line: {"name","value","unit","baseline","ratio"}. Ratios against a native baseline
// (raw git) are what to compare across machines; absolute figures vary with load.
import { readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

const dir = resolve('bench');
const wanted = process.argv.slice(2);
const suites = readdirSync(dir)
  .filter((f) => f.endsWith('.bench.mjs'))
  .filter((f) => wanted.length === 0 || wanted.some((w) => f.includes(w)))
  .sort();

let failures = 0;
for (const file of suites) {
  const suite = await import(pathToFileURL(join(dir, file)).href);
  try {
    await suite.run((result) => console.log(JSON.stringify({ baseline: null, ratio: null, ...result })));
  } catch (error) {
    failures++;
    console.error(`bench ${file} failed: ${error instanceof Error ? error.stack : error}`);
  }
}
process.exit(failures ? 1 : 0);
