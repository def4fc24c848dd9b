import { expect } from 'vitest';
import { errorBodySchema } from '#core/schemas.ts';
import type { DemoRepo } from '#demo/demo-data.ts';
import type { NewCommit } from '#in-memory/in-memory-revision-store.ts';
import { openApiDocument } from '#server/api/openapi/document.ts';
import { OpenApiResponseValidator } from './openapi-validator.ts';

/**
 * What the API contract suite needs from a backend: send a request, and add commits behind its back
 * (as a CI pipeline pushing to the infra repo would). The in-memory run and the git + SQL run each
 * provide one, loaded with the same demo data.
 */
export interface ApiHarness {
  request(path: string, init?: RequestInit): Promise<Response>;
  appendCommit(commit: NewCommit): Promise<string>;
  /** The sha a demo commit id got in this backend. */
  shaOf(demoId: string): string;
  repo: DemoRepo;
  close(): Promise<void>;
}

let validator: OpenApiResponseValidator | null = null;

/** One validator per test process: its schemas are compiled once, on first use. */
export function contractValidator(): OpenApiResponseValidator {
  validator ??= new OpenApiResponseValidator(openApiDocument());
  return validator;
}

/**
 * A harness's `request` that fails the test when a response breaks the OpenAPI document (decision
 * 034): an undocumented operation or status, or a JSON body not matching its schema, named by path.
 */
export function checkedAgainstOpenApi(request: ApiHarness['request'], check = contractValidator): ApiHarness['request'] {
  return async (path, init) => {
    const response = await request(path, init);
    // An event stream stays open: only its status and content type are checked, never its body.
    const stream = response.headers.get('content-type')?.startsWith('text/event-stream');
    const problems = await check().problems(init?.method ?? 'GET', path, stream ? { status: response.status, headers: response.headers, text: async () => '' } : response.clone());
    if (problems.length) throw new Error(`the response breaks the OpenAPI document (docs/openapi.json, decision 034):\n${problems.join('\n')}`);
    return response;
  };
}

/** `app.fetch` of a backend a test builds itself (to patch its store), checked the same way. */
export function checkedFetch(fetch: (request: Request) => Response | Promise<Response>): (request: Request) => Promise<Response> {
  return (request) => {
    const url = new URL(request.url);
    return checkedAgainstOpenApi(async () => fetch(request))(`${url.pathname}${url.search}`, { method: request.method });
  };
}

export async function json<T = Record<string, unknown>>(response: Response): Promise<T> {
  return (await response.json()) as T;
}

/** Asserts an error response: its status, its code, and its message when given; returns the message. */
export async function expectError(response: Response, status: number, code: string, message?: string | RegExp): Promise<string> {
  const text = await response.text();
  expect(response.status, text).toBe(status);
  const body = errorBodySchema.parse(JSON.parse(text));
  expect(body.error.code).toBe(code);
  if (typeof message === 'string') expect(body.error.message).toBe(message);
  else if (message) expect(body.error.message).toMatch(message);
  return body.error.message;
}

/** Asserts a success status and parses the body. */
export async function expectOk<T>(response: Response, status: number, parse: (v: unknown) => T): Promise<T> {
  const text = await response.text();
  expect(response.status, text).toBe(status);
  return parse(JSON.parse(text));
}

/** An open `/api/events` stream: `readUntil` returns all text received once it matches. */
export async function openEventStream(api: Pick<ApiHarness, 'request'>) {
  const controller = new AbortController();
  const response = await api.request('/api/events', { signal: controller.signal });
  const reader = response.body!.getReader();
  const decoder = new TextDecoder();
  let text = '';
  return {
    response,
    async readUntil(pattern: RegExp): Promise<string> {
      while (!pattern.test(text)) {
        const { value, done } = await reader.read();
        if (done) break;
        text += decoder.decode(value, { stream: true });
      }
      return text;
    },
    async close(): Promise<void> {
      controller.abort();
      await reader.cancel().catch(() => {});
    },
  };
}
