#!/usr/bin/env node
// Writes the OpenAPI document generated from the route registry and the zod schemas to
// docs/openapi.json (decision 034). `--check` writes nothing and fails when the file is stale.
import { readFileSync, writeFileSync } from 'node:fs';
import { openApiJson } from '#server/api/openapi/document.ts';

const OPENAPI_FILE = new URL('../docs/openapi.json', import.meta.url);

const text = openApiJson();
if (process.argv.includes('--check')) {
  let current = '';
  try {
    current = readFileSync(OPENAPI_FILE, 'utf8');
  } catch {
    // missing: stale
  }
  if (current !== text) {
    console.error('docs/openapi.json is stale: run `npm run openapi` and commit it.');
    process.exit(1);
  }
  console.log('docs/openapi.json is up to date.');
} else {
  writeFileSync(OPENAPI_FILE, text);
  console.log(`wrote docs/openapi.json (${Object.keys(JSON.parse(text).paths).length} paths)`);
}
