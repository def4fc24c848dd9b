import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { openApiJson } from '#server/api/openapi/document.ts';

describe('docs/openapi.json (decision 034)', () => {
  it('is the document the registry and the zod schemas generate now (else: npm run openapi)', () => {
    const checkedIn = readFileSync(new URL('../docs/openapi.json', import.meta.url), 'utf8');
    // Compared as text, so the failure shows which lines changed; the message says how to fix it.
    expect(checkedIn, 'docs/openapi.json is stale: run `npm run openapi` and commit it').toBe(openApiJson());
  });
});
