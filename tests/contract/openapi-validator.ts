/**
 * Checks responses against the OpenAPI document (decision 034): the operation must be documented, the
 * status must be one it documents, and a JSON body must match that status's schema (JSON Schema
 * 2020-12, as OpenAPI 3.1 writes it, by ajv). Each schema is compiled once, on first use.
 */
import { Ajv2020, type ValidateFunction } from 'ajv/dist/2020.js';
import addFormatsPlugin from 'ajv-formats';

type Schema = Record<string, unknown>;
interface MediaType {
  schema?: Schema;
}
interface ResponseObject {
  content?: Record<string, MediaType>;
}
interface OperationObject {
  responses?: Record<string, ResponseObject>;
}
export interface OpenApiDocumentLike {
  paths?: object;
  components?: { schemas?: object };
}

/** What the validator needs of a response; a fetch `Response` has all of it. */
export interface ResponseLike {
  status: number;
  headers: { get(name: string): string | null };
  text(): Promise<string>;
}

const COMPONENTS_ID = 'https://rewind.invalid/openapi/components';
const HTTP_METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'];
// ajv-formats is CommonJS; its function is the module itself under Node's ESM interop.
const addFormats = ((addFormatsPlugin as unknown as { default?: typeof addFormatsPlugin }).default ?? addFormatsPlugin) as unknown as (ajv: Ajv2020) => void;

interface Route {
  path: string;
  pattern: RegExp;
  /** Literal segments first: `/compare/fields` wins over a `{param}` in the same place. */
  params: number;
}

function routeOf(path: string): Route {
  const source = path
    .split('/')
    .map((segment) => (/^\{[^}]+\}$/.test(segment) ? '[^/]+' : segment.replace(/[.*+?^$()|[\]\\]/g, '\\$&')))
    .join('/');
  return { path, pattern: new RegExp(`^${source}$`), params: (path.match(/\{/g) ?? []).length };
}

/** `#/components/schemas/X` → an absolute reference into the one schema holding every component. */
function absoluteRefs<T>(value: T): T {
  return JSON.parse(JSON.stringify(value).replaceAll('"#/components/schemas/', `"${COMPONENTS_ID}#/$defs/`)) as T;
}

export class OpenApiResponseValidator {
  private readonly ajv = new Ajv2020({ allErrors: true, strict: true, allowUnionTypes: true });
  private readonly routes: Route[];
  private readonly compiled = new Map<string, ValidateFunction>();

  constructor(private readonly document: OpenApiDocumentLike) {
    addFormats(this.ajv);
    // OpenAPI's own annotation keywords, which zod-openapi may write into a schema.
    for (const keyword of ['example', 'externalDocs', 'xml', 'discriminator']) this.ajv.addKeyword(keyword);
    this.ajv.addSchema({ $id: COMPONENTS_ID, $defs: absoluteRefs(document.components?.schemas ?? {}) });
    this.routes = Object.keys(document.paths ?? {})
      .map(routeOf)
      .sort((a, b) => a.params - b.params);
  }

  /** The documented path a request path (with or without its query) belongs to, if any. */
  documentedPath(requestPath: string): string | undefined {
    const pathname = new URL(requestPath, 'http://rewind.invalid').pathname;
    return this.routes.find((route) => route.pattern.test(pathname))?.path;
  }

  /**
   * Every way the response breaks the document, as `METHOD path → status: problem` lines; none when it
   * conforms. Reads the body of a JSON response (pass a clone to keep the original readable); an event
   * stream's body is never read.
   */
  async problems(method: string, requestPath: string, response: ResponseLike): Promise<string[]> {
    const verb = method.toLowerCase();
    const path = this.documentedPath(requestPath);
    const where = `${method.toUpperCase()} ${path ?? requestPath} → ${response.status}`;
    const paths = (this.document.paths ?? {}) as Record<string, Record<string, OperationObject | undefined>>;
    const operation = path ? paths[path]?.[verb] : undefined;
    if (!path || !HTTP_METHODS.includes(verb) || !operation) {
      // The API app answers any other path or method with a 404 error body (`no such endpoint`).
      if (response.status === 404) return this.bodyProblems(where, response, 'unknown-endpoint', { $ref: '#/components/schemas/Error' });
      return [`${where}: the operation is not in the OpenAPI document`];
    }
    const documented = operation.responses?.[String(response.status)];
    if (!documented) {
      const statuses = Object.keys(operation.responses ?? {}).join(', ');
      return [`${where}: status ${response.status} is not documented (documented: ${statuses})`];
    }
    const contentType = (response.headers.get('content-type') ?? '').split(';')[0]!.trim().toLowerCase();
    const media = documented.content ?? {};
    if (Object.keys(media).length === 0) {
      const text = await response.text();
      return text === '' ? [] : [`${where}: documented without a body, but one was sent (${contentType || 'no content type'})`];
    }
    if (!(contentType in media)) return [`${where}: content type ${contentType || '(none)'} is not documented (documented: ${Object.keys(media).join(', ')})`];
    if (contentType !== 'application/json') return [];
    return this.bodyProblems(where, response, `${verb} ${path} ${response.status}`, media[contentType]!.schema ?? {});
  }

  private async bodyProblems(where: string, response: ResponseLike, key: string, schema: Schema): Promise<string[]> {
    const text = await response.text();
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch {
      return [`${where}: the body is not JSON: ${text.slice(0, 200)}`];
    }
    const validate = this.validatorFor(key, schema);
    if (validate(body)) return [];
    return (validate.errors ?? []).map((error) => {
      const at = error.instancePath || '(the body)';
      const detail = error.params && Object.keys(error.params).length ? ` ${JSON.stringify(error.params)}` : '';
      return `${where}: ${at} ${error.message ?? 'does not match'}${detail}`;
    });
  }

  /** Compiles every JSON response schema now (strict mode refuses what it cannot check); returns how many. */
  compileAll(): number {
    const paths = (this.document.paths ?? {}) as Record<string, Record<string, OperationObject | undefined>>;
    let count = 0;
    for (const [path, item] of Object.entries(paths)) {
      for (const [verb, operation] of Object.entries(item)) {
        for (const [status, response] of Object.entries(operation?.responses ?? {})) {
          const schema = response.content?.['application/json']?.schema;
          if (!schema) continue;
          this.validatorFor(`${verb} ${path} ${status}`, schema);
          count++;
        }
      }
    }
    return count;
  }

  private validatorFor(key: string, schema: Schema): ValidateFunction {
    let validate = this.compiled.get(key);
    if (!validate) {
      validate = this.ajv.compile(absoluteRefs(schema));
      this.compiled.set(key, validate);
    }
    return validate;
  }
}
