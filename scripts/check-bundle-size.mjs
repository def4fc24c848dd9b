#!/usr/bin/env node
// Fails the build when the JavaScript a first visit must load (the entry chunk and everything it
// imports statically) is over budget. Lazy routes and the mock backend are not counted: they load later.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';

const BUDGET_BYTES = 120 * 1024;
const outDir = process.argv[2] ?? 'dist';
const manifest = JSON.parse(readFileSync(join(outDir, '.vite', 'manifest.json'), 'utf8'));

const entries = Object.entries(manifest).filter(([, chunk]) => chunk.isEntry);
const initial = new Set();
const visit = (key) => {
  if (initial.has(key)) return;
  initial.add(key);
  for (const imported of manifest[key]?.imports ?? []) visit(imported);
};
for (const [key] of entries) visit(key);

let total = 0;
const rows = [];
for (const key of initial) {
  const file = manifest[key].file;
  if (!file.endsWith('.js')) continue;
  const size = gzipSync(readFileSync(join(outDir, file)), { level: 9 }).length;
  total += size;
  rows.push(`  ${file}  ${(size / 1024).toFixed(1)} KB gz`);
}
console.log(`Initial JavaScript (${outDir}):\n${rows.join('\n')}\n  total ${(total / 1024).toFixed(1)} KB gzipped, budget ${BUDGET_BYTES / 1024} KB`);
if (total > BUDGET_BYTES) {
  console.error(`Initial JavaScript is over budget by ${((total - BUDGET_BYTES) / 1024).toFixed(1)} KB.`);
  process.exit(1);
}
