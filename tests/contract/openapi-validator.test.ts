import { describe, expect, it } from 'vitest';
import { createMockBackend } from '#mocks/backend.ts';
import { openApiDocument } from '#server/api/openapi/document.ts';
import { checkedAgainstOpenApi, contractValidator } from './harness.ts';

const jsonResponse = (status: number, body: unknown) =>
  new Response(JSON.stringify(body), { status, headers: { 'Content-Type': 'application/json; charset=UTF-8' } });

const me = {
  user: { email: 'sam@example.com', name: 'Sam', roles: ['requester'] },
  breakGlass: null,
  identityMode: 'demo',
};

describe('the OpenAPI response validator (decision 034)', () => {
  const validator = contractValidator();

  it('accepts a response that matches its operation, status and schema', async () => {
    expect(await validator.problems('GET', '/api/me', jsonResponse(200, me))).toEqual([]);
    expect(await validator.problems('GET', '/api/targets/acme/production', jsonResponse(404, { error: { code: 'NOT_FOUND', message: 'unknown target acme/production', field: 'target' } }))).toEqual([]);
  });

  it('names the path of every mismatch in a body', async () => {
    const wrong = { user: { email: 'sam@example.com', name: 7, roles: ['superuser'] }, identityMode: 'demo' };
    const problems = await validator.problems('GET', '/api/me', jsonResponse(200, wrong));
    expect(problems).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^GET \/api\/me → 200: \(the body\) must have required property 'breakGlass'/),
        expect.stringMatching(/^GET \/api\/me → 200: \/user\/name must be string/),
        expect.stringMatching(/^GET \/api\/me → 200: \/user\/roles\/0 must be equal to one of the allowed values/),
      ]),
    );
  });

  it('refuses a property the schema does not have, deep in a shared component', async () => {
    const target = (await (await createMockBackend().app.fetch(new Request('http://rewind.test/api/targets/acme/production'))).json()) as {
      target: { policy: Record<string, unknown> };
    };
    expect(await validator.problems('GET', '/api/targets/acme/production', jsonResponse(200, target))).toEqual([]);
    target.target.policy.quorum = 2;
    expect(await validator.problems('GET', '/api/targets/acme/production', jsonResponse(200, target))).toEqual([
      expect.stringMatching(/^GET \/api\/targets\/\{tenant\}\/\{environment\} → 200: \/target\/policy must NOT have additional properties \{"additionalProperty":"quorum"\}/),
    ]);
  });

  it('refuses an undocumented status, content type, operation, or a body where none is documented', async () => {
    expect(await validator.problems('GET', '/api/me', jsonResponse(409, { error: { code: 'CONFLICT', message: 'x' } }))).toEqual([
      expect.stringMatching(/^GET \/api\/me → 409: status 409 is not documented \(documented: 200, 400, 401, 500, 503\)/),
    ]);
    expect(await validator.problems('GET', '/api/me', new Response('hello', { status: 200, headers: { 'Content-Type': 'text/plain' } }))).toEqual([
      'GET /api/me → 200: content type text/plain is not documented (documented: application/json)',
    ]);
    expect(await validator.problems('PUT', '/api/me', jsonResponse(200, me))).toEqual(['PUT /api/me → 200: the operation is not in the OpenAPI document']);
    const noContent = { status: 204, headers: new Headers({ 'Content-Type': 'application/json' }), text: async () => '{}' };
    expect(await validator.problems('DELETE', '/api/break-glass', noContent)).toEqual([
      'DELETE /api/break-glass → 204: documented without a body, but one was sent (application/json)',
    ]);
  });

  it("accepts the app's 404 error body for an unknown endpoint, and nothing else there", async () => {
    expect(await validator.problems('GET', '/api/nope', jsonResponse(404, { error: { code: 'NOT_FOUND', message: 'no such endpoint: GET /api/nope' } }))).toEqual([]);
    expect(await validator.problems('GET', '/api/nope', jsonResponse(404, { message: 'not found' }))).toEqual(
      expect.arrayContaining([expect.stringMatching(/^GET \/api\/nope → 404: \(the body\) must have required property 'error'/)]),
    );
  });

  it('matches literal segments before parameters, and ignores the query', () => {
    expect(validator.documentedPath('/api/targets/acme/production/compare/fields?from=abcd')).toBe('/api/targets/{tenant}/{environment}/compare/fields');
    expect(validator.documentedPath('/api/rollbacks/rbk-1/execute')).toBe('/api/rollbacks/{id}/execute');
    expect(validator.documentedPath('/api/targets/acme')).toBeUndefined();
  });

  it("fails a harness request whose answer breaks the document, and leaves a conforming answer's body readable", async () => {
    const broken = checkedAgainstOpenApi(async () => jsonResponse(200, { ...me, identityMode: 'sso' }));
    await expect(broken('/api/me')).rejects.toThrow(/breaks the OpenAPI document[\s\S]*\/identityMode must be equal to one of the allowed values/);
    const fine = checkedAgainstOpenApi(async () => jsonResponse(200, me));
    expect(await (await fine('/api/me')).json()).toEqual(me);
  });

  it('compiles the schema of every JSON response the document has, in strict mode', () => {
    expect(validator.compileAll()).toBeGreaterThan(100);
  });

  it('serves the document it checks against at /api/openapi.json', async () => {
    const response = await createMockBackend().app.fetch(new Request('http://rewind.test/api/openapi.json'));
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual(JSON.parse(JSON.stringify(openApiDocument())));
  });
});
